"""API of the titles and their annual reviews, under /api/v1/certification/:

- ``certifications/``: every title (public facts: every signed-in user reads them) with its plaques; the
  list page's filters (``q``, ``status``, ``held=true|false``, ``level``, ``county``, ``year``). ``POST
  …/<id>/revoke/`` ``{"note": "…"}``: the lead department revokes a held title, saying why.
- ``reviews/``: the annual reviews the caller reads (the enterprise's staff their own; officers and
  researchers all), filters ``q``, ``status``, ``kind``, ``year``, ``certification``. ``…/<id>/claims/`` and
  ``…/<id>/documents/`` as for applications (``api.evidence``); ``POST …/<id>/report/`` ``{"self_report":
  "…"}`` (the enterprise's HR, by the deadline); ``POST …/<id>/decide/`` ``{"outcome":
  "passed|rectification|failed", "note": "…", "rectification_deadline": "2027-06-30",
  "rectification_items": "…"}`` (the lead department, once reported).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..filtersets.certification import CertificationFilterSet, ReviewFilterSet
from ..forms.certification import OUTCOMES
from ..models import Certification, Plaque, Review
from ..selectors.records import REVIEW_RELATED
from ..services import reviews as services
from . import router
from .evidence import EvidenceActions


class PlaqueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plaque
        fields = ["cycle", "number", "awarded_on", "valid_from", "valid_until"]
        read_only_fields = fields


class CertificationSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    county = serializers.CharField(source="enterprise.county.code", read_only=True)
    county_name = serializers.CharField(source="enterprise.county.name", read_only=True)
    industry = serializers.CharField(source="enterprise.industry.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    held = serializers.BooleanField(read_only=True, help_text=gettext_lazy("持有称号（有效或整改中）"))
    plaques = PlaqueSerializer(many=True, read_only=True)

    class Meta:
        model = Certification
        fields = [
            "id",
            "number",
            "enterprise",
            "enterprise_name",
            "county",
            "county_name",
            "industry",
            "level",
            "level_display",
            "certified_on",
            "valid_until",
            "document_ref",
            "status",
            "status_display",
            "held",
            "ended_on",
            "status_note",
            "plaques",
        ]
        read_only_fields = fields


class RevokeSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, max_length=2000, help_text=gettext_lazy("撤销理由"))


class CertificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The titles: read by every signed-in user; ``revoke`` by the lead department."""

    model = Certification
    serializer_class = CertificationSerializer
    filterset_class = CertificationFilterSet

    def get_queryset(self):
        return (
            Certification.objects.restrict(self.request.user, "view")
            .select_related("enterprise__county", "enterprise__industry")
            .prefetch_related("plaques")
            .order_by("-certified_on", "-id")
        )

    @extend_schema(request=RevokeSerializer, responses=CertificationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def revoke(self, request, pk=None):
        certification = self.get_object()
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.certification_revoke(
            actor=request.user, certification=certification, note=data.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=certification.pk)).data)


# --- annual reviews ----------------------------------------------------------------------------------------
class ReviewSerializer(serializers.ModelSerializer):
    certification_number = serializers.CharField(source="certification.number", read_only=True)
    enterprise = serializers.CharField(source="certification.enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="certification.enterprise.name", read_only=True)
    level = serializers.CharField(source="certification.level", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    deadline = serializers.DateField(
        read_only=True, help_text=gettext_lazy("报送截止日期（整改中为整改截止日期）")
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "certification",
            "certification_number",
            "enterprise",
            "enterprise_name",
            "level",
            "sequence",
            "kind",
            "kind_display",
            "year",
            "due_date",
            "deadline",
            "status",
            "status_display",
            "self_report",
            "submitted_at",
            "rectification_deadline",
            "rectification_items",
            "decided_at",
            "decision_note",
            "checklist",
        ]
        read_only_fields = fields


class ReportSerializer(serializers.Serializer):
    self_report = serializers.CharField(
        allow_blank=True, max_length=20000, help_text=gettext_lazy("年度自评报告；整改时写明整改情况")
    )


class ReviewDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=OUTCOMES, help_text=gettext_lazy("passed、rectification 或 failed")
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=gettext_lazy("考核意见；整改或不合格时必填"),
    )
    rectification_deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("整改截止日期；留空按默认期限")
    )
    rectification_items = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReviewViewSet(
    EvidenceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Annual reviews: read (scoped), the evidence, the enterprise's report and the lead department's
    decision."""

    model = Review
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet

    def get_queryset(self):
        return (
            Review.objects.restrict(self.request.user, "view")
            .select_related(*REVIEW_RELATED)
            .order_by("-due_date", "-id")
        )

    def lines(self, parent):
        return services.review_checklist(parent)

    def _read(self, review):
        return self.get_serializer(self.get_queryset().get(pk=review.pk)).data

    @extend_schema(request=ReportSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def report(self, request, pk=None):
        """Report: the self-assessment (the claims and documents the criteria ask for first)."""
        review = self.get_object()
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_submit(
            actor=request.user, review=review, self_report=data.validated_data["self_report"]
        )
        return Response(self._read(review))

    @extend_schema(request=ReviewDecisionSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        """Passed, rectification by a deadline, or failed (the lead department)."""
        review = self.get_object()
        data = ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_decide(actor=request.user, review=review, **data.validated_data)
        return Response(self._read(review))


router.register("certifications", CertificationViewSet, basename="certification-certification")
router.register("reviews", ReviewViewSet, basename="certification-review")
