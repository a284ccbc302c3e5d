"""Tables of practice bases and bookings."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import when_text

from ..models import BaseBooking, PracticeBase
from ..selectors.bases import booker_name

ATTRS = {"class": "table table-sm table-hover align-middle"}


def owners_text(base: PracticeBase) -> str:
    return "、".join(str(o) for o in (base.owner_school, base.owner_enterprise) if o is not None)


class PracticeBaseTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    owners = tables.Column(verbose_name=_("所属单位"), empty_values=(), order_by=("owner_school__code",))
    county = tables.Column(verbose_name=_("所在县市区"), order_by=("county__code",))

    class Meta:
        model = PracticeBase
        fields = ("code", "name", "kind", "owners", "county", "capacity", "shared", "active")
        attrs = ATTRS

    def render_owners(self, record):
        return owners_text(record)


class BaseBookingTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    base = tables.Column(verbose_name=_("基地"), order_by=("base__name",))
    booker = tables.Column(verbose_name=_("预约单位"), empty_values=(), orderable=False)
    start = tables.Column(verbose_name=_("开始时间"))
    end = tables.Column(verbose_name=_("结束时间"))

    class Meta:
        model = BaseBooking
        fields = ("id", "base", "booker", "start", "end", "headcount", "purpose", "status")
        attrs = ATTRS

    def render_booker(self, record):
        return booker_name(record)

    def render_start(self, value):
        return when_text(value)

    def render_end(self, value):
        return when_text(value)
