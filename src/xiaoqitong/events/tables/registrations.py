"""Tables of event types, events (with their phase and places taken against capacity and booths) and
registrations."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import when_text

from ..models import Event, EventType, Registration
from ..selectors.registrations import phase_label

ATTRS = {"class": "table table-sm table-hover align-middle"}


def places_text(taken, limit) -> str:
    """``12 / 50`` (``12 / 不限`` without a limit)."""
    return f"{taken or 0} / {limit if limit is not None else _('不限')}"


def phase_badge(event) -> str:
    label, css = phase_label(event)
    return format_html('<span class="badge text-bg-{}" data-phase>{}</span>', css, label)


def status_badge(registration) -> str:
    css = {"pending": "warning", "approved": "success", "declined": "danger", "cancelled": "secondary"}
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        css.get(registration.status, "secondary"),
        registration.get_status_display(),
    )


class EventTypeTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)

    class Meta:
        model = EventType
        fields = ("code", "name", "rule_key", "has_minutes", "sort_order")
        attrs = ATTRS


class EventTable(tables.Table):
    title = tables.Column(linkify=True)
    type = tables.Column(order_by=("type__sort_order",))
    starts_at = tables.Column(verbose_name=_("时间"))
    phase = tables.Column(verbose_name=_("进度"), empty_values=(), orderable=False)
    students = tables.Column(
        verbose_name=_("学生（已报/名额）"), empty_values=(), order_by=("students_count",)
    )
    booths_taken = tables.Column(
        verbose_name=_("展位（已占/总数）"), empty_values=(), order_by=("booths_count",)
    )
    schools = tables.Column(verbose_name=_("学校代表团"), accessor="schools_count")

    class Meta:
        model = Event
        fields = (
            "title",
            "type",
            "organizer",
            "starts_at",
            "venue",
            "phase",
            "students",
            "booths_taken",
            "schools",
        )
        attrs = ATTRS

    def render_starts_at(self, record):
        return when_text(record.starts_at)

    def render_phase(self, record):
        return phase_badge(record)

    def render_students(self, record):
        return places_text(record.students_count, record.capacity)

    def render_booths_taken(self, record):
        return places_text(record.booths_count, record.booths)


class RegistrationTable(tables.Table):
    event = tables.Column(
        linkify=lambda record: record.event.get_absolute_url(), order_by=("event__starts_at", "event_id")
    )
    participant = tables.Column(
        verbose_name=_("报名方"),
        empty_values=(),
        linkify=lambda record: record.get_absolute_url(),
        order_by=("kind", "pk"),
    )
    kind = tables.Column()
    status = tables.Column()
    booth_no = tables.Column()
    delegation_size = tables.Column()
    created_at = tables.Column(verbose_name=_("报名时间"))
    checked_in_at = tables.Column()

    class Meta:
        model = Registration
        fields = (
            "event",
            "participant",
            "kind",
            "status",
            "booth_no",
            "delegation_size",
            "created_at",
            "checked_in_at",
        )
        attrs = ATTRS

    def render_participant(self, record):
        if record.student_id:
            return f"{record.student.name}（{record.student.student_no}）"
        return record.participant_name

    def render_status(self, record):
        return status_badge(record)

    def render_delegation_size(self, record):
        return record.delegation_size if record.kind == "school" else "—"

    def render_created_at(self, value):
        return when_text(value)

    def render_checked_in_at(self, value):
        return when_text(value)
