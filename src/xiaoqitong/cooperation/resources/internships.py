"""Import/export formats of internships (Chinese column headers, upsert on natural keys).

============== ===========================================================================================
model          natural key (columns)
============== ===========================================================================================
实习计划        学校代码 + 计划名称. 专业代码 names the school's 开设专业 of that major (its latest year).
               Each row is checked against T16 like ``internship_plan_create`` (alone and with the school's
               overlapping plans, the file's earlier rows included).
实习安排        学校代码 + 学号 + 开始日期. 实习计划 (its name) may be left blank when exactly one plan of the
               school for the student's major covers the dates. Mentors by their login. Rows get the checks of
               ``placement_create`` (T15 refused, T16 flagged).
实习补贴        学校代码 + 学号 + 月份 (the student's placement covering that month).
============== ===========================================================================================

Weekly logs, check-ins, leave requests and evaluations are written on the platform and only exported.
The row-by-row ``BaseResource`` is used (files are one school's plans or placements): each row sees the rows
before it, which the T16 checks need.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, widgets

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    CachedWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    register_resource,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin, StudentWidget
from xiaoqitong.orgs.models import Enterprise, School, User
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import LeaveStatus, LogStatus, MentorSide, PlacementStatus
from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)
from ..selectors.internships import subsidy_placements
from ..services.internships import (
    add_months,
    flags_when_saved,
    placement_errors,
    plan_flags_refresh,
    subsidy_errors,
    t16_plan_errors,
)

col = BaseResource.column
SCHOOL_CODE = "学校代码"
STUDENT_NO = "学号"


def _students_of(user) -> QuerySet:
    """Students whose placements the user may import: a school administrator's own school's."""
    qs = Student.objects.all()
    if user is None or user.is_superuser:
        return qs
    return qs.filter(school_id=user.school_id) if getattr(user, "school_id", None) else qs.none()


# --- 实习计划 -----------------------------------------------------------------------------------------------
class SchoolMajorOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The row's school's 开设专业 of a major code (its latest year)."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, SchoolMajor)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        code = text(value).upper().rstrip("K")
        if not code:
            return None
        school = text((row or {}).get(SCHOOL_CODE))
        key = (school, code)
        if key not in self.lookup:
            self.lookup[key] = (
                SchoolMajor.objects.filter(school__code=school, major__code__in=[code, f"{code}K"])
                .select_related("school", "major")
                .order_by("-year")
                .first()
            )
        if self.lookup[key] is None:
            raise ValueError(
                _("学校“%(school)s”没有开设专业代码为“%(code)s”的专业") % {"school": school, "code": code}
            )
        return self.lookup[key]

    def render(self, value, obj=None, **kwargs):
        return value.major.code if value is not None else ""


@register_resource
class InternshipPlanResource(ExportOnlyMixin, BaseResource):
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    title = col("title", "计划名称")
    school_major = col("school_major", "专业代码", SchoolMajorOfRowWidget())
    cohort = col("cohort", "年级", IntegerWidget())
    period_start = col("period_start", "实习开始日期", DateWidget())
    period_end = col("period_end", "实习结束日期", DateWidget())
    planned_interns = col("planned_interns", "计划实习人数", IntegerWidget())
    planned_local = col("planned_local", "其中市域内企业人数", IntegerWidget())
    note = col("note", "说明")
    school_name = col("school__name", "学校名称", readonly=True)

    export_only = ("school_name",)

    class Meta(BaseResource.Meta):
        model = InternshipPlan
        import_id_fields = ("school", "title")
        fields = (
            "school",
            "school_name",
            "title",
            "school_major",
            "cohort",
            "period_start",
            "period_end",
            "planned_interns",
            "planned_local",
            "note",
        )

    def clean_row(self, instance, row) -> dict[str, list]:
        if (
            instance.school_major_id
            and instance.school_id
            and instance.school_major.school_id != instance.school_id
        ):
            return {}  # the model's validation names it
        if (
            instance.planned_local is not None
            and instance.planned_interns
            and (instance.planned_local > instance.planned_interns)
        ):
            return {}
        t16 = t16_plan_errors(instance)
        return {"planned_local": t16} if t16 else {}


# --- 实习安排 -----------------------------------------------------------------------------------------------
class UserWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A user by login (a mentor); whether the role and organization fit is checked with the row."""

    def __init__(self, label: str):
        widgets.ForeignKeyWidget.__init__(self, User, field="username")
        self.label = label

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        username = text(value)
        if not username:
            return None
        if username not in self.lookup:
            self.lookup[username] = User.objects.filter(username=username).first()
        if self.lookup[username] is None:
            raise ValueError(_("找不到%(label)s账号“%(user)s”") % {"label": self.label, "user": username})
        return self.lookup[username]

    def render(self, value, obj=None, **kwargs):
        return value.username if value is not None else ""


class PlanOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A plan of the row's school by its name (blank: found from the student's major and the dates)."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, InternshipPlan, field="title")

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        title = text(value)
        if not title:
            return None
        school = text((row or {}).get(SCHOOL_CODE))
        key = (school, title)
        if key not in self.lookup:
            self.lookup[key] = (
                InternshipPlan.objects.filter(school__code=school, title=title)
                .select_related("school_major")
                .first()
            )
        if self.lookup[key] is None:
            raise ValueError(
                _("学校“%(school)s”没有名为“%(title)s”的实习计划") % {"school": school, "title": title}
            )
        return self.lookup[key]

    def render(self, value, obj=None, **kwargs):
        return value.title if value is not None else ""


@register_resource
class PlacementResource(ExportOnlyMixin, BaseResource):
    school = fields.Field(attribute=None, column_name=SCHOOL_CODE)
    student = col("student", STUDENT_NO, StudentWidget(SCHOOL_CODE))
    name = col("student__name", "姓名", readonly=True)
    enterprise = col(
        "enterprise",
        "统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )
    enterprise_name = col("enterprise__name", "实习单位", readonly=True)
    start_date = col("start_date", "开始日期", DateWidget())
    end_date = col("end_date", "结束日期", DateWidget())
    plan = col("plan", "实习计划", PlanOfRowWidget())
    school_mentor = col("school_mentor", "学校导师账号", UserWidget(_("学校导师")))
    enterprise_mentor = col("enterprise_mentor", "企业导师账号", UserWidget(_("企业导师")))
    in_city = col("in_city", "市域内企业", BoolWidget(), readonly=True)
    status = col("status", "状态", ChoiceWidget(PlacementStatus.choices), readonly=True)
    flags = col("flags", "规则提示", readonly=True)

    export_only = ("name", "enterprise_name", "in_city", "status", "flags")

    class Meta(BaseResource.Meta):
        model = Placement
        import_id_fields = ("student", "start_date")
        fields = (
            "school",
            "student",
            "name",
            "enterprise",
            "enterprise_name",
            "start_date",
            "end_date",
            "plan",
            "school_mentor",
            "enterprise_mentor",
            "in_city",
            "status",
            "flags",
        )

    def key_headers(self) -> list[str]:
        return [SCHOOL_CODE, *super().key_headers()]

    def before_import(self, dataset, **kwargs):
        self.fields["student"].widget.queryset = _students_of(self.actor)
        self._plans: dict[int, InternshipPlan] = {}
        super().before_import(dataset, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        # An in-city row may lift its plan back to the rule: its other T16 flags go, as with the service.
        if not kwargs.get("dry_run"):
            for plan in self._plans.values():
                plan_flags_refresh(plan)
        super().after_import(dataset, result, **kwargs)

    def before_import_row(self, row, **kwargs):
        key = "统一社会信用代码"
        if row.get(key):
            row[key] = text(row[key]).upper()

    def dehydrate_school(self, placement):
        return placement.plan.school.code

    def dehydrate_flags(self, placement):
        return "；".join(f.get("message", "") for f in placement.flags or [])

    def _plan_for(self, placement) -> InternshipPlan | None:
        student = placement.student
        return (
            InternshipPlan.objects.filter(
                school_id=student.school_id,
                school_major__major_id=student.school_major.major_id,
                period_start__lte=placement.start_date,
                period_end__gte=placement.end_date,
            )
            .order_by("-period_start")
            .first()
            if placement.start_date and placement.end_date
            else None
        )

    def clean_row(self, instance, row) -> dict[str, list]:
        if not instance.student_id or not instance.enterprise_id:
            return {}  # named by their columns
        if instance.status in ("", None):
            instance.status = PlacementStatus.PLANNED
        if instance.pk is not None and instance.status not in (
            PlacementStatus.PLANNED,
            PlacementStatus.ACTIVE,
        ):
            return {
                "start_date": [
                    _("这条实习已%(status)s，不能再导入修改。") % {"status": instance.get_status_display()}
                ]
            }
        if not instance.plan_id:
            plan = self._plan_for(instance)
            if plan is None:
                return {"plan": [_("找不到学生专业在这段时间的实习计划，请填写“实习计划”列")]}
            instance.plan = plan
        errors = placement_errors(instance, model=False)
        if not errors and instance.start_date and instance.end_date:
            instance.flags = flags_when_saved(instance)
            self._plans[instance.plan_id] = instance.plan
        return errors


# --- 实习补贴 -----------------------------------------------------------------------------------------------
class MonthWidget(widgets.Widget):
    """A month: 2026-03, 2026/3, 2026年3月, or any date of it."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date().replace(day=1)
        if isinstance(value, dt.date):
            return value.replace(day=1)
        raw = text(value)
        if not raw:
            return None
        import re

        match = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$", raw)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return dt.date(year, month, 1)
        try:
            return DateWidget().clean(raw).replace(day=1)
        except ValueError:
            raise ValueError(_("“%(value)s”不是月份，请写成 2026-03") % {"value": raw}) from None

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m") if value else ""


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        raw = text(value).replace(",", "").replace("元", "")
        if not raw:
            return None
        try:
            return Decimal(raw).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是金额") % {"value": raw}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class PlacementOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The placement of the row's student (学校代码 + 学号) that covers the row's month."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Placement)
        self.queryset: QuerySet = Placement.objects.all()

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        number = text(value)
        if not number:
            return None
        school = text((row or {}).get(SCHOOL_CODE))
        month = MonthWidget().clean((row or {}).get("月份"))
        if month is None:
            raise ValueError(_("缺少月份"))
        if school not in self.lookup:
            self.lookup[school] = list(
                self.queryset.filter(plan__school__code=school)
                .select_related("student", "plan")
                .order_by("-start_date")
            )
        month_end = add_months(month, 1) - dt.timedelta(days=1)
        matches = [
            p
            for p in self.lookup[school]
            if p.student.student_no == number and p.start_date <= month_end and p.end_date >= month
        ]
        matches.sort(key=lambda p: p.status == PlacementStatus.TERMINATED)
        if not matches:
            raise ValueError(
                _("学校“%(school)s”学号“%(no)s”的学生在 %(month)s 没有实习安排")
                % {"school": school, "no": number, "month": month.strftime("%Y-%m")}
            )
        return matches[0]

    def render(self, value, obj=None, **kwargs):
        return value.student.student_no if value is not None else ""


@register_resource
class InternshipSubsidyResource(ExportOnlyMixin, BaseResource):
    school = fields.Field(attribute=None, column_name=SCHOOL_CODE)
    placement = col("placement", STUDENT_NO, PlacementOfRowWidget())
    name = col("placement__student__name", "姓名", readonly=True)
    month = col("month", "月份", MonthWidget())
    amount = col("amount", "金额", MoneyWidget())
    paid_on = col("paid_on", "发放日期", DateWidget())
    note = col("note", "备注")
    enterprise_name = col("placement__enterprise__name", "实习单位", readonly=True)

    export_only = ("name", "enterprise_name")

    class Meta(BaseResource.Meta):
        model = InternshipSubsidy
        import_id_fields = ("placement", "month")
        fields = ("school", "placement", "name", "month", "amount", "paid_on", "note", "enterprise_name")

    def key_headers(self) -> list[str]:
        return [SCHOOL_CODE, *super().key_headers()]

    def before_import(self, dataset, **kwargs):
        self.fields["placement"].widget.queryset = subsidy_placements(self.actor)
        super().before_import(dataset, **kwargs)

    def dehydrate_school(self, subsidy):
        return subsidy.placement.plan.school.code

    def clean_row(self, instance, row) -> dict[str, list]:
        if not instance.placement_id:
            return {}
        return subsidy_errors(instance, model=False)


# --- export only --------------------------------------------------------------------------------------------
class _ExportOnly(BaseResource):
    """A record kept on the platform: exported with its placement's school, student number and name, never
    imported (``refusal`` says why)."""

    refusal = ""
    school = col("placement__plan__school__code", SCHOOL_CODE, readonly=True)
    student_no = col("placement__student__student_no", STUDENT_NO, readonly=True)
    name = col("placement__student__name", "姓名", readonly=True)

    class Meta(BaseResource.Meta):
        abstract = True

    def before_import(self, dataset, **kwargs):
        raise ValidationError(self.refusal)


@register_resource
class InternshipLogResource(_ExportOnly):
    refusal = _("实习周志不能导入：请由学生在平台上填写。")
    enterprise = col("placement__enterprise__name", "实习单位", readonly=True)
    week_start = col("week_start", "周次（周一）", DateWidget(), readonly=True)
    hours = col("hours", "实习时长（小时）", IntegerWidget(), readonly=True)
    content = col("content", "本周工作与收获", readonly=True)
    status = col("status", "状态", ChoiceWidget(LogStatus.choices), readonly=True)
    submitted_at = col("submitted_at", "提交时间", readonly=True)
    countersigned_at = col("countersigned_at", "会签时间", readonly=True)
    mentor_comment = col("mentor_comment", "导师意见", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = InternshipLog
        import_id_fields = ("school", "student_no", "week_start")
        fields = (
            "school",
            "student_no",
            "name",
            "enterprise",
            "week_start",
            "hours",
            "content",
            "status",
            "submitted_at",
            "countersigned_at",
            "mentor_comment",
        )

    def dehydrate_submitted_at(self, log):
        return when_text(log.submitted_at)

    def dehydrate_countersigned_at(self, log):
        return when_text(log.countersigned_at)


@register_resource
class CheckInResource(_ExportOnly):
    refusal = _("实习签到不能导入：请由学生在平台上签到。")
    enterprise = col("placement__enterprise__name", "实习单位", readonly=True)
    date = col("date", "日期", DateWidget(), readonly=True)
    time = col("time", "签到时间", readonly=True)
    location = col("location", "地点", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = CheckIn
        import_id_fields = ("school", "student_no", "date")
        fields = ("school", "student_no", "name", "enterprise", "date", "time", "location")

    def dehydrate_time(self, check_in):
        return when_text(check_in.time)


def _decision(value) -> str:
    return {True: "同意", False: "不同意"}.get(value, "")


@register_resource
class LeaveRequestResource(_ExportOnly):
    refusal = _("实习请假不能导入：请由学生在平台上申请。")
    start_date = col("start_date", "开始日期", DateWidget(), readonly=True)
    end_date = col("end_date", "结束日期", DateWidget(), readonly=True)
    reason = col("reason", "事由", readonly=True)
    school_decision = col("school_decision", "学校导师意见", readonly=True)
    enterprise_decision = col("enterprise_decision", "企业导师意见", readonly=True)
    status = col("status", "状态", ChoiceWidget(LeaveStatus.choices), readonly=True)

    class Meta(_ExportOnly.Meta):
        model = LeaveRequest
        import_id_fields = ("school", "student_no", "start_date")
        fields = (
            "school",
            "student_no",
            "name",
            "start_date",
            "end_date",
            "reason",
            "school_decision",
            "enterprise_decision",
            "status",
        )

    def dehydrate_school_decision(self, leave):
        return _decision(leave.school_decision)

    def dehydrate_enterprise_decision(self, leave):
        return _decision(leave.enterprise_decision)


@register_resource
class EvaluationResource(_ExportOnly):
    refusal = _("实习鉴定不能导入：请由导师在平台上填写。")
    enterprise = col("placement__enterprise__name", "实习单位", readonly=True)
    side = col("side", "评价方", ChoiceWidget(MentorSide.choices), readonly=True)
    evaluator = col("evaluator", "评价人", readonly=True)
    score = col("score", "成绩", IntegerWidget(), readonly=True)
    comment = col("comment", "评语", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Evaluation
        import_id_fields = ("school", "student_no", "side")
        fields = ("school", "student_no", "name", "enterprise", "side", "evaluator", "score", "comment")

    def dehydrate_evaluator(self, evaluation):
        return str(evaluation.evaluator) if evaluation.evaluator_id else ""
