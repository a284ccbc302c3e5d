"""Import/export formats of certificates, exam centres and competitions (Chinese headers, upsert on natural
keys: importing the same file twice changes nothing).

=============  ===========================================================================================
model          natural key (columns)
=============  ===========================================================================================
获证记录         证书代码 (the catalog's code, e.g. 1X-001-J) + 证书编号 (the number printed on the
               certificate). Columns 学校代码, 学号, 证书代码, 证书编号, 发证日期, 发证机构. A school
               administrator imports its own school's students only: a row of another school is refused
               with the reason, whatever the student. 姓名 and 证书名称 are exported, not imported.
技能证书考点     考点编号; 可考证书代码 separated by 、.
证书考试场次     考点编号 + 证书代码 + 考试日期, at the centres the importer may write.
技能竞赛         赛事名称 + 级别 + 年度 (officers only).
竞赛获奖         赛事 (赛事名称 + 级别 + 年度) + 学校代码 + 赛项 + 奖项 + 学号 + 获奖团队 (学号 or
               获奖团队 may be blank, not both); 指导教师工号 optional.
=============  ===========================================================================================
"""

from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from xiaoqitong.cooperation.resources.bases import MajorCodesWidget
from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    BulkResource,
    CachedWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    NamesWidget,
    column_texts,
    register_resource,
    split_list,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin, StudentWidget, students_for_outcomes
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import Certificate
from xiaoqitong.schools.models import Teacher

from ..choices import CompetitionLevel, Prize
from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession

col = BaseResource.column
SCHOOL_CODE = "学校代码"
STUDENT_NO = "学号"
CERTIFICATE_CODE = "证书代码"
NUMBER = "证书编号"
COMPETITION = "赛事名称"
LEVEL = "级别"
YEAR = "年度"


def _own_school_code(actor) -> str | None:
    """A school administrator's school code (their rows must name it); None for anyone else."""
    if actor is None or actor.is_superuser or getattr(actor, "role", "") != Role.SCHOOL_ADMIN:
        return None
    return actor.school.code if actor.school_id else ""


class CertificateCodeWidget(CodeWidget):
    hint = gettext_lazy("证书目录代码，如 1X-001-J")

    def __init__(self):
        CodeWidget.__init__(self, Certificate, label=_("证书"))

    def normalize(self, value: str) -> str:
        return value.upper()


class CertificateCodesWidget(NamesWidget):
    """Certificates by their codes separated by 、."""

    hint = gettext_lazy("证书目录代码，多个用顿号分隔")

    def __init__(self):
        NamesWidget.__init__(self, Certificate, field="code", label=_("证书代码"))

    def clean(self, value, row=None, **kwargs):
        return NamesWidget.clean(self, "、".join(c.upper() for c in split_list(value)), row, **kwargs)


class OwnSchoolStudentWidget(StudentWidget):
    """A student by 学校代码 + 学号; a school administrator's rows must name their own school (the reason is
    said plainly, and nothing about the other school's students)."""

    hint = gettext_lazy("学生学号（与“学校代码”一起确定学生；学校管理员只能填本校学生）")

    def __init__(self, what: str):
        StudentWidget.__init__(self, SCHOOL_CODE)
        self.what = what
        self.own_school: str | None = None

    def clean(self, value, row=None, **kwargs):
        school = text((row or {}).get(SCHOOL_CODE))
        if self.own_school is not None and text(value) and school != self.own_school:
            raise ValueError(
                _("学校管理员只能导入本校学生的%(what)s：本行学校代码“%(code)s”不是本校代码“%(own)s”")
                % {"what": self.what, "code": school, "own": self.own_school}
            )
        return super().clean(value, row, **kwargs)


# --- certificate awards ---------------------------------------------------------------------------
@register_resource
class CertificateAwardResource(ExportOnlyMixin, BulkResource):
    school_code = col("student__school__code", SCHOOL_CODE, readonly=True)
    student = col("student", STUDENT_NO, OwnSchoolStudentWidget(_("证书")))
    name = col("student__name", "姓名", readonly=True)
    certificate = col("certificate", CERTIFICATE_CODE, CertificateCodeWidget())
    certificate_name = col(None, "证书名称", readonly=True)
    kind = col(None, "证书类别", readonly=True)
    number = col("number", NUMBER)
    awarded_on = col("awarded_on", "发证日期", DateWidget())
    issuer = col("issuer", "发证机构")

    export_only = ("name", "certificate_name", "kind")

    class Meta(BulkResource.Meta):
        model = CertificateAward
        import_id_fields = ("certificate", "number")
        fields = (
            "school_code",
            "student",
            "name",
            "certificate",
            "certificate_name",
            "kind",
            "number",
            "awarded_on",
            "issuer",
        )

    def preload_queryset(self, dataset) -> QuerySet:
        return CertificateAward.objects.filter(number__in=column_texts(dataset, NUMBER))

    def before_import(self, dataset, **kwargs):
        widget = self.fields["student"].widget
        widget.queryset = students_for_outcomes(self.actor)
        widget.own_school = _own_school_code(self.actor)
        self._today = timezone.localdate()
        super().before_import(dataset, **kwargs)

    def clean_row(self, instance, row) -> dict[str, list]:
        if instance.awarded_on and instance.awarded_on > self._today:
            return {"awarded_on": [_("发证日期不能晚于今天")]}
        return {}

    def dehydrate_certificate_name(self, award):
        return str(award.certificate)

    def dehydrate_kind(self, award):
        return award.certificate.get_kind_display()


# --- exam centres and sessions --------------------------------------------------------------------
@register_resource
class ExamCentreResource(ExportOnlyMixin, BaseResource):
    code = col("code", "考点编号")
    name = col("name", "考点名称")
    school = col("school", "承办学校代码", CodeWidget(School, label=_("学校")))
    school_name = col("school__name", "承办学校", readonly=True)
    certificates = col("certificates", "可考证书代码", CertificateCodesWidget())
    approved_by = col("approved_by", "批准机构")
    approved_on = col("approved_on", "批准日期", DateWidget())
    capacity = col("capacity", "单场容量", IntegerWidget(), default=0)
    active = col("active", "在用", BoolWidget(), default=True)

    export_only = ("school_name",)

    class Meta(BaseResource.Meta):
        model = ExamCentre
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "school",
            "school_name",
            "certificates",
            "approved_by",
            "approved_on",
            "capacity",
            "active",
        )

    def before_import(self, dataset, **kwargs):
        self._own = _own_school_code(self.actor)
        super().before_import(dataset, **kwargs)

    def clean_row(self, instance, row) -> dict[str, list]:
        errors = {}
        if self._own is not None and instance.school_id and instance.school.code != self._own:
            errors["school"] = [_("学校管理员只能导入本校的考点")]
        field = self.fields["certificates"]
        try:
            field.clean(row)
        except ValueError as exc:
            errors["certificates"] = [ValidationError(str(exc), code="invalid")]
        return errors


class CentreWidget(CodeWidget):
    """A centre by its 考点编号 among those the importer may write (``queryset``, set before the import)."""

    hint = gettext_lazy("考点编号（须为本校考点）")

    def __init__(self):
        CodeWidget.__init__(self, ExamCentre, label=_("考点"))
        self.queryset: QuerySet = ExamCentre.objects.all()

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset


@register_resource
class ExamSessionResource(ExportOnlyMixin, BaseResource):
    centre = col("centre", "考点编号", CentreWidget())
    centre_name = col("centre__name", "考点名称", readonly=True)
    certificate = col("certificate", CERTIFICATE_CODE, CertificateCodeWidget())
    certificate_name = col(None, "证书名称", readonly=True)
    date = col("date", "考试日期", DateWidget())
    candidates = col("candidates", "报考人数", IntegerWidget(), default=0)
    passed = col("passed", "通过人数", IntegerWidget(), default=0)
    pass_rate = col(None, "通过率", readonly=True)

    export_only = ("centre_name", "certificate_name", "pass_rate")

    class Meta(BaseResource.Meta):
        model = ExamSession
        import_id_fields = ("centre", "certificate", "date")
        fields = (
            "centre",
            "centre_name",
            "certificate",
            "certificate_name",
            "date",
            "candidates",
            "passed",
            "pass_rate",
        )

    def before_import(self, dataset, **kwargs):
        qs = ExamCentre.objects.all()
        self.fields["centre"].widget.queryset = (
            qs if self.actor is None else qs.restrict(self.actor, "change")
        )
        super().before_import(dataset, **kwargs)

    def dehydrate_certificate_name(self, session):
        return str(session.certificate)

    def dehydrate_pass_rate(self, session):
        from xiaoqitong.core.formats import percent_text

        return percent_text(session.passed, session.candidates)


# --- competitions ---------------------------------------------------------------------------------
@register_resource
class CompetitionResource(BaseResource):
    name = col("name", COMPETITION)
    level = col("level", LEVEL, ChoiceWidget(CompetitionLevel.choices))
    year = col("year", YEAR, IntegerWidget())
    organizer = col("organizer", "主办单位")
    held_on = col("held_on", "比赛日期", DateWidget())
    majors = col("majors", "相关专业代码", MajorCodesWidget())

    class Meta(BaseResource.Meta):
        model = Competition
        import_id_fields = ("name", "level", "year")
        fields = ("name", "level", "year", "organizer", "held_on", "majors")

    def clean_row(self, instance, row) -> dict[str, list]:
        field = self.fields["majors"]
        try:
            field.clean(row)
        except ValueError as exc:
            return {"majors": [ValidationError(str(exc), code="invalid")]}
        return {}


class CompetitionOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The competition of the row: 赛事名称 (this column) + 级别 + 年度."""

    hint = gettext_lazy("赛事名称，与“级别”“年度”一起确定赛事（须已登记）")

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Competition)
        self.levels = ChoiceWidget(CompetitionLevel.choices)

    def load(self) -> dict:
        return {(c.name, c.level, c.year): c for c in Competition.objects.all()}

    def clean(self, value, row=None, **kwargs):
        name = text(value)
        if not name:
            return None
        row = row or {}
        level = self.levels.clean(row.get(LEVEL))
        raw_year = text(row.get(YEAR))
        try:
            year = int(float(raw_year))
        except ValueError:
            raise ValueError(_("年度“%(value)s”不是整数") % {"value": raw_year}) from None
        competition = self.lookup.get((name, level, year))
        if competition is None:
            raise ValueError(
                _("找不到 %(year)s 年%(level)s赛事“%(name)s”（请先由政府部门登记赛事）")
                % {"year": year, "level": CompetitionLevel(level).label if level else "", "name": name}
            )
        return competition

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class TeacherOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A teacher by 工号 within the row's school."""

    hint = gettext_lazy("指导教师工号（本校教师），可留空")

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Teacher)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        number = text(value)
        if not number:
            return None
        school = text((row or {}).get(SCHOOL_CODE))
        if school not in self.lookup:
            self.lookup[school] = {t.staff_no: t for t in Teacher.objects.filter(school__code=school)}
        teacher = self.lookup[school].get(number)
        if teacher is None:
            raise ValueError(
                _("找不到学校代码为“%(school)s”、工号为“%(no)s”的教师") % {"school": school, "no": number}
            )
        return teacher

    def render(self, value, obj=None, **kwargs):
        return value.staff_no if value is not None else ""


@register_resource
class CompetitionAwardResource(ExportOnlyMixin, BaseResource):
    competition = col("competition", COMPETITION, CompetitionOfRowWidget())
    level = fields.Field(attribute=None, column_name=LEVEL, widget=ChoiceWidget(CompetitionLevel.choices))
    year = fields.Field(attribute=None, column_name=YEAR, widget=IntegerWidget())
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    school_name = col("school__name", "学校名称", readonly=True)
    event = col("event", "赛项")
    prize = col("prize", "奖项", ChoiceWidget(Prize.choices))
    student = col("student", STUDENT_NO, OwnSchoolStudentWidget(_("竞赛获奖")))
    name = col("student__name", "姓名", readonly=True)
    team = col("team", "获奖团队")
    teacher = col("teacher", "指导教师工号", TeacherOfRowWidget())

    export_only = ("school_name", "name")

    class Meta(BaseResource.Meta):
        model = CompetitionAward
        import_id_fields = ("competition", "school", "event", "prize", "student", "team")
        fields = (
            "competition",
            "level",
            "year",
            "school",
            "school_name",
            "event",
            "prize",
            "student",
            "name",
            "team",
            "teacher",
        )

    def key_headers(self) -> list[str]:
        return [COMPETITION, LEVEL, YEAR, SCHOOL_CODE, "赛项", "奖项", STUDENT_NO, "获奖团队"]

    def check_file(self, data):
        # 学号 or 获奖团队 is blank on every row: the duplicate check compares blanks too.
        errors = []
        if all(h in data.headers for h in self.key_headers()):
            seen: dict[tuple, int] = {}
            for number, cells in enumerate(zip(*(data[h] for h in self.key_headers()), strict=True), start=2):
                key = tuple(text(cell) for cell in cells)
                if all(key):
                    continue  # the base class's check
                if key in seen:
                    errors.append(
                        {
                            "row": number,
                            "column": "、".join(self.key_headers()),
                            "message": _("与第 %(other)s 行重复") % {"other": seen[key]},
                        }
                    )
                else:
                    seen[key] = number
        return super().check_file(data) + errors

    def get_instance(self, instance_loader, row):
        params = {}
        try:
            for name in self.get_import_id_fields():
                field = self.fields[name]
                params[field.attribute] = field.clean(row)
        except (ValueError, ValidationError):
            return None
        if params.get("competition") is None or params.get("school") is None:
            return None
        params["team"] = params.get("team") or ""
        try:
            return CompetitionAward.objects.filter(**params).order_by("pk").first()
        except MultipleObjectsReturned:  # pragma: no cover - first() never raises it
            return None

    def before_import(self, dataset, **kwargs):
        widget = self.fields["student"].widget
        widget.queryset = students_for_outcomes(self.actor)
        widget.own_school = self._own = _own_school_code(self.actor)
        super().before_import(dataset, **kwargs)

    def clean_row(self, instance, row) -> dict[str, list]:
        if self._own is not None and instance.school_id and instance.school.code != self._own:
            return {"school": [_("学校管理员只能导入本校的竞赛获奖")]}
        return {}

    def dehydrate_level(self, award):
        return award.competition.get_level_display()

    def dehydrate_year(self, award):
        return award.competition.year
