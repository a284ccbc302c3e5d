"""Import/export formats of agreements and of their member lists (Chinese column headers, upserts).

- **Agreement** (校企合作协议): keyed by 学校代码 + 协议名称 + 年级. Imported agreements are drafts (both
  sides then approve them on the platform); a school administrator imports only its own school's, an
  enterprise's HR only its own enterprise's, and a stored agreement changes only while it is a draft.
  专业代码 names the school's 开设专业 of that major (the row of the cohort's year, else its latest).
  学校名称, 企业名称, 对应岗位 and 状态 are exported and ignored on import.
- **AgreementMember** (协议学生, the member list): keyed by the agreement and the student — 学校代码 + 学号 +
  协议 (the agreement's 编号, or its name at that school). Imported places are invitations, checked as the
  school's invitations are (``services.member_invite``): a running agreement before its confirmation
  deadline, a student of its school, major and cohort, not confirmed in another running agreement. A place
  already on the list is left as it is (importing the same file twice changes nothing). 姓名 and 状态 are
  exported; 姓名, when given, must match the student.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import widgets

from xiaoqitong.core.imports import (
    BaseResource,
    CachedWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    register_resource,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.resources import major_code
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import AgreementKind, AgreementStatus, MemberStatus
from ..models import Agreement, AgreementMember
from ..policies.agreements import confirm_deadline_passed
from ..services.agreements import confirmed_elsewhere, eligibility_problem

col = BaseResource.column
SCHOOL_CODE = "学校代码"


class SchoolMajorOfAgreementWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The school's 开设专业 of a major code: the row of the cohort's year (年级), else the latest one."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, SchoolMajor)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        code = major_code(text(value))
        school = text((row or {}).get(SCHOOL_CODE))
        if not code:
            return None
        if school not in self.lookup:
            by_major: dict[str, dict[int, SchoolMajor]] = {}
            for sm in SchoolMajor.objects.filter(school__code=school).select_related("major", "school"):
                by_major.setdefault(sm.major.code, {})[sm.year] = sm
            self.lookup[school] = by_major
        years = self.lookup[school].get(code)
        if not years:
            raise ValueError(_("学校“%(school)s”没有开设专业“%(code)s”") % {"school": school, "code": code})
        try:
            cohort = int(float(text((row or {}).get("年级")) or 0))
        except ValueError:
            cohort = 0
        return years.get(cohort) or years[max(years)]

    def render(self, value, obj=None, **kwargs):
        return value.major.code if value else ""


@register_resource
class AgreementResource(ExportOnlyMixin, BaseResource):
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    school_name = col("school__name", "学校名称", readonly=True)
    title = col("title", "协议名称")
    cohort = col("cohort", "年级", IntegerWidget())
    kind = col("kind", "合作形式", ChoiceWidget(AgreementKind.choices))
    enterprise = col(
        "enterprise",
        "企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )
    enterprise_name = col("enterprise__name", "企业名称", readonly=True)
    school_major = col("school_major", "专业代码", SchoolMajorOfAgreementWidget())
    planned_headcount = col("planned_headcount", "计划人数", IntegerWidget())
    start_date = col("start_date", "开始日期", DateWidget())
    end_date = col("end_date", "结束日期", DateWidget())
    confirm_deadline = col("confirm_deadline", "学生确认截止日期", DateWidget())
    training_plan = col("training_plan", "培养方案")
    cost_sharing = col("cost_sharing", "成本分担")
    positions = col("positions", "对应岗位", readonly=True)
    status = col("status", "状态", ChoiceWidget(AgreementStatus.choices), readonly=True)

    export_only = ("school_name", "enterprise_name", "positions", "status")

    class Meta(BaseResource.Meta):
        model = Agreement
        import_id_fields = ("school", "title", "cohort")
        fields = (
            "school",
            "school_name",
            "title",
            "cohort",
            "kind",
            "enterprise",
            "enterprise_name",
            "school_major",
            "planned_headcount",
            "start_date",
            "end_date",
            "confirm_deadline",
            "training_plan",
            "cost_sharing",
            "positions",
            "status",
        )

    def dehydrate_positions(self, agreement):
        return "、".join(p.title for p in agreement.positions.all())

    def clean_row(self, instance, row) -> dict[str, list]:
        if instance.pk is not None and instance.status != AgreementStatus.DRAFT:
            return {
                "status": [
                    _("协议已不是草稿（%(s)s），不能通过导入修改") % {"s": instance.get_status_display()}
                ]
            }
        return {}


class AgreementOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """An agreement by its 编号, or by its name among the agreements of the row's school (a name shared by
    several of them must be written as the 编号)."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Agreement)

    def load(self) -> dict:
        return {}

    def _of_school(self, school: str) -> dict:
        if school not in self.lookup:
            rows = list(
                Agreement.objects.filter(school__code=school).select_related("school_major__major", "school")
            )
            by_name: dict[str, list[Agreement]] = {}
            for agreement in rows:
                by_name.setdefault(agreement.title, []).append(agreement)
            self.lookup[school] = {"id": {str(a.pk): a for a in rows}, "name": by_name}
        return self.lookup[school]

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        school = text((row or {}).get(SCHOOL_CODE))
        if not value:
            return None
        if not school:
            raise ValueError(_("缺少学校代码"))
        known = self._of_school(school)
        if value in known["id"]:
            return known["id"][value]
        named = known["name"].get(value, [])
        if len(named) > 1:
            raise ValueError(_("学校有多份名为“%(name)s”的协议，请填写协议编号") % {"name": value})
        if not named:
            raise ValueError(
                _("找不到学校代码为“%(school)s”、名称或编号为“%(name)s”的协议")
                % {"school": school, "name": value}
            )
        return named[0]

    def render(self, value, obj=None, **kwargs):
        return value.title if value else ""


class StudentOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A student by the row's 学校代码 and 学号 (loaded one school at a time)."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Student)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        number = text(value)
        school = text((row or {}).get(SCHOOL_CODE))
        if not number:
            return None
        if not school:
            raise ValueError(_("缺少学校代码"))
        if school not in self.lookup:
            students: QuerySet = Student.objects.filter(school__code=school).select_related("school_major")
            self.lookup[school] = {s.student_no: s for s in students}
        student = self.lookup[school].get(number)
        if student is None:
            raise ValueError(
                _("找不到学校代码为“%(school)s”、学号为“%(number)s”的学生")
                % {"school": school, "number": number}
            )
        return student

    def render(self, value, obj=None, **kwargs):
        return value.student_no if value else ""


@register_resource
class AgreementMemberResource(ExportOnlyMixin, BaseResource):
    school = col("agreement__school__code", SCHOOL_CODE, readonly=True)
    student = col("student", "学号", StudentOfRowWidget())
    name = col("student__name", "姓名", readonly=True)
    agreement = col("agreement", "协议（编号或名称）", AgreementOfRowWidget())
    enterprise = col("agreement__enterprise__name", "企业名称", readonly=True)
    status = col("status", "状态", ChoiceWidget(MemberStatus.choices), readonly=True)

    export_only = ("enterprise", "status")

    class Meta(BaseResource.Meta):
        model = AgreementMember
        import_id_fields = ("agreement", "student")
        fields = ("school", "student", "name", "agreement", "enterprise", "status")

    def key_headers(self) -> list[str]:
        return [SCHOOL_CODE, "学号", "协议（编号或名称）"]

    def clean_row(self, instance, row) -> dict[str, list]:
        errors: dict[str, list] = {}
        student, agreement = instance.student if instance.student_id else None, None
        if instance.agreement_id:
            agreement = instance.agreement
        name = text(row.get("姓名"))
        if student is not None and name and name != student.name:
            errors["student"] = [_("学号对应的学生姓名是“%(name)s”，与本行不符") % {"name": student.name}]
        if instance.pk is not None or student is None or agreement is None:
            return errors  # a place already on the list is left as it is
        if agreement.status != AgreementStatus.ACTIVE:
            errors.setdefault("agreement", []).append(
                _("协议“%(title)s”当前状态为“%(status)s”，执行中的协议才能邀请学生")
                % {"title": agreement.title, "status": agreement.get_status_display()}
            )
        elif confirm_deadline_passed(agreement):
            errors.setdefault("agreement", []).append(
                _("协议“%(title)s”的学生确认截止日期（%(date)s）已过")
                % {"title": agreement.title, "date": agreement.confirm_deadline}
            )
        if problem := eligibility_problem(student, agreement):
            errors.setdefault("student", []).append(problem)
        elif other := confirmed_elsewhere([student], agreement).get(student.pk):
            errors.setdefault("student", []).append(_("已确认参加“%(other)s”") % {"other": other})
        instance.status = MemberStatus.INVITED
        return errors
