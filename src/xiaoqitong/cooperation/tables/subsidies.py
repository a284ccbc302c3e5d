"""Tables of the rules, the subsidy rates and claims."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ..models import Rule, SubsidyClaim, SubsidyRate

ATTRS = {"class": "table table-sm table-hover align-middle"}
DATE = "Y-m-d"


class RuleTable(tables.Table):
    key = tables.Column(linkify=True)
    value = tables.Column()

    class Meta:
        model = Rule
        fields = ("key", "value", "target", "source", "note")
        attrs = ATTRS

    def render_value(self, value):
        return f"{value.normalize():f}"


class SubsidyRateTable(tables.Table):
    year = tables.Column(linkify=True)
    amount = tables.Column()
    reviewing_department = tables.Column(verbose_name=_("审核部门"))

    class Meta:
        model = SubsidyRate
        fields = ("year", "kind", "amount", "reviewing_department", "source")
        attrs = ATTRS

    def render_amount(self, value):
        return f"{value:,.2f}"


class SubsidyClaimTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    enterprise = tables.Column(
        verbose_name=_("企业"),
        accessor="agreement__enterprise__name",
        order_by=("agreement__enterprise__name",),
    )
    agreement = tables.Column(verbose_name=_("协议"), accessor="agreement__title", linkify=False)
    kind = tables.Column(verbose_name=_("合作形式"), accessor="agreement__kind", orderable=False)
    reviewing_department = tables.Column(
        verbose_name=_("审核部门"), accessor="rate__reviewing_department__name", orderable=False
    )
    amount = tables.Column()
    approved_amount = tables.Column()
    paid_at = tables.DateColumn(format=DATE)

    class Meta:
        model = SubsidyClaim
        fields = (
            "id",
            "enterprise",
            "agreement",
            "kind",
            "year",
            "apprentices",
            "amount",
            "approved_amount",
            "status",
            "reviewing_department",
            "paid_at",
        )
        attrs = ATTRS

    def render_kind(self, record):
        return record.agreement.get_kind_display()

    def render_amount(self, value):
        return f"{value:,.2f}"

    def render_approved_amount(self, value):
        return f"{value:,.2f}"
