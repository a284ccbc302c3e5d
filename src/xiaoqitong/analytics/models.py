"""Analytics keeps three things: the thresholds that classify fields (data, changed by officers), yearly
snapshots of the computed figures (for trends, and as the dashboards' warm cache), and which aggregate tables
officers have published to the public (``Publication``: the decision, not a copy; the table stays live)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel

from .choices import Dimension, ThresholdKey


class Threshold(BaseModel):
    """One threshold of the supply-demand classification and the warnings (the defaults:
    ``measures.Thresholds``)."""

    key = models.CharField(_("阈值"), max_length=40, choices=ThresholdKey.choices, unique=True)
    value = models.FloatField(_("取值"), validators=[MinValueValidator(0)])
    note = models.TextField(_("依据"), blank=True, help_text=_("为何取这个值，例如会议纪要或文件"))

    class Meta:
        verbose_name = _("分析阈值")
        verbose_name_plural = _("分析阈值")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}：{self.value:g}"


class Snapshot(models.Model):
    """The figures of one year, scope and dimension as computed at one time (``services.snapshot_compute``).
    The latest of each is what the dashboards show; older years stay for trends."""

    year = models.PositiveSmallIntegerField(_("学年"))
    scope = models.CharField(
        _("范围"), max_length=40, help_text=_("city、county:<区划编号> 或 school:<学校编号>")
    )
    dimension = models.CharField(_("维度"), max_length=20)
    data = models.JSONField(_("数据"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("分析快照")
        verbose_name_plural = _("分析快照")
        constraints = [
            models.UniqueConstraint(fields=["year", "scope", "dimension"], name="analytics_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.scope} {self.dimension}"


#: The dimensions a table may be published by: every one but the school (the public never sees a school's
#: figures, only the city's).
PUBLIC_DIMENSIONS = [(value, label) for value, label in Dimension.choices if value != Dimension.SCHOOL]


class Publication(BaseModel):
    """An officer's decision that the de-identified aggregates of one year and dimension are public
    (``services.publication_create``): ``/public/data/`` and the public API show exactly those tables, with
    the same suppression of small counts as researchers get. Withdrawing deletes the row."""

    year = models.PositiveSmallIntegerField(_("学年"))
    dimension = models.CharField(_("维度"), max_length=20, choices=PUBLIC_DIMENSIONS)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True, help_text=_("向公众说明本表，例如数据口径"))

    class Meta:
        verbose_name = _("公开数据")
        verbose_name_plural = _("公开数据")
        ordering = ["-year", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["year", "dimension"], name="analytics_publication_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_dimension_display()}"
