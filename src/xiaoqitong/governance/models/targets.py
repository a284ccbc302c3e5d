"""Every target (T) and rule (R) of POLICY.md as data (郴政发〔2021〕9号): what it measures, how it is
computed, how it compares, its value, the scopes it is reported at (city, county, school), its deadline and
the policy section it comes from. Figures are computed from platform records (``selectors.targets``); a
target whose value is also enforced elsewhere names its ``rule_key`` (``cooperation.models.Rule``), and the
rule's value is the one that counts, so the number lives in one place."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel

from ..choices import Comparison, Unit
from .common import YEAR


class Target(BaseModel):
    """One target or rule of the policy (T1-T25, R1-R5)."""

    code = models.CharField(_("编号"), max_length=10, unique=True, help_text=_("POLICY.md 中的编号，如 T16"))
    name = models.CharField(_("指标"), max_length=100)
    text = models.TextField(_("政策原文"), blank=True)
    formula = models.TextField(_("计算方法"), blank=True)
    comparison = models.CharField(_("比较方式"), max_length=10, choices=Comparison.choices)
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    upper = models.DecimalField(
        _("目标上限"), max_digits=14, decimal_places=4, null=True, blank=True, help_text=_("区间目标的上限")
    )
    unit = models.CharField(_("单位"), max_length=10, choices=Unit.choices, default=Unit.SHARE)
    for_city = models.BooleanField(_("全市"), default=True)
    for_county = models.BooleanField(_("县市区"), default=False)
    for_school = models.BooleanField(_("学校"), default=False)
    deadline_year = models.PositiveSmallIntegerField(_("完成年份"), null=True, blank=True, validators=YEAR)
    start_year = models.PositiveSmallIntegerField(_("起始年份"), default=2021, validators=YEAR)
    amber_band = models.DecimalField(
        _("接近目标区间"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("与目标值相差不超过该比例时显示为“接近目标”（黄色），如 0.1 即 10%"),
    )
    rule_key = models.CharField(
        _("对应政策规则"),
        max_length=40,
        blank=True,
        help_text=_("目标值由“政策规则”中的该项给出时填写（修改一处即可）"),
    )
    source = models.CharField(_("政策依据"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("governance:target_detail", kwargs={"code": self.code})

    @property
    def scopes(self) -> list[str]:
        return [
            s
            for s, on in (("city", self.for_city), ("county", self.for_county), ("school", self.for_school))
            if on
        ]
