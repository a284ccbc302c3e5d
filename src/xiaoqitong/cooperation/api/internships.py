"""API of internships under /api/v1/cooperation/: ``internship-plans/``, ``placements/``,
``internship-logs/``, ``internship-check-ins/``, ``internship-leave/``, ``internship-subsidies/``,
``internship-evaluations/`` and ``internship-compliance/``. The same FilterSets as the pages; every write
through the services.

Relations: schools by 学校代码, enterprises by 统一社会信用代码, students by 学号 (within the plan's school),
mentors by login, plans, placements and school majors by id. Steps are actions:
``POST placements/<id>/start|complete/``, ``…/terminate/`` (``reason``);
``POST internship-logs/<id>/submit/``, ``…/countersign/`` (``comment`` optional), ``…/return/`` (``comment``);
``GET internship-logs/pending/`` (the mentor's logs to countersign);
``POST internship-leave/<id>/decide/`` (``side``: school|enterprise, ``approve``: true|false), ``…/cancel/``;
``GET internship-compliance/?year=2026&half=1`` (the dashboard rows and the city total).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School, User
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import MentorSide
from ..filtersets import internships as filtersets
from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
    PracticeBase,
)
from ..selectors import internships as selectors
from ..services import internships as services
from . import router


def _user_field(label):
    return serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=label,
        error_messages={"does_not_exist": gettext_lazy("找不到账号“{value}”。")},
    )


class _PlacementScoped:
    """``placement`` is looked up among the placements the user sees (another organization's id reads as
    "does not exist", as on the pages), not among all of them."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "placement" in fields:
            fields["placement"].queryset = Placement.objects.restrict(request.user, "view")
        return fields


# --- plans --------------------------------------------------------------------------------------------------
class InternshipPlanSerializer(BaseSerializer):
    school = CodeRelatedField(
        queryset=School.objects.all(),
        required=False,
        help_text=gettext_lazy("学校代码（学校管理员可省略：默认本校）"),
    )
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_major = serializers.PrimaryKeyRelatedField(
        queryset=SchoolMajor.objects.all(), help_text=gettext_lazy("开设专业编号")
    )
    major_name = serializers.CharField(source="school_major.major.name", read_only=True)
    placed = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已安排人数（不含已中止）"))
    placed_local = serializers.IntegerField(read_only=True, help_text=gettext_lazy("其中市域内企业"))
    flagged = serializers.IntegerField(read_only=True, help_text=gettext_lazy("有规则提示的安排"))

    class Meta:
        model = InternshipPlan
        fields = [
            "id",
            "school",
            "school_name",
            "school_major",
            "major_name",
            "cohort",
            "title",
            "period_start",
            "period_end",
            "planned_interns",
            "planned_local",
            "note",
            "placed",
            "placed_local",
            "flagged",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not request.user.is_superuser:
            school_id = getattr(request.user, "school_id", None)
            fields["school"].queryset = (
                School.objects.filter(pk=school_id) if school_id else School.objects.none()
            )
            fields["school_major"].queryset = (
                SchoolMajor.objects.filter(school_id=school_id) if school_id else SchoolMajor.objects.none()
            )
        return fields


class InternshipPlanViewSet(ObjectViewSet):
    model = InternshipPlan
    serializer_class = InternshipPlanSerializer
    filterset_class = filtersets.InternshipPlanFilterSet
    select_related = ("school", "school_major__major")
    create_service = staticmethod(
        lambda *, actor, **data: services.internship_plan_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.internship_plan_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.internship_plan_delete)

    def get_queryset(self):
        return selectors.with_placed(super().get_queryset())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


# --- placements ---------------------------------------------------------------------------------------------
class PlacementSerializer(BaseSerializer):
    plan = serializers.PrimaryKeyRelatedField(
        queryset=InternshipPlan.objects.all(), help_text=gettext_lazy("实习计划编号")
    )
    student_no = serializers.CharField(
        source="student.student_no", help_text=gettext_lazy("学号（计划所属学校的学生）")
    )
    student_name = serializers.CharField(source="student.name", read_only=True)
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        help_text=gettext_lazy("实习单位统一社会信用代码"),
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    base = CodeRelatedField(queryset=PracticeBase.objects.all(), required=False, allow_null=True)
    school_mentor = _user_field(gettext_lazy("学校导师账号"))
    enterprise_mentor = _user_field(gettext_lazy("企业导师账号"))
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "plan",
            "student_no",
            "student_name",
            "enterprise",
            "enterprise_name",
            "base",
            "school_mentor",
            "enterprise_mentor",
            "start_date",
            "end_date",
            "in_city",
            "status",
            "status_display",
            "flags",
        ]
        read_only_fields = ["in_city", "status", "flags"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["plan"].queryset = InternshipPlan.objects.restrict(request.user, "change")
        return fields

    def validate(self, attrs):
        number = attrs.pop("student", {}).get("student_no")
        plan = attrs.get("plan") or getattr(self.instance, "plan", None)
        if number is not None:
            student = (
                Student.objects.filter(school_id=plan.school_id, student_no=number.strip()).first()
                if plan
                else None
            )
            if student is None:
                raise exceptions.ValidationError(
                    {"student_no": [gettext_lazy("计划所属学校没有这个学号的学生。")]}
                )
            attrs["student"] = student
        return attrs


class TerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=gettext_lazy("中止原因"))


class PlacementViewSet(ObjectViewSet):
    model = Placement
    serializer_class = PlacementSerializer
    filterset_class = filtersets.PlacementFilterSet
    select_related = ("plan", "student", "enterprise", "base", "school_mentor", "enterprise_mentor")
    create_service = staticmethod(lambda *, actor, **data: services.placement_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.placement_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.placement_delete)

    def _step(self, service, **kwargs):
        placement = service(actor=self.request.user, placement=self.get_object(), **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=placement.pk)).data)

    @extend_schema(request=None, responses=PlacementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def start(self, request, pk=None):
        """The school's administrator records that the student started."""
        return self._step(services.placement_start)

    @extend_schema(request=None, responses=PlacementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def complete(self, request, pk=None):
        """The internship ran its course (from its last week on)."""
        return self._step(services.placement_complete)

    @extend_schema(request=TerminateSerializer, responses=PlacementSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def terminate(self, request, pk=None):
        """End the internship early, with the reason."""
        return self._step(services.placement_terminate, reason=str(request.data.get("reason", "")))


# --- logs ---------------------------------------------------------------------------------------------------
class InternshipLogSerializer(BaseSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.all(), help_text=gettext_lazy("实习编号")
    )
    submit = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text=gettext_lazy("保存后直接提交会签")
    )
    student_name = serializers.CharField(source="placement.student.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = InternshipLog
        fields = [
            "id",
            "placement",
            "student_name",
            "week_start",
            "content",
            "hours",
            "submit",
            "status",
            "status_display",
            "submitted_at",
            "countersigned_by",
            "countersigned_at",
            "mentor_comment",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "countersigned_by",
            "countersigned_at",
            "mentor_comment",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not request.user.is_superuser:
            fields["placement"].queryset = Placement.objects.filter(student__user_id=request.user.pk)
        return fields


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _log_update(*, actor, instance, **data):
    data.pop("submit", None)
    data.pop("placement", None)
    return services.internship_log_update(actor=actor, instance=instance, data=data)


class InternshipLogViewSet(ObjectViewSet):
    model = InternshipLog
    serializer_class = InternshipLogSerializer
    filterset_class = filtersets.InternshipLogFilterSet
    select_related = ("placement__student",)
    create_service = staticmethod(services.internship_log_create)
    update_service = staticmethod(_log_update)
    delete_service = staticmethod(services.internship_log_delete)

    def _step(self, service, **kwargs):
        log = service(actor=self.request.user, log=self.get_object(), **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=log.pk)).data)

    def _comment(self) -> str:
        serializer = CommentSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data.get("comment", "")

    @extend_schema(request=None, responses=InternshipLogSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def submit(self, request, pk=None):
        """The student submits (or resubmits) the log to the enterprise mentor."""
        return self._step(services.internship_log_submit)

    @extend_schema(request=CommentSerializer, responses=InternshipLogSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def countersign(self, request, pk=None):
        """The placement's enterprise mentor countersigns (comment optional)."""
        return self._step(services.internship_log_countersign, comment=self._comment())

    @extend_schema(request=CommentSerializer, responses=InternshipLogSerializer)
    @action(
        detail=True, methods=["post"], url_path="return", permission_classes=[permissions.IsAuthenticated]
    )
    def return_(self, request, pk=None):
        """The enterprise mentor returns the log with what to change (required)."""
        return self._step(services.internship_log_return, comment=self._comment())

    @extend_schema(responses=InternshipLogSerializer(many=True))
    @action(detail=False, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def pending(self, request):
        """The logs waiting for the user's countersignature."""
        logs = selectors.logs_awaiting_countersign(request.user)
        page = self.paginate_queryset(logs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- check-ins ----------------------------------------------------------------------------------------------
class CheckInSerializer(_PlacementScoped, BaseSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.all(), help_text=gettext_lazy("实习编号")
    )

    class Meta:
        model = CheckIn
        fields = ["id", "placement", "date", "time", "location"]
        read_only_fields = ["date", "time"]


class CheckInViewSet(ObjectViewSet):
    """The student checks in (``POST`` with ``placement`` and an optional ``location``): today, once."""

    http_method_names = ["get", "post", "head", "options"]
    model = CheckIn
    serializer_class = CheckInSerializer
    filterset_class = filtersets.CheckInFilterSet
    select_related = ("placement",)
    create_service = staticmethod(services.check_in_create)


# --- leave --------------------------------------------------------------------------------------------------
class LeaveRequestSerializer(_PlacementScoped, BaseSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.all(), help_text=gettext_lazy("实习编号")
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "placement",
            "start_date",
            "end_date",
            "reason",
            "status",
            "status_display",
            "school_decision",
            "school_decided_at",
            "enterprise_decision",
            "enterprise_decided_at",
        ]
        read_only_fields = [
            "status",
            "school_decision",
            "school_decided_at",
            "enterprise_decision",
            "enterprise_decided_at",
        ]


@extend_schema_serializer(component_name="LeaveDecide")  # another app has a Decide component
class DecideSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=MentorSide.choices, help_text=gettext_lazy("审批方"))
    approve = serializers.BooleanField(help_text=gettext_lazy("是否同意"))


class LeaveRequestViewSet(ObjectViewSet):
    http_method_names = ["get", "post", "head", "options"]
    model = LeaveRequest
    serializer_class = LeaveRequestSerializer
    filterset_class = filtersets.LeaveRequestFilterSet
    select_related = ("placement",)
    create_service = staticmethod(services.leave_request_create)

    def _respond(self, leave):
        return Response(self.get_serializer(self.get_queryset().get(pk=leave.pk)).data)

    @extend_schema(request=DecideSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        """One mentor's decision on their side."""
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        leave = services.leave_request_decide(
            actor=request.user,
            leave=self.get_object(),
            **serializer.validated_data,
        )
        return self._respond(leave)

    @extend_schema(request=None, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def cancel(self, request, pk=None):
        """The student withdraws a pending request."""
        return self._respond(services.leave_request_cancel(actor=request.user, leave=self.get_object()))


# --- subsidies ----------------------------------------------------------------------------------------------
class InternshipSubsidySerializer(_PlacementScoped, BaseSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.all(), help_text=gettext_lazy("实习编号")
    )

    class Meta:
        model = InternshipSubsidy
        fields = ["id", "placement", "month", "amount", "paid_on", "note"]


class InternshipSubsidyViewSet(ObjectViewSet):
    model = InternshipSubsidy
    serializer_class = InternshipSubsidySerializer
    filterset_class = filtersets.InternshipSubsidyFilterSet
    select_related = ("placement",)
    create_service = staticmethod(
        lambda *, actor, **data: services.internship_subsidy_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.internship_subsidy_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.internship_subsidy_delete)


# --- evaluations --------------------------------------------------------------------------------------------
class EvaluationSerializer(_PlacementScoped, BaseSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.all(), help_text=gettext_lazy("实习编号")
    )
    evaluator_name = serializers.CharField(source="evaluator", read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "placement", "side", "evaluator_name", "score", "comment"]


class EvaluationViewSet(ObjectViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    model = Evaluation
    serializer_class = EvaluationSerializer
    filterset_class = filtersets.EvaluationFilterSet
    select_related = ("placement", "evaluator")
    create_service = staticmethod(services.evaluation_create)
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.evaluation_update(
            actor=actor, instance=instance, data=data
        )
    )


# --- the compliance dashboard -------------------------------------------------------------------------------
class ComplianceRowSerializer(serializers.Serializer):
    school_id = serializers.IntegerField(allow_null=True)
    school = serializers.CharField()
    interns = serializers.IntegerField()
    in_city = serializers.IntegerField()
    share = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=gettext_lazy("%")
    )
    under = serializers.BooleanField(help_text=gettext_lazy("市域内占比低于 T16 要求"))
    short = serializers.IntegerField(help_text=gettext_lazy("短于 T15 最短实习时间的安排"))
    flagged = serializers.IntegerField()
    logs_expected = serializers.IntegerField()
    logs_submitted = serializers.IntegerField()
    logs_countersigned = serializers.IntegerField()
    check_in_days = serializers.IntegerField()
    leave_pending = serializers.IntegerField()
    evaluations_completed = serializers.IntegerField()


class ComplianceViewSet(viewsets.ViewSet):
    """The compliance dashboard: a school's staff their school, officers every school and the city total."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description=gettext_lazy("年度，默认今年")),
            OpenApiParameter(
                "half", int, enum=[1, 2], description=gettext_lazy("1 上半年，2 下半年；不填为全年")
            ),
        ],
        responses=ComplianceRowSerializer(many=True),
    )
    def list(self, request):
        user = request.user
        if not (user.is_superuser or user.role in {Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER}):
            raise exceptions.PermissionDenied(gettext_lazy("您没有权限查看实习合规看板。"))
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            raise exceptions.ValidationError({"year": [gettext_lazy("年度应为整数。")]}) from None
        if not 2000 <= year <= 2100:  # the page's range; a date cannot hold every integer
            raise exceptions.ValidationError({"year": [gettext_lazy("年度应在 2000 至 2100 之间。")]})
        half = request.query_params.get("half") or ""
        if half not in ("", "1", "2"):
            raise exceptions.ValidationError({"half": [gettext_lazy("半年应为 1 或 2。")]})
        data = selectors.compliance(user, year, int(half) if half else None)
        return Response(
            {
                "year": data.year,
                "half": data.half,
                "rule_share": str(data.rule_share),
                "rule_months": str(data.rule_months),
                "share_source": data.share_cite,
                "months_source": data.months_cite,
                "rows": ComplianceRowSerializer(data.rows, many=True).data,
                "total": ComplianceRowSerializer(data.total).data if data.total else None,
            }
        )


router.register("internship-plans", InternshipPlanViewSet, basename="internshipplan")
router.register("placements", PlacementViewSet, basename="placement")
router.register("internship-logs", InternshipLogViewSet, basename="internshiplog")
router.register("internship-check-ins", CheckInViewSet, basename="checkin")
router.register("internship-leave", LeaveRequestViewSet, basename="leaverequest")
router.register("internship-subsidies", InternshipSubsidyViewSet, basename="internshipsubsidy")
router.register("internship-evaluations", EvaluationViewSet, basename="evaluation")
router.register("internship-compliance", ComplianceViewSet, basename="internship-compliance")
