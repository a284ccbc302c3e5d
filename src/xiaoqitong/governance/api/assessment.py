"""API of the school assessment under ``/api/v1/governance/``:

- ``indicators/``: the indicator model (everyone who reads assessments reads it; the lead department of annex
  task 7 writes it). ``measure`` is a key of the measures (``GET …/indicators/measures/`` lists them).
- ``assessments/``: the assessments the caller reads (filters ``year``, ``status``). ``POST
  …/assessments/compute/`` ``{"year": 2025}`` computes (or recomputes a draft of) a year; ``POST
  …/<id>/publish/`` publishes it (both the lead department).
- ``scores/``: every school's total and rank with its lines (numerator, denominator, value, points, note)
  (filters ``assessment``, ``year``, ``school`` by code).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, ObjectViewSet

from ..filtersets.assessment import AssessmentFilterSet, IndicatorFilterSet, SchoolScoreFilterSet
from ..models import Assessment, Indicator, IndicatorScore, SchoolScore
from ..selectors.assessment import MEASURES, scoped
from ..services import assessment as services
from . import router


class IndicatorSerializer(BaseSerializer):
    measure = serializers.ChoiceField(
        choices=[(k, str(m.label)) for k, m in MEASURES.items()], help_text=gettext_lazy("计算来源")
    )
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "group",
            "measure",
            "weight",
            "direction",
            "direction_display",
            "floor",
            "full",
            "min_base",
            "description",
            "source",
            "is_active",
            "sort_order",
        ]


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    explanation = serializers.CharField()


class IndicatorViewSet(ObjectViewSet):
    model = Indicator
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    create_service = staticmethod(lambda *, actor, **data: services.indicator_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.indicator_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.indicator_delete)

    @extend_schema(responses=MeasureSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def measures(self, request):
        """The measures an indicator may name."""
        data = [
            {"key": k, "label": str(m.label), "unit": m.unit, "explanation": str(m.explanation)}
            for k, m in MEASURES.items()
        ]
        return Response(MeasureSerializer(data, many=True).data)


class AssessmentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "year",
            "status",
            "status_display",
            "computed_at",
            "published_at",
            "indicators",
            "note",
        ]
        read_only_fields = fields


class ComputeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=gettext_lazy("考核年度"))


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The assessments the caller reads; ``compute`` and ``publish`` for the lead department."""

    model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet

    def get_queryset(self):
        return Assessment.objects.restrict(self.request.user, "view").order_by("-year")

    @extend_schema(request=ComputeSerializer, responses=AssessmentSerializer)
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def compute(self, request):
        data = ComputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_compute(actor=request.user, year=data.validated_data["year"])
        return Response(self.get_serializer(assessment).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def publish(self, request, pk=None):
        assessment = services.assessment_publish(actor=request.user, assessment=self.get_object())
        return Response(self.get_serializer(assessment).data)


class IndicatorScoreSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)

    class Meta:
        model = IndicatorScore
        fields = ["indicator", "indicator_name", "numerator", "denominator", "value", "points", "note"]
        read_only_fields = fields


class SchoolScoreSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="assessment.year", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    lines = IndicatorScoreSerializer(many=True, read_only=True)

    class Meta:
        model = SchoolScore
        fields = ["id", "assessment", "year", "school", "school_name", "total", "rank", "lines"]
        read_only_fields = fields


class SchoolScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = SchoolScore
    serializer_class = SchoolScoreSerializer
    filterset_class = SchoolScoreFilterSet

    def get_queryset(self):
        from django.db.models import Prefetch

        return (
            scoped(SchoolScore.objects.all(), self.request.user, "view")
            .select_related("assessment", "school")
            .prefetch_related(Prefetch("lines", queryset=IndicatorScore.objects.select_related("indicator")))
            .order_by("-assessment__year", "rank", "school__code")
        )


router.register("indicators", IndicatorViewSet, basename="governance-indicator")
router.register("assessments", AssessmentViewSet, basename="governance-assessment")
router.register("scores", SchoolScoreViewSet, basename="governance-score")
