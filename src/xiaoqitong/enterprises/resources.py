"""Import/export formats of positions and graduate outcomes (Chinese column headers, upsert on natural keys).

- **Position**: keyed by 企业统一社会信用代码 + 岗位名称 + 有效期至 (the model's unique constraint): the same
  file twice changes nothing, and a new round of hiring for the same title is a new row with a new end date
  (changing the end date of an existing posting is done on its page, not by import). Imported postings
  are drafts, checked for discriminatory text row by row; an enterprise imports only its own, and only
  while they are drafts or returned. 需求专业代码 takes catalog codes at any level (660103、6601、66),
  技能 names of the skill catalog, 证书 certificate codes, each list separated by 、 or commas.
  状态 is exported, and ignored when a file is imported.
- **GraduateOutcome**: keyed by 学校代码 + 学号 + 毕业年度. The employer is a platform enterprise by its
  统一社会信用代码, or a name alone (linked to a platform enterprise when exactly one has that name).
  姓名 may be left blank; when given, it must match the student (a guard against shifted rows). 来源 is
  exported; imported rows are school reports.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets

from xiaoqitong.core.imports import (
    BaseResource,
    BulkResource,
    CachedWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    NullBoolWidget,
    cache_related,
    column_texts,
    register_resource,
    text,
)
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.orgs.resources import AreaWidget
from xiaoqitong.reference.models import Certificate, Skill
from xiaoqitong.schools.choices import PositionType
from xiaoqitong.schools.models import Student

from . import discrimination
from .choices import ApplicationStatus, Education, FurtherLevel, Outcome, OutcomeSource, PositionStatus
from .forms import major_codes_of, resolve_major_codes, split_codes
from .models import Application, GraduateOutcome, Position
from .services import POSITION_M2M, REQUIREMENTS, _write_requirements

col = BaseResource.column
CREDIT_CODE = "企业统一社会信用代码"
SCHOOL_CODE = "学校代码"


class ExportOnlyMixin:
    """Columns that are exported but not part of the import format (the template leaves them out, and a
    re-imported export may keep them: they are dropped before the file is checked)."""

    export_only: tuple[str, ...] = ()

    def _export_only_headers(self) -> list[str]:
        return [self.fields[name].column_name for name in self.export_only]

    def headers(self) -> list[str]:
        return [h for h in super().headers() if h not in self._export_only_headers()]

    def check_file(self, data):
        for header in self._export_only_headers():
            if header in data.headers:
                del data[header]
        return super().check_file(data)


def _names(objects) -> str:
    return "、".join(objects)


@register_resource
class PositionResource(ExportOnlyMixin, BulkResource):
    enterprise = col(
        "enterprise",
        CREDIT_CODE,
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )
    enterprise_name = col("enterprise__name", "企业名称", readonly=True)
    title = col("title", "岗位名称")
    valid_until = col("valid_until", "有效期至", DateWidget())
    position_type = col("position_type", "岗位类型", ChoiceWidget(PositionType.choices))
    description = col("description", "岗位描述")
    wanted_majors = col(None, "需求专业代码")
    required_skills = col(None, "必备技能")
    bonus_skills = col(None, "加分技能")
    required_certificates = col(None, "必备证书编号")
    bonus_certificates = col(None, "加分证书编号")
    min_education = col("min_education", "最低学历", ChoiceWidget(Education.choices))
    headcount = col("headcount", "招聘人数", IntegerWidget())
    salary_min = col("salary_min", "月薪下限", IntegerWidget())
    salary_max = col("salary_max", "月薪上限", IntegerWidget())
    county = col("county", "工作地点代码", AreaWidget())
    start_date = col("start_date", "到岗日期", DateWidget())
    status = col("status", "状态", ChoiceWidget(PositionStatus.choices), readonly=True)

    export_only = ("enterprise_name", "status")
    LISTS = (
        "wanted_majors",
        "required_skills",
        "bonus_skills",
        "required_certificates",
        "bonus_certificates",
    )

    class Meta(BulkResource.Meta):
        model = Position
        import_id_fields = ("enterprise", "title", "valid_until")
        fields = (
            "enterprise",
            "enterprise_name",
            "title",
            "valid_until",
            "position_type",
            "description",
            "wanted_majors",
            "required_skills",
            "bonus_skills",
            "required_certificates",
            "bonus_certificates",
            "min_education",
            "headcount",
            "salary_min",
            "salary_max",
            "county",
            "start_date",
            "status",
        )

    def preload_queryset(self, dataset):
        return Position.objects.filter(enterprise__credit_code__in=column_texts(dataset, CREDIT_CODE))

    # --- lists (many-to-many and requirement rows) -------------------------------------------------------
    def _parse_lists(self, row) -> tuple[dict, dict]:
        """The lists of a row as the services take them, and errors keyed by resource field."""
        lists: dict[str, list] = {}
        errors: dict[str, str] = {}
        found, unknown = resolve_major_codes(split_codes(text(row.get("需求专业代码"))))
        lists.update({name: list({o.pk: o for o in objects}.values()) for name, objects in found.items()})
        if unknown:
            errors["wanted_majors"] = _("找不到专业代码：%(codes)s") % {"codes": "、".join(unknown)}
        for key, model, field, label in (
            ("required_skills", Skill, "name", _("技能")),
            ("bonus_skills", Skill, "name", _("技能")),
            ("required_certificates", Certificate, "code", _("证书编号")),
            ("bonus_certificates", Certificate, "code", _("证书编号")),
        ):
            names = list(dict.fromkeys(split_codes(text(row.get(self.fields[key].column_name)))))
            rows = {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": names})}
            missing = [n for n in names if n not in rows]
            if missing:
                errors[key] = _("找不到%(label)s：%(names)s") % {"label": label, "names": "、".join(missing)}
            lists[key] = list({rows[n].pk: rows[n] for n in names if n in rows}.values())
        for required, bonus in (
            ("required_skills", "bonus_skills"),
            ("required_certificates", "bonus_certificates"),
        ):
            both = {o.pk for o in lists[required]} & {o.pk for o in lists[bonus]}
            if both:
                errors[bonus] = _("同一项不能既是必备又是加分")
        return lists, errors

    @staticmethod
    def _current_lists(position: Position) -> dict[str, set]:
        current = {
            "majors": {m.pk for m in position.majors.all()},
            "major_classes": {c.pk for c in position.major_classes.all()},
            "major_categories": {c.pk for c in position.major_categories.all()},
        }
        for key in ("required_skills", "bonus_skills", "required_certificates", "bonus_certificates"):
            current[key] = set()
        for r in position.skill_requirements.all():
            current["required_skills" if r.required else "bonus_skills"].add(r.skill_id)
        for r in position.certificate_requirements.all():
            current["required_certificates" if r.required else "bonus_certificates"].add(r.certificate_id)
        return current

    def clean_row(self, instance, row) -> dict[str, list]:
        lists, list_errors = self._parse_lists(row)
        instance._xqt_lists = lists
        errors = {name: [message] for name, message in list_errors.items()}
        try:
            discrimination.check({"title": instance.title, "description": instance.description})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        wanted = {k: {o.pk for o in v} for k, v in instance._xqt_lists.items()}
        return wanted == self._current_lists(self.original)

    def cache_new_related(self, instance) -> None:
        lists = instance._xqt_lists
        for name in ("majors", "major_classes"):
            cache_related(instance, name, lists.get(name, []))
        cache_related(instance, "skills", [*lists["required_skills"], *lists["bonus_skills"]])
        cache_related(
            instance, "certificates", [*lists["required_certificates"], *lists["bonus_certificates"]]
        )

    def new_related(self, instance) -> tuple[list[tuple], dict]:
        lists = instance._xqt_lists
        rows: list[tuple] = []
        changes = {}
        for name in POSITION_M2M:
            wanted = lists.get(name, [])
            if wanted:
                through, columns = self.m2m_through(name)
                rows.extend((through, columns, (instance.pk, o.pk)) for o in wanted)
                changes[name] = [[], sorted(o.pk for o in wanted)]
        for key, (model, attr, required) in REQUIREMENTS.items():
            wanted = lists.get(key, [])
            if wanted:
                columns = tuple(model._meta.get_field(f).column for f in ("position", attr, "required"))
                rows.extend((model, columns, (instance.pk, o.pk, required)) for o in wanted)
                changes[key] = [[], sorted(o.pk for o in wanted)]
        return rows, changes

    def save_related(self, instance) -> dict:
        lists = instance._xqt_lists
        changes = {}
        for name in POSITION_M2M:
            manager = getattr(instance, name)
            before = sorted(manager.values_list("pk", flat=True))
            wanted = lists.get(name, [])
            if before != sorted(o.pk for o in wanted):
                manager.set(wanted)
                changes[name] = [before, sorted(o.pk for o in wanted)]
        return changes | _write_requirements(instance, {k: v for k, v in lists.items() if k in self.LISTS})

    # --- export ------------------------------------------------------------------------------------------
    def dehydrate_wanted_majors(self, position):
        return major_codes_of(position)

    def _requirements(self, position, kind: str, required: bool) -> str:
        if kind == "skill":
            return _names(r.skill.name for r in position.skill_requirements.all() if r.required == required)
        return _names(
            r.certificate.code for r in position.certificate_requirements.all() if r.required == required
        )

    def dehydrate_required_skills(self, position):
        return self._requirements(position, "skill", True)

    def dehydrate_bonus_skills(self, position):
        return self._requirements(position, "skill", False)

    def dehydrate_required_certificates(self, position):
        return self._requirements(position, "certificate", True)

    def dehydrate_bonus_certificates(self, position):
        return self._requirements(position, "certificate", False)


POSITION_EXPORT_PREFETCH = (
    "majors",
    "major_classes",
    "major_categories",
    "skill_requirements__skill",
    "certificate_requirements__certificate",
)


@register_resource
class ApplicationResource(BaseResource):
    """Export only: applications are made by students on the platform, never imported."""

    id = col("id", "编号", readonly=True)
    school = col("student__school__code", "学校代码", readonly=True)
    student_no = col("student__student_no", "学号", readonly=True)
    name = col("student__name", "姓名", readonly=True)
    enterprise = col("position__enterprise__name", "企业", readonly=True)
    title = col("position__title", "岗位", readonly=True)
    status = col("status", "状态", ChoiceWidget(ApplicationStatus.choices), readonly=True)
    note = col("note", "求职留言", readonly=True)
    created_at = col("created_at", "投递时间", readonly=True)

    class Meta(BaseResource.Meta):
        model = Application
        import_id_fields = ("id",)
        fields = ("id", "school", "student_no", "name", "enterprise", "title", "status", "note", "created_at")

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("求职申请不能导入：请由学生在平台上投递。"))

    def dehydrate_created_at(self, application):
        return timezone.localtime(application.created_at).strftime("%Y-%m-%d %H:%M")


class StudentWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A student by the row's 学校代码 and 学号, among the students the importer may record outcomes for
    (``queryset``, set before the import): loaded one school at a time."""

    def __init__(self, school_header: str):
        widgets.ForeignKeyWidget.__init__(self, Student)
        self.school_header = school_header
        self.queryset: QuerySet = Student.objects.all()

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        number = text(value)
        school = text((row or {}).get(self.school_header))
        if not number:
            return None
        if not school:
            raise ValueError(_("缺少学校代码"))
        if school not in self.lookup:
            students = self.queryset.filter(school__code=school).select_related("school")
            self.lookup[school] = {student.student_no: student for student in students}
        student = self.lookup[school].get(number)
        if student is None:
            raise ValueError(
                _("找不到学校代码为“%(school)s”、学号为“%(number)s”的学生")
                % {"school": school, "number": number}
            )
        return student

    def render(self, value, obj=None, **kwargs):
        return value.student_no if value else ""


def students_for_outcomes(user) -> QuerySet:
    """The students whose outcomes the user may record: a school administrator's own school; the
    government and platform administrators every school."""
    qs = Student.objects.all()
    if user is None or user.is_superuser or getattr(user, "role", None) == Role.GOV_OFFICER:
        return qs
    return qs.filter(school_id=user.school_id) if user.school_id else qs.none()


EMPLOYER_CODE = "就业单位统一社会信用代码"


@register_resource
class GraduateOutcomeResource(ExportOnlyMixin, BulkResource):
    school_code = col("student__school__code", SCHOOL_CODE, readonly=True)
    student = col("student", "学号", StudentWidget(SCHOOL_CODE))
    name = col("student__name", "姓名", readonly=True)
    year = col("year", "毕业年度", IntegerWidget())
    outcome = col("outcome", "毕业去向", ChoiceWidget(Outcome.choices))
    enterprise = col(
        "enterprise",
        EMPLOYER_CODE,
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )
    employer_name = col("employer_name", "就业单位名称")
    in_city = col("in_city", "在本市就业", NullBoolWidget())
    related_to_major = col("related_to_major", "专业对口", NullBoolWidget())
    further_level = col("further_level", "升学层次", ChoiceWidget(FurtherLevel.choices))
    source = col("source", "来源", ChoiceWidget(OutcomeSource.choices), readonly=True)

    export_only = ("source",)

    class Meta(BulkResource.Meta):
        model = GraduateOutcome
        import_id_fields = ("student", "year")
        fields = (
            "school_code",
            "student",
            "name",
            "year",
            "outcome",
            "enterprise",
            "employer_name",
            "in_city",
            "related_to_major",
            "further_level",
            "source",
        )

    def key_headers(self) -> list[str]:
        return [SCHOOL_CODE, *super().key_headers()]

    def preload_queryset(self, dataset):
        return GraduateOutcome.objects.filter(student__school__code__in=column_texts(dataset, SCHOOL_CODE))

    def before_import(self, dataset, **kwargs):
        self.fields["student"].widget.queryset = students_for_outcomes(self.actor)
        self._employers: dict[str, Enterprise | None] = {}
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        if row.get(EMPLOYER_CODE):
            row[EMPLOYER_CODE] = text(row[EMPLOYER_CODE]).upper()

    def _employer_named(self, name: str) -> Enterprise | None:
        """The platform enterprise of that exact name, when exactly one has it."""
        if name not in self._employers:
            matches = list(Enterprise.objects.filter(name=name)[:2])
            self._employers[name] = matches[0] if len(matches) == 1 else None
        return self._employers[name]

    def clean_row(self, instance, row) -> dict[str, list]:
        errors = {}
        name = text(row.get("姓名"))
        if instance.student_id and name and name != instance.student.name:
            # (A student cell that cannot be read leaves no student to compare with.)
            errors["student"] = [
                _("学号对应的学生姓名是“%(name)s”，与本行不符") % {"name": instance.student.name}
            ]
        if not instance.enterprise_id and instance.employer_name:
            employer = self._employer_named(instance.employer_name.strip())
            if employer is not None:
                instance.enterprise = employer
        if instance.enterprise_id and not instance.employer_name:
            # As the model's clean() does; done here too so that an unchanged row is skipped.
            instance.employer_name = instance.enterprise.name
        if instance.pk is None:
            instance.source = OutcomeSource.SCHOOL_REPORT
        return errors
