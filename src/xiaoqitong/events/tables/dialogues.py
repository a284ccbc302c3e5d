"""The commitments board's table: content, event, owner and person, due date (overdue marked), status."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import day_text

from ..models import Commitment

ATTRS = {"class": "table table-sm table-hover align-middle"}
STATUS_CSS = {"open": "secondary", "in_progress": "primary", "done": "success", "dropped": "light"}


class CommitmentTable(tables.Table):
    content = tables.Column(verbose_name=_("承诺事项"))
    event = tables.Column(verbose_name=_("活动"), order_by=("event__starts_at",))
    owner = tables.Column(
        verbose_name=_("责任单位"),
        empty_values=(),
        order_by=("owner_school__name", "owner_enterprise__name", "owner_department__name"),
    )
    owner_person = tables.Column(verbose_name=_("责任人"))
    due_date = tables.Column(verbose_name=_("完成时限"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Commitment
        fields = ("content", "event", "owner", "owner_person", "due_date", "status")
        attrs = ATTRS
        row_attrs = {"data-overdue": lambda record: "1" if getattr(record, "is_overdue", False) else "0"}

    def render_content(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.content[:60])

    def render_owner(self, record):
        return str(record.owner or "")

    def render_due_date(self, record):
        text = day_text(record.due_date)
        if getattr(record, "is_overdue", False):
            return format_html('{} <span class="badge text-bg-danger">{}</span>', text, _("逾期"))
        return text

    def render_status(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            STATUS_CSS.get(record.status, "secondary"),
            record.get_status_display(),
        )
