"""``GET /api/v1/quality/targets/?year=2026``: the quality targets (T3, T4, T6, T18-T23) for the city and the
schools the user may see, as the overview page shows them: each row with its figure (numerator,
denominator, value; ``null`` without data), target, comparison, result and source."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from ..policies.targets import may_view_targets
from ..views.targets import chosen_year, overview
from . import router


class TargetRowSerializer(serializers.Serializer):
    target_id = serializers.CharField(help_text="POLICY.md 中的编号，如 T20")
    rule = serializers.CharField(source="measure.rule")
    label = serializers.CharField(source="measure.label")
    unit = serializers.CharField(source="measure.unit", help_text="share / multiple / count / money")
    comparison = serializers.CharField(source="measure.comparison")
    school = serializers.IntegerField(source="school_id", allow_null=True, help_text="学校 id；全市为 null")
    numerator = serializers.DecimalField(
        source="figure.numerator", max_digits=20, decimal_places=4, allow_null=True
    )
    denominator = serializers.DecimalField(
        source="figure.denominator", max_digits=20, decimal_places=4, allow_null=True
    )
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    text = serializers.CharField()
    target = serializers.DecimalField(max_digits=20, decimal_places=4)
    met = serializers.BooleanField(allow_null=True)
    source = serializers.CharField()


class TargetsViewSet(viewsets.ViewSet):
    """The quality targets of a year (``year``, default this year)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度（2021 至今年）")],
        responses=TargetRowSerializer(many=True),
    )
    def list(self, request):
        if not may_view_targets(request.user):
            raise exceptions.PermissionDenied(_("质量指标总览面向政府部门、学校和研究人员。"))
        data = overview(request.user, chosen_year(request._request))
        return Response(TargetRowSerializer(data["rows"], many=True).data)


router.register("targets", TargetsViewSet, basename="quality-targets")
