"""The annual quality report (R3, 六（十六）: 职业教育质量年度报告制度): for the city or one school and a
year, built in the background from the platform's data into HTML, PDF (with a CJK font) and an xlsx annex.
Every build is a new version; the data it was built from is kept with it, so each version can be rebuilt
exactly."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.orgs.models import School

from ..choices import ReportStatus
from .common import PERCENT, USER, YEAR


class QualityReport(BaseModel):
    """One version of the annual quality report of the city (``school`` empty) or of one school."""

    year = models.PositiveSmallIntegerField(_("报告年度"), validators=YEAR)
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, validators=PERCENT)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    data = models.JSONField(_("报告数据"), default=dict, blank=True, editable=False)
    html = models.FileField(_("网页版"), upload_to="governance/reports/%Y/", blank=True)
    pdf = models.FileField(_("PDF 版"), upload_to="governance/reports/%Y/", blank=True)
    xlsx = models.FileField(_("数据附表"), upload_to="governance/reports/%Y/", blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("质量年度报告")
        verbose_name_plural = _("质量年度报告")
        ordering = ["-year", "school__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "school", "version"], name="governance_report_version"),
            models.UniqueConstraint(
                fields=["year", "version"],
                condition=models.Q(school__isnull=True),
                name="governance_city_report",
            ),
        ]

    def __str__(self) -> str:
        whom = self.school.name if self.school_id else _("全市")
        return _("%(whom)s %(year)s 年度职业教育质量报告（第 %(v)s 版）") % {
            "whom": whom,
            "year": self.year,
            "v": self.version,
        }

    def get_absolute_url(self) -> str:
        return reverse("governance:qualityreport_detail", kwargs={"pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.status in {ReportStatus.QUEUED, ReportStatus.RUNNING}
