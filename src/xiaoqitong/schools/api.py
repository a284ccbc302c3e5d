"""API: /api/v1/schools/<plural>/ — the same FilterSets as the pages; writes through services.

A student is shown through ``selectors``: only the fields the caller may see (PIPL), phone masked as due,
and each retrieve of one student is recorded like a view of the detail page."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import IndustryChain, Major, Region

from . import filtersets, privacy_api, selectors, services, validators
from .choices import PositionType
from .models import SchoolMajor, Student, Teacher, TeacherPractice

AREAS = Region.objects.filter(level__in=["county", "park"])


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _writable_schools(user):
    """The schools whose rows the user keeps; another school's code reads like one that does not exist."""
    if user is None or not user.is_authenticated:
        return School.objects.none()
    if not user.is_superuser and user.school_id:
        return School.objects.filter(pk=user.school_id)
    return School.objects.restrict(user, "change")


class SchoolMajorSerializer(BaseSerializer):
    school = CodeRelatedField(queryset=School.objects.all(), help_text=_("学校代码"))
    school_name = serializers.CharField(source="school.name", read_only=True)
    major = CodeRelatedField(queryset=Major.objects.all(), help_text=_("专业代码（2021 年目录）"))
    major_name = serializers.CharField(source="major.name", read_only=True)
    education_level = serializers.CharField(source="major.education_level", read_only=True)
    chains = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=IndustryChain.objects.all(),
        help_text=_("产业链编号"),
    )

    class Meta:
        model = SchoolMajor
        fields = [
            "id",
            "school",
            "school_name",
            "major",
            "major_name",
            "education_level",
            "year",
            "duration",
            "enrolment_plan",
            "new_enrolment",
            "students_enrolled",
            "expected_graduates",
            "actual_graduates",
            "is_provincial_high_level",
            "is_quality",
            "chains",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("request") is not None:
            fields["school"].queryset = _writable_schools(_user(self))
        return fields


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "skill": {"type": "string", "description": "技能名称（平台技能词表）"},
                "level": {"type": "string", "enum": ["basic", "proficient", "expert"]},
                "level_display": {"type": "string", "readOnly": True},
            },
            "required": ["skill"],
        },
    }
)
class SkillLevelsField(serializers.Field):
    """``[{"skill": "机械制图", "level": "proficient"}]`` (a skill by its name; the level's value or label),
    or the import's text form ``"机械制图:熟练、CAD绘图:精通"``."""

    default_error_messages = {"invalid": _('应为列表，如 [{"skill": "机械制图", "level": "proficient"}]。')}

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, student):
        rows = sorted(student.skill_levels.all(), key=lambda s: s.skill.name)
        return [
            {"skill": s.skill.name, "level": s.level, "level_display": s.get_level_display()} for s in rows
        ]

    def to_internal_value(self, data):
        if isinstance(data, str):
            text = data
        elif isinstance(data, list) and all(isinstance(item, dict) for item in data):
            text = "、".join(f"{item.get('skill', '')}:{item.get('level', '')}".rstrip(":") for item in data)
        else:
            self.fail("invalid")
        try:
            return {"skill_levels": validators.parse_skill_levels(text)}
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class StudentSerializer(BaseSerializer):
    school = CodeRelatedField(queryset=School.objects.all(), help_text=_("学校代码"))
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_major = serializers.PrimaryKeyRelatedField(
        queryset=SchoolMajor.objects.all(), help_text=_("开设专业的编号（/api/v1/schools/school-majors/）")
    )
    major_code = serializers.CharField(source="school_major.major.code", read_only=True)
    major_name = serializers.CharField(source="school_major.major.name", read_only=True)
    hometown = CodeRelatedField(
        queryset=AREAS, required=False, allow_null=True, help_text=_("生源地区划代码")
    )
    skills = SkillLevelsField(required=False)
    preferred_chains = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=IndustryChain.objects.all()
    )
    preferred_counties = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=AREAS
    )
    preferred_position_types = serializers.ListField(
        child=serializers.ChoiceField(choices=PositionType.choices), required=False
    )
    id_card = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text=_("只用于查重，平台只保存不可还原的摘要")
    )
    has_id_card = serializers.SerializerMethodField()

    # API key -> the selectors' field it shows (keys not listed are the field itself; "id" always shows).
    SHOWS = {"school_name": "school", "major_code": "school_major", "major_name": "school_major"}

    class Meta:
        model = Student
        fields = [
            "id",
            "school",
            "school_name",
            "school_major",
            "major_code",
            "major_name",
            "student_no",
            "name",
            "gender",
            "birth_year",
            "hometown",
            "grade",
            "entry_date",
            "expected_graduation",
            "phone",
            "consent",
            "status",
            "skills",
            "preferred_chains",
            "preferred_counties",
            "preferred_position_types",
            "salary_expectation",
            "id_card",
            "has_id_card",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("request") is not None:
            schools = _writable_schools(_user(self))
            fields["school"].queryset = schools
            fields["school_major"].queryset = SchoolMajor.objects.filter(school__in=schools)
        return fields

    def get_has_id_card(self, student) -> bool:
        return bool(student.id_card_hash)

    def validate_id_card(self, value):
        if value.strip():
            try:
                validators.validate_id_card(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = _user(self)
        access = selectors.student_access(user, instance, applicants=self.context.get("applicants"))
        allowed = set(selectors.FIELDS_BY_ACCESS[access])
        shown = {
            key: value for key, value in data.items() if key == "id" or self.SHOWS.get(key, key) in allowed
        }
        if "phone" in shown:
            shown["phone"] = selectors.student_phone(access, instance)
        if not selectors.shows_identity(access):
            shown["label"] = selectors.student_label(access, instance)
        return shown


def create_student(*, actor, **data):
    return services.student_create(actor=actor, data=data)


def update_student(*, actor, instance, **data):
    return services.student_update(actor=actor, instance=instance, data=data)


class TeacherSerializer(BaseSerializer):
    school = CodeRelatedField(queryset=School.objects.all(), help_text=_("学校代码"))
    school_name = serializers.CharField(source="school.name", read_only=True)
    employer = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=_("兼职教师本职单位（企业）的统一社会信用代码"),
    )
    employer_name = serializers.CharField(source="employer.name", read_only=True, default="")

    class Meta:
        model = Teacher
        fields = [
            "id",
            "school",
            "school_name",
            "staff_no",
            "name",
            "employment",
            "is_dual_qualified",
            "dual_qualified_date",
            "dual_qualified_evidence",
            "title",
            "master_level",
            "is_special_post",
            "phone",
            "employer",
            "employer_name",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("request") is not None:
            fields["school"].queryset = _writable_schools(_user(self))
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = selectors.teacher_phone(_user(self), instance)
        return data


class TeacherPracticeSerializer(BaseSerializer):
    teacher = serializers.PrimaryKeyRelatedField(queryset=Teacher.objects.all())
    teacher_name = serializers.CharField(source="teacher.name", read_only=True)
    school = serializers.CharField(source="teacher.school.code", read_only=True)
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(), slug_field="credit_code", help_text=_("企业统一社会信用代码")
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = TeacherPractice
        fields = ["id", "teacher", "teacher_name", "school", "enterprise", "enterprise_name", "year", "days"]

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("request") is not None:
            fields["teacher"].queryset = Teacher.objects.filter(school__in=_writable_schools(_user(self)))
        return fields


class SchoolMajorViewSet(ObjectViewSet):
    model = SchoolMajor
    serializer_class = SchoolMajorSerializer
    filterset_class = filtersets.SchoolMajorFilterSet
    select_related = ("school", "major")
    prefetch_related = ("chains",)


class AccountRequestSerializer(serializers.Serializer):
    username = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text=_("新账号的用户名；默认为学号")
    )


class AccountSerializer(serializers.Serializer):
    username = serializers.CharField(help_text=_("用户名"))
    password = serializers.CharField(help_text=_("初始密码：只在本次响应中出现"))
    created = serializers.BooleanField(help_text=_("是否新开通（否：已有账号，密码已重置）"))


class StudentViewSet(ObjectViewSet):
    model = Student
    serializer_class = StudentSerializer
    filterset_class = filtersets.StudentFilterSet
    select_related = ("school", "school_major__major", "hometown")
    prefetch_related = ("skill_levels__skill", "preferred_chains", "preferred_counties")
    create_service = staticmethod(create_student)
    update_service = staticmethod(update_student)

    @property
    def ordering_fields(self):
        # Enterprises may not sort by name or 学号: the order would hint at hidden names.
        user = self.request.user
        if not user.is_superuser and getattr(user, "role", None) in selectors.ENTERPRISE_ROLES:
            return ["grade", "status", "expected_graduation", "id"]
        return ["student_no", "name", "grade", "status", "expected_graduation", "id"]

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            rows = list(args[0])
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["applicants"] = selectors.applicant_ids(self.request.user, [s.pk for s in rows])
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        student = self.get_object()
        access = selectors.student_access(request.user, student)
        services.student_profile_view(actor=request.user, student=student, access=access)
        return Response(self.get_serializer(student).data)

    @extend_schema(request=AccountRequestSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def account(self, request, pk=None):
        """The school administrator opens the student's login (201) or, if it has one, gives it a new
        initial password (200). The password is in this response only."""
        student = self.get_object()
        payload = AccountRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user, password, created = services.student_account_open(
            actor=request.user, student=student, username=payload.validated_data.get("username", "")
        )
        data = {"username": user.username, "password": password, "created": created}
        return Response(
            AccountSerializer(data).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class TeacherViewSet(ObjectViewSet):
    model = Teacher
    serializer_class = TeacherSerializer
    filterset_class = filtersets.TeacherFilterSet
    select_related = ("school", "employer")


class TeacherPracticeViewSet(ObjectViewSet):
    model = TeacherPractice
    serializer_class = TeacherPracticeSerializer
    filterset_class = filtersets.TeacherPracticeFilterSet
    select_related = ("teacher__school", "enterprise")


router = DefaultRouter()
router.register("school-majors", SchoolMajorViewSet, basename="schoolmajor")
router.register("students", StudentViewSet, basename="student")
router.register("teachers", TeacherViewSet, basename="teacher")
router.register("teacher-practices", TeacherPracticeViewSet, basename="teacherpractice")
privacy_api.register(router)
