"""The table of the quality report list: year, whom, version, status with its progress, downloads."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import when_text

from ..models import QualityReport

ATTRS = {"class": "table table-sm table-hover align-middle"}


class QualityReportTable(tables.Table):
    year = tables.Column(verbose_name=_("报告年度"), linkify=True)
    whom = tables.Column(
        verbose_name=_("范围"), accessor="school__name", default=_("全市"), order_by=("school__code",)
    )
    version = tables.Column(verbose_name=_("版本"))
    status = tables.Column(verbose_name=_("状态"))
    created_by = tables.Column(verbose_name=_("生成人"), accessor="created_by__display_name", default="—")
    finished_at = tables.Column(verbose_name=_("完成时间"))
    downloads = tables.Column(verbose_name=_("下载"), empty_values=(), orderable=False)

    class Meta:
        model = QualityReport
        fields = ["year", "whom", "version", "status", "created_by", "finished_at"]
        attrs = ATTRS
        order_by = ("-year", "-version")

    def render_version(self, value):
        return format_html("v{}", value)

    def render_status(self, record):
        return render_to_string("governance/qualityreport_progress.html", {"report": record, "small": True})

    def render_finished_at(self, value):
        return when_text(value)

    def render_downloads(self, record):
        if record.status != "done":
            return "—"
        links = []
        for kind, label in (("html", _("网页版")), ("pdf", "PDF"), ("xlsx", "xlsx")):
            if getattr(record, kind):
                url = reverse("governance:qualityreport_download", kwargs={"pk": record.pk, "kind": kind})
                links.append(format_html('<a href="{}" class="me-2">{}</a>', url, label))
        return format_html_join("", "{}", ((link,) for link in links)) if links else "—"
