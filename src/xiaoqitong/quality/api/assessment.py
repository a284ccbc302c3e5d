"""API of dual-mentor assessment, under /api/v1/quality/:

- ``assessment-plans/``: CRUD (the school administrator's own school; the same FilterSet as the pages);
  the school by 学校代码, the partner enterprise by 统一社会信用代码, the graders as lists of logins
  (``teachers``: the school's teachers, ``mentors``: the enterprise's technicians, R5). Steps:
  ``POST assessment-plans/<id>/close/``, ``…/reopen/`` (the school administrator) and
  ``…/from-internships/`` (the plan's technicians or the school administrator: copies the enterprise
  mentors' closing evaluations into the practice part and answers how many were set or skipped).
- ``grades/``: the grades the user may see (students: their own); ``POST`` gives one part of a student's
  grade (``plan``, ``student_no``, ``part``, ``score``, ``comment``) through ``services.grade_set``: theory
  only by the plan's teachers, practice only by its technicians — anyone else is refused with R5.
- ``my-grades/``: the signed-in student's plans with both parts, the combined grade and each part's history.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.cooperation.models import InternshipPlan
from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Enterprise, School, User
from xiaoqitong.schools.models import SchoolMajor

from ..choices import GradePart
from ..filtersets.assessment import AssessmentPlanFilterSet, GradeFilterSet
from ..models import AssessmentPlan, Grade, GradeRevision
from ..policies.assessment import is_student
from ..selectors import assessment as selectors
from ..services import assessment as services
from . import router


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class UsernamesField(serializers.Field):
    """Users by login (``["zhang.san", "li.si"]``; a string separated by 、 works too)."""

    default_error_messages = {
        "unknown": gettext_lazy("找不到账号：{names}"),
        "list": gettext_lazy("应为登录账号列表。"),
    }

    def to_representation(self, value):
        return sorted(u.username for u in value.all())

    def to_internal_value(self, data):
        from xiaoqitong.core.imports import split_list

        if isinstance(data, str):
            data = split_list(data)
        if not isinstance(data, list) or not all(isinstance(name, str) for name in data):
            self.fail("list")
        names = list(dict.fromkeys(name.strip() for name in data if name.strip()))
        found = {u.username: u for u in User.objects.filter(username__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            self.fail("unknown", names="、".join(unknown))
        return [found[name] for name in names]


class AssessmentPlanSerializer(BaseSerializer):
    school = CodeRelatedField(
        queryset=School.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("学校代码（学校管理员可省略：默认本校）"),
    )
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_major = serializers.PrimaryKeyRelatedField(
        queryset=SchoolMajor.objects.all(), help_text=gettext_lazy("开设专业的编号（ID）")
    )
    major_code = serializers.CharField(source="school_major.major.code", read_only=True)
    major_name = serializers.CharField(source="school_major.major.name", read_only=True)
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        help_text=gettext_lazy("合作企业统一社会信用代码"),
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    teachers = UsernamesField(required=False, help_text=gettext_lazy("理论考核教师（本校教师）的登录账号"))
    mentors = UsernamesField(
        required=False, help_text=gettext_lazy("实践考核技师（合作企业的企业导师）的登录账号")
    )
    internship_plan = serializers.PrimaryKeyRelatedField(
        queryset=InternshipPlan.objects.all(), required=False, allow_null=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AssessmentPlan
        fields = [
            "id",
            "school",
            "school_name",
            "school_major",
            "major_code",
            "major_name",
            "cohort",
            "course",
            "term",
            "enterprise",
            "enterprise_name",
            "theory_weight",
            "practice_weight",
            "pass_score",
            "teachers",
            "mentors",
            "internship_plan",
            "status",
            "status_display",
        ]
        read_only_fields = ["status"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and not user.is_superuser:
            # A major or an internship plan of another school reads like one that does not exist.
            school_id = getattr(user, "school_id", None)
            fields["school_major"].queryset = SchoolMajor.objects.filter(school_id=school_id)
            fields["internship_plan"].queryset = InternshipPlan.objects.filter(school_id=school_id)
        return fields


class StepSerializer(serializers.Serializer):
    """No input: the step acts on the plan in the address."""


class FromInternshipsSerializer(serializers.Serializer):
    set = serializers.IntegerField(help_text=gettext_lazy("新写入或更新的实践成绩"))
    unchanged = serializers.IntegerField(help_text=gettext_lazy("与鉴定一致、未变化"))
    skipped = serializers.IntegerField(help_text=gettext_lazy("已有导师评分或导入成绩，未覆盖"))
    without_evaluation = serializers.IntegerField(help_text=gettext_lazy("尚无企业导师鉴定的学生"))


class AssessmentPlanViewSet(ObjectViewSet):
    model = AssessmentPlan
    serializer_class = AssessmentPlanSerializer
    filterset_class = AssessmentPlanFilterSet
    select_related = ("school", "school_major__major", "enterprise")
    prefetch_related = ("teachers", "mentors")
    create_service = staticmethod(
        lambda *, actor, **data: services.assessment_plan_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.assessment_plan_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.assessment_plan_delete)

    def _plan(self, pk) -> AssessmentPlan:
        # Not ``get_object``: its object check is the "add" scope; the services decide who takes a step.
        plan = self.get_queryset().filter(pk=pk).first()
        if plan is None:
            raise exceptions.NotFound()
        return plan

    @extend_schema(request=StepSerializer, responses=AssessmentPlanSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def close(self, request, pk=None):
        """End the assessment (the school administrator): no grade is given or changed any more."""
        plan = services.plan_close(actor=request.user, plan=self._plan(pk))
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=StepSerializer, responses=AssessmentPlanSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def reopen(self, request, pk=None):
        """Open a closed assessment again (the school administrator)."""
        plan = services.plan_reopen(actor=request.user, plan=self._plan(pk))
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=StepSerializer, responses=FromInternshipsSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="from-internships",
        permission_classes=[permissions.IsAuthenticated],
    )
    def from_internships(self, request, pk=None):
        """Copy the enterprise mentors' closing evaluations of the linked internship plan into the practice
        part; grades a technician gave by hand are kept."""
        counts = services.grades_from_internships(actor=request.user, plan=self._plan(pk))
        return Response(FromInternshipsSerializer(counts).data)


# --- grades -------------------------------------------------------------------------------------------------
class GradeSerializer(serializers.ModelSerializer):
    plan_course = serializers.CharField(source="plan.course", read_only=True)
    plan_term = serializers.CharField(source="plan.term", read_only=True)
    student_no = serializers.CharField(source="student.student_no", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)
    part_display = serializers.CharField(source="get_part_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    grader = serializers.CharField(source="grader.username", read_only=True, default="")

    class Meta:
        model = Grade
        fields = [
            "id",
            "plan",
            "plan_course",
            "plan_term",
            "student_no",
            "student_name",
            "part",
            "part_display",
            "score",
            "source",
            "source_display",
            "grader",
            "comment",
            "updated_at",
        ]
        read_only_fields = fields


class GradeSetSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=AssessmentPlan.objects.all())
    student_no = serializers.CharField(max_length=30, help_text=gettext_lazy("学生学号"))
    part = serializers.ChoiceField(choices=GradePart.choices, help_text=gettext_lazy("theory 或 practice"))
    score = serializers.CharField(max_length=10, help_text=gettext_lazy("0–100，最多一位小数"))
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["plan"].queryset = AssessmentPlan.objects.restrict(request.user, "view")
        return fields


class GradeViewSet(ObjectViewSet):
    model = Grade
    serializer_class = GradeSerializer
    filterset_class = GradeFilterSet
    select_related = ("plan", "student", "grader")
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated()]  # R5 decides in the service, with its reason
        return super().get_permissions()

    @extend_schema(request=GradeSetSerializer, responses={201: GradeSerializer})
    def create(self, request, *args, **kwargs):
        """Give one part of a student's grade (theory: the plan's teachers; practice: its technicians)."""
        form = GradeSetSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        plan = data["plan"]
        student = selectors.plan_students(plan).filter(student_no=data["student_no"].strip()).first()
        grade = services.grade_set(
            actor=request.user,
            plan=plan,
            student=student,
            part=data["part"],
            score=data["score"],
            comment=data.get("comment", ""),
        )
        return Response(GradeSerializer(grade).data, status=status.HTTP_201_CREATED)


# --- my grades ----------------------------------------------------------------------------------------------
class RevisionSerializer(serializers.ModelSerializer):
    grader = serializers.CharField(source="grader.username", read_only=True, default="")
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = GradeRevision
        fields = ["score", "source", "source_display", "grader", "comment", "created_at"]


class MyPartSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    source = serializers.CharField()
    grader = serializers.CharField(source="grader.username", default="")
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()
    revisions = RevisionSerializer(many=True, source="revisions.all")


class MyGradeSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    course = serializers.CharField(source="plan.course")
    term = serializers.CharField(source="plan.term")
    enterprise = serializers.CharField(source="plan.enterprise.name")
    theory_weight = serializers.IntegerField(source="plan.theory_weight")
    practice_weight = serializers.IntegerField(source="plan.practice_weight")
    pass_score = serializers.IntegerField(source="plan.pass_score")
    status = serializers.CharField(source="plan.status")
    theory = MyPartSerializer(allow_null=True)
    practice = MyPartSerializer(allow_null=True)
    combined = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)


class MyGradesViewSet(viewsets.ViewSet):
    """The signed-in student's dual-mentor grades: both parts, the combined grade and each part's history."""

    @extend_schema(responses=MyGradeSerializer(many=True))
    def list(self, request):
        if not is_student(request.user):
            raise exceptions.PermissionDenied(gettext_lazy("“我的成绩”只对学生开放。"))
        return Response(MyGradeSerializer(selectors.my_grades(request.user), many=True).data)


router.register("assessment-plans", AssessmentPlanViewSet, basename="assessmentplan")
router.register("grades", GradeViewSet, basename="grade")
router.register("my-grades", MyGradesViewSet, basename="my-grades")
