"""Import/export formats of dual-mentor assessment.

============== ===========================================================================================
model          natural key (columns)
============== ===========================================================================================
考核计划        学校代码 + 专业代码 + 年级 + 课程或模块 + 学期. 专业代码 names the school's
               开设专业 of that major (of the cohort's year where the school has one, else its
               latest year). The graders are logins separated by 、: 理论考核教师账号 must be
               teachers of the school, 实践考核技师账号 enterprise mentors of the partner
               enterprise (R5), checked row by row as the service does. 关联实习计划 is the
               school's internship plan of that name (may be blank). 状态 is exported only:
               plans are closed and reopened on their page.
考核成绩        exported only. Grades are given on the plan's page (or its grade import) by the one mentor
               R5 names for each part.
============== ===========================================================================================
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import widgets

from xiaoqitong.cooperation.resources.internships import SCHOOL_CODE, PlanOfRowWidget
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import (
    BaseResource,
    CachedWidget,
    ChoiceWidget,
    CodeWidget,
    IntegerWidget,
    NamesWidget,
    register_resource,
    split_list,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import Enterprise, School, User
from xiaoqitong.schools.models import SchoolMajor

from ..choices import GradePart, GradeSource, PlanStatus
from ..models import AssessmentPlan, Grade
from ..services.assessment import plan_people_errors

col = BaseResource.column
COHORT = "年级"


class SchoolMajorOfCohortWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The row's school's 开设专业 of a major code: the one of the cohort's year, else the latest."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, SchoolMajor)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        code = text(value).upper().rstrip("K")
        if not code:
            return None
        school = text((row or {}).get(SCHOOL_CODE))
        cohort = text((row or {}).get(COHORT))
        key = (school, code, cohort)
        if key not in self.lookup:
            majors = list(
                SchoolMajor.objects.filter(school__code=school, major__code__in=[code, f"{code}K"])
                .select_related("school", "major")
                .order_by("-year")
            )
            self.lookup[key] = next(
                (m for m in majors if str(m.year) == cohort), majors[0] if majors else None
            )
        if self.lookup[key] is None:
            raise ValueError(
                _("学校“%(school)s”没有开设专业代码为“%(code)s”的专业") % {"school": school, "code": code}
            )
        return self.lookup[key]

    def render(self, value, obj=None, **kwargs):
        return value.major.code if value is not None else ""


class UsernamesWidget(NamesWidget):
    """Users by login, separated by 、 or commas; only the logins a file names are looked up."""

    def __init__(self, label: str):
        NamesWidget.__init__(self, User, field="username", label=label)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        wanted = [name for name in split_list(value) if name not in self.lookup]
        if wanted:
            self.lookup.update({u.username: u for u in User.objects.filter(username__in=wanted)})
        return NamesWidget.clean(self, value, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return "、".join(sorted(u.username for u in value.all())) if value is not None else ""


@register_resource
class AssessmentPlanResource(ExportOnlyMixin, BaseResource):
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    school_name = col("school__name", "学校名称", readonly=True)
    school_major = col("school_major", "专业代码", SchoolMajorOfCohortWidget())
    major_name = col("school_major__major__name", "专业名称", readonly=True)
    cohort = col("cohort", COHORT, IntegerWidget())
    course = col("course", "课程或模块")
    term = col("term", "学期")
    enterprise = col(
        "enterprise",
        "合作企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业"), preload=False),
    )
    enterprise_name = col("enterprise__name", "合作企业", readonly=True)
    theory_weight = col("theory_weight", "理论权重（%）", IntegerWidget(), default=50)
    practice_weight = col("practice_weight", "实践权重（%）", IntegerWidget(), default=50)
    pass_score = col("pass_score", "及格分", IntegerWidget(), default=60)
    teachers = col("teachers", "理论考核教师账号", UsernamesWidget(_("教师账号")))
    mentors = col("mentors", "实践考核技师账号", UsernamesWidget(_("企业导师账号")))
    internship_plan = col("internship_plan", "关联实习计划", PlanOfRowWidget())
    status = col("status", "状态", ChoiceWidget(PlanStatus.choices), readonly=True)

    export_only = ("school_name", "major_name", "enterprise_name", "status")

    class Meta(BaseResource.Meta):
        model = AssessmentPlan
        import_id_fields = ("school_major", "cohort", "course", "term")
        fields = (
            "school",
            "school_name",
            "school_major",
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
        )

    def key_headers(self) -> list[str]:
        # A major code is a school's: two schools' rows of one major and course do not clash.
        return [SCHOOL_CODE, *super().key_headers()]

    def clean_row(self, instance, row) -> dict[str, list]:
        people = {}
        errors: dict[str, list] = {}
        for name in ("teachers", "mentors"):
            field = self.fields[name]
            if field.column_name not in row:
                people[name] = list(getattr(instance, name).all()) if instance.pk else []
                continue
            try:
                people[name] = field.clean(row)
            except ValueError as exc:
                errors[name] = [ValidationError(str(exc), code="invalid")]
                people[name] = []
        if (
            instance.internship_plan_id
            and instance.school_id
            and instance.internship_plan.school_id != instance.school_id
        ):
            errors["internship_plan"] = [ValidationError(_("关联实习计划须为本校的实习计划。"))]
        found = plan_people_errors(
            school_id=instance.school_id,
            enterprise_id=instance.enterprise_id,
            teachers=[] if "teachers" in errors else people["teachers"],
            mentors=[] if "mentors" in errors else people["mentors"],
        )
        for name, messages in found.items():
            errors.setdefault(name, []).extend(ValidationError(m) for m in messages)
        return errors


@register_resource
class GradeResource(BaseResource):
    """Export only: each part of a grade is given by the mentor R5 names, on the plan's page."""

    importable = False  # not an import target (core.import_templates.importable_models)

    school = col("plan__school__code", SCHOOL_CODE, readonly=True)
    major = col("plan__school_major__major__code", "专业代码", readonly=True)
    cohort = col("plan__cohort", COHORT, readonly=True)
    course = col("plan__course", "课程或模块", readonly=True)
    term = col("plan__term", "学期", readonly=True)
    student_no = col("student__student_no", "学号", readonly=True)
    name = col("student__name", "姓名", readonly=True)
    part = col("part", "考核部分", ChoiceWidget(GradePart.choices), readonly=True)
    score = col("score", "成绩", readonly=True)
    source = col("source", "来源", ChoiceWidget(GradeSource.choices), readonly=True)
    grader = col("grader__username", "评分人账号", readonly=True)
    comment = col("comment", "评语", readonly=True)
    updated_at = col("updated_at", "评分时间", readonly=True)

    class Meta(BaseResource.Meta):
        model = Grade
        import_id_fields = ("plan", "student", "part")
        fields = (
            "school",
            "major",
            "cohort",
            "course",
            "term",
            "student_no",
            "name",
            "part",
            "score",
            "source",
            "grader",
            "comment",
            "updated_at",
        )

    def before_import(self, dataset, **kwargs):
        raise ValidationError(
            _("考核成绩不能在这里导入：请在考核计划页面由对应导师导入本人负责的部分（R5）。")
        )

    def dehydrate_score(self, grade):
        return f"{grade.score.normalize():f}"

    def dehydrate_updated_at(self, grade):
        return when_text(grade.updated_at)
