"""Choices of the governance app: how a target compares, its state, the parties of a task, the states of a
milestone, an assessment, an allocation and a report."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Comparison(models.TextChoices):
    """How a target's figure is judged against its value (and ``upper`` for a range)."""

    GE = "ge", _("不低于")
    LE = "le", _("不高于")
    RANGE = "range", _("在区间内")
    RISING = "rising", _("逐年提高")
    NONE = "none", _("只监测，无定量目标")


class Unit(models.TextChoices):
    """How a figure is written: a share (0.2 -> 20.0%), a multiple (2.31 倍), a count, an amount in yuan."""

    SHARE = "share", _("比例")
    MULTIPLE = "multiple", _("倍数")
    COUNT = "count", _("数量")
    MONEY = "money", _("金额（元）")
    MONTHS = "months", _("月")


class Scope(models.TextChoices):
    CITY = "city", _("全市")
    COUNTY = "county", _("县市区")
    SCHOOL = "school", _("学校")


class State(models.TextChoices):
    """A figure's state against its target: green, amber (within the target's band), red; no data; no
    quantitative target (monitored only)."""

    GREEN = "green", _("达标")
    AMBER = "amber", _("接近目标")
    RED = "red", _("未达标")
    NO_DATA = "no_data", _("暂无数据")
    MONITORED = "monitored", _("只监测")


class PartyRole(models.TextChoices):
    LEAD = "lead", _("牵头部门")
    RESPONSIBLE = "responsible", _("责任部门")


class PartyGroup(models.TextChoices):
    """The annex's collective parties: every vocational school of the city, every county-level government."""

    NONE = "", _("—")
    ALL_SCHOOLS = "all_schools", _("市属各职业院校")
    ALL_COUNTIES = "all_counties", _("各县市区人民政府")


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class AllocationStatus(models.TextChoices):
    DRAFT = "draft", _("测算中")
    FINAL = "final", _("已定稿")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("失败")
