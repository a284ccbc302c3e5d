"""API of the applications for the 产教融合型企业 title and the departments' opinions, under
/api/v1/certification/:

- ``applications/``: the applications the caller reads (the enterprise's staff their own; the lead department
  every submitted one; a department asked for an opinion those it was asked about), with the pages'
  filters (``q``, ``status``, ``level``, ``year``, ``opinion=pending|given``). The enterprise's HR creates,
  changes and deletes its drafts (``level``, ``year``, ``statement``, ``contact_person``,
  ``contact_phone``; a platform administrator names the ``enterprise`` by its 统一社会信用代码). How many
  opinions are in is shown to all who read the application; what they say only to officers
  (``opinions/``).
- steps (each a service; a refusal answers 400, or 403 for the wrong person, with the reason in Chinese):
  ``POST …/<id>/submit/`` and ``…/withdraw/`` (the enterprise's HR); ``…/accept/`` ``{"departments": ["code",
  …], "opinions_due": "2026-05-01"}`` (the lead department; both optional: the setup's departments and
  period), ``…/request-opinion/`` ``{"department": "code"}``, ``…/decide/`` ``{"decision":
  "certify|return|reject", "note": "…", "document_ref": "…"}`` (the lead department).
- ``…/<id>/claims/`` and ``…/<id>/documents/``: the checklist and the documents (see ``api.evidence``).
- ``opinions/``: the opinions the caller's department was asked for (the lead department: all), filters
  ``application``, ``pending=true|false``; ``POST opinions/<id>/give/`` ``{"stance":
  "agree|conditional|disagree", "text": "…"}`` (an officer of the asked department, while the application is
  under review).
"""

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Department, Enterprise

from ..choices import OpinionStance
from ..filtersets.certification import ApplicationFilterSet
from ..forms.certification import DECISIONS
from ..models import Application, Opinion
from ..selectors.records import APPLICATION_RELATED
from ..services import applications as services
from . import router
from .evidence import EvidenceActions


def _opinion_count(**filters):
    """The number of the application's opinions (a subquery: the scope's join on opinions must not narrow
    it)."""
    rows = (
        Opinion.objects.filter(application=OuterRef("pk"), **filters)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class CertificationApplicationSerializer(BaseSerializer):
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        help_text=gettext_lazy("企业统一社会信用代码（平台管理员代企业填写；企业人事账号固定为本企业）"),
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    county = serializers.CharField(source="enterprise.county.code", read_only=True)
    county_name = serializers.CharField(source="enterprise.county.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    opinions_asked = serializers.IntegerField(read_only=True, help_text=gettext_lazy("征求意见的部门数"))
    opinions_given = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已出具意见的部门数"))
    certification = serializers.SerializerMethodField(help_text=gettext_lazy("认定后的认定编号"))

    class Meta:
        model = Application
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "county",
            "county_name",
            "level",
            "level_display",
            "year",
            "statement",
            "contact_person",
            "contact_phone",
            "status",
            "status_display",
            "submitted_at",
            "accepted_at",
            "opinions_due",
            "opinions_asked",
            "opinions_given",
            "decided_at",
            "decision_note",
            "checklist",
            "certification",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "accepted_at",
            "opinions_due",
            "decided_at",
            "decision_note",
            "checklist",
        ]
        extra_kwargs = {"year": {"required": False, "help_text": gettext_lazy("申报年度，默认今年")}}

    def get_certification(self, application) -> str | None:
        certification = getattr(application, "certification", None)
        return certification.number if certification is not None else None


class AcceptSerializer(serializers.Serializer):
    departments = CodeRelatedField(
        queryset=Department.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy("征求意见的部门代码；不传：按认定工作设置；[]：不征求"),
    )
    opinions_due = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("征求意见截止日期；留空按设置的天数")
    )


class RequestOpinionSerializer(serializers.Serializer):
    department = CodeRelatedField(queryset=Department.objects.all(), help_text=gettext_lazy("部门代码"))


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISIONS, help_text=gettext_lazy("certify、return 或 reject"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    document_ref = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text=gettext_lazy("认定文号")
    )


class ApplicationViewSet(EvidenceActions, ObjectViewSet):
    """Applications: CRUD of drafts (enterprise HR), the steps, the checklist and the documents."""

    model = Application
    serializer_class = CertificationApplicationSerializer
    filterset_class = ApplicationFilterSet
    select_related = (*APPLICATION_RELATED, "certification")
    create_service = staticmethod(
        lambda *, actor, **data: services.application_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.application_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.application_delete)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(opinions_asked=_opinion_count(), opinions_given=_opinion_count(stance__gt=""))
        )

    def lines(self, parent):
        return services.application_checklist(parent)

    def _read(self, application):
        return self.get_serializer(self.get_queryset().get(pk=application.pk)).data

    def _reload(self, serializer):
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._reload(serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._reload(serializer)

    @extend_schema(request=None, responses=CertificationApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def submit(self, request, pk=None):
        """Send the application to the lead department (the enterprise's HR)."""
        application = services.application_submit(actor=request.user, application=self.get_object())
        return Response(self._read(application))

    @extend_schema(request=None, responses=CertificationApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def withdraw(self, request, pk=None):
        """Withdraw it until it is decided (the enterprise's HR)."""
        application = services.application_withdraw(actor=request.user, application=self.get_object())
        return Response(self._read(application))

    @extend_schema(request=AcceptSerializer, responses=CertificationApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def accept(self, request, pk=None):
        """Accept a submitted application and ask departments for their opinions (the lead department)."""
        application = self.get_object()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_accept(
            actor=request.user,
            application=application,
            departments=data.validated_data.get("departments"),
            opinions_due=data.validated_data.get("opinions_due"),
        )
        return Response(self._read(application))

    @extend_schema(request=RequestOpinionSerializer, responses=CertificationApplicationSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="request-opinion",
        permission_classes=[permissions.IsAuthenticated],
    )
    def request_opinion(self, request, pk=None):
        """Ask one more department for its opinion (the lead department, while under review)."""
        application = self.get_object()
        data = RequestOpinionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.opinion_request(
            actor=request.user, application=application, department=data.validated_data["department"]
        )
        return Response(self._read(application))

    @extend_schema(request=DecisionSerializer, responses=CertificationApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        """Certify, return or reject (the lead department)."""
        application = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision, note = data.validated_data["decision"], data.validated_data["note"]
        if decision == "certify":
            services.application_certify(
                actor=request.user,
                application=application,
                note=note,
                document_ref=data.validated_data["document_ref"],
            )
        elif decision == "return":
            services.application_return(actor=request.user, application=application, note=note)
        else:
            services.application_reject(actor=request.user, application=application, note=note)
        return Response(self._read(application))


# --- opinions ----------------------------------------------------------------------------------------------
class OpinionSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="application.enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="application.enterprise.name", read_only=True)
    application_status = serializers.CharField(source="application.status", read_only=True)
    opinions_due = serializers.DateField(source="application.opinions_due", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    stance_display = serializers.CharField(source="get_stance_display", read_only=True)
    pending = serializers.BooleanField(read_only=True, help_text=gettext_lazy("尚未出具"))
    given_by = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "application",
            "enterprise",
            "enterprise_name",
            "application_status",
            "opinions_due",
            "department",
            "department_name",
            "stance",
            "stance_display",
            "text",
            "pending",
            "given_by",
            "given_at",
        ]
        read_only_fields = fields

    def get_given_by(self, opinion) -> str:
        user = opinion.given_by
        return (user.display_name or user.username) if user else ""


class OpinionFilterSet(django_filters.FilterSet):
    application = django_filters.NumberFilter(field_name="application_id", label=gettext_lazy("申请 ID"))
    pending = django_filters.BooleanFilter(
        method="filter_pending", label=gettext_lazy("只看待出具（true）或已出具（false）")
    )

    class Meta:
        model = Opinion
        fields = ["application", "pending"]

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(stance="") if value else queryset.exclude(stance="")


class GiveSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=OpinionStance.choices)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=gettext_lazy("不同意或有保留意见时须写明理由"),
    )


class OpinionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Departments' opinions on applications (officers only); ``give`` by the asked department."""

    model = Opinion
    serializer_class = OpinionSerializer
    filterset_class = OpinionFilterSet

    def get_queryset(self):
        return (
            Opinion.objects.restrict(self.request.user, "view")
            .select_related("application__enterprise", "department", "given_by")
            .order_by("-application__year", "-application_id", "department__sort_order", "department__code")
        )

    @extend_schema(request=GiveSerializer, responses=OpinionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def give(self, request, pk=None):
        opinion = self.get_object()
        data = GiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.opinion_give(actor=request.user, opinion=opinion, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=opinion.pk)).data)


router.register("applications", ApplicationViewSet, basename="certification-application")
router.register("opinions", OpinionViewSet, basename="certification-opinion")
