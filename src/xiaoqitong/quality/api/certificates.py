"""API of certificates, exam centres and competitions, under /api/v1/quality/:

- ``certificate-awards/``: CRUD; the student by ``school`` (学校代码) + ``student_no`` (学号), the certificate
  by its catalog code; a school administrator names its own school's students only.
- ``exam-centres/``: CRUD; ``school`` by 学校代码 (a school administrator may leave it out), ``certificates``
  as catalog codes; ``session_count``, ``candidates_total``, ``passed_total``, ``pass_rate`` read-only.
- ``exam-sessions/``: CRUD; ``centre`` by 考点编号 (among the centres the caller may write), ``certificate``
  by code; ``pass_rate`` read-only.
- ``competitions/``: CRUD (officers write); ``majors`` as catalog codes; ``award_count`` read-only.
- ``competition-awards/``: CRUD; ``competition`` by id, ``school`` by 学校代码, ``student_no`` and
  ``teacher_no`` within that school.
- ``certificate-coverage/?year=``: the coverage page's rows (T3: the city, then each school the caller may
  read); ``certificate-coverage/<school id>/?year=``: one school per major.
- ``competition-award-counts/?year=&level=``: award counts per school.
Bulk imports go through ``/api/v1/import-jobs/`` with ``target=quality.CertificateAward`` etc.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from xiaoqitong.cooperation.api.bases import MajorCodesField
from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.core.formats import rate
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.forms import resolve_certificates
from xiaoqitong.reference.models import Certificate
from xiaoqitong.schools.models import Student, Teacher

from ..choices import CompetitionLevel
from ..filtersets.certificates import (
    CertificateAwardFilterSet,
    CompetitionAwardFilterSet,
    CompetitionFilterSet,
    ExamCentreFilterSet,
    ExamSessionFilterSet,
)
from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession
from ..policies.certificates import may_view_coverage, may_view_school
from ..selectors import certificates as selectors
from ..services import certificates as services
from ..views.targets import chosen_year
from . import router


def _service(create=None, update=None):
    """ObjectViewSet's ``create_service``/``update_service`` calling our ``(actor=, data=)`` services."""
    out = []
    if create is not None:
        out.append(staticmethod(lambda *, actor, **data: create(actor=actor, data=data)))
    if update is not None:
        out.append(
            staticmethod(lambda *, actor, instance, **data: update(actor=actor, instance=instance, data=data))
        )
    return out


def _is_school_admin(user) -> bool:
    return not user.is_superuser and getattr(user, "role", "") == Role.SCHOOL_ADMIN


class CertificateCodesField(serializers.Field):
    """Certificates as catalog codes (``["1X-001-J"]``; a string separated by 、 works too)."""

    default_error_messages = {
        "unknown": gettext_lazy("找不到证书代码：{codes}"),
        "list": gettext_lazy("应为证书代码列表。"),
    }

    def to_representation(self, value):
        return sorted(c.code for c in value.all())

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = "、".join(str(code) for code in data)
        if not isinstance(data, str):
            self.fail("list")
        certificates, unknown = resolve_certificates(data)
        if unknown:
            self.fail("unknown", codes="、".join(unknown))
        return certificates


def _person(model, school: School | None, number: str, field: str, label: str, what: str):
    if not number:
        return None
    found = model.objects.filter(school=school, **{field: number}).first() if school else None
    if found is None:
        raise exceptions.ValidationError(
            {
                label: [
                    gettext_lazy("找不到学校代码为“%(school)s”、%(what)s为“%(no)s”的人员。")
                    % {"school": school.code if school else "", "what": what, "no": number}
                ]
            }
        )
    return found


# --- certificate awards ---------------------------------------------------------------------------
class CertificateAwardSerializer(BaseSerializer):
    school = serializers.CharField(source="student.school.code", help_text=gettext_lazy("学校代码"))
    student_no = serializers.CharField(source="student.student_no", help_text=gettext_lazy("学号"))
    name = serializers.CharField(source="student.name", read_only=True)
    certificate = CodeRelatedField(queryset=Certificate.objects.all(), help_text=gettext_lazy("证书目录代码"))
    certificate_name = serializers.CharField(source="certificate.name", read_only=True)
    kind = serializers.CharField(source="certificate.kind", read_only=True)
    session = serializers.PrimaryKeyRelatedField(
        queryset=ExamSession.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("考试场次 ID"),
    )

    class Meta:
        model = CertificateAward
        fields = [
            "id",
            "school",
            "student_no",
            "name",
            "certificate",
            "certificate_name",
            "kind",
            "number",
            "awarded_on",
            "issuer",
            "session",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["session"].queryset = ExamSession.objects.restrict(request.user, "view")
        return fields

    def validate(self, attrs):
        given = attrs.pop("student", None)
        if given is None:
            return attrs
        current = self.instance.student if self.instance is not None else None
        code = given.get("school", {}).get("code") or (current.school.code if current else "")
        number = given.get("student_no") or (current.student_no if current else "")
        user = self.context["request"].user
        if _is_school_admin(user) and code != (user.school.code if user.school_id else None):
            raise exceptions.PermissionDenied(gettext_lazy("学校管理员只能登记本校学生的证书。"))
        school = School.objects.filter(code=code).first()
        attrs["student"] = _person(Student, school, number, "student_no", "student_no", gettext_lazy("学号"))
        return attrs


class CertificateAwardViewSet(ObjectViewSet):
    model = CertificateAward
    serializer_class = CertificateAwardSerializer
    filterset_class = CertificateAwardFilterSet
    select_related = ("student__school", "certificate")
    create_service, update_service = _service(
        services.certificate_award_create, services.certificate_award_update
    )
    delete_service = staticmethod(services.certificate_award_delete)


# --- exam centres and sessions --------------------------------------------------------------------
class ExamCentreSerializer(BaseSerializer):
    school = CodeRelatedField(
        queryset=School.objects.all(),
        required=False,
        help_text=gettext_lazy("承办学校代码（学校管理员可省略）"),
    )
    school_name = serializers.CharField(source="school.name", read_only=True)
    certificates = CertificateCodesField(required=False, help_text=gettext_lazy("可考证书代码列表"))
    session_count = serializers.IntegerField(read_only=True)
    candidates_total = serializers.IntegerField(read_only=True)
    passed_total = serializers.IntegerField(read_only=True)
    pass_rate = serializers.SerializerMethodField(help_text=gettext_lazy("通过率（%），无报考为 null"))

    class Meta:
        model = ExamCentre
        fields = [
            "id",
            "code",
            "name",
            "school",
            "school_name",
            "certificates",
            "approved_by",
            "approved_on",
            "capacity",
            "active",
            "session_count",
            "candidates_total",
            "passed_total",
            "pass_rate",
        ]

    def get_pass_rate(self, centre) -> float | None:
        value = rate(centre.passed_total, centre.candidates_total)
        return None if value is None else float(value)


def _refetch(viewset, serializer):
    serializer.instance = viewset.get_queryset().get(pk=serializer.instance.pk)


class ExamCentreViewSet(ObjectViewSet):
    model = ExamCentre
    serializer_class = ExamCentreSerializer
    filterset_class = ExamCentreFilterSet
    select_related = ("school",)
    prefetch_related = ("certificates",)
    create_service, update_service = _service(services.exam_centre_create, services.exam_centre_update)
    delete_service = staticmethod(services.exam_centre_delete)

    def get_queryset(self):
        return selectors.with_session_totals(super().get_queryset())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        _refetch(self, serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        _refetch(self, serializer)


class ExamSessionSerializer(BaseSerializer):
    centre = CodeRelatedField(queryset=ExamCentre.objects.all(), help_text=gettext_lazy("考点编号"))
    certificate = CodeRelatedField(queryset=Certificate.objects.all(), help_text=gettext_lazy("证书目录代码"))
    pass_rate = serializers.SerializerMethodField(help_text=gettext_lazy("通过率（%），无报考为 null"))

    class Meta:
        model = ExamSession
        fields = ["id", "centre", "certificate", "date", "candidates", "passed", "pass_rate"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A centre the caller may not write reads like one that does not exist.
            fields["centre"].queryset = ExamCentre.objects.restrict(request.user, "change")
        return fields

    def get_pass_rate(self, session) -> float | None:
        value = rate(session.passed, session.candidates)
        return None if value is None else float(value)


class ExamSessionViewSet(ObjectViewSet):
    model = ExamSession
    serializer_class = ExamSessionSerializer
    filterset_class = ExamSessionFilterSet
    select_related = ("centre", "certificate")
    create_service, update_service = _service(services.exam_session_create, services.exam_session_update)
    delete_service = staticmethod(services.exam_session_delete)


# --- competitions ---------------------------------------------------------------------------------
class CompetitionSerializer(BaseSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    majors = MajorCodesField(required=False, help_text=gettext_lazy("相关专业代码列表"))
    award_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Competition
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "year",
            "organizer",
            "held_on",
            "majors",
            "award_count",
        ]


class CompetitionViewSet(ObjectViewSet):
    model = Competition
    serializer_class = CompetitionSerializer
    filterset_class = CompetitionFilterSet
    prefetch_related = ("majors",)
    create_service, update_service = _service(services.competition_create, services.competition_update)
    delete_service = staticmethod(services.competition_delete)

    def get_queryset(self):
        from django.db.models import Count

        return super().get_queryset().annotate(award_count=Count("awards"))

    def perform_create(self, serializer):
        super().perform_create(serializer)
        _refetch(self, serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        _refetch(self, serializer)


class CompetitionAwardSerializer(BaseSerializer):
    competition_name = serializers.CharField(source="competition.__str__", read_only=True)
    school = CodeRelatedField(
        queryset=School.objects.all(), required=False, help_text=gettext_lazy("学校代码（学校管理员可省略）")
    )
    prize_display = serializers.CharField(source="get_prize_display", read_only=True)
    student_no = serializers.CharField(
        source="student.student_no", required=False, allow_blank=True, allow_null=True, default=None
    )
    teacher_no = serializers.CharField(
        source="teacher.staff_no", required=False, allow_blank=True, allow_null=True, default=None
    )

    class Meta:
        model = CompetitionAward
        fields = [
            "id",
            "competition",
            "competition_name",
            "school",
            "event",
            "prize",
            "prize_display",
            "student_no",
            "team",
            "teacher_no",
        ]

    def validate(self, attrs):
        user = self.context["request"].user
        school = attrs.get("school") or (self.instance.school if self.instance is not None else None)
        if school is None and _is_school_admin(user):
            school = user.school
        for key, model, field, label, what in (
            ("student", Student, "student_no", "student_no", gettext_lazy("学号")),
            ("teacher", Teacher, "staff_no", "teacher_no", gettext_lazy("工号")),
        ):
            if key in attrs:
                given = attrs.pop(key) or {}
                attrs[key] = _person(model, school, (given.get(field) or "").strip(), field, label, what)
        return attrs


class CompetitionAwardViewSet(ObjectViewSet):
    model = CompetitionAward
    serializer_class = CompetitionAwardSerializer
    filterset_class = CompetitionAwardFilterSet
    select_related = ("competition", "school", "student", "teacher")
    create_service, update_service = _service(
        services.competition_award_create, services.competition_award_update
    )
    delete_service = staticmethod(services.competition_award_delete)


# --- coverage and award counts --------------------------------------------------------------------
class CoverageLineSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("学校代码或专业代码（全市为空）"))
    name = serializers.CharField(source="label")
    students = serializers.IntegerField(help_text=gettext_lazy("在校生（分母）"))
    holders = serializers.IntegerField(help_text=gettext_lazy("持 1+X 证书学生（分子）"))
    coverage = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=gettext_lazy("覆盖面（%）；null：暂无数据")
    )
    met = serializers.BooleanField(allow_null=True)


class CoverageTargetSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=8, decimal_places=4)
    target_id = serializers.CharField()
    source = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    target = CoverageTargetSerializer(help_text=gettext_lazy("T3 的目标与依据"))
    city = CoverageLineSerializer()
    schools = CoverageLineSerializer(many=True, help_text=gettext_lazy("学校人员只看到本校"))


class MajorCoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    target = CoverageTargetSerializer()
    total = CoverageLineSerializer(help_text=gettext_lazy("全校"))
    majors = CoverageLineSerializer(many=True)


YEAR_PARAMETER = OpenApiParameter("year", int, description=gettext_lazy("年度，默认今年"))


class CertificateCoverageViewSet(viewsets.ViewSet):
    """T3: the share of students at school holding a 1+X certificate, per school and for the city."""

    def _check(self, request):
        if not may_view_coverage(request.user):
            raise exceptions.PermissionDenied(
                gettext_lazy("1+X 证书覆盖面统计面向政府部门、研究人员和学校。")
            )

    @extend_schema(parameters=[YEAR_PARAMETER], responses=CoverageSerializer)
    def list(self, request):
        self._check(request)
        report = selectors.coverage_report(request.user, chosen_year(request))
        return Response(CoverageSerializer(report).data)

    @extend_schema(parameters=[YEAR_PARAMETER], responses=MajorCoverageSerializer)
    def retrieve(self, request, pk=None):
        self._check(request)
        try:
            school_id = int(pk)
        except (TypeError, ValueError):
            raise exceptions.NotFound() from None
        school = (
            School.objects.filter(pk=school_id).first() if may_view_school(request.user, school_id) else None
        )
        if school is None:
            raise exceptions.NotFound()
        report = selectors.major_report(school, chosen_year(request))
        return Response(MajorCoverageSerializer(report).data)


class AwardLineSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.name")
    first = serializers.IntegerField(source="counts.first")
    second = serializers.IntegerField(source="counts.second")
    third = serializers.IntegerField(source="counts.third")
    merit = serializers.IntegerField(source="counts.merit")
    total = serializers.IntegerField()


class AwardCountsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    level = serializers.CharField()
    total = serializers.IntegerField()
    lines = AwardLineSerializer(many=True)


class CompetitionAwardCountsViewSet(viewsets.ViewSet):
    """Competition awards per school and prize, for a year and (optionally) a level."""

    @extend_schema(
        parameters=[
            YEAR_PARAMETER,
            OpenApiParameter("level", str, enum=CompetitionLevel.values, description=gettext_lazy("级别")),
        ],
        responses=AwardCountsSerializer,
    )
    def list(self, request):
        if not may_view_coverage(request.user):
            raise exceptions.PermissionDenied(gettext_lazy("竞赛获奖统计面向政府部门、研究人员和学校。"))
        level = request.query_params.get("level", "")
        level = level if level in CompetitionLevel.values else ""
        report = selectors.award_counts_report(request.user, chosen_year(request), level)
        return Response(AwardCountsSerializer(report).data)


router.register("certificate-awards", CertificateAwardViewSet, basename="certificateaward")
router.register("exam-centres", ExamCentreViewSet, basename="examcentre")
router.register("exam-sessions", ExamSessionViewSet, basename="examsession")
router.register("competitions", CompetitionViewSet, basename="competition")
router.register("competition-awards", CompetitionAwardViewSet, basename="competitionaward")
router.register("certificate-coverage", CertificateCoverageViewSet, basename="certificate-coverage")
router.register(
    "competition-award-counts", CompetitionAwardCountsViewSet, basename="competition-award-counts"
)
