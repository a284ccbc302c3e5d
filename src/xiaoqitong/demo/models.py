"""What the demo generator made, so that it can refuse to run twice and delete exactly its own rows."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel


class DemoRun(BaseModel):
    """One run of ``xiaoqitong demo_data``: its scale, seed and reference date (the day the data is dated
    from; empty for runs made before it was recorded), and the primary keys of every row it created.

    ``created`` maps a model label to a list of ``[first_pk, last_pk]`` ranges (bulk inserts give one
    range per model in practice), so that ``--reset`` deletes those rows and nothing else, even on a
    database where people have added real data beside the demo."""

    scale = models.CharField(_("规模"), max_length=20)
    seed = models.BigIntegerField(_("随机种子"))
    as_of = models.DateField(_("基准日期"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created = models.JSONField(
        _("已生成的记录"), default=dict, blank=True, help_text=_("模型标签 → 主键区间列表")
    )
    counts = models.JSONField(_("各类记录数"), default=dict, blank=True)
    anchors = models.JSONField(
        _("演示账号所属机构"),
        default=dict,
        blank=True,
        help_text=_("演示账号使用的学校、企业、科研机构的编码"),
    )

    class Meta:
        verbose_name = _("演示数据生成记录")
        verbose_name_plural = _("演示数据生成记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scale} / {self.seed}"

    def pk_ranges(self, label: str) -> list[tuple[int, int]]:
        return [(int(lo), int(hi)) for lo, hi in self.created.get(label, [])]
