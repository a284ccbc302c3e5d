"""API of the reward fund under ``/api/v1/governance/``:

- ``funding-rules/``: the coefficients per major category (``category`` by its catalog code); the lead
  department of annex task 15 writes them. Imports go through ``/api/v1/core/import-jobs/`` with
  ``target=governance.FundingRule``.
- ``allocations/``: the allocations the caller reads (filters ``q``, ``year``, ``status``); the lead
  department
  creates and changes drafts (``assessment`` by id, a published one), ``POST …/<id>/compute/`` computes the
  lines and ``POST …/<id>/finalize/`` makes it final.
- ``allocation-lines/``: the lines with their workings (filters ``allocation``, ``year``, ``school`` by code).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.reference.models import MajorCategory

from ..choices import AssessmentStatus
from ..filtersets.funding import AllocationFilterSet, AllocationLineFilterSet, FundingRuleFilterSet
from ..models import Allocation, AllocationLine, Assessment, FundingRule
from ..selectors.assessment import scoped
from ..services import funding as services
from . import router


class FundingRuleSerializer(BaseSerializer):
    category = CodeRelatedField(
        queryset=MajorCategory.objects.all(),
        help_text=gettext_lazy("专业大类代码，如 46（高职装备制造大类）"),
    )
    category_name = serializers.CharField(source="category.name", read_only=True)
    education_level = serializers.CharField(source="category.education_level", read_only=True)

    class Meta:
        model = FundingRule
        fields = ["id", "category", "category_name", "education_level", "coefficient", "source", "note"]


class FundingRuleViewSet(ObjectViewSet):
    model = FundingRule
    serializer_class = FundingRuleSerializer
    filterset_class = FundingRuleFilterSet
    select_related = ("category",)
    create_service = staticmethod(
        lambda *, actor, **data: services.fundingrule_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.fundingrule_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.fundingrule_delete)


class AllocationSerializer(BaseSerializer):
    assessment = serializers.PrimaryKeyRelatedField(
        queryset=Assessment.objects.filter(status=AssessmentStatus.PUBLISHED),
        help_text=gettext_lazy("依据的考核（已发布）编号"),
    )
    assessment_year = serializers.IntegerField(source="assessment.year", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "title",
            "year",
            "assessment",
            "assessment_year",
            "fund",
            "score_share",
            "min_score",
            "status",
            "status_display",
            "computed_at",
            "rules",
            "note",
        ]
        read_only_fields = ["status", "computed_at", "rules"]


class AllocationViewSet(ObjectViewSet):
    model = Allocation
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilterSet
    select_related = ("assessment",)
    create_service = staticmethod(lambda *, actor, **data: services.allocation_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.allocation_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.allocation_delete)

    @extend_schema(request=None, responses=AllocationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def compute(self, request, pk=None):
        allocation = services.allocation_compute(actor=request.user, allocation=self.get_object())
        return Response(self.get_serializer(allocation).data)

    @extend_schema(request=None, responses=AllocationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def finalize(self, request, pk=None):
        allocation = services.allocation_finalize(actor=request.user, allocation=self.get_object())
        return Response(self.get_serializer(allocation).data)


class AllocationLineSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = AllocationLine
        fields = [
            "id",
            "allocation",
            "school",
            "school_name",
            "score",
            "students",
            "weighted_students",
            "by_score",
            "by_students",
            "amount",
            "workings",
        ]
        read_only_fields = fields


class AllocationLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = AllocationLine
    serializer_class = AllocationLineSerializer
    filterset_class = AllocationLineFilterSet

    def get_queryset(self):
        return (
            scoped(AllocationLine.objects.all(), self.request.user, "view")
            .select_related("school")
            .order_by("allocation", "-amount", "school__code")
        )


router.register("funding-rules", FundingRuleViewSet, basename="governance-fundingrule")
router.register("allocations", AllocationViewSet, basename="governance-allocation")
router.register("allocation-lines", AllocationLineViewSet, basename="governance-allocationline")
