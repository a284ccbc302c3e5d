"""Choices of analytics."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldStatus(models.TextChoices):
    """Supply against demand in a field (专业类, chain …) — ``measures.classify``."""

    SHORTAGE = "shortage", _("紧缺")
    BALANCED = "balanced", _("平衡")
    SURPLUS = "surplus", _("过剩")
    GAP = "gap", _("无本地供给")
    NONE = "none", _("无数据")


class Dimension(models.TextChoices):
    MAJOR = "major", _("专业")
    MAJOR_CLASS = "major_class", _("专业类")
    MAJOR_CATEGORY = "major_category", _("专业大类")
    CHAIN = "chain", _("产业链")
    COUNTY = "county", _("县市区")
    SCHOOL = "school", _("学校")


class ThresholdKey(models.TextChoices):
    """The thresholds of ``measures.Thresholds``, kept as data."""

    SHORTAGE_INDEX = "shortage_index", _("紧缺：需求名额/预计毕业生不低于")
    SURPLUS_INDEX = "surplus_index", _("过剩：需求名额/预计毕业生不高于")
    MIN_HEADCOUNT = "min_headcount", _("判定紧缺所需的最少需求名额")
    MIN_GRADUATES = "min_graduates", _("判定过剩所需的最少预计毕业生")
    RETIRE_ENROLMENT_DROP = "retire_enrolment_drop", _("淘汰预警：招生较上年下降不少于（比例）")
    RETIRE_EMPLOYMENT_RATE = "retire_employment_rate", _("淘汰预警：就业率低于")
    SUPPRESS_BELOW = "suppress_below", _("研究数据：人数少于此值的单元格不显示")
