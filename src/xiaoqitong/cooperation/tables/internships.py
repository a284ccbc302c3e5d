"""Tables of internships (every column is read from the list's select_related or annotations: no query
per row)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)

ATTRS = {"class": "table table-sm table-hover align-middle"}
DATE = "Y-m-d"
DATETIME = "Y-m-d H:i"


class InternshipPlanTable(tables.Table):
    title = tables.Column(linkify=True)
    school = tables.Column(verbose_name=_("学校"))
    school_major = tables.Column(verbose_name=_("专业"), accessor="school_major__major__name")
    period_start = tables.DateColumn(format=DATE)
    period_end = tables.DateColumn(format=DATE)
    placed = tables.Column(verbose_name=_("已安排"), orderable=False)
    placed_local = tables.Column(verbose_name=_("其中市域内"), orderable=False)
    flagged = tables.Column(verbose_name=_("规则提示"), orderable=False)

    class Meta:
        model = InternshipPlan
        fields = (
            "title",
            "school",
            "school_major",
            "cohort",
            "period_start",
            "period_end",
            "planned_interns",
            "planned_local",
            "placed",
            "placed_local",
            "flagged",
        )
        attrs = ATTRS

    def render_flagged(self, value):
        if value:
            return format_html('<span class="badge text-bg-danger" data-flagged>{}</span>', value)
        return "0"


class PlacementTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="student__name", order_by=("student__name",))
    student_no = tables.Column(verbose_name=_("学号"), accessor="student__student_no")
    school = tables.Column(verbose_name=_("学校"), accessor="plan__school__name")
    enterprise = tables.Column(verbose_name=_("实习单位"), accessor="enterprise__name")
    in_city = tables.BooleanColumn(verbose_name=_("市域内"))
    start_date = tables.DateColumn(format=DATE)
    end_date = tables.DateColumn(format=DATE)
    flags = tables.Column(verbose_name=_("规则提示"), orderable=False)

    class Meta:
        model = Placement
        fields = (
            "id",
            "student",
            "student_no",
            "school",
            "enterprise",
            "in_city",
            "start_date",
            "end_date",
            "status",
            "flags",
        )
        attrs = ATTRS

    def render_flags(self, value):
        if not value:
            return "—"
        return format_html(
            '<span class="badge text-bg-danger" title="{}" data-flagged>{}</span>',
            "；".join(f.get("message", "") for f in value),
            "、".join(f.get("rule", "") for f in value),
        )


class InternshipLogTable(tables.Table):
    week_start = tables.DateColumn(format=DATE, linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="placement__student__name")
    enterprise = tables.Column(verbose_name=_("实习单位"), accessor="placement__enterprise__name")
    submitted_at = tables.DateTimeColumn(format=DATETIME)
    countersigned_at = tables.DateTimeColumn(format=DATETIME)

    class Meta:
        model = InternshipLog
        fields = (
            "week_start",
            "student",
            "enterprise",
            "hours",
            "status",
            "submitted_at",
            "countersigned_at",
        )
        attrs = ATTRS


class CheckInTable(tables.Table):
    date = tables.DateColumn(format=DATE, linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="placement__student__name")
    enterprise = tables.Column(verbose_name=_("实习单位"), accessor="placement__enterprise__name")
    time = tables.DateTimeColumn(format=DATETIME)

    class Meta:
        model = CheckIn
        fields = ("date", "student", "enterprise", "time", "location")
        attrs = ATTRS


class LeaveRequestTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="placement__student__name")
    enterprise = tables.Column(verbose_name=_("实习单位"), accessor="placement__enterprise__name")
    start_date = tables.DateColumn(format=DATE)
    end_date = tables.DateColumn(format=DATE)

    class Meta:
        model = LeaveRequest
        fields = (
            "id",
            "student",
            "enterprise",
            "start_date",
            "end_date",
            "school_decision",
            "enterprise_decision",
            "status",
        )
        attrs = ATTRS


class InternshipSubsidyTable(tables.Table):
    month = tables.DateColumn(format="Y-m", linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="placement__student__name")
    enterprise = tables.Column(verbose_name=_("实习单位"), accessor="placement__enterprise__name")
    paid_on = tables.DateColumn(format=DATE)

    class Meta:
        model = InternshipSubsidy
        fields = ("month", "student", "enterprise", "amount", "paid_on", "note")
        attrs = ATTRS


class EvaluationTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="placement__student__name")
    enterprise = tables.Column(verbose_name=_("实习单位"), accessor="placement__enterprise__name")
    evaluator = tables.Column(verbose_name=_("评价人"))

    class Meta:
        model = Evaluation
        fields = ("id", "student", "enterprise", "side", "evaluator", "score")
        attrs = ATTRS
