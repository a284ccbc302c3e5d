"""Exports of the school assessment (Chinese column headers): the indicators (kept on their pages, not
imported) and the ranking of a year with every indicator's inputs and points (computed by the platform)."""

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoqitong.core.imports import BaseResource, register_resource

from ..models import Indicator
from ..selectors.assessment import measure_label, number_text

col = BaseResource.column


@register_resource
class IndicatorResource(BaseResource):
    code = col("code", "编号", readonly=True)
    name = col("name", "指标名称", readonly=True)
    group = col("group", "类别", readonly=True)
    measure = col("measure", "计算来源", readonly=True)
    weight = col("weight", "分值", readonly=True)
    direction = col("direction", "方向", readonly=True)
    floor = col("floor", "零分值", readonly=True)
    full = col("full", "满分值", readonly=True)
    is_active = col("is_active", "启用", readonly=True)
    description = col("description", "说明", readonly=True)
    source = col("source", "依据", readonly=True)

    class Meta(BaseResource.Meta):
        model = Indicator
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "group",
            "measure",
            "weight",
            "direction",
            "floor",
            "full",
            "is_active",
            "description",
            "source",
        )

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("考核指标在平台页面上维护，不能导入。"))

    def dehydrate_measure(self, indicator):
        return measure_label(indicator.measure)

    def dehydrate_direction(self, indicator):
        return indicator.get_direction_display()

    def dehydrate_is_active(self, indicator):
        return _("是") if indicator.is_active else _("否")

    def dehydrate_weight(self, indicator):
        return number_text(indicator.weight)

    def dehydrate_floor(self, indicator):
        return number_text(indicator.floor)

    def dehydrate_full(self, indicator):
        return number_text(indicator.full)


def ranking_dataset(assessment, rows: list[dict], cols: list[dict]) -> tablib.Dataset:
    """The ranking with, per indicator, its numerator, denominator, value, points and note."""
    headers = [_("名次"), _("学校代码"), _("学校"), _("总分")]
    for c in cols:
        name = f"{c['code']} {c['name']}"
        headers += [
            f"{name} {_('分子')}",
            f"{name} {_('分母')}",
            f"{name} {_('指标值')}",
            f"{name} {_('得分')}（{c['weight_text']}）",
            f"{name} {_('说明')}",
        ]
    data = tablib.Dataset(headers=headers)
    for row in rows:
        score = row["score"]
        cells = [score.rank, row["school"].code, row["school"].name, number_text(score.total)]
        for c in cols:
            line = row["lines"].get(c["id"])
            if line is None:
                cells += ["", "", "", "", ""]
                continue
            cells += [
                number_text(line.numerator) if line.numerator is not None else "",
                number_text(line.denominator) if line.denominator is not None else "",
                f"{line.value.normalize():f}" if line.value is not None else "",
                number_text(line.points),
                line.note,
            ]
        data.append(cells)
    return data
