"""Table of the slots (the list page): the event, the booth, the time, free or booked, and who booked, shown
only to those who may see it (the organizer, the booth's enterprise, the booker's side)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Slot
from ..policies.slots import may_see_booker
from ..services.slots import booker_label

ATTRS = {"class": "table table-sm table-hover align-middle"}


class SlotTable(tables.Table):
    time = tables.Column(verbose_name=gettext_lazy("时段"), empty_values=(), order_by=("starts_at",))
    event = tables.Column(
        verbose_name=gettext_lazy("活动"), linkify=True, order_by=("event__starts_at", "event_id")
    )
    booth = tables.Column(
        verbose_name=gettext_lazy("展位"), empty_values=(), order_by=("booth__booth_no", "booth_id")
    )
    state = tables.Column(verbose_name=gettext_lazy("状态"), empty_values=(), order_by=("booked_by_id",))
    booked_by = tables.Column(verbose_name=gettext_lazy("预约方"), empty_values=(), orderable=False)

    class Meta:
        model = Slot
        fields = ("time", "event", "booth", "state", "booked_by")
        attrs = ATTRS

    def render_time(self, record):
        start, end = timezone.localtime(record.starts_at), timezone.localtime(record.ends_at)
        return format_html(
            '<a href="{}">{}</a>', record.get_absolute_url(), f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        )

    def render_booth(self, record):
        booth = record.booth
        url = reverse("events:booth_slots", kwargs={"event_pk": record.event_id, "pk": booth.pk})
        label = f"{booth.booth_no} {booth.participant_name}".strip()
        return format_html('<a href="{}">{}</a>', url, label)

    def render_state(self, record):
        if record.booked_by_id:
            return format_html('<span class="badge text-bg-primary">{}</span>', _("已预约"))
        if record.starts_at <= timezone.now():
            return format_html('<span class="badge text-bg-secondary">{}</span>', _("已过"))
        return format_html('<span class="badge text-bg-success">{}</span>', _("空闲"))

    def render_booked_by(self, record):
        if record.booked_by_id is None:
            return "—"
        request = getattr(self, "request", None)
        if request is not None and may_see_booker(request.user, record):
            return booker_label(record.booked_by)
        return _("已预约")
