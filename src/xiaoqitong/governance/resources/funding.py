"""Import/export of the funding rules, the export of allocations, and the export of one allocation's lines
with their workings (Chinese column headers).

============== ===========================================================================================
model          format
============== ===========================================================================================
拨款系数        专业大类代码 (the natural key: a category of the official catalog, any level), 生均系数 (a
               number ≥ 0, e.g. 1.2), 依据, 说明. The export adds the category's name and level. Importing
               is for the lead department of annex task 15 (市财政局); importing the same file again
               changes nothing.
分配方案        export only: computed by the platform (``services.funding``).
============== ===========================================================================================
"""

from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from xiaoqitong.core.imports import BaseResource, CodeWidget, register_resource, text
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.reference.models import MajorCategory

from ..models import Allocation, FundingRule

col = BaseResource.column


class CoefficientWidget(widgets.Widget):
    """A coefficient such as 1.2 (three decimals at most, not negative)."""

    hint = gettext_lazy("不小于 0 的数，如 1.2")

    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        if not raw:
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise ValueError(_("“%(value)s”不是不小于 0 的系数") % {"value": raw})
        if number != number.quantize(Decimal("0.001")):
            raise ValueError(_("系数“%(value)s”最多三位小数") % {"value": raw})
        return number.quantize(Decimal("0.001"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{Decimal(value).normalize():f}"


@register_resource
class FundingRuleResource(ExportOnlyMixin, BaseResource):
    category = col("category", "专业大类代码", CodeWidget(MajorCategory, label=gettext_lazy("专业大类")))
    category_name = col("category__name", "专业大类", readonly=True)
    level = col("category__education_level", "层次", readonly=True)
    coefficient = col("coefficient", "生均系数", CoefficientWidget())
    source = col("source", "依据")
    note = col("note", "说明")

    export_only = ("category_name", "level")

    class Meta(BaseResource.Meta):
        model = FundingRule
        import_id_fields = ("category",)
        fields = ("category", "category_name", "level", "coefficient", "source", "note")

    def dehydrate_level(self, rule):
        return rule.category.get_education_level_display()


class _ExportOnly(BaseResource):
    class Meta(BaseResource.Meta):
        abstract = True

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("此类数据不能导入，由平台计算。"))


@register_resource
class AllocationResource(_ExportOnly):
    title = col("title", "名称", readonly=True)
    year = col("year", "年度", readonly=True)
    assessment = col("assessment__year", "依据考核年度", readonly=True)
    fund = col("fund", "奖补资金总额（元）", readonly=True)
    score_share = col("score_share", "按考核得分分配比例", readonly=True)
    min_score = col("min_score", "参与分配的最低得分", readonly=True)
    status = col("status", "状态", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Allocation
        import_id_fields = ("title",)
        fields = ("title", "year", "assessment", "fund", "score_share", "min_score", "status")

    def dehydrate_status(self, allocation):
        return allocation.get_status_display()


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}" if value is not None else ""


def lines_dataset(allocation: Allocation, lines) -> tablib.Dataset:
    """One row per school of an allocation: its share and the workings (students per category × coefficient,
    the pools and sums each share comes from)."""
    data = tablib.Dataset(
        headers=[
            _("学校代码"),
            _("学校"),
            _("考核得分"),
            _("参与按得分分配"),
            _("得分合计"),
            _("按得分分配资金池（元）"),
            _("按得分分配（元）"),
            _("在校生数"),
            _("各专业大类在校生 × 系数"),
            _("折算学生数"),
            _("折算学生数合计"),
            _("按学生数分配资金池（元）"),
            _("按学生数分配（元）"),
            _("合计（元）"),
        ]
    )
    for line in lines:
        w = line.workings or {}
        categories = "；".join(
            f"{c['code']} {c['name']} {c['students']}×{_n(c['coefficient'])}={_n(c['weighted'])}"
            for c in w.get("categories", [])
        )
        data.append(
            [
                line.school.code,
                line.school.name,
                _n(line.score),
                _("是") if w.get("score_eligible") else _("否"),
                w.get("score_sum", ""),
                w.get("score_pool", ""),
                _n(line.by_score),
                line.students,
                categories,
                _n(line.weighted_students),
                w.get("weighted_sum", ""),
                w.get("student_pool", ""),
                _n(line.by_students),
                _n(line.amount),
            ]
        )
    return data
