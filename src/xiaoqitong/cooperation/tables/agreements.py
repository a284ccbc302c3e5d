"""Tables of agreements, their students, change requests and fulfilment."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ..models import Agreement, AgreementChange, AgreementMember
from ..selectors.agreements import rate

ATTRS = {"class": "table table-sm table-hover align-middle"}
DATE = "Y-m-d"
DATETIME = "Y-m-d H:i"


class AgreementTable(tables.Table):
    title = tables.Column(linkify=True)
    school = tables.Column(verbose_name=_("学校"), order_by=("school__code",))
    enterprise = tables.Column(verbose_name=_("企业"), order_by=("enterprise__name",))
    major = tables.Column(verbose_name=_("专业"), accessor="school_major__major__name")
    confirm_deadline = tables.DateColumn(verbose_name=_("确认截止"), format=DATE)
    start_date = tables.DateColumn(format=DATE)

    class Meta:
        model = Agreement
        fields = (
            "title",
            "kind",
            "school",
            "enterprise",
            "major",
            "cohort",
            "planned_headcount",
            "start_date",
            "confirm_deadline",
            "status",
        )
        attrs = ATTRS


class AgreementMemberTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("学生"), order_by=("student__name",))
    agreement = tables.Column(verbose_name=_("协议"), accessor="agreement__title")
    enterprise = tables.Column(verbose_name=_("企业"), accessor="agreement__enterprise__name")
    deadline = tables.DateColumn(
        verbose_name=_("确认截止"), accessor="agreement__confirm_deadline", format=DATE
    )
    responded_at = tables.DateTimeColumn(format=DATETIME)

    class Meta:
        model = AgreementMember
        fields = ("id", "student", "agreement", "enterprise", "status", "deadline", "responded_at", "note")
        attrs = ATTRS

    def render_student(self, record):
        return f"{record.student.name}（{record.student.student_no}）"


class AgreementChangeTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("学生"), accessor="member__student__name")
    from_agreement = tables.Column(verbose_name=_("转出协议"), accessor="member__agreement__title")
    to_agreement = tables.Column(verbose_name=_("转入协议"), accessor="to_agreement__title")
    created_at = tables.DateTimeColumn(verbose_name=_("申请时间"), format=DATETIME)
    decided_at = tables.DateTimeColumn(format=DATETIME)

    class Meta:
        model = AgreementChange
        fields = ("id", "student", "from_agreement", "to_agreement", "status", "created_at", "decided_at")
        attrs = ATTRS


class FulfilmentTable(tables.Table):
    """One row per agreement: places filled against the plan and 毕业即就业 (annotated by the selector)."""

    title = tables.Column(verbose_name=_("协议"), linkify=True)
    kind = tables.Column(verbose_name=_("合作形式"))
    school = tables.Column(verbose_name=_("学校"), order_by=("school__code",))
    enterprise = tables.Column(verbose_name=_("企业"), order_by=("enterprise__name",))
    cohort = tables.Column(verbose_name=_("年级"))
    planned_headcount = tables.Column(verbose_name=_("计划人数"))
    confirmed = tables.Column(verbose_name=_("已确认"))
    fill_rate = tables.Column(verbose_name=_("到位率"), empty_values=(), orderable=False)
    graduates = tables.Column(verbose_name=_("已毕业"))
    hired = tables.Column(verbose_name=_("本企业就业"))
    employment_rate = tables.Column(verbose_name=_("毕业即就业率"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        attrs = ATTRS

    def render_fill_rate(self, record):
        value = rate(record.confirmed, record.planned_headcount)
        return "—" if value is None else f"{value}%"

    def render_employment_rate(self, record):
        value = rate(record.hired, record.graduates)
        return "—" if value is None else f"{value}%"
