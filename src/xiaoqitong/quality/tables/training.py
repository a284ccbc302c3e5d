"""Tables of social training: programmes (with their person-times), sessions (roster size, reported number,
person-times) and roster rows (phone masked)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import day_text
from xiaoqitong.schools.selectors import mask_phone

from ..models import TrainingParticipant, TrainingProgramme, TrainingSession

ATTRS = {"class": "table table-sm table-hover align-middle"}


def provider_text(programme: TrainingProgramme) -> str:
    """The school, enterprise or training centre that provides the programme."""
    return str(programme.provider_school or programme.provider_enterprise or programme.provider_centre or "")


class TrainingProgrammeTable(tables.Table):
    code = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    provider = tables.Column(verbose_name=_("承办方"), empty_values=(), orderable=False)
    funding_department = tables.Column(verbose_name=_("经费来源部门"), order_by=("funding_department__code",))
    fucheng_brand = tables.BooleanColumn(verbose_name=_("福城培训"), yesno="是,—")
    person_times_total = tables.Column(verbose_name=_("累计培训人次"))

    class Meta:
        model = TrainingProgramme
        fields = (
            "code",
            "title",
            "kind",
            "year",
            "provider",
            "funding_department",
            "fucheng_brand",
            "person_times_total",
        )
        attrs = ATTRS

    def render_provider(self, record):
        return provider_text(record)


class TrainingSessionTable(tables.Table):
    session = tables.Column(verbose_name=_("班次"), empty_values=(), order_by=("programme__code", "number"))
    programme = tables.Column(verbose_name=_("项目编号"), accessor="programme__code")
    start_date = tables.Column(verbose_name=_("开始日期"))
    end_date = tables.Column(verbose_name=_("结束日期"))
    roster_size = tables.Column(verbose_name=_("花名册人数"))
    person_times = tables.Column(verbose_name=_("计入人次"))

    class Meta:
        model = TrainingSession
        fields = (
            "session",
            "programme",
            "start_date",
            "end_date",
            "place",
            "hours",
            "roster_size",
            "reported_person_times",
            "person_times",
        )
        attrs = ATTRS

    def render_session(self, record):
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), str(record))

    def render_start_date(self, value):
        return day_text(value)

    def render_end_date(self, value):
        return day_text(value)


class TrainingParticipantTable(tables.Table):
    name = tables.Column(verbose_name=_("姓名"))
    session = tables.Column(
        verbose_name=_("培训班次"),
        linkify=lambda record: record.session.get_absolute_url(),
        order_by=("session",),
    )
    phone = tables.Column(verbose_name=_("手机号"))
    completed = tables.BooleanColumn(verbose_name=_("结业"), yesno="是,否")

    class Meta:
        model = TrainingParticipant
        fields = ("name", "session", "phone", "completed")
        attrs = ATTRS

    def render_phone(self, value):
        return mask_phone(value)
