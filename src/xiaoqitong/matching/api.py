"""API: /api/v1/matching/… — recommendations with their reasons (``selectors``), and invitations.

JSON throughout; refusals in Chinese. ``k`` (how many results) is an integer from 1 to 100, default 20 (10
for partners and suppliers); anything else answers 400. An id the user may not see answers 404 like an id that
does not exist; an object the user sees but may not ask about answers 403. Every ``match`` is
``selectors.Match.as_dict()``: ``percent`` of the best possible score, ``score``, ``major_level``,
``components`` (name, label, value, weight), plain-language ``reasons``, the ``missing_*`` skills and
certificates (names) and the failed ``hard_filters``.

``GET for-me/?k=``
    The requesting student's recommended open positions, best first: ``position`` (id, title, enterprise,
    county, type, salary, page url), ``match``, the student's ``application`` to it and the enterprise's
    ``invitation`` (or null). Other roles: 403; a student account without a student record: 404.
``GET positions/<id>/candidates/?k=``
    The students best fitted to a position whom the user may see (consent or applicants; never consent
    ``none``), for the position's enterprise (HR, mentors) and platform administrators (403 for others; 404
    when the posting is not visible at all). Each student shows only what the access allows (``access``:
    ``full`` with name and 学号; ``deidentified`` with school, major, grade and skills only; never the phone).
    A posting that is not open answers **200** with ``"open": false`` and no results: a closed posting is a
    normal state that a client shows, not an error.
``GET school-majors/<id>/partners/?k=``
    The enterprises whose open positions a school major supplies best: its school (administrator, teachers),
    the government and platform administrators.
``GET enterprises/<id>/suppliers/?k=``
    The school majors that supply an enterprise's open positions best: the enterprise (HR, mentors), the
    government and platform administrators.
``GET explain/?student=<id>&position=<id>``
    Why a position scores what it scores for a student (also when it fails a hard filter), for whoever sees
    the student as its owner or school (the student themself, their school's administrator and teachers,
    platform administrators); ``"open": false`` and a null ``match`` when the position is not open.
``GET invitations/``, ``GET invitations/<id>/``
    Invitations as ``InvitationPolicy`` scopes them (the enterprise, the invited student, the student's
    school), filtered as the list page is (``filtersets.InvitationFilterSet``: ``?status=`` (repeatable),
    ``?position=`` (one of the positions invited to, else 400), ``?q=``, ``?created_after=``); the student
    shown by access as above.
``POST invitations/`` ``{position, student, message}``
    The enterprise's HR invites a student it may see to apply for an open position (201).
``POST invitations/<id>/respond/`` ``{accept, note}``
    The invited student accepts (which applies, with ``note``) or declines.
``POST invitations/<id>/withdraw/``
    The enterprise's HR withdraws an invitation not yet answered.
"""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from xiaoqitong.core.api import ObjectViewSet
from xiaoqitong.enterprises.models import Position
from xiaoqitong.enterprises.selectors import own_student
from xiaoqitong.enterprises.services import NO_STUDENT_RECORD
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.schools.models import SchoolMajor, Student
from xiaoqitong.schools.selectors import (
    FIELDS_BY_ACCESS,
    Access,
    applicant_ids,
    student_access,
    student_label,
)

from . import filtersets, selectors, services
from .models import Invitation

MAX_K = 100
DEFAULT_K = 20
DEFAULT_K_ORGS = 10


def _k(request, default: int) -> int:
    raw = request.query_params.get("k")
    if raw is None or raw == "":
        return default
    try:
        k = int(raw)
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_K:
        raise exceptions.ValidationError({"k": [_("k 应为 1 到 %(max)s 之间的整数。") % {"max": MAX_K}]})
    return k


K_PARAM = OpenApiParameter(
    "k", int, description=_("返回条数，1 到 100，默认 %(default)s") % {"default": DEFAULT_K}
)
K_PARAM_ORGS = OpenApiParameter(
    "k", int, description=_("返回条数，1 到 100，默认 %(default)s") % {"default": DEFAULT_K_ORGS}
)
ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)


# --- the pieces every answer is made of ---------------------------------------------------------------
class ComponentSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("分项代码，如 req_skill"))
    label = serializers.CharField(help_text=_("分项名称"))
    value = serializers.FloatField(help_text=_("该分项得分（已乘权重）"))
    weight = serializers.FloatField(help_text=_("该分项权重（满分）"))


class MatchSerializer(serializers.Serializer):
    """The schema of ``selectors.Match.as_dict()`` (documentation only: the field writes ``as_dict()``)."""

    score = serializers.FloatField(help_text=_("匹配得分：各分项之和"))
    percent = serializers.IntegerField(help_text=_("匹配度：占可能最高分的百分比（0-100）"))
    major_level = serializers.ChoiceField(
        choices=list(selectors.MAJOR_LEVEL_LABELS), help_text=_("专业对口的层次")
    )
    components = ComponentSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text=_("推荐理由"))
    missing_required_skills = serializers.ListField(
        child=serializers.CharField(), help_text=_("缺少的必备技能")
    )
    missing_bonus_skills = serializers.ListField(child=serializers.CharField(), help_text=_("缺少的加分技能"))
    missing_required_certs = serializers.ListField(
        child=serializers.CharField(), help_text=_("缺少的必备证书")
    )
    missing_bonus_certs = serializers.ListField(child=serializers.CharField(), help_text=_("缺少的加分证书"))
    hard_filters = serializers.ListField(
        child=serializers.CharField(), help_text=_("未通过的硬性条件（学历、到岗时间）")
    )


@extend_schema_field(MatchSerializer)
class MatchField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, match):
        return match.as_dict()


class IdNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SchoolBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text=_("学校代码"))
    name = serializers.CharField()


class MajorBriefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("专业代码"))
    name = serializers.CharField()
    education_level = serializers.CharField(help_text=_("层次：中职、高职专科、职业本科"))


class PositionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    enterprise = IdNameSerializer()
    county = CodeNameSerializer(allow_null=True, help_text=_("工作地点"))
    position_type = serializers.CharField()
    position_type_display = serializers.CharField(source="get_position_type_display")
    salary_min = serializers.IntegerField(allow_null=True)
    salary_max = serializers.IntegerField(allow_null=True)
    url = serializers.SerializerMethodField(help_text=_("岗位页面地址"))

    def get_url(self, position) -> str:
        request = self.context.get("request")
        url = position.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


class StatusBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")


class SkillLevelSerializer(serializers.Serializer):
    skill = serializers.CharField(help_text=_("技能名称"))
    level = serializers.CharField()
    level_display = serializers.CharField()


class StudentBriefSerializer(serializers.Serializer):
    """A student as the user may see them (``schools.selectors.FIELDS_BY_ACCESS``): ``name`` and
    ``student_no`` only where the access shows identity; never the phone."""

    # key -> the selectors' field it shows (id, access and label always show)
    SHOWS = {
        "name": "name",
        "student_no": "student_no",
        "school": "school",
        "major": "school_major",
        "grade": "grade",
        "skills": "skills",
    }

    id = serializers.IntegerField()
    access = serializers.ChoiceField(
        choices=[a.value for a in Access], help_text=_("可见程度：owner、school、full、deidentified")
    )
    label = serializers.CharField(help_text=_("显示名：可见身份时为姓名和学号，否则为“匿名学生 #编号”"))
    name = serializers.CharField(required=False, help_text=_("姓名（仅在可见身份时出现）"))
    student_no = serializers.CharField(required=False, help_text=_("学号（仅在可见身份时出现）"))
    school = SchoolBriefSerializer(required=False)
    major = MajorBriefSerializer(required=False, source="school_major.major")
    grade = serializers.IntegerField(required=False, help_text=_("年级（入学年份）"))
    skills = serializers.SerializerMethodField()

    @extend_schema_field(SkillLevelSerializer(many=True))
    def get_skills(self, student) -> list[dict]:
        rows = sorted(student.skill_levels.all(), key=lambda s: s.skill.name)
        return [
            {"skill": s.skill.name, "level": s.level, "level_display": s.get_level_display()} for s in rows
        ]


def student_data(student: Student, access: Access) -> dict:
    """The fields of ``student`` that ``access`` shows (nothing is read that is then hidden)."""
    shown = set(FIELDS_BY_ACCESS[access])
    serializer = StudentBriefSerializer()
    data = {"id": student.pk, "access": access.value, "label": student_label(access, student)}
    for key, field in StudentBriefSerializer.SHOWS.items():
        if field in shown:
            bound = serializer.fields[key]
            data[key] = bound.to_representation(bound.get_attribute(student))
    return data


@extend_schema_field(StudentBriefSerializer)
class StudentMatchField(serializers.Field):
    """The student of a ``selectors.StudentMatch``, by the access it carries."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, item):
        return student_data(item.student, item.access)


# --- recommendations -----------------------------------------------------------------------------------
class PositionMatchSerializer(serializers.Serializer):
    position = PositionBriefSerializer()
    match = MatchField()
    application = StatusBriefSerializer(allow_null=True, help_text=_("该学生对该岗位的投递（未投递为 null）"))
    invitation = StatusBriefSerializer(allow_null=True, help_text=_("企业的投递邀请（未邀请为 null）"))


class ForMeSerializer(serializers.Serializer):
    k = serializers.IntegerField()
    results = PositionMatchSerializer(many=True)


class CandidateSerializer(serializers.Serializer):
    student = StudentMatchField()
    access = serializers.CharField(help_text=_("full：可见姓名和学号；deidentified：匿名"))
    match = MatchField()
    application = StatusBriefSerializer(allow_null=True)
    invitation = StatusBriefSerializer(allow_null=True)


class CandidatesSerializer(serializers.Serializer):
    position = PositionBriefSerializer()
    open = serializers.BooleanField(help_text=_("岗位是否在招聘中；否则 results 为空"))
    k = serializers.IntegerField()
    results = CandidateSerializer(many=True)


class SchoolMajorBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    school = SchoolBriefSerializer()
    major = MajorBriefSerializer()


class PercentPositionSerializer(serializers.Serializer):
    position = PositionBriefSerializer()
    percent = serializers.IntegerField(help_text=_("该岗位的匹配度"))


class PartnerSerializer(serializers.Serializer):
    enterprise = IdNameSerializer()
    match = MatchField(help_text=_("其最匹配岗位的匹配分析"))
    positions = serializers.SerializerMethodField(help_text=_("其进入前列的岗位，最匹配的在前"))
    headcount = serializers.IntegerField(help_text=_("这些岗位的招聘人数之和"))

    @extend_schema_field(PercentPositionSerializer(many=True))
    def get_positions(self, item) -> list[dict]:
        return [
            {"position": PositionBriefSerializer(p, context=self.context).data, "percent": percent}
            for p, percent in item.positions
        ]


class PartnersSerializer(serializers.Serializer):
    school_major = SchoolMajorBriefSerializer()
    k = serializers.IntegerField()
    results = PartnerSerializer(many=True)


class SupplierSerializer(serializers.Serializer):
    school_major = SchoolMajorBriefSerializer()
    match = MatchField(help_text=_("对其最匹配岗位的匹配分析"))
    position = PositionBriefSerializer(help_text=_("该专业最匹配的本企业岗位"))
    students = serializers.IntegerField(help_text=_("该专业正在求职的学生数"))


class SuppliersSerializer(serializers.Serializer):
    enterprise = IdNameSerializer()
    k = serializers.IntegerField()
    results = SupplierSerializer(many=True)


class ExplainSerializer(serializers.Serializer):
    student = serializers.SerializerMethodField()
    position = PositionBriefSerializer()
    open = serializers.BooleanField(help_text=_("岗位是否在招聘中；否则 match 为 null"))
    match = MatchField(allow_null=True)

    @extend_schema_field(StudentBriefSerializer)
    def get_student(self, data) -> dict:
        return student_data(data["student"], data["access"])


class ExplainQuerySerializer(serializers.Serializer):
    student = serializers.IntegerField(help_text=_("学生编号"))
    position = serializers.IntegerField(help_text=_("岗位编号"))


def _read_briefs(positions) -> None:
    """The enterprise and county of every position shown, one query each (none for what the selector read
    already): no query per row."""
    prefetch_related_objects([p for p in positions if p is not None], "enterprise", "county")


class ForMeViewSet(viewsets.ViewSet):
    """为我推荐: the requesting student's recommended positions."""

    @extend_schema(parameters=[K_PARAM], responses=ForMeSerializer)
    def list(self, request):
        """The requesting student's recommended open positions, best first, each with its reasons."""
        user = request.user
        if getattr(user, "role", None) != Role.STUDENT:
            raise exceptions.PermissionDenied(_("只有学生可以查看为自己推荐的岗位。"))
        k = _k(request, DEFAULT_K)
        student = own_student(user)
        if student is None:
            raise exceptions.NotFound(str(NO_STUDENT_RECORD))
        matches = selectors.recommend_positions(student, k)
        _read_briefs([m.position for m in matches])
        return Response(ForMeSerializer({"k": k, "results": matches}, context={"request": request}).data)


class CandidateViewSet(viewsets.ViewSet):
    """推荐人选: the students recommended for a position."""

    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[ID_PARAM, K_PARAM], responses=CandidatesSerializer)
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        """The students best fitted to the position whom the user may see, best first. A posting that is not
        open answers 200 with ``open: false`` and no results."""
        position = (
            Position.objects.restrict(request.user, "view")
            .select_related("enterprise__industry", "county")
            .filter(pk=pk)
            .first()
        )
        if position is None:
            raise exceptions.NotFound(_("找不到该岗位。"))
        if not selectors.may_see_candidates(request.user, position):
            raise exceptions.PermissionDenied(_("只有发布该岗位的企业可以查看推荐人选。"))
        k = _k(request, DEFAULT_K)
        matches = selectors.recommend_students(user=request.user, position=position, k=k)
        data = {"position": position, "open": matches is not None, "k": k, "results": matches or []}
        return Response(CandidatesSerializer(data, context={"request": request}).data)


class PartnerViewSet(viewsets.ViewSet):
    """专业对接企业: the enterprises a school major supplies best."""

    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[ID_PARAM, K_PARAM_ORGS], responses=PartnersSerializer)
    @action(detail=True, methods=["get"])
    def partners(self, request, pk=None):
        """The enterprises whose open positions the school major supplies best (order-class partners)."""
        school_major = (
            SchoolMajor.objects.restrict(request.user, "view")
            .select_related("school", "major")
            .filter(pk=pk)
            .first()
        )
        if school_major is None:
            raise exceptions.NotFound(_("找不到该开设专业。"))
        if not selectors.may_see_partners(request.user, school_major):
            raise exceptions.PermissionDenied(_("只有该专业所在学校和政府部门可以查看专业对接企业。"))
        k = _k(request, DEFAULT_K_ORGS)
        partners = selectors.major_partners(school_major, k)
        _read_briefs([p for item in partners for p, _percent in item.positions])
        data = {"school_major": school_major, "k": k, "results": partners}
        return Response(PartnersSerializer(data, context={"request": request}).data)


class SupplierViewSet(viewsets.ViewSet):
    """合作院校专业: the school majors that supply an enterprise best."""

    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[ID_PARAM, K_PARAM_ORGS], responses=SuppliersSerializer)
    @action(detail=True, methods=["get"])
    def suppliers(self, request, pk=None):
        """The school majors (each school's latest year) that supply the enterprise's open positions best."""
        enterprise = Enterprise.objects.restrict(request.user, "view").filter(pk=pk).first()
        if enterprise is None:
            raise exceptions.NotFound(_("找不到该企业。"))
        if not selectors.may_see_suppliers(request.user, enterprise):
            raise exceptions.PermissionDenied(_("只有该企业和政府部门可以查看合作院校专业。"))
        k = _k(request, DEFAULT_K_ORGS)
        suppliers = selectors.enterprise_suppliers(enterprise, k)
        _read_briefs([item.position for item in suppliers])
        data = {"enterprise": enterprise, "k": k, "results": suppliers}
        return Response(SuppliersSerializer(data, context={"request": request}).data)


class ExplainViewSet(viewsets.ViewSet):
    """匹配分析: one student and one position."""

    @extend_schema(
        parameters=[
            OpenApiParameter("student", int, required=True, description=_("学生编号")),
            OpenApiParameter("position", int, required=True, description=_("岗位编号")),
        ],
        responses=ExplainSerializer,
    )
    def list(self, request):
        """Why the position scores what it scores for the student (also when it fails a hard filter): for
        the student themself, their school and platform administrators."""
        query = ExplainQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        student = (
            Student.objects.restrict(user, "view")
            .select_related("school", "school_major__major")
            .prefetch_related("skill_levels__skill")
            .filter(pk=query.validated_data["student"])
            .first()
        )
        if student is None:
            raise exceptions.NotFound(_("找不到该学生。"))
        access = student_access(user, student)
        if access not in (Access.OWNER, Access.SCHOOL):
            raise exceptions.PermissionDenied(_("只有学生本人和所在学校可以查看匹配分析。"))
        position = (
            Position.objects.restrict(user, "view")
            .select_related("enterprise__industry", "county")
            .filter(pk=query.validated_data["position"])
            .first()
        )
        if position is None:
            raise exceptions.NotFound(_("找不到该岗位。"))
        match = selectors.explain_pair(student, position)
        data = {"student": student, "access": access, "position": position, "open": match is not None}
        data["match"] = match
        return Response(ExplainSerializer(data, context={"request": request}).data)


# --- invitations ---------------------------------------------------------------------------------------
class InvitationSerializer(serializers.ModelSerializer):
    position = PositionBriefSerializer(read_only=True)
    student = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField(
        help_text=_("邀请人：只向发出邀请的企业和平台管理员显示，其他人为 null")
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    application = StatusBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "position",
            "student",
            "invited_by",
            "message",
            "score",
            "status",
            "status_display",
            "responded_at",
            "application",
            "created_at",
        ]
        read_only_fields = fields

    def get_invited_by(self, invitation) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if invitation.invited_by is None or not selectors.may_see_inviter(user, invitation):
            return None
        return str(invitation.invited_by)

    @extend_schema_field(StudentBriefSerializer)
    def get_student(self, invitation) -> dict:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        access = student_access(user, invitation.student, applicants=self.context.get("applicants"))
        return student_data(invitation.student, access)


class InvitationCreateSerializer(serializers.Serializer):
    position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.none(),
        help_text=_("岗位编号"),
        error_messages={"does_not_exist": _("找不到编号为 {pk_value} 的岗位。")},
    )
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.none(),
        help_text=_("学生编号（推荐人选中的学生）"),
        error_messages={"does_not_exist": _("找不到编号为 {pk_value} 的学生，或该学生未向企业公开简历。")},
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("企业写给学生的话")
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # What the user sees, nothing more: a hidden student reads like one that does not exist.
            fields["position"].queryset = Position.objects.restrict(request.user, "view")
            fields["student"].queryset = Student.objects.restrict(request.user, "view")
        return fields


@extend_schema_serializer(component_name="InvitationRespond")  # another app has a Respond component
class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text=_("true：接受并投递；false：婉拒"))
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("接受时随投递写给企业的话")
    )


class InvitationViewSet(ObjectViewSet):
    """投递邀请, as ``InvitationPolicy`` scopes them, filtered by the pages' ``InvitationFilterSet``. Sending,
    answering and withdrawing go through the services, which decide who may: the actions only require a
    login."""

    model = Invitation
    serializer_class = InvitationSerializer
    filterset_class = filtersets.InvitationFilterSet  # the pages' own
    ordering_fields = ["created_at", "responded_at", "status", "id"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"
    select_related = (
        "position__enterprise",
        "position__county",
        "student__school",
        "student__school_major__major",
        "invited_by",
        "application",
    )
    prefetch_related = ("student__skill_levels__skill",)

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            rows = list(args[0])
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["applicants"] = applicant_ids(self.request.user, [i.student_id for i in rows])
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)

    def _respond(self, invitation, code=status.HTTP_200_OK):
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data, status=code)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        """The enterprise's HR invites a student it may see (consent or applicant) to apply for one of its
        open positions; once per position and student."""
        user = request.user
        if not (user.is_superuser or getattr(user, "role", None) == Role.ENTERPRISE_HR):
            raise exceptions.PermissionDenied(_("只有企业人事可以发出投递邀请。"))
        payload = InvitationCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            actor=user,
            position=payload.validated_data["position"],
            student=payload.validated_data["student"],
            message=payload.validated_data.get("message", ""),
        )
        return self._respond(invitation, status.HTTP_201_CREATED)

    @extend_schema(request=RespondSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def respond(self, request, pk=None):
        """The invited student accepts (and so applies, with ``note``) or declines."""
        invitation = self.get_object()
        payload = RespondSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.invitation_respond(
            actor=request.user,
            invitation=invitation,
            accept=payload.validated_data["accept"],
            note=payload.validated_data.get("note", ""),
        )
        return self._respond(invitation)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def withdraw(self, request, pk=None):
        """The enterprise's HR withdraws an invitation the student has not answered."""
        invitation = self.get_object()
        invitation = services.invitation_withdraw(actor=request.user, invitation=invitation)
        return self._respond(invitation)


router = DefaultRouter()
router.register("for-me", ForMeViewSet, basename="match-for-me")
router.register("positions", CandidateViewSet, basename="match-position")
router.register("school-majors", PartnerViewSet, basename="match-schoolmajor")
router.register("enterprises", SupplierViewSet, basename="match-enterprise")
router.register("explain", ExplainViewSet, basename="match-explain")
router.register("invitations", InvitationViewSet, basename="invitation")
