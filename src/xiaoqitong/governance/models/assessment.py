"""School assessment (R2, 六（十六）) and the funding tied to its results (六（十七）, annex task 15).

The indicator model is data (``Indicator``: what is measured, its weight, the values that score nothing
and full marks); an ``Assessment`` of a year computes every school's ``SchoolScore`` from platform records,
keeping each ``IndicatorScore`` with its inputs so that a score can be traced. 市财政局 splits a reward fund
among schools (``Allocation``) by assessment score and by per-student coefficients per major category held as
data (``FundingRule``); each ``AllocationLine`` keeps its workings."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.core.policy import RestrictedQuerySet
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import MajorCategory

from ..choices import AllocationStatus, AssessmentStatus, Direction
from .common import USER, YEAR

POSITIVE = [MinValueValidator(Decimal("0"))]


class Indicator(BaseModel):
    """One indicator of the school assessment: a measure computed from platform records (``measure``: a key of
    ``selectors.assessment.MEASURES``), its weight in points, and the values that score nothing (``floor``)
    and full marks (``full``); in between the points are linear."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    group = models.CharField(_("类别"), max_length=50, help_text=_("如“校企合作”“毕业生留郴就业”“目标达成”"))
    measure = models.CharField(_("计算来源"), max_length=40)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, validators=POSITIVE)
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    floor = models.DecimalField(_("零分值"), max_digits=14, decimal_places=4, default=Decimal("0"))
    full = models.DecimalField(_("满分值"), max_digits=14, decimal_places=4)
    min_base = models.PositiveIntegerField(
        _("最小样本"),
        default=0,
        help_text=_("分母（如就业毕业生人数）小于该数时样本不足，按全市水平计分；0 表示不设"),
    )
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("governance:indicator_detail", kwargs={"pk": self.pk})


class Assessment(BaseModel):
    """The school assessment of one year: computed (again, while a draft) and then published."""

    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True, validators=YEAR)
    status = models.CharField(
        _("状态"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    indicators = models.JSONField(_("计算时的指标体系"), default=list, blank=True, editable=False)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("学校考核")
        verbose_name_plural = _("学校考核")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)s 年度职业院校考核") % {"year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("governance:assessment_detail", kwargs={"pk": self.pk})


class SchoolScore(models.Model):
    """A school's total score and rank in an assessment."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="scores"
    )
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("学校得分")
        verbose_name_plural = _("学校得分")
        ordering = ["assessment", "rank", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "school"], name="governance_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.total}"


class IndicatorScore(models.Model):
    """One indicator's points for one school, with the inputs behind them."""

    score = models.ForeignKey(
        SchoolScore, verbose_name=_("学校得分"), on_delete=models.CASCADE, related_name="lines"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    numerator = models.DecimalField(_("分子"), max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=16, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("指标值"), max_digits=16, decimal_places=6, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["score", "indicator__sort_order"]
        constraints = [models.UniqueConstraint(fields=["score", "indicator"], name="governance_line_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.points}"


class FundingRule(BaseModel):
    """A per-student coefficient for a major category (专业大类) in the reward fund: 六（十七） asks for
    funding that differs by major category; categories without a rule count 1."""

    # A coefficient goes with its category (an allocation keeps the coefficients it used in ``rules``).
    category = models.OneToOneField(
        MajorCategory, verbose_name=_("专业大类"), on_delete=models.CASCADE, related_name="+"
    )
    coefficient = models.DecimalField(
        _("生均系数"), max_digits=6, decimal_places=3, validators=POSITIVE, default=Decimal("1")
    )
    source = models.CharField(_("依据"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("拨款系数")
        verbose_name_plural = _("拨款系数")
        ordering = ["category__code"]

    def __str__(self) -> str:
        return f"{self.category} × {self.coefficient}"

    def get_absolute_url(self) -> str:
        return reverse("governance:fundingrule_list")


class Allocation(BaseModel):
    """A reward fund of one year split among schools: ``score_share`` of it by assessment score, the rest by
    students weighted by their major category's coefficient."""

    title = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("依据考核"), on_delete=models.PROTECT, related_name="allocations"
    )
    fund = models.DecimalField(_("奖补资金总额（元）"), max_digits=14, decimal_places=2, validators=POSITIVE)
    score_share = models.DecimalField(
        _("按考核得分分配比例"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5"),
        help_text=_("其余按折算学生数分配，如 0.5 即一半按得分"),
    )
    min_score = models.DecimalField(
        _("参与分配的最低得分"), max_digits=8, decimal_places=2, default=Decimal("0"), validators=POSITIVE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=AllocationStatus.choices, default=AllocationStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("测算人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rules = models.JSONField(_("计算时的拨款系数"), default=dict, blank=True, editable=False)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("奖补资金分配")
        verbose_name_plural = _("奖补资金分配")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:allocation_detail", kwargs={"pk": self.pk})


class AllocationLine(models.Model):
    """One school's share of an allocation, with the workings (students per category and coefficient)."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("分配方案"), on_delete=models.CASCADE, related_name="lines"
    )
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("考核得分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    students = models.PositiveIntegerField(_("在校生数"), default=0)
    weighted_students = models.DecimalField(
        _("折算学生数"), max_digits=14, decimal_places=3, default=Decimal("0")
    )
    by_score = models.DecimalField(
        _("按得分分配（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    by_students = models.DecimalField(
        _("按学生数分配（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    amount = models.DecimalField(_("合计（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    workings = models.JSONField(_("计算过程"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分配明细")
        verbose_name_plural = _("分配明细")
        ordering = ["allocation", "-amount", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "school"], name="governance_alloc_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.amount}"
