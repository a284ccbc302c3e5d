"""API of intentions and the survey, under /api/v1/events/:

- ``intentions/``: the intentions the caller may read (the organizer its events'; each party its own), filters
  ``event``, ``kind``, ``status``, ``year``, ``q``. POST proposes one
  (``services.outcomes.intention_propose``):
  ``event`` and ``kind`` (``job``: ``position`` and, for HR, ``student`` or ``checkin_code``;
  ``cooperation``: ``school_major`` (id), ``enterprise`` (统一社会信用代码, for a school),
  ``agreement_kind``, ``planned_students``), ``note``. ``POST …/<id>/sign/``, ``…/decline/``
  (``{"reason": …}``) and ``…/withdraw/`` take the steps; ``GET …/summary/?event=<id>`` the organizer's counts
  by kind and status and what the signed ones became.
- ``survey-responses/``: the answers the caller may read; POST answers the survey of ``event`` for the
  caller's side (``satisfaction``, ``usefulness`` 1-5, ``would_return``, ``comment``);
  ``GET …/summary/?event=<id>``: the organizer's summary by kind of participant.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.cooperation.choices import AgreementKind
from xiaoqitong.core.api import CodeRelatedField
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import IntentionKind
from ..filtersets.outcomes import IntentionApiFilterSet, SurveyResponseFilterSet
from ..models import Event, Intention, SurveyResponse
from ..policies.outcomes import may_view_event_intentions, may_view_survey_summary, proposer_side
from ..policies.registrations import visible_events_q
from ..selectors import outcomes as selectors
from ..services import outcomes as services
from . import router


class IntentionSerializer(serializers.ModelSerializer):
    event_title = serializers.CharField(source="event.title", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    enterprise = serializers.CharField(source="enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    position_title = serializers.CharField(source="position.title", read_only=True, default="")
    student_name = serializers.CharField(source="student.name", read_only=True, default="")
    school = serializers.SerializerMethodField(help_text=gettext_lazy("学校代码"))
    major = serializers.CharField(source="school_major.major.code", read_only=True, default="")
    major_name = serializers.CharField(source="school_major.major.name", read_only=True, default="")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    proposer = serializers.SerializerMethodField(
        help_text=gettext_lazy("发起方：enterprise、school 或 student")
    )
    application_status = serializers.CharField(source="application.status", read_only=True, default=None)
    agreement_status = serializers.CharField(source="agreement.status", read_only=True, default=None)

    class Meta:
        model = Intention
        fields = [
            "id",
            "event",
            "event_title",
            "kind",
            "kind_display",
            "enterprise",
            "enterprise_name",
            "position",
            "position_title",
            "student",
            "student_name",
            "school",
            "school_major",
            "major",
            "major_name",
            "agreement_kind",
            "planned_students",
            "note",
            "status",
            "status_display",
            "proposer",
            "created_at",
            "signed_at",
            "application",
            "application_status",
            "agreement",
            "agreement_status",
        ]
        read_only_fields = fields

    def get_school(self, intention) -> str:
        school = (
            intention.student.school if intention.kind == IntentionKind.JOB else intention.school_major.school
        )
        return school.code

    def get_proposer(self, intention) -> str | None:
        return proposer_side(intention)


class IntentionProposeSerializer(serializers.Serializer):
    event = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.all(), help_text=gettext_lazy("活动 ID")
    )
    kind = serializers.ChoiceField(choices=IntentionKind.choices)
    position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(), required=False, allow_null=True
    )
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("学生 ID（企业发起）"),
    )
    checkin_code = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text=gettext_lazy("或：学生活动凭证上的签到码")
    )
    school_major = serializers.PrimaryKeyRelatedField(
        queryset=SchoolMajor.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("开设专业 ID"),
    )
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("企业统一社会信用代码（学校发起合作意向）"),
    )
    agreement_kind = serializers.ChoiceField(choices=AgreementKind.choices, required=False, allow_blank=True)
    planned_students = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # An event the caller may not read reads like one that does not exist.
            fields["event"].queryset = Event.objects.filter(visible_events_q(request.user))
        return fields


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class KindLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text=gettext_lazy("按状态的意向数")
    )
    signed = serializers.IntegerField()
    sign_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=gettext_lazy("签署率（%，不含已撤回）")
    )
    converted = serializers.IntegerField(help_text=gettext_lazy("已转为求职申请 / 协议草稿"))
    advanced = serializers.IntegerField(help_text=gettext_lazy("申请已过“已投递”/ 协议已提交或执行"))
    hired = serializers.IntegerField(help_text=gettext_lazy("申请已录用或入职 / 协议执行中或已结束"))
    outcomes = serializers.DictField(
        child=serializers.IntegerField(), help_text=gettext_lazy("转化后的申请或协议按状态计数")
    )


def _event_param(request) -> Event:
    try:
        pk = int(request.query_params.get("event", ""))
    except ValueError:
        raise exceptions.ValidationError(
            {"event": [gettext_lazy("请用 ?event=<活动 ID> 指定活动。")]}
        ) from None
    event = Event.objects.filter(visible_events_q(request.user), pk=pk).select_related("type").first()
    if event is None:
        raise exceptions.NotFound()
    return event


EVENT_PARAM = OpenApiParameter("event", int, required=True, description=gettext_lazy("活动 ID"))


class IntentionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Intentions signed at events (job → application, cooperation → agreement draft)."""

    model = Intention
    serializer_class = IntentionSerializer
    filterset_class = IntentionApiFilterSet

    def get_queryset(self):
        return selectors.visible_intentions(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=IntentionProposeSerializer, responses={201: IntentionSerializer})
    def create(self, request, *args, **kwargs):
        data = IntentionProposeSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        intention = services.intention_propose(actor=request.user, **values)
        return Response(self._read(intention), status=status.HTTP_201_CREATED)

    def _read(self, intention):
        return IntentionSerializer(self.get_queryset().get(pk=intention.pk)).data

    @extend_schema(request=None, responses=IntentionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def sign(self, request, pk=None):
        intention = services.intention_sign(actor=request.user, intention=self.get_object())
        return Response(self._read(intention))

    @extend_schema(request=DeclineSerializer, responses=IntentionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decline(self, request, pk=None):
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intention = services.intention_decline(
            actor=request.user, intention=self.get_object(), reason=data.validated_data.get("reason", "")
        )
        return Response(self._read(intention))

    @extend_schema(request=None, responses=IntentionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def withdraw(self, request, pk=None):
        intention = services.intention_withdraw(actor=request.user, intention=self.get_object())
        return Response(self._read(intention))

    @extend_schema(parameters=[EVENT_PARAM], responses=KindLineSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request):
        """An event's intentions by kind and status and what the signed ones became (its organizer)."""
        event = _event_param(request)
        if not may_view_event_intentions(request.user, event):
            raise exceptions.PermissionDenied(gettext_lazy("活动的签约意向统计由主办部门查看。"))
        lines = selectors.intention_report(Intention.objects.filter(event_id=event.pk))
        return Response(KindLineSerializer(lines, many=True).data)


# --- the survey --------------------------------------------------------------------------------------------
class SurveyResponseSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="registration.kind", read_only=True)
    participant = serializers.CharField(source="registration.participant_name", read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "event",
            "registration",
            "kind",
            "participant",
            "satisfaction",
            "usefulness",
            "would_return",
            "comment",
            "created_at",
        ]
        read_only_fields = ["registration", "created_at"]
        # The service checks one answer per registration (with its own words).
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["event"].queryset = Event.objects.filter(visible_events_q(request.user))
        return fields


class SurveyLineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=gettext_lazy("enterprise、school、student；合计为空"))
    label = serializers.CharField()
    registrations = serializers.IntegerField(help_text=gettext_lazy("报名通过的参与方"))
    responses = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    satisfaction = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    usefulness = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    would_return = serializers.IntegerField()
    return_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class SurveySummarySerializer(serializers.Serializer):
    lines = SurveyLineSerializer(many=True)
    overall = SurveyLineSerializer()


class SurveyResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    model = SurveyResponse
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilterSet

    def get_queryset(self):
        return (
            SurveyResponse.objects.restrict(self.request.user, "view")
            .select_related("registration__enterprise", "registration__school", "registration__student")
            .order_by("-created_at", "-pk")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.survey_response_submit(
            actor=self.request.user,
            event=data["event"],
            satisfaction=data["satisfaction"],
            usefulness=data["usefulness"],
            would_return=data.get("would_return", True),
            comment=data.get("comment", ""),
        )

    @extend_schema(parameters=[EVENT_PARAM], responses=SurveySummarySerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request):
        """An event's survey by kind of participant (its organizer)."""
        event = _event_param(request)
        if not may_view_survey_summary(request.user, event):
            raise exceptions.PermissionDenied(gettext_lazy("活动问卷汇总由主办部门查看。"))
        return Response(SurveySummarySerializer(selectors.survey_summary(event)).data)


router.register("intentions", IntentionViewSet, basename="intention")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
