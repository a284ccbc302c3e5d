"""The annual quality report's services: who may request which report and the refusals, versions, the build
end to end on a small data set (steps and progress saved as it goes, files, notification), a rebuild that
renders the same HTML byte for byte from the stored data, the path without a CJK font, a failure that keeps
its error and no file, the xlsx annex (a sheet per table, formulas escaped), and one real PDF."""

import datetime as dt
import io
import json
import shutil
import subprocess
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.orgs.factories import DepartmentFactory, SchoolEnrolmentFactory, SchoolFactory, user_with_role
from tests.schools.factories import TeacherFactory
from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.governance.choices import AssessmentStatus, MilestoneStatus, PartyRole, ReportStatus
from xiaoqitong.governance.models import Assessment, Milestone, QualityReport, SchoolScore, Task, TaskParty
from xiaoqitong.governance.policies.reports import report_department_id
from xiaoqitong.governance.report import data as report_data
from xiaoqitong.governance.report import pdf as report_pdf
from xiaoqitong.governance.services import reports as services
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department

pytestmark = pytest.mark.django_db
YEAR = 2025
FAKE_PDF = b"%PDF-1.7 fake\n%%EOF\n"


# --- the scene ------------------------------------------------------------------------------------------
def report_department():
    """A department made the lead of annex task 7 (the quality report), as the responsibility list says."""
    dept = DepartmentFactory(code="T-JYJ", name="测试市教育局", short_name="市教育局")
    task = Task.objects.filter(number=7).first() or Task.objects.create(
        number=7, text="建立职业教育质量年度报告制度", lead_text="市教育局", responsible_text="市属各职业院校"
    )
    TaskParty.objects.filter(task=task, role=PartyRole.LEAD).delete()
    TaskParty.objects.create(task=task, role=PartyRole.LEAD, department=dept)
    return dept


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fast_pdf():
    """WeasyPrint is slow-ish: every build but one gets a stand-in PDF."""
    with mock.patch.object(report_pdf, "html_to_pdf", return_value=FAKE_PDF) as fake:
        yield fake


@pytest.fixture
def scene(media_root, fast_pdf):
    dept = report_department()
    a = SchoolFactory(name="测试甲职业学校")
    b = SchoolFactory(name="测试乙职业学校", school_type="associate")
    SchoolEnrolmentFactory(school=a, year=YEAR, full_time_students=1500)
    SchoolEnrolmentFactory(school=b, year=YEAR, full_time_students=4200)
    for n in range(4):
        TeacherFactory(school=a, is_dual_qualified=n < 3)
    TeacherFactory(school=a, employment="part_time")
    return {
        "officer": user_with_role(Role.GOV_OFFICER, department=dept),
        "other_officer": user_with_role(Role.GOV_OFFICER),
        "researcher": user_with_role(Role.RESEARCHER),
        "a": a,
        "b": b,
        "admin_a": user_with_role(Role.SCHOOL_ADMIN, school=a),
        "teacher_a": user_with_role(Role.TEACHER, school=a),
        "admin_b": user_with_role(Role.SCHOOL_ADMIN, school=b),
    }


def built(actor, captured, school=None, year=YEAR) -> QualityReport:
    """Request a report and run its build (the task runs eagerly on commit)."""
    with captured(execute=True):
        report = services.report_request(actor=actor, year=year, school=school)
    report.refresh_from_db()
    return report


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


# --- who requests, and the refusals ----------------------------------------------------------------------
def test_the_report_department_is_the_lead_of_task_7_else_the_education_bureau(scene):
    assert report_department_id() == Department.objects.get(code="T-JYJ").pk
    TaskParty.objects.filter(task__number=7).delete()
    fallback = Department.objects.filter(code="CZ-JYJ").first() or DepartmentFactory(code="CZ-JYJ")
    assert report_department_id() == fallback.pk


def test_request_queues_a_version_and_the_build_on_commit(scene, django_capture_on_commit_callbacks):
    with (
        mock.patch("xiaoqitong.governance.tasks.report_build.apply_async") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = services.report_request(actor=scene["officer"], year=YEAR)
    assert delay.call_count == 1 and delay.call_args.args[0] == (report.pk,)
    assert (report.year, report.school, report.version, report.status) == (YEAR, None, 1, ReportStatus.QUEUED)
    assert report.created_by == scene["officer"]
    assert AuditLog.objects.filter(verb="report_request", object_id=str(report.pk)).count() == 1


@pytest.mark.parametrize(
    ("year", "message"), [(2020, "2021"), (None, "未来")], ids=["before the policy", "in the future"]
)
def test_request_refuses_a_year_before_2021_or_in_the_future(scene, year, message):
    year = year or timezone.localdate().year + 1
    with pytest.raises(ValidationError) as exc:
        services.report_request(actor=scene["officer"], year=year)
    assert message in " ".join(exc.value.messages)
    assert not QualityReport.objects.exists()


def test_request_refuses_while_a_build_of_the_same_report_runs(scene):
    with mock.patch.object(services, "_queue"):
        services.report_request(actor=scene["officer"], year=YEAR)
        with pytest.raises(ValidationError, match="正在生成"):
            services.report_request(actor=scene["officer"], year=YEAR)
        # Another year, or a school's report of the year, is not held up.
        services.report_request(actor=scene["officer"], year=YEAR - 1)
        services.report_request(actor=scene["officer"], year=YEAR, school=scene["a"])
    assert QualityReport.objects.count() == 3


@pytest.mark.parametrize(
    ("who", "school"),
    [
        ("other_officer", None),
        ("other_officer", "a"),
        ("researcher", None),
        ("admin_a", None),
        ("admin_b", "a"),
        ("teacher_a", "a"),
    ],
)
def test_request_refuses_the_wrong_role(scene, who, school):
    with pytest.raises(PermissionDenied):
        services.report_request(actor=scene[who], year=YEAR, school=scene[school] if school else None)
    assert not QualityReport.objects.exists()


def test_a_school_administrator_requests_their_own_schools_report(scene, django_capture_on_commit_callbacks):
    report = built(scene["admin_a"], django_capture_on_commit_callbacks, school=scene["a"])
    assert report.status == ReportStatus.DONE
    assert report.data["meta"]["title"] == "测试甲职业学校职业教育质量年度报告（2025年度）"
    html = read(report.html).decode()
    assert "测试甲职业学校" in html and "测试乙职业学校" not in html


# --- the build -------------------------------------------------------------------------------------------
def test_build_end_to_end(scene, django_capture_on_commit_callbacks):
    report = built(scene["officer"], django_capture_on_commit_callbacks)
    assert (report.status, report.progress, report.error) == (ReportStatus.DONE, 100, "")
    assert report.finished_at is not None
    html = read(report.html).decode()
    assert "郴州市职业教育质量年度报告（2025年度）" in html
    assert "数据来源：校企通平台" in html and "第 1 版" in html
    for title in (
        "基本情况",
        "目标达成",
        "人才培养",
        "校企合作与产教融合",
        "师资队伍",
        "学校考核",
        "责任清单落实",
        "存在问题与下一步",
    ):
        assert title in html
    assert "本年度考核尚未发布" in html
    assert "暂无数据" in html  # e.g. 乙 has no teachers, and there are no graduate outcomes
    assert "<script" not in html and "<svg" in html
    assert "@page" in html and "counter(page)" in html
    assert read(report.pdf) == FAKE_PDF
    assert read(report.xlsx)[:2] == b"PK"
    # The data is plain JSON and holds what the report says.
    assert json.loads(json.dumps(report.data)) == report.data
    basics = report.data["sections"][0]
    schools = next(t for t in basics["tables"] if t["key"] == "schools")
    rows = {r[0]: r for r in schools["rows"]}
    assert rows["测试甲职业学校"][4] == 1500 and rows["测试甲职业学校"][6] == 4
    assert rows["测试乙职业学校"][6] is None  # no teachers: no data, not zero
    # The requester hears of it; the build is in the audit log.
    assert Notification.objects.filter(user=scene["officer"], text__contains="已生成").exists()
    assert AuditLog.objects.filter(verb="report_build", object_id=str(report.pk)).exists()


def test_build_saves_each_step_and_rising_progress(scene):
    with mock.patch.object(services, "_queue"):
        report = services.report_request(actor=scene["officer"], year=YEAR)
    seen = []
    real = services._mark

    def spy(report_id, **fields):
        real(report_id, **fields)
        row = QualityReport.objects.get(pk=report_id)  # each UPDATE is visible at once
        seen.append((row.progress, row.step, row.status))

    with mock.patch.object(services, "_mark", spy):
        services.report_build(report_id=report.pk)
    progress = [p for p, _s, _st in seen]
    assert progress == sorted(progress) and progress[-1] == 100
    steps = [s for _p, s, _st in seen]
    for step in ("收集数据", "生成网页版", "生成 PDF", "生成数据附表", "已完成"):
        assert step in steps
    assert {st for _p, _s, st in seen[:-1]} == {ReportStatus.RUNNING}


def test_a_report_not_queued_is_left_alone(scene, django_capture_on_commit_callbacks):
    report = built(scene["officer"], django_capture_on_commit_callbacks)
    assert services.report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_a_new_version_follows_the_last(scene, django_capture_on_commit_callbacks):
    first = built(scene["officer"], django_capture_on_commit_callbacks)
    second = built(scene["officer"], django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    assert "第 2 版" in read(second.html).decode()


def test_rebuild_renders_the_same_html_from_the_stored_data(scene, django_capture_on_commit_callbacks):
    report = built(scene["officer"], django_capture_on_commit_callbacks)
    before = read(report.html)
    data = report.data
    # The platform's records change after the build ...
    SchoolEnrolmentFactory(school=SchoolFactory(name="测试丙职业学校"), year=YEAR, full_time_students=999)
    TeacherFactory(school=scene["b"])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_rebuild(actor=scene["officer"], report=report)
    report.refresh_from_db()
    # ... but the version renders again from its own data, byte for byte.
    assert report.status == ReportStatus.DONE and report.version == 1
    assert report.data == data
    assert read(report.html) == before
    assert AuditLog.objects.filter(verb="report_rebuild", object_id=str(report.pk)).count() == 1
    # A new version reads the records as they are now.
    assert "测试丙职业学校" in read(built(scene["officer"], django_capture_on_commit_callbacks).html).decode()


def test_rebuild_refusals(scene, django_capture_on_commit_callbacks):
    with mock.patch.object(services, "_queue"):
        running = services.report_request(actor=scene["officer"], year=YEAR)
    with pytest.raises(ValidationError, match="正在生成"):
        services.report_rebuild(actor=scene["officer"], report=running)
    QualityReport.objects.filter(pk=running.pk).update(status=ReportStatus.FAILED)
    with pytest.raises(ValidationError, match="没有可重新生成的数据"):
        services.report_rebuild(actor=scene["officer"], report=running)
    done = built(scene["officer"], django_capture_on_commit_callbacks, year=YEAR - 1)
    with pytest.raises(PermissionDenied):
        services.report_rebuild(actor=scene["other_officer"], report=done)


def test_without_a_cjk_font_the_report_completes_without_a_pdf(
    scene, django_capture_on_commit_callbacks, fast_pdf
):
    with mock.patch.object(report_pdf, "cjk_font_available", return_value=False):
        report = built(scene["officer"], django_capture_on_commit_callbacks)
    fast_pdf.assert_not_called()  # no boxes: WeasyPrint is not even asked
    assert report.status == ReportStatus.DONE and report.progress == 100
    assert not report.pdf
    assert report.error == (
        "服务器未安装中文字体（如 Debian 的 fonts-noto-cjk），无法生成 PDF；网页版和数据附表不受影响"
    )
    assert report.html and report.xlsx


def test_a_failure_keeps_the_error_and_no_file(scene, django_capture_on_commit_callbacks, media_root):
    with mock.patch.object(services, "build_xlsx", side_effect=RuntimeError("磁盘已满")):
        report = built(scene["officer"], django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.FAILED
    assert "生成数据附表失败" in report.error and "磁盘已满" in report.error
    assert not report.html and not report.pdf and not report.xlsx
    assert not any(p.is_file() for p in media_root.rglob("*"))  # nothing half-made on disk
    assert report.data  # the data step had finished: the version can be rebuilt
    assert Notification.objects.filter(user=scene["officer"], text__contains="失败").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_rebuild(actor=scene["officer"], report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == "" and report.xlsx


def test_xlsx_has_a_sheet_per_table_with_chinese_headers_and_escaped_formulas(
    scene, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    scene["b"].name = '=HYPERLINK("http://x")'
    scene["b"].save(update_fields=["name"])
    report = built(scene["officer"], django_capture_on_commit_callbacks)
    book = load_workbook(io.BytesIO(read(report.xlsx)))
    tables = [t for s in report.data["sections"] for t in s["tables"]]
    assert len(book.sheetnames) == len(tables)
    assert book.sheetnames[0].startswith("1.")
    sheet = book[next(n for n in book.sheetnames if "学校基本情况" in n)]
    assert [c.value for c in sheet[1]][:3] == ["学校", "办学层次", "举办性质"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")' in names
    assert "暂无数据" in [c.value for row in sheet.iter_rows(min_row=2) for c in row]


def test_assessment_tasks_and_problems_sections(scene, django_capture_on_commit_callbacks):
    assessment = Assessment.objects.create(
        year=YEAR, status=AssessmentStatus.PUBLISHED, published_at=timezone.now()
    )
    SchoolScore.objects.create(assessment=assessment, school=scene["a"], total=88.5, rank=1)
    SchoolScore.objects.create(assessment=assessment, school=scene["b"], total=70, rank=2)
    task = Task.objects.get(number=7)
    Milestone.objects.create(
        task=task, title="制定报告制度", due_date=dt.date(YEAR, 3, 31), status=MilestoneStatus.OPEN
    )
    Milestone.objects.create(
        task=task, title="发布年度报告", due_date=dt.date(YEAR, 6, 30), status=MilestoneStatus.DONE
    )
    report = built(scene["officer"], django_capture_on_commit_callbacks)
    sections = {s["key"]: s for s in report.data["sections"]}
    ranking = sections["assessment"]["tables"][0]["rows"]
    assert ranking[0][:2] == [1, "测试甲职业学校"]
    tasks = sections["tasks"]["tables"][0]["rows"]
    seven = next(r for r in tasks if r[0] == 7)
    assert seven[3:6] == [2, 1, 1]
    assert any("任务 7" in p and "逾期" in p for p in sections["problems"]["problems"])
    html = read(report.html).decode()
    assert "88.5" in html and "有逾期" in html
    # The school's report shows its own score with its rank.
    school = built(scene["admin_a"], django_capture_on_commit_callbacks, school=scene["a"])
    part = next(s for s in school.data["sections"] if s["key"] == "assessment")
    assert "排名第 1" in part["paragraphs"][0]


def test_collect_reads_no_data_as_no_data_not_zero(scene):
    data = report_data.collect(year=YEAR)
    talent = next(s for s in data["sections"] if s["key"] == "talent")
    assert "暂无数据" in talent["empty"]
    assert data["meta"]["generated_on"] == timezone.localdate().isoformat()


@pytest.mark.skipif(not report_pdf.cjk_font_available(), reason="needs a CJK font (fonts-noto-cjk)")
def test_a_real_pdf_with_a_cjk_font(scene, django_capture_on_commit_callbacks):
    with mock.patch.object(report_pdf, "html_to_pdf", wraps=_real_html_to_pdf):
        report = built(scene["officer"], django_capture_on_commit_callbacks)
    body = read(report.pdf)
    assert body.startswith(b"%PDF") and len(body) > 20_000
    if shutil.which("pdffonts"):  # poppler-utils: the Noto CJK font is embedded
        path = media_root_of(report)
        command = [shutil.which("pdffonts"), path]
        fonts = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
        assert "CJK" in fonts


def media_root_of(report) -> str:
    return report.pdf.path


def _real_html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
