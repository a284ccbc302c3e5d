"""API of the targets under /api/v1/governance/:

- ``targets/``: every T and R as data (read by everyone but enterprise staff; ``PATCH`` by government
  officers and platform administrators: value, upper, amber_band, deadline_year, note, through
  ``services.targets.target_update``); ``targets/{code}/history/?first=&last=`` the city's result year
  by year.
- ``target-results/?year=&code=&scope=city|county|school&state=``: the computed results the dashboard shows,
  scoped as the pages are (school staff: the city, their county and their school).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import ObjectViewSet

from ..choices import Scope, State
from ..models import Target
from ..policies.targets import may_view_targets
from ..selectors import targets as T
from ..services.targets import target_update
from ..views.targets import visible
from . import router


class TargetSerializer(serializers.ModelSerializer):
    comparison_display = serializers.CharField(source="get_comparison_display", read_only=True)
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "code",
            "name",
            "text",
            "formula",
            "comparison",
            "comparison_display",
            "value",
            "upper",
            "unit",
            "unit_display",
            "scopes",
            "deadline_year",
            "start_year",
            "amber_band",
            "rule_key",
            "source",
            "note",
        ]
        read_only_fields = [
            "code",
            "name",
            "text",
            "formula",
            "comparison",
            "unit",
            "start_year",
            "rule_key",
            "source",
        ]


class ResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="POLICY.md 中的编号，如 T16")
    name = serializers.CharField(source="target.name")
    year = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=Scope.choices)
    key = serializers.IntegerField(allow_null=True, help_text="县市区或学校 id；全市为 null")
    unit_name = serializers.CharField(source="name", help_text="全市、县市区或学校名称")
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    value_text = serializers.CharField()
    goal = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    target_text = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    note = serializers.CharField()
    records_url = serializers.CharField(help_text="背后记录的页面地址")
    source = serializers.CharField(source="target.source")


def _year(request) -> int:
    try:
        year = int(request.query_params.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    if year not in T.years():
        raise exceptions.ValidationError(
            {"year": _("年度应在 %(a)s 至 %(b)s 之间。") % {"a": T.FIRST_YEAR, "b": T.years()[0]}}
        )
    return year


class TargetViewSet(ObjectViewSet):
    model = Target
    serializer_class = TargetSerializer
    lookup_field = "code"
    http_method_names = ["get", "patch", "head", "options"]
    update_service = staticmethod(
        lambda *, actor, instance, **data: target_update(actor=actor, target=instance, data=data)
    )

    @extend_schema(
        parameters=[OpenApiParameter("first", int), OpenApiParameter("last", int)],
        responses=ResultSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def history(self, request, code=None):
        target = self.get_object()
        last = timezone.localdate().year
        try:
            first = max(T.FIRST_YEAR, int(request.query_params.get("first", T.FIRST_YEAR)))
            last = min(last, int(request.query_params.get("last", last)))
        except ValueError:
            raise exceptions.ValidationError(_("年度应为整数。")) from None
        return Response(ResultSerializer(T.history(target.code, first, last), many=True).data)


class TargetResultViewSet(viewsets.ViewSet):
    """Computed results of a year (``year``, default this year)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年度（2021 至今年）"),
            OpenApiParameter("code", str, description="目标编号，如 T16；可重复"),
            OpenApiParameter("scope", str, enum=Scope.values),
            OpenApiParameter("state", str, enum=State.values),
        ],
        responses=ResultSerializer(many=True),
    )
    def list(self, request):
        if not may_view_targets(request.user):
            raise exceptions.PermissionDenied(_("目标指标面向政府部门、学校和研究人员。"))
        year = _year(request)
        codes = request.query_params.getlist("code") or None
        scope = request.query_params.get("scope")
        scopes = (scope,) if scope in Scope.values else None
        results = visible(request.user, T.evaluate(year, codes=codes, scopes=scopes))
        state = request.query_params.get("state")
        if state in State.values:
            results = [r for r in results if r.state == state]
        return Response(ResultSerializer(results, many=True).data)


router.register("targets", TargetViewSet, basename="governance-target")
router.register("target-results", TargetResultViewSet, basename="governance-target-result")
