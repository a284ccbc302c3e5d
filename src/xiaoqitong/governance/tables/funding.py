"""The tables of the reward fund's list pages."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Allocation, FundingRule

ATTRS = {"class": "table table-sm table-hover align-middle"}
STATUS_CSS = {"draft": "warning", "final": "success"}


def money(value) -> str:
    return f"{value:,.0f}" if value is not None else ""


class FundingRuleTable(tables.Table):
    code = tables.Column(
        verbose_name=_("专业大类代码"), accessor="category__code", order_by=("category__code",)
    )
    category = tables.Column(
        verbose_name=_("专业大类"), accessor="category__name", order_by=("category__code",)
    )
    level = tables.Column(
        verbose_name=_("层次"), accessor="category__education_level", order_by=("category__code",)
    )
    coefficient = tables.Column(verbose_name=_("生均系数"))
    source = tables.Column(verbose_name=_("依据"))

    class Meta:
        model = FundingRule
        fields = ("code", "category", "level", "coefficient", "source")
        attrs = ATTRS

    def render_category(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("governance:fundingrule_detail", kwargs={"pk": record.pk}),
            record.category.name,
        )

    def render_level(self, record):
        return record.category.get_education_level_display()

    def render_coefficient(self, value):
        return f"{value.normalize():f}"


class AllocationTable(tables.Table):
    title = tables.Column(verbose_name=_("名称"))
    year = tables.Column(verbose_name=_("年度"))
    assessment = tables.Column(verbose_name=_("依据考核"), accessor="assessment__year")
    fund = tables.Column(verbose_name=_("资金总额（元）"))
    score_share = tables.Column(verbose_name=_("按得分分配比例"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Allocation
        fields = ("title", "year", "assessment", "fund", "score_share", "status")
        attrs = ATTRS

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.title)

    def render_assessment(self, record):
        return str(record.assessment)

    def render_fund(self, value):
        return money(value)

    def render_score_share(self, value):
        return f"{(value * 100).normalize():f}%"

    def render_status(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            STATUS_CSS.get(record.status, "secondary"),
            record.get_status_display(),
        )
