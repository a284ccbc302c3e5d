"""API: /api/v1/enterprises/positions/, /applications/, /graduate-outcomes/ — the same FilterSets as the
pages; writes through the services. Relations by code: enterprises by 统一社会信用代码, counties by region
code, majors by catalog code (any level), skills by name, certificates by code.

Pipeline steps are actions: ``POST positions/<id>/submit/``, ``…/publish/`` (``note``), ``…/return/``
(``note``: the reasons, required), ``…/close/``, ``…/apply/`` (``note``); ``POST applications/<id>/advance/``
(``to_status``, ``note``).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.core.drf import _to_drf
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.reference.models import Certificate, Region, Skill
from xiaoqitong.schools.models import Student

from . import discrimination, filtersets, services
from .choices import ApplicationStatus
from .forms import resolve_major_codes, split_codes
from .models import Application, ApplicationEvent, GraduateOutcome, Position
from .policies import outcomes_deidentified_for, position_insider
from .resources import POSITION_EXPORT_PREFETCH, students_for_outcomes
from .selectors import with_places_taken

AREAS = Region.objects.filter(level__in=["county", "park"])


CODE_LIST = {"type": "array", "items": {"type": "string"}}


@extend_schema_field(CODE_LIST)
class MajorCodesField(serializers.Field):
    """Wanted majors as catalog codes at any level (``["660103", "6601", "66"]``)."""

    default_error_messages = {
        "unknown": gettext_lazy("找不到专业代码：{codes}"),
        "list": gettext_lazy("应为代码列表。"),
    }

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, position):
        return [
            *(m.code for m in position.majors.all()),
            *(c.code for c in position.major_classes.all()),
            *(c.code for c in position.major_categories.all()),
        ]

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = split_codes(data)
        if not isinstance(data, list):
            self.fail("list")
        found, unknown = resolve_major_codes([str(code) for code in data])
        if unknown:
            self.fail("unknown", codes="、".join(unknown))
        return found


@extend_schema_field(CODE_LIST)
class RequirementField(serializers.Field):
    """A requirement list of a position: skills by name or certificates by code."""

    default_error_messages = {"unknown": gettext_lazy("找不到：{names}"), "list": gettext_lazy("应为列表。")}

    def __init__(self, *, kind: str, required_flag: bool, **kwargs):
        self.kind, self.required_flag = kind, required_flag
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, position):
        if self.kind == "skill":
            return [
                r.skill.name for r in position.skill_requirements.all() if r.required == self.required_flag
            ]
        return [
            r.certificate.code
            for r in position.certificate_requirements.all()
            if r.required == self.required_flag
        ]

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = split_codes(data)
        if not isinstance(data, list):
            self.fail("list")
        names = list(dict.fromkeys(str(n).strip() for n in data if str(n).strip()))
        model, field = (Skill, "name") if self.kind == "skill" else (Certificate, "code")
        rows = {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": names})}
        missing = [n for n in names if n not in rows]
        if missing:
            self.fail("unknown", names="、".join(missing))
        return {self.field_name: [rows[n] for n in names]}


WARNING_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "field": {"type": "string"},
            "words": {"type": "string"},
            "category": {"type": "string"},
            "category_label": {"type": "string"},
            "source": {"type": "string"},
        },
    },
}


class PositionSerializer(BaseSerializer):
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        help_text=gettext_lazy("企业统一社会信用代码（企业用户可省略：默认本企业）"),
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    county = CodeRelatedField(queryset=AREAS, help_text=gettext_lazy("工作地点：县市区或园区代码"))
    county_name = serializers.CharField(source="county.name", read_only=True)
    wanted_majors = MajorCodesField(help_text=gettext_lazy("专业、专业类或专业大类代码列表"))
    required_skills = RequirementField(kind="skill", required_flag=True)
    bonus_skills = RequirementField(kind="skill", required_flag=False)
    required_certificates = RequirementField(kind="certificate", required_flag=True)
    bonus_certificates = RequirementField(kind="certificate", required_flag=False)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    taken = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已录用人数（录用与已入职）"))
    warnings = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "请审核人员留意的内容（年龄、身高等，不阻止发布）；只对审核人员和发布企业列出，其他人为空列表"
        )
    )

    class Meta:
        model = Position
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "title",
            "description",
            "position_type",
            "wanted_majors",
            "required_skills",
            "bonus_skills",
            "required_certificates",
            "bonus_certificates",
            "min_education",
            "headcount",
            "taken",
            "salary_min",
            "salary_max",
            "county",
            "county_name",
            "start_date",
            "valid_until",
            "status",
            "status_display",
            "review_note",
            "warnings",
            "published_at",
        ]
        read_only_fields = ["status", "review_note", "published_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not request.user.is_superuser:
            # Only the user's own enterprise; another's code reads like one that does not exist.
            enterprise_id = getattr(request.user, "enterprise_id", None)
            fields["enterprise"].queryset = (
                Enterprise.objects.filter(pk=enterprise_id) if enterprise_id else Enterprise.objects.none()
            )
        return fields

    def _insider(self, instance) -> bool:
        request = self.context.get("request")
        return position_insider(getattr(request, "user", None), instance)

    @extend_schema_field(WARNING_LIST)
    def get_warnings(self, instance) -> list[dict]:
        if not self._insider(instance):
            return []
        return [
            {
                "field": name,
                "words": finding.words,
                "category": finding.term.category,
                "category_label": finding.term.category_label,
                "source": finding.term.source,
            }
            for name, text in (("title", instance.title), ("description", instance.description))
            for finding in discrimination.warnings({name: text})
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._insider(instance):
            data["review_note"] = ""
        if data.get("taken") is None:
            data["taken"] = getattr(instance, "taken", None)
        return data


# --- applications ------------------------------------------------------------------------------------------
class ApplicationEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = ApplicationEvent
        fields = ["time", "from_status", "to_status", "actor", "note"]


class ApplicationSerializer(BaseSerializer):
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    position_title = serializers.CharField(source="position.title", read_only=True)
    enterprise_name = serializers.CharField(source="position.enterprise.name", read_only=True)
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.all(),
        required=False,
        help_text=gettext_lazy("学生编号（平台管理员代为投递时填写；学生本人投递时省略）"),
    )
    student_name = serializers.CharField(source="student.name", read_only=True)
    student_no = serializers.CharField(source="student.student_no", read_only=True)
    school = serializers.CharField(source="student.school.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    events = ApplicationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "position",
            "position_title",
            "enterprise_name",
            "student",
            "student_name",
            "student_no",
            "school",
            "status",
            "status_display",
            "note",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A student applies to postings they can see; only platform administrators name the student.
            fields["position"].queryset = Position.objects.restrict(request.user, "view")
            if not request.user.is_superuser:
                fields["student"].queryset = Student.objects.none()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["position"].read_only = True
            fields["student"].read_only = True
        return fields


@extend_schema_serializer(component_name="PositionNote")  # another app has a Note component
class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _call(service, *, renamed: dict[str, str] | None = None, **kwargs):
    """Run a service; its refusals become a 400 keyed by the request's field names (``renamed`` maps the
    service's key to the request's: the reasons a reviewer sends as ``note`` are the ``review_note``)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        error = _to_drf(exc)
        if renamed and isinstance(error.detail, dict):
            error.detail = {renamed.get(key, key): value for key, value in error.detail.items()}
        raise error from exc


class PositionViewSet(ObjectViewSet):
    model = Position
    serializer_class = PositionSerializer
    filterset_class = filtersets.PositionFilterSet
    select_related = ("enterprise", "county")
    prefetch_related = POSITION_EXPORT_PREFETCH
    create_service = staticmethod(lambda *, actor, **data: services.position_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.position_update(actor=actor, instance=instance, data=data)
    )
    delete_service = staticmethod(services.position_delete)

    def get_queryset(self):
        return with_places_taken(super().get_queryset())

    def _respond(self, position):
        position = self.get_queryset().filter(pk=position.pk).first() or position
        return Response(self.get_serializer(position).data)

    def _step(self, service, **kwargs):
        position = self.get_object()
        return self._respond(
            _call(
                service,
                renamed={"review_note": "note"},
                actor=self.request.user,
                position=position,
                **kwargs,
            )
        )

    def _note(self) -> str:
        serializer = NoteSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data.get("note", "")

    @extend_schema(request=None, responses=PositionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def submit(self, request, pk=None):
        """The enterprise submits a draft or returned posting for review."""
        return self._step(services.position_submit)

    @extend_schema(request=NoteSerializer, responses=PositionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def publish(self, request, pk=None):
        """The reviewer publishes a submitted posting (``note`` optional)."""
        return self._step(services.position_publish, note=self._note())

    @extend_schema(request=NoteSerializer, responses=PositionSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        url_path="return",
        url_name="return",
    )
    def return_(self, request, pk=None):
        """The reviewer returns a posting with its reasons (``note``, required)."""
        return self._step(services.position_return, reason=self._note())

    @extend_schema(request=None, responses=PositionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def close(self, request, pk=None):
        """The enterprise or the reviewer closes a published posting."""
        return self._step(services.position_close)

    @extend_schema(request=NoteSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def apply(self, request, pk=None):
        """A student applies to the posting (``note``: a few words to the enterprise)."""
        position = self.get_object()
        application = _call(
            services.application_create, actor=request.user, position=position, note=self._note()
        )
        data = ApplicationSerializer(application, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class AdvanceSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ApplicationViewSet(ObjectViewSet):
    model = Application
    serializer_class = ApplicationSerializer
    filterset_class = filtersets.ApplicationFilterSet
    select_related = ("student__school", "position__enterprise")
    prefetch_related = ("events__actor",)
    create_service = staticmethod(
        lambda *, actor, position, student=None, note="": services.application_create(
            actor=actor, position=position, student=student, note=note
        )
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.application_update(
            actor=actor, instance=instance, data=data
        )
    )

    @extend_schema(request=AdvanceSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def advance(self, request, pk=None):
        """Move the application to ``to_status`` (the enterprise; the student withdraws), with a ``note``."""
        application = self.get_object()
        serializer = AdvanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = _call(
            services.application_advance,
            renamed={"status": "to_status"},
            actor=request.user,
            application=application,
            to_status=serializer.validated_data["to_status"],
            note=serializer.validated_data.get("note", ""),
        )
        application = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(application).data)


# --- graduate outcomes -------------------------------------------------------------------------------------
@extend_schema_field(
    {
        "type": "object",
        "properties": {"school": {"type": "string"}, "student_no": {"type": "string"}},
        "required": ["school", "student_no"],
    }
)
class StudentKeyField(serializers.Field):
    """The graduate by ``{"school": <school code>, "student_no": <学号>}`` (read the same way)."""

    default_error_messages = {
        "shape": gettext_lazy('应为 {"school": 学校代码, "student_no": 学号}。'),
        "missing": gettext_lazy("找不到学校代码为“{school}”、学号为“{number}”的学生。"),
    }

    def to_representation(self, student):
        return {"school": student.school.code, "student_no": student.student_no}

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not data.get("school") or not data.get("student_no"):
            self.fail("shape")
        request = self.context.get("request")
        scope = students_for_outcomes(getattr(request, "user", None))
        school, number = str(data["school"]).strip(), str(data["student_no"]).strip()
        student = scope.filter(school__code=school, student_no=number).first()
        if student is None:
            self.fail("missing", school=school, number=number)
        return student


class GraduateOutcomeSerializer(BaseSerializer):
    student = StudentKeyField(help_text=gettext_lazy("毕业生：学校代码与学号"))
    student_name = serializers.CharField(source="student.name", read_only=True)
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("就业单位统一社会信用代码（平台内企业）"),
    )
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = GraduateOutcome
        fields = [
            "id",
            "student",
            "student_name",
            "year",
            "outcome",
            "outcome_display",
            "enterprise",
            "employer_name",
            "in_city",
            "related_to_major",
            "further_level",
            "source",
        ]
        read_only_fields = ["source"]


class DeidentifiedGraduateOutcomeSerializer(serializers.ModelSerializer):
    """What researchers read: the school and major, never the name or 学号."""

    school = serializers.CharField(source="student.school.code", read_only=True)
    school_name = serializers.CharField(source="student.school.name", read_only=True)
    major = serializers.CharField(source="student.school_major.major.code", read_only=True)
    major_name = serializers.CharField(source="student.school_major.major.name", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = GraduateOutcome
        fields = [
            "id",
            "school",
            "school_name",
            "major",
            "major_name",
            "year",
            "outcome",
            "outcome_display",
            "employer_name",
            "in_city",
            "related_to_major",
            "further_level",
            "source",
        ]
        read_only_fields = fields


class GraduateOutcomeViewSet(ObjectViewSet):
    model = GraduateOutcome
    serializer_class = GraduateOutcomeSerializer
    filterset_class = filtersets.GraduateOutcomeFilterSet
    select_related = ("student__school", "student__school_major__major", "enterprise")

    def get_serializer_class(self):
        if outcomes_deidentified_for(self.request.user):
            return DeidentifiedGraduateOutcomeSerializer
        return super().get_serializer_class()


router = DefaultRouter()
router.register("positions", PositionViewSet, basename="position")
router.register("applications", ApplicationViewSet, basename="application")
router.register("graduate-outcomes", GraduateOutcomeViewSet, basename="graduateoutcome")
