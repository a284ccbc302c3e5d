"""API of the policy rules and the apprenticeship subsidies, under /api/v1/cooperation/:

- ``rules/`` (by key, e.g. ``rules/apprentice_subsidy_min/``): read by everyone logged in; ``PATCH``/``PUT``
  ``value`` and ``note`` by government officers (``services.subsidies.rule_set``).
- ``subsidy-rates/``: CRUD by government officers (at least the T17 minimum; apprenticeship kinds only);
  ``reviewing_department`` by its code.
- ``subsidy-claims/``: ``POST`` ``{agreement: id, year}`` (the enterprise's HR) computes a claim with its
  ``lines``; steps ``POST …/<id>/recompute/``, ``…/submit/``, ``…/approve/`` (``approved_amount``, ``note``),
  ``…/return/`` (``note``, required), ``…/reject/`` (``note``, required), ``…/pay/`` (``paid_at``,
  ``payment_ref``); ``POST …/payments/`` (multipart ``file``) imports payment records all or nothing;
  ``GET …/summary/?year=`` the officers' summary of a year.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, parsers, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Department

from ..choices import AgreementKind
from ..filtersets.subsidies import RuleFilterSet, SubsidyClaimFilterSet, SubsidyRateFilterSet
from ..models import Agreement, Rule, SubsidyClaim, SubsidyClaimLine, SubsidyRate
from ..policies.subsidies import is_officer
from ..selectors.subsidies import subsidy_summary, summary_written, summary_years
from ..services import subsidies as services
from . import router


# --- rules -----------------------------------------------------------------------------------------------
class RuleSerializer(BaseSerializer):
    key_display = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = Rule
        fields = ["id", "key", "key_display", "value", "target", "source", "note", "updated_at"]
        read_only_fields = ["key", "target", "source", "updated_at"]


class RuleViewSet(ObjectViewSet):
    """The policy's numbers (T13-T17) with their sources."""

    model = Rule
    serializer_class = RuleSerializer
    filterset_class = RuleFilterSet
    lookup_field = "key"
    http_method_names = ["get", "put", "patch", "head", "options"]
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.rule_set(
            actor=actor, key=instance.key, value=data.get("value", instance.value), note=data.get("note")
        )
    )


# --- rates -----------------------------------------------------------------------------------------------
class SubsidyRateSerializer(BaseSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reviewing_department = CodeRelatedField(
        queryset=Department.objects.all(), help_text=_("审核部门编号，如 CZ-RSJ（市人社局）")
    )
    reviewing_department_name = serializers.CharField(source="reviewing_department.name", read_only=True)

    class Meta:
        model = SubsidyRate
        fields = [
            "id",
            "year",
            "kind",
            "kind_display",
            "amount",
            "reviewing_department",
            "reviewing_department_name",
            "source",
        ]


class SubsidyRateViewSet(ObjectViewSet):
    model = SubsidyRate
    serializer_class = SubsidyRateSerializer
    filterset_class = SubsidyRateFilterSet
    select_related = ("reviewing_department",)
    create_service = staticmethod(
        lambda *, actor, **data: services.subsidy_rate_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.subsidy_rate_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.subsidy_rate_delete)


# --- claims ----------------------------------------------------------------------------------------------
class SubsidyClaimLineSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.name", read_only=True)
    student_no = serializers.CharField(source="student.student_no", read_only=True)

    class Meta:
        model = SubsidyClaimLine
        fields = ["student_name", "student_no", "months", "amount"]


class SubsidyClaimSerializer(BaseSerializer):
    agreement = serializers.PrimaryKeyRelatedField(
        queryset=Agreement.objects.all(), help_text=_("协议编号（本企业的学徒制协议）")
    )
    agreement_title = serializers.CharField(source="agreement.title", read_only=True)
    enterprise = serializers.CharField(source="agreement.enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="agreement.enterprise.credit_code", read_only=True)
    kind = serializers.ChoiceField(source="agreement.kind", choices=AgreementKind.choices, read_only=True)
    rate_amount = serializers.DecimalField(
        source="rate.amount", max_digits=12, decimal_places=2, read_only=True
    )
    reviewing_department = serializers.CharField(source="rate.reviewing_department.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lines = SubsidyClaimLineSerializer(many=True, read_only=True)

    class Meta:
        model = SubsidyClaim
        fields = [
            "id",
            "agreement",
            "agreement_title",
            "enterprise",
            "credit_code",
            "kind",
            "year",
            "rate_amount",
            "reviewing_department",
            "apprentices",
            "amount",
            "status",
            "status_display",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "approved_amount",
            "paid_at",
            "payment_ref",
            "lines",
        ]
        read_only_fields = [
            "apprentices",
            "amount",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "approved_amount",
            "paid_at",
            "payment_ref",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not request.user.is_superuser:
            # Only the user's own enterprise's agreements; another's id reads like one that does not exist.
            enterprise_id = getattr(request.user, "enterprise_id", None)
            fields["agreement"].queryset = (
                Agreement.objects.filter(enterprise_id=enterprise_id)
                if enterprise_id
                else Agreement.objects.none()
            )
        return fields


@extend_schema_serializer(component_name="SubsidyNote")  # another app has a Note component
class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema_serializer(component_name="SubsidyApprove")  # not the note's name it would inherit
class ApproveSerializer(NoteSerializer):
    approved_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, help_text=_("默认为申请金额")
    )


class PaySerializer(serializers.Serializer):
    paid_at = serializers.DateField()
    payment_ref = serializers.CharField(max_length=60)


class PaymentFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "xlsx 或 csv：申请编号（或统一社会信用代码+协议名称+年度）、拨付日期、拨付凭证号、核定金额"
        )
    )


STEP = {"detail": True, "methods": ["post"], "permission_classes": [permissions.IsAuthenticated]}


class SubsidyClaimViewSet(ObjectViewSet):
    model = SubsidyClaim
    serializer_class = SubsidyClaimSerializer
    filterset_class = SubsidyClaimFilterSet
    select_related = ("agreement__enterprise", "rate__reviewing_department")
    prefetch_related = ("lines__student",)
    http_method_names = ["get", "post", "delete", "head", "options"]
    create_service = staticmethod(
        lambda *, actor, agreement, year, **_rest: services.subsidy_claim_create(
            actor=actor, agreement=agreement, year=year
        )
    )
    delete_service = staticmethod(services.subsidy_claim_delete)

    def _respond(self, claim):
        claim = self.get_queryset().filter(pk=claim.pk).first() or claim
        return Response(self.get_serializer(claim).data)

    def _data(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=None, responses=SubsidyClaimSerializer)
    @action(**STEP)
    def recompute(self, request, pk=None):
        """The enterprise recomputes a draft or returned claim from its apprentices and the rate now."""
        return self._respond(services.subsidy_claim_recompute(actor=request.user, claim=self.get_object()))

    @extend_schema(request=None, responses=SubsidyClaimSerializer)
    @action(**STEP)
    def submit(self, request, pk=None):
        """The enterprise submits the claim to the reviewing department."""
        return self._respond(services.subsidy_claim_submit(actor=request.user, claim=self.get_object()))

    @extend_schema(request=ApproveSerializer, responses=SubsidyClaimSerializer)
    @action(**STEP)
    def approve(self, request, pk=None):
        """The reviewing department approves (``approved_amount`` at most the claimed amount)."""
        claim = self.get_object()
        data = self._data(ApproveSerializer)
        return self._respond(
            services.subsidy_claim_approve(
                actor=request.user,
                claim=claim,
                approved_amount=data.get("approved_amount"),
                note=data.get("note", ""),
            )
        )

    @extend_schema(request=NoteSerializer, responses=SubsidyClaimSerializer)
    @action(**STEP, url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The reviewing department returns the claim with its reasons (``note``, required)."""
        claim = self.get_object()
        note = self._data(NoteSerializer).get("note", "")
        return self._respond(services.subsidy_claim_return(actor=request.user, claim=claim, note=note))

    @extend_schema(request=NoteSerializer, responses=SubsidyClaimSerializer)
    @action(**STEP)
    def reject(self, request, pk=None):
        """The reviewing department refuses the claim with its reasons (``note``, required)."""
        claim = self.get_object()
        note = self._data(NoteSerializer).get("note", "")
        return self._respond(services.subsidy_claim_reject(actor=request.user, claim=claim, note=note))

    @extend_schema(request=PaySerializer, responses=SubsidyClaimSerializer)
    @action(**STEP)
    def pay(self, request, pk=None):
        """The reviewing department records the payment (``paid_at``, ``payment_ref``)."""
        claim = self.get_object()
        data = self._data(PaySerializer)
        return self._respond(
            services.subsidy_claim_pay(
                actor=request.user,
                claim=claim,
                paid_at=data["paid_at"],
                payment_ref=data["payment_ref"],
            )
        )

    @extend_schema(request={"multipart/form-data": PaymentFileSerializer}, responses=None)
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def payments(self, request):
        """Import payment records: the whole file is checked; any bad row (``errors``: row, column, message)
        and nothing is written (400); otherwise every row is paid (200, ``paid``, ``skipped``)."""
        data = self._data(PaymentFileSerializer)
        result = services.subsidy_payment_import(actor=request.user, upload=data["file"])
        code = status.HTTP_400_BAD_REQUEST if result["errors"] else status.HTTP_200_OK
        return Response(result, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=_("年度；默认为有申请的最近一年"))],
        responses=None,
    )
    @action(detail=False, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def summary(self, request):
        """A year's claims by status and per enterprise (apprentices, claimed, approved, paid); officers."""
        if not is_officer(request.user):
            raise exceptions.PermissionDenied(_("学徒补贴汇总仅供政府部门工作人员查看。"))
        year = request.query_params.get("year", "")
        if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise exceptions.ValidationError({"year": [_("年度应为 2000 到 2100 之间的整数。")]})
        years = summary_years(request.user)
        chosen = int(year) if year else (years[0] if years else None)
        if chosen is None:
            return Response({"year": None, "years": [], "by_status": [], "by_enterprise": [], "totals": {}})
        summary = summary_written(subsidy_summary(request.user, chosen))
        return Response({**summary, "years": years})


router.register("rules", RuleViewSet, basename="rule")
router.register("subsidy-rates", SubsidyRateViewSet, basename="subsidyrate")
router.register("subsidy-claims", SubsidyClaimViewSet, basename="subsidyclaim")
