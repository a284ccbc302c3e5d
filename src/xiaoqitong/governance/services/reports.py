"""Every write of the annual quality report (R3, DESIGN rule 2).

- ``report_request``: a new version (the highest of the year and whom, plus one) of the city's or a school's
  report, queued; the build is queued when the request commits.
- ``report_rebuild``: a version rendered again from the data it was built from (the same HTML, byte for
  byte), e.g. once a CJK font is installed for its PDF.
- ``report_build`` (the background task): collect the data → render HTML → PDF → xlsx → done, saving the
  progress and the step on the row as it goes (small committed UPDATEs that the page polls). A failure keeps
  the error and the status failed; files are saved only once all of them are made, so no half file is left.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit, jobs
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.orgs.models import School

from ..choices import ReportStatus
from ..models import QualityReport
from ..policies.reports import may_request
from ..report import data as report_data
from ..report import pdf as report_pdf
from ..report.render import render_html
from ..report.xlsx import build_xlsx

log = logging.getLogger(__name__)

FIRST_YEAR = 2021  # the policy's year (郴政发〔2021〕9号): no report before it
RUNNING = [ReportStatus.QUEUED, ReportStatus.RUNNING]


def _queue(report_id: int) -> None:
    from ..tasks import report_build as report_build_task

    jobs.dispatch_on_commit(report_build_task, report_id)


def check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if year < FIRST_YEAR:
        raise ValidationError(
            {
                "year": _("质量年度报告从 %(first)s 年（政策出台当年）开始，不能早于该年。")
                % {"first": FIRST_YEAR}
            }
        )
    if year > this_year:
        raise ValidationError({"year": _("不能生成未来年度（%(year)s 年）的报告。") % {"year": year}})


@transaction.atomic
def report_request(*, actor, year: int, school: School | None = None) -> QualityReport:
    """Queue a new version of the report of ``year`` for the city (``school`` None) or ``school``. Refused
    before 2021 or for a future year, while a build of the same year and whom is still running, and for
    anyone but the report officers (市教育局, the lead of annex task 7) and, for a school's report, that
    school's administrators."""
    if not may_request(actor, school):
        if school is None:
            raise PermissionDenied(_("全市质量年度报告由牵头部门（市教育局）生成。"))
        raise PermissionDenied(_("学校质量年度报告由本校管理员或市教育局生成。"))
    check_year(year)
    # Lock the report's versions (ordered by pk: the model's ordering joins the school), so that two requests
    # queue one after another.
    same = list(
        QualityReport.objects.select_for_update()
        .filter(year=year, school=school)
        .order_by("pk")
        .values_list("status", "version")
    )
    if any(status in RUNNING for status, _version in same):
        raise ValidationError(_("该年度的报告正在生成，请等待完成后再生成新版本。"))
    version = max((v for _status, v in same), default=0) + 1
    report = QualityReport(
        year=year,
        school=school,
        version=version,
        status=ReportStatus.QUEUED,
        step=_("排队等待生成"),
        created_by=actor,
    )
    report.full_clean()
    report.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="report_request",
        instance=report,
        changes=audit.diff({}, audit.snapshot(report)),
    )
    _queue(report.pk)
    return report


@transaction.atomic
def report_rebuild(*, actor, report: QualityReport) -> QualityReport:
    """Render a finished (or failed) version again from its stored data: the same HTML, and the PDF and xlsx
    made again. Refused while it is being built and for a version whose data was never collected."""
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if not may_request(actor, report.school):
        raise PermissionDenied(_("只有能生成该报告的人员可以重新生成。"))
    if report.is_running:
        raise ValidationError(_("该报告正在生成，请等待完成。"))
    if not report.data:
        raise ValidationError(_("该版本在收集数据时失败，没有可重新生成的数据；请生成新版本。"))
    before = audit.snapshot(report)
    report.status = ReportStatus.QUEUED
    report.progress = 0
    report.step = _("排队等待重新生成")
    report.error = ""
    report.finished_at = None
    report.save(update_fields=["status", "progress", "step", "error", "finished_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="report_rebuild",
        instance=report,
        changes=audit.diff(before, audit.snapshot(report)),
    )
    _queue(report.pk)
    return report


def _mark(report_id: int, **fields) -> None:
    """A small UPDATE of its own (committed at once outside a transaction), so the page sees the progress."""
    QualityReport.objects.filter(pk=report_id).update(**fields, updated_at=timezone.now())


def file_name(report: QualityReport, ext: str) -> str:
    whom = report.school.code if report.school_id else "city"
    return f"quality-report-{report.year}-{whom}-v{report.version}.{ext}"


def report_build(*, report_id: int) -> QualityReport | None:
    """Build a queued report: collect the data (unless the version has it: a rebuild), render the HTML, print
    the PDF (or say why not: no CJK font), write the xlsx, then save the three files at once and mark it done.
    Progress and step are saved as it goes. Any failure marks it failed with the error; nothing half-made is
    kept. A report that is not queued (already taken by another worker) is left alone."""
    if not QualityReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=1, step=_("开始生成"), updated_at=timezone.now()
    ):
        return None
    report = QualityReport.objects.select_related("school", "created_by").get(pk=report_id)
    step = ""
    try:
        data = report.data
        if not data:
            step = _("收集数据")
            _mark(report_id, progress=5, step=step)
            data = report_data.collect(
                year=report.year,
                school=report.school,
                version=report.version,
                progress=lambda f: _mark(report_id, progress=5 + int(f * 45)),
            )
            _mark(report_id, data=data, progress=50)
        step = _("生成网页版")
        _mark(report_id, progress=55, step=step)
        html = render_html(data)
        step = _("生成 PDF")
        _mark(report_id, progress=65, step=step)
        pdf, note = None, ""
        if report_pdf.cjk_font_available():
            pdf = report_pdf.html_to_pdf(html)
        else:
            note = report_pdf.no_font_message()
        step = _("生成数据附表")
        _mark(report_id, progress=85, step=step)
        xlsx = build_xlsx(data)
        step = _("保存文件")
        _mark(report_id, progress=95, step=step)
        _save_files(report, html, pdf, xlsx)
    except Exception as exc:  # the worker must record any failure on the row, whatever it is
        log.exception("quality report %s failed at %s", report_id, step)
        message = _("%(step)s失败：%(error)s") % {"step": step or _("生成"), "error": exc}
        _mark(
            report_id, status=ReportStatus.FAILED, step=step, error=message[:2000], finished_at=timezone.now()
        )
        _tell(report, failed=True)
        return QualityReport.objects.get(pk=report_id)
    _mark(
        report_id,
        status=ReportStatus.DONE,
        progress=100,
        step=_("已完成"),
        error=note,
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    audit.record(actor=None, action=AuditAction.OTHER, verb="report_build", instance=report, changes={})
    _tell(report, failed=False)
    return report


def _save_files(report: QualityReport, html: str, pdf: bytes | None, xlsx: bytes) -> None:
    """Store the three files (all made already) and point the row at them in one UPDATE; the files of the
    version's previous build are removed once the row points at the new ones."""
    old = [f.name for f in (report.html, report.pdf, report.xlsx) if f]
    storage = report.html.storage
    made: dict[str, str] = {}
    try:
        for kind, body in (("html", html.encode("utf-8")), ("pdf", pdf), ("xlsx", xlsx)):
            if body:
                field = getattr(report, kind).field
                made[kind] = storage.save(
                    field.generate_filename(report, file_name(report, kind)), ContentFile(body)
                )
    except Exception:
        for name in made.values():
            storage.delete(name)
        raise
    _mark(report.pk, html=made["html"], pdf=made.get("pdf", ""), xlsx=made["xlsx"])
    for name in old:
        if name not in made.values():
            storage.delete(name)


def _tell(report: QualityReport, *, failed: bool) -> None:
    if report.created_by_id is None:
        return
    if failed:
        text = _("“%(report)s”生成失败，请查看原因后重试。") % {"report": report}
    else:
        text = _("“%(report)s”已生成，可以查看和下载。") % {"report": report}
    notify([report.created_by], text, report.get_absolute_url())
