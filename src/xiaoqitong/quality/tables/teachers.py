"""Tables of the teachers' records of quality: training bases, 特岗 funding (with the amount per post) and
technical-service income (with the share paid to teachers)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import percent_text

from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome

ATTRS = {"class": "table table-sm table-hover align-middle"}


class TeacherTrainingBaseTable(tables.Table):
    name = tables.Column(linkify=True)
    host = tables.Column(verbose_name=_("依托单位"), empty_values=(), order_by=("host_school__code",))

    class Meta:
        model = TeacherTrainingBase
        fields = ("name", "level", "host", "recognized_by", "recognized_year")
        attrs = ATTRS

    def render_host(self, record):
        return "、".join(str(o) for o in (record.host_school, record.host_enterprise) if o is not None)


class SpecialPostFundingTable(tables.Table):
    school = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("school__code",))
    per_post = tables.Column(verbose_name=_("人均经费（元/岗）"), empty_values=(), orderable=False)

    class Meta:
        model = SpecialPostFunding
        fields = ("school", "year", "posts", "amount", "per_post", "source")
        attrs = ATTRS

    def render_per_post(self, record):
        return f"{record.amount / record.posts:,.0f}" if record.posts else "—"


class TechServiceIncomeTable(tables.Table):
    school = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("school__code",))
    share = tables.Column(verbose_name=_("用于教师报酬比例"), empty_values=(), orderable=False)

    class Meta:
        model = TechServiceIncome
        fields = ("school", "year", "income", "surplus", "paid_to_teachers", "share")
        attrs = ATTRS

    def render_share(self, record):
        return percent_text(record.paid_to_teachers, record.surplus)
