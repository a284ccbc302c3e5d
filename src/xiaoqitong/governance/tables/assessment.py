"""The tables of the assessment's list pages (indicators; the ranking is a page of its own)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Indicator
from ..selectors.assessment import MEASURES, measure_label, number_text, value_text

ATTRS = {"class": "table table-sm table-hover align-middle"}


class IndicatorTable(tables.Table):
    code = tables.Column(verbose_name=_("编号"))
    name = tables.Column(verbose_name=_("指标名称"))
    group = tables.Column(verbose_name=_("类别"))
    measure = tables.Column(verbose_name=_("计算来源"))
    weight = tables.Column(verbose_name=_("分值"))
    floor = tables.Column(verbose_name=_("零分值"))
    full = tables.Column(verbose_name=_("满分值"))
    direction = tables.Column(verbose_name=_("方向"))
    is_active = tables.BooleanColumn(verbose_name=_("启用"))

    class Meta:
        model = Indicator
        fields = ("code", "name", "group", "measure", "weight", "floor", "full", "direction", "is_active")
        attrs = ATTRS

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.name)

    def render_measure(self, value):
        return measure_label(value)

    def render_weight(self, value):
        return number_text(value)

    def _bound(self, record, value):
        measure = MEASURES.get(record.measure)
        return value_text(measure.unit, value) if measure else number_text(value)

    def render_floor(self, record, value):
        return self._bound(record, value)

    def render_full(self, record, value):
        return self._bound(record, value)
