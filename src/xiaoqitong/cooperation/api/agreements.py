"""API: /api/v1/cooperation/agreements/, /agreement-members/, /agreement-changes/ — the same FilterSets as
the pages; writes through the services. Schools by code, enterprises by 统一社会信用代码.

Workflow steps are actions: ``POST agreements/<id>/propose/``, ``…/approve/``, ``…/return/`` (``note``,
required), ``…/end/`` (``note``), ``…/cancel/`` (``note``, required), ``…/invite/`` (``students``: ids,
``student_nos``: 学号 list); ``GET agreements/<id>/fulfilment/`` and ``GET agreements/fulfilment/`` (the
user's fulfilment table, filtered like the list). ``POST agreement-members/<id>/respond/`` (``accept``),
``…/leave/`` (``note``). ``POST agreement-changes/`` (``member``, ``to_agreement``, ``reason``),
``…/<id>/decide/`` (``approve``, ``note``), ``…/<id>/withdraw/``.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet, ReadOnlyObjectViewSet
from xiaoqitong.core.formats import rate
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.schools.models import SchoolMajor, Student

from ..filtersets import agreements as filtersets
from ..models import Agreement, AgreementChange, AgreementMember
from ..policies.agreements import may_read_fulfilment
from ..selectors import agreements as selectors
from ..services import agreements as services
from . import router


class AgreementSerializer(BaseSerializer):
    school = CodeRelatedField(
        queryset=School.objects.all(), required=False, help_text=gettext_lazy("学校代码（学校管理员可省略）")
    )
    school_name = serializers.CharField(source="school.name", read_only=True)
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        help_text=gettext_lazy("企业统一社会信用代码（企业人事可省略）"),
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    school_major = serializers.PrimaryKeyRelatedField(queryset=SchoolMajor.objects.all())
    positions = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), many=True, required=False)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "school",
            "school_name",
            "enterprise",
            "enterprise_name",
            "school_major",
            "cohort",
            "planned_headcount",
            "positions",
            "start_date",
            "end_date",
            "training_plan",
            "cost_sharing",
            "confirm_deadline",
            "status",
            "status_display",
            "school_approved_at",
            "enterprise_approved_at",
        ]
        read_only_fields = ["status", "school_approved_at", "enterprise_approved_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            agreement = self.instance if isinstance(self.instance, Agreement) else None
            positions = selectors.choosable_positions(request.user, agreement)
            fields["positions"].child_relation.queryset = positions
        return fields


class FulfilmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    school = serializers.CharField(source="school.code")
    enterprise = serializers.CharField(source="enterprise.credit_code")
    cohort = serializers.IntegerField()
    status = serializers.CharField()
    planned = serializers.IntegerField(source="planned_headcount")
    confirmed = serializers.IntegerField()
    fill_rate = serializers.SerializerMethodField(help_text=gettext_lazy("到位率（%）"))
    graduates = serializers.IntegerField()
    hired = serializers.IntegerField()
    employment_rate = serializers.SerializerMethodField(help_text=gettext_lazy("毕业即就业率（%）"))

    def get_fill_rate(self, obj) -> float | None:
        value = rate(obj.confirmed, obj.planned_headcount)
        return None if value is None else float(value)

    def get_employment_rate(self, obj) -> float | None:
        value = rate(obj.hired, obj.graduates)
        return None if value is None else float(value)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(default="", allow_blank=True, max_length=2000)


class InviteSerializer(serializers.Serializer):
    students = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all(), many=True, default=list)
    student_nos = serializers.ListField(child=serializers.CharField(max_length=30), default=list)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only students the user sees: another school's reads like one that does not exist (the
            # service's refusal would otherwise name them).
            fields["students"].child_relation.queryset = Student.objects.restrict(request.user, "view")
        return fields


class StepsMixin:
    """The shape of every workflow action: the object in the user's view, the request body checked by
    ``params``, the service called with both (its keyword for the object: ``step_field``), and the object
    read back as the list reads it."""

    step_field: str

    def _step(self, service, params: type[serializers.Serializer] | None = None, **kwargs):
        obj = self.get_object()
        if params is not None:
            body = params(data=self.request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            kwargs |= body.validated_data
        obj = service(actor=self.request.user, **{self.step_field: obj}, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


class AgreementViewSet(StepsMixin, ObjectViewSet):
    model = Agreement
    serializer_class = AgreementSerializer
    filterset_class = filtersets.AgreementFilterSet
    select_related = ("school", "enterprise")
    prefetch_related = ("positions",)
    create_service = staticmethod(lambda *, actor, **data: services.agreement_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.agreement_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.agreement_delete)
    step_field = "agreement"

    @extend_schema(request=None, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def propose(self, request, pk=None):
        """Either side sends the draft to the other for approval (its own approval recorded)."""
        return self._step(services.agreement_propose)

    @extend_schema(request=None, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def approve(self, request, pk=None):
        """The other side approves; with both approvals the agreement runs."""
        return self._step(services.agreement_approve)

    @extend_schema(request=NoteSerializer, responses=AgreementSerializer)
    @action(
        detail=True, methods=["post"], url_path="return", permission_classes=[permissions.IsAuthenticated]
    )
    def return_(self, request, pk=None):
        """Either side returns a proposed agreement to draft (``note`` required)."""
        return self._step(services.agreement_return, NoteSerializer)

    @extend_schema(request=NoteSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def end(self, request, pk=None):
        return self._step(services.agreement_end, NoteSerializer)

    @extend_schema(request=NoteSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def cancel(self, request, pk=None):
        return self._step(services.agreement_cancel, NoteSerializer)

    @extend_schema(request=InviteSerializer, responses={201: None})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def invite(self, request, pk=None):
        """The school invites students (ids and/or 学号); all or nothing."""
        agreement = self.get_object()
        body = InviteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        members = services.member_invite(actor=request.user, agreement=agreement, **body.validated_data)
        return Response(AgreementMemberSerializer(members, many=True).data, status=201)

    @extend_schema(responses=FulfilmentSerializer)
    @action(detail=True, methods=["get"])
    def fulfilment(self, request, pk=None):
        """Places filled against the plan and 毕业即就业 of one agreement."""
        agreement = self.get_object()
        row = selectors.with_fulfilment(
            Agreement.objects.filter(pk=agreement.pk).select_related("school", "enterprise")
        )
        return Response(FulfilmentSerializer(row.get()).data)

    @extend_schema(responses=FulfilmentSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="fulfilment")
    def fulfilment_list(self, request):
        """The fulfilment table of the user's agreements (a school's, an enterprise's, the city's)."""
        if not may_read_fulfilment(request.user):
            raise exceptions.PermissionDenied(gettext_lazy("您没有权限查看履约统计。"))
        qs = selectors.fulfilment_agreements(request.user)
        filterset = filtersets.FulfilmentFilterSet(request.query_params or None, queryset=qs, request=request)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        page = self.paginate_queryset(qs.order_by("-start_date", "-id"))
        return self.get_paginated_response(FulfilmentSerializer(page, many=True).data)


class AgreementMemberSerializer(BaseSerializer):
    agreement_title = serializers.CharField(source="agreement.title", read_only=True)
    student_no = serializers.CharField(source="student.student_no", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    confirm_deadline = serializers.DateField(source="agreement.confirm_deadline", read_only=True)

    class Meta:
        model = AgreementMember
        fields = [
            "id",
            "agreement",
            "agreement_title",
            "student",
            "student_no",
            "student_name",
            "status",
            "status_display",
            "confirm_deadline",
            "responded_at",
            "note",
        ]
        read_only_fields = fields


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text=gettext_lazy("true 确认参加，false 拒绝"))


class AgreementMemberViewSet(StepsMixin, ReadOnlyObjectViewSet):
    http_method_names = ["get", "head", "options", "post"]
    model = AgreementMember
    serializer_class = AgreementMemberSerializer
    filterset_class = filtersets.AgreementMemberFilterSet
    select_related = ("agreement", "student")
    step_field = "member"

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    @extend_schema(request=RespondSerializer, responses=AgreementMemberSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def respond(self, request, pk=None):
        """The student confirms (``accept: true``) or declines their place by the deadline."""
        return self._step(services.member_respond, RespondSerializer)

    @extend_schema(request=NoteSerializer, responses=AgreementMemberSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def leave(self, request, pk=None):
        """The school records that the student leaves (``note`` required)."""
        return self._step(services.member_leave, NoteSerializer)


class AgreementChangeSerializer(BaseSerializer):
    member = serializers.PrimaryKeyRelatedField(queryset=AgreementMember.objects.all())
    to_agreement = serializers.PrimaryKeyRelatedField(queryset=Agreement.objects.all())
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AgreementChange
        fields = [
            "id",
            "member",
            "to_agreement",
            "reason",
            "status",
            "status_display",
            "requested_by",
            "decisions",
            "created_at",
            "decided_at",
        ]
        read_only_fields = ["status", "requested_by", "decisions", "created_at", "decided_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only places the user sees; a place out of view reads like one that does not exist.
            fields["member"].queryset = AgreementMember.objects.restrict(request.user, "view")
        return fields


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(default="", allow_blank=True, max_length=2000)


class AgreementChangeViewSet(StepsMixin, ObjectViewSet):
    http_method_names = ["get", "head", "options", "post"]
    model = AgreementChange
    serializer_class = AgreementChangeSerializer
    filterset_class = filtersets.AgreementChangeFilterSet
    select_related = ("member__agreement", "to_agreement")
    step_field = "change"
    create_service = staticmethod(
        lambda *, actor, member, to_agreement, reason="": services.agreement_change_request(
            actor=actor, member=member, to_agreement=to_agreement, reason=reason
        )
    )

    @extend_schema(request=DecideSerializer, responses=AgreementChangeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        """An organization involved approves or rejects (``note`` required to reject), once."""
        return self._step(services.agreement_change_decide, DecideSerializer)

    @extend_schema(request=None, responses=AgreementChangeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def withdraw(self, request, pk=None):
        """The requester withdraws a pending request."""
        return self._step(services.agreement_change_withdraw)


router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-members", AgreementMemberViewSet, basename="agreementmember")
router.register("agreement-changes", AgreementChangeViewSet, basename="agreementchange")
