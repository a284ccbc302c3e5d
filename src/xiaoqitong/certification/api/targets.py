"""API of the certification targets, under /api/v1/certification/targets/?year=: T12 (enterprises holding
the title at the year's end, or today for the current year, by level, against 30 by 2025, year by year) and
T2 (the share of local large and medium enterprises taking part deeply in vocational education, for the city
and each county-level unit, with the ways of taking part and the written definition). Aggregates only; for
government officers, researchers and platform administrators."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from ..selectors.evidence import DEFINITION, Way
from ..selectors.targets import targets_report
from ..views.targets import chosen_year, may_view_targets
from . import router


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()


class T12Serializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=gettext_lazy("持有称号的企业数（省级、市级各计一次）"))
    municipal = serializers.IntegerField()
    provincial = serializers.IntegerField()
    target = serializers.IntegerField(help_text=gettext_lazy("目标企业数"))
    target_year = serializers.IntegerField(help_text=gettext_lazy("目标年份"))
    met = serializers.BooleanField()
    short = serializers.IntegerField(help_text=gettext_lazy("距目标还差"))
    source = serializers.CharField()
    trajectory = YearCountSerializer(many=True, help_text=gettext_lazy("逐年持有称号的企业数"))


class ShareLineSerializer(serializers.Serializer):
    region = serializers.CharField(allow_null=True, help_text=gettext_lazy("县市区或园区代码；全市为 null"))
    region_name = serializers.CharField()
    deep = serializers.IntegerField(help_text=gettext_lazy("深度参与的企业"))
    total = serializers.IntegerField(help_text=gettext_lazy("本地大中型企业"))
    certified = serializers.IntegerField(help_text=gettext_lazy("其中持有称号的企业"))
    share = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    text = serializers.CharField(help_text=gettext_lazy("比例（百分比文字）"))
    met = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("null：暂无数据"))
    by_way = serializers.DictField(
        child=serializers.IntegerField(), help_text=gettext_lazy("各参与方式的企业数")
    )


class T2Serializer(serializers.Serializer):
    target = serializers.DecimalField(max_digits=6, decimal_places=4, help_text=gettext_lazy("目标比例"))
    source = serializers.CharField()
    min_ways = serializers.IntegerField(help_text=gettext_lazy("计为深度参与至少需要的参与方式数"))
    definition = serializers.CharField()
    ways = serializers.DictField(child=serializers.CharField(), help_text=gettext_lazy("参与方式代码与名称"))
    city = ShareLineSerializer()
    counties = ShareLineSerializer(many=True)


class TargetsReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField(help_text=gettext_lazy("统计日（年末，当年为今天）"))
    t12 = T12Serializer()
    t2 = T2Serializer()


def _share_line(report, line) -> dict:
    return {
        "region": line.region.code if line.region else None,
        "region_name": line.region.name if line.region else _("全市"),
        "deep": line.deep,
        "total": line.total,
        "certified": line.certified,
        "share": line.value,
        "text": line.text,
        "met": report.county_met(line),
        "by_way": {way: line.by_way.get(way, 0) for way in Way.LABELS},
    }


def report_data(report) -> dict:
    return {
        "year": report.year,
        "as_of": report.as_of,
        "t12": {
            "total": report.certified["total"],
            "municipal": report.certified["municipal"],
            "provincial": report.certified["provincial"],
            "target": report.certified_target,
            "target_year": report.target_year,
            "met": report.t12_met,
            "short": report.t12_short,
            "source": report.t12_source,
            "trajectory": [{"year": y, "count": n} for y, n in report.trajectory],
        },
        "t2": {
            "target": report.share_target,
            "source": report.t2_source,
            "min_ways": report.min_ways,
            "definition": str(DEFINITION % {"n": report.min_ways}),
            "ways": {way: str(label) for way, label in Way.LABELS.items()},
            "city": _share_line(report, report.city),
            "counties": [_share_line(report, line) for line in report.counties],
        },
    }


class TargetsViewSet(viewsets.ViewSet):
    """T12 and T2 for a year (officers, researchers, platform administrators)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=gettext_lazy("年度，默认今年"))],
        responses=TargetsReportSerializer,
    )
    def list(self, request):
        if not may_view_targets(request.user):
            raise exceptions.PermissionDenied(_("产教融合指标面向政府部门和研究人员。"))
        report = targets_report(chosen_year(request))
        return Response(TargetsReportSerializer(report_data(report)).data)


router.register("targets", TargetsViewSet, basename="certification-targets")
