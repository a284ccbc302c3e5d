"""The tables of certification's list pages."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import day_text, when_text

from ..models import Application, Certification, Criterion, Incentive, Review

ATTRS = {"class": "table table-sm table-hover align-middle"}
STATUS_CSS = {
    # applications
    "draft": "secondary",
    "submitted": "warning",
    "under_review": "primary",
    "returned": "warning",
    "certified": "success",
    "rejected": "danger",
    "withdrawn": "light",
    # titles
    "active": "success",
    "rectification": "warning",
    "expired": "secondary",
    "revoked": "danger",
    # reviews
    "open": "info",
    "passed": "success",
    "failed": "danger",
    "missed": "danger",
}


class DayColumn(tables.Column):
    """A date as the platform writes it (2027-03-31)."""

    def render(self, value):
        return day_text(value)


class WhenColumn(tables.Column):
    """A stored time in local time (2027-03-31 08:00)."""

    def render(self, value):
        return when_text(value)


def badge(record, field: str = "status"):
    value = getattr(record, field)
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_CSS.get(value, "secondary"),
        getattr(record, f"get_{field}_display")(),
    )


def link(record, text):
    return format_html('<a href="{}">{}</a>', record.get_absolute_url(), text)


class ApplicationTable(tables.Table):
    enterprise = tables.Column(verbose_name=_("企业"), order_by=("enterprise__name",))
    level = tables.Column(verbose_name=_("申报级别"))
    year = tables.Column(verbose_name=_("申报年度"))
    status = tables.Column(verbose_name=_("状态"))
    submitted_at = WhenColumn(verbose_name=_("提交时间"))
    opinions_due = DayColumn(verbose_name=_("征求意见截止"))

    class Meta:
        model = Application
        fields = ("enterprise", "level", "year", "status", "submitted_at", "opinions_due")
        attrs = ATTRS

    def render_enterprise(self, record):
        return link(record, record.enterprise.name)

    def render_status(self, record):
        return badge(record)


class CertificationTable(tables.Table):
    enterprise = tables.Column(verbose_name=_("企业"), order_by=("enterprise__name",))
    number = tables.Column(verbose_name=_("认定编号"))
    level = tables.Column(verbose_name=_("级别"))
    county = tables.Column(
        verbose_name=_("县市区或园区"),
        accessor="enterprise__county__name",
        order_by=("enterprise__county__code",),
    )
    certified_on = DayColumn(verbose_name=_("认定日期"))
    valid_until = DayColumn(verbose_name=_("有效期至"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Certification
        fields = ("enterprise", "number", "level", "county", "certified_on", "valid_until", "status")
        attrs = ATTRS

    def render_enterprise(self, record):
        return link(record, record.enterprise.name)

    def render_status(self, record):
        return badge(record)


class ReviewTable(tables.Table):
    enterprise = tables.Column(
        verbose_name=_("企业"),
        accessor="certification__enterprise__name",
        order_by=("certification__enterprise__name",),
    )
    year = tables.Column(verbose_name=_("考核年度"))
    kind = tables.Column(verbose_name=_("考核类型"))
    due_date = tables.Column(verbose_name=_("报送截止"))
    status = tables.Column(verbose_name=_("状态"))
    submitted_at = WhenColumn(verbose_name=_("报送时间"))

    class Meta:
        model = Review
        fields = ("enterprise", "year", "kind", "due_date", "status", "submitted_at")
        attrs = ATTRS

    def render_enterprise(self, record):
        return link(record, record.certification.enterprise.name)

    def render_due_date(self, record):
        return day_text(record.deadline)

    def render_status(self, record):
        return badge(record)


class IncentiveTable(tables.Table):
    enterprise = tables.Column(verbose_name=_("企业"), order_by=("enterprise__name",))
    year = tables.Column(verbose_name=_("年度"))
    kind = tables.Column(verbose_name=_("激励类型"))
    title = tables.Column(verbose_name=_("激励措施"))
    amount = tables.Column(verbose_name=_("金额（万元）"))
    department = tables.Column(verbose_name=_("落实部门"), order_by=("department__sort_order",))
    granted_on = DayColumn(verbose_name=_("落实日期"))

    class Meta:
        model = Incentive
        fields = ("enterprise", "year", "kind", "title", "amount", "department", "granted_on")
        attrs = ATTRS

    def render_title(self, record):
        return link(record, record.title)

    def render_enterprise(self, record):
        return record.enterprise.name

    def render_department(self, record):
        return record.department.short_name or record.department.name


class CriterionTable(tables.Table):
    name = tables.Column(verbose_name=_("条件"))
    measure = tables.Column(verbose_name=_("数据来源"))
    min_municipal = tables.Column(verbose_name=_("市级门槛"))
    min_provincial = tables.Column(verbose_name=_("省级门槛"))
    unit = tables.Column(verbose_name=_("单位"))
    required = tables.BooleanColumn(verbose_name=_("必备条件"))
    needs_document = tables.BooleanColumn(verbose_name=_("须附证明材料"))
    active = tables.BooleanColumn(verbose_name=_("启用"))

    class Meta:
        model = Criterion
        fields = (
            "name",
            "measure",
            "min_municipal",
            "min_provincial",
            "unit",
            "required",
            "needs_document",
            "active",
        )
        attrs = ATTRS

    def render_name(self, record):
        return link(record, record.name)

    def render_min_municipal(self, value):
        return f"{value.normalize():f}"

    def render_min_provincial(self, value):
        return f"{value.normalize():f}"
