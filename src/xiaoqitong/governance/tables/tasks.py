"""The tables of the responsibility list's pages (the rows carry the states annotated by the selectors)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import day_text

from ..models import Milestone, ProgressReport, Task
from ..selectors import tasks as sel

ATTRS = {"class": "table table-sm table-hover align-middle"}


def state_badge(value: str):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        sel.State.css.get(value, "secondary"),
        sel.State.label(value),
    )


def progress_bar(percent: int):
    return format_html(
        '<div class="progress" role="progressbar" aria-valuenow="{0}" aria-valuemin="0" aria-valuemax="100" '
        'style="min-width:5rem;height:1.1rem"><div class="progress-bar" style="width:{0}%">{0}%</div></div>',
        percent,
    )


class TaskTable(tables.Table):
    number = tables.Column(verbose_name=_("序号"), attrs={"td": {"class": "text-nowrap"}})
    text = tables.Column(verbose_name=_("主要任务内容"), orderable=False)
    lead_text = tables.Column(verbose_name=_("牵头部门"), orderable=False)
    responsible_text = tables.Column(verbose_name=_("责任部门"), orderable=False)
    progress = tables.Column(
        verbose_name=_("进度"), accessor="progress_raw", orderable=False, empty_values=()
    )
    state = tables.Column(verbose_name=_("状态"), empty_values=())
    ms_overdue = tables.Column(verbose_name=_("逾期节点"), empty_values=())

    class Meta:
        model = Task
        fields = ("number", "text", "lead_text", "responsible_text", "progress", "state", "ms_overdue")
        attrs = ATTRS
        order_by = ("number",)

    def render_number(self, record, value):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_text(self, record, value):
        return format_html('<a href="{}" class="link-body-emphasis">{}</a>', record.get_absolute_url(), value)

    def render_progress(self, record):
        return progress_bar(sel.progress_of(record))

    def render_state(self, value):
        return state_badge(value)

    def render_ms_overdue(self, value):
        if not value:
            return "0"
        return format_html('<span class="badge text-bg-danger" data-overdue>{}</span>', value)


class MilestoneTable(tables.Table):
    task = tables.Column(verbose_name=_("任务"), accessor="task__number", order_by=("task__number",))
    title = tables.Column(verbose_name=_("节点名称"))
    due_date = tables.Column(verbose_name=_("完成时限"))
    unit = tables.Column(verbose_name=_("负责单位"), empty_values=(), orderable=False)
    owners = tables.Column(verbose_name=_("责任人"), empty_values=(), orderable=False)
    percent = tables.Column(verbose_name=_("进度"))
    state = tables.Column(verbose_name=_("状态"), empty_values=())

    class Meta:
        model = Milestone
        fields = ("task", "title", "due_date", "unit", "owners", "percent", "state")
        attrs = ATTRS

    def render_task(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', record.task.get_absolute_url(), _("任务%(n)s") % {"n": value}
        )

    def render_title(self, record, value):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_due_date(self, value):
        return day_text(value)

    def render_unit(self, record):
        return str(record.department or record.school or "—")

    def render_owners(self, record):
        return "、".join(u.display_name or u.username for u in record.owners.all()) or "—"

    def render_percent(self, value):
        return progress_bar(value)

    def render_state(self, value):
        return state_badge(value)


class ProgressReportTable(tables.Table):
    period_end = tables.Column(verbose_name=_("截至日期"))
    task = tables.Column(verbose_name=_("任务"), accessor="task__number", order_by=("task__number",))
    unit = tables.Column(verbose_name=_("报送单位"), empty_values=(), orderable=False)
    milestone = tables.Column(verbose_name=_("节点"), orderable=False)
    percent = tables.Column(verbose_name=_("完成进度（%）"))
    text = tables.Column(verbose_name=_("进展情况"), orderable=False)

    class Meta:
        model = ProgressReport
        fields = ("period_end", "task", "unit", "milestone", "percent", "text")
        attrs = ATTRS

    def render_period_end(self, record, value):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), day_text(value))

    def render_task(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', record.task.get_absolute_url(), _("任务%(n)s") % {"n": value}
        )

    def render_unit(self, record):
        return str(record.department or record.school or "—")

    def render_text(self, value):
        return value if len(value) <= 60 else value[:59] + "…"
