"""The quality report's pages and API: who sees which versions (city reports: officers and researchers; a
school's: its staff and officers), the request form and its refusals, the detail page polled by htmx until
the build ends, the report inline and its downloads (scoped: another school's is a 404), rebuild, and the
list's query count."""

from unittest import mock

import pytest
from django.urls import reverse

from tests.orgs.factories import SchoolFactory, user_with_role
from xiaoqitong.core.testing import login_clients
from xiaoqitong.governance.choices import ReportStatus
from xiaoqitong.governance.models import QualityReport
from xiaoqitong.governance.report import pdf as report_pdf
from xiaoqitong.governance.services import reports as services
from xiaoqitong.orgs.choices import Role

from .test_reports_services import FAKE_PDF, YEAR, report_department

pytestmark = pytest.mark.django_db
LIST = "/governance/quality-reports/"
API = "/api/v1/governance/reports/"


@pytest.fixture
def scene(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dept = report_department()
    a, b = SchoolFactory(name="测试甲职业学校"), SchoolFactory(name="测试乙职业学校")
    s = {
        "officer": user_with_role(Role.GOV_OFFICER, department=dept),
        "other_officer": user_with_role(Role.GOV_OFFICER),
        "researcher": user_with_role(Role.RESEARCHER),
        "admin_a": user_with_role(Role.SCHOOL_ADMIN, school=a),
        "teacher_a": user_with_role(Role.TEACHER, school=a),
        "admin_b": user_with_role(Role.SCHOOL_ADMIN, school=b),
        "hr": user_with_role(Role.ENTERPRISE_HR),
        "a": a,
        "b": b,
    }
    with mock.patch.object(report_pdf, "html_to_pdf", return_value=FAKE_PDF):
        yield s


def build(actor, school=None, year=YEAR) -> QualityReport:
    with mock.patch.object(services, "_queue"):
        report = services.report_request(actor=actor, year=year, school=school)
    return services.report_build(report_id=report.pk)


def web(user):
    return login_clients(user)[0]


def api(user):
    return login_clients(user)[1]


@pytest.fixture
def reports(scene):
    return {
        "city": build(scene["officer"]),
        "a": build(scene["admin_a"], scene["a"]),
        "b": build(scene["officer"], scene["b"]),
    }


# --- who sees what ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", {"city", "a", "b"}),
        ("other_officer", {"city", "a", "b"}),
        ("researcher", {"city"}),
        ("admin_a", {"a"}),
        ("teacher_a", {"a"}),
        ("admin_b", {"b"}),
    ],
)
def test_each_role_sees_its_reports_on_the_page_and_the_api(scene, reports, who, sees):
    expected = {reports[k].pk for k in sees}
    response = web(scene[who]).get(LIST)
    assert response.status_code == 200
    assert {r.record.pk for r in response.context["table"].rows} == expected
    body = api(scene[who]).get(API).json()
    assert {r["id"] for r in body["results"]} == expected
    for key, report in reports.items():
        code = 200 if key in sees else 404
        assert web(scene[who]).get(report.get_absolute_url()).status_code == code
        assert web(scene[who]).get(f"{LIST}{report.pk}/download/xlsx/").status_code == code
        assert api(scene[who]).get(f"{API}{report.pk}/").status_code == code


def test_enterprise_staff_and_anonymous_are_kept_out(scene, reports, client):
    assert web(scene["hr"]).get(LIST).status_code == 403
    assert web(scene["hr"]).get(reports["city"].get_absolute_url()).status_code == 404
    assert api(scene["hr"]).get(API).status_code == 403
    assert client.get(LIST).status_code == 302
    assert client.get(API).status_code in (401, 403)


def test_list_runs_a_fixed_number_of_queries(scene):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n: int) -> tuple[int, int]:
        for year in range(2021, 2021 + n):
            if not QualityReport.objects.filter(year=year).exists():
                build(scene["officer"], year=year)
                build(scene["officer"], scene["a"], year=year)
        client, api_client = web(scene["officer"]), api(scene["officer"])
        client.get(LIST), api_client.get(API)  # warm the session and caches
        with CaptureQueriesContext(connection) as page:
            assert len(client.get(LIST).context["table"].rows) == 2 * n
        with CaptureQueriesContext(connection) as listed:
            assert len(api_client.get(API).json()["results"]) == 2 * n
        return len(page), len(listed)

    assert count(1) == count(5)


# --- the request form ------------------------------------------------------------------------------------
def test_request_form_is_shown_to_those_who_may_request(scene):
    assert web(scene["officer"]).get(LIST).context["form"] is not None
    assert web(scene["admin_a"]).get(LIST).context["form"] is not None
    assert web(scene["researcher"]).get(LIST).context["form"] is None
    assert web(scene["other_officer"]).get(LIST).context["form"] is None
    # A school administrator can only pick their own school.
    form = web(scene["admin_a"]).get(LIST).context["form"]
    assert list(form.fields["school"].queryset) == [scene["a"]]


def test_request_from_the_page_goes_to_the_report(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = web(scene["officer"]).post(f"{LIST}add/", {"year": YEAR, "school": ""})
    report = QualityReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.school is None


def test_request_refusal_is_shown_in_chinese(scene):
    with mock.patch.object(services, "_queue"):
        web(scene["officer"]).post(f"{LIST}add/", {"year": YEAR, "school": ""})
        response = web(scene["officer"]).post(f"{LIST}add/", {"year": YEAR, "school": ""})
    assert response.status_code == 400
    assert "正在生成" in response.content.decode()
    response = web(scene["admin_a"]).post(f"{LIST}add/", {"year": YEAR, "school": scene["b"].code})
    assert response.status_code == 400
    assert QualityReport.objects.count() == 1


# --- the detail page, the files, rebuild -------------------------------------------------------------------
def test_detail_page_is_polled_while_running_and_shows_the_report_when_done(scene):
    with mock.patch.object(services, "_queue"):
        report = services.report_request(actor=scene["officer"], year=YEAR)
    client = web(scene["officer"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队中" in page
    services.report_build(report_id=report.pk)
    part = client.get(report.get_absolute_url(), HTTP_HX_REQUEST="true")
    text = part.content.decode()
    assert "hx-trigger" not in text  # polling stops
    assert "<html" not in text.lower()[:200]  # the partial only
    assert reverse("governance:qualityreport_download", args=[report.pk, "pdf"]) in text
    assert reverse("governance:qualityreport_html", args=[report.pk]) in text  # the frame


def test_html_inline_and_downloads(scene, reports):
    client = web(scene["officer"])
    report = reports["city"]
    html = client.get(f"{LIST}{report.pk}/html/")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert not html.get("Content-Disposition", "").startswith("attachment")
    assert "script-src 'none'" in html["Content-Security-Policy"]
    assert "郴州市职业教育质量年度报告" in b"".join(html.streaming_content).decode()
    pdf = client.get(f"{LIST}{report.pk}/download/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content) == FAKE_PDF
    assert client.get(f"{LIST}{report.pk}/download/exe/").status_code == 404


def test_no_font_message_on_the_page(scene):
    with mock.patch.object(report_pdf, "cjk_font_available", return_value=False):
        report = build(scene["officer"])
    page = web(scene["officer"]).get(report.get_absolute_url()).content.decode()
    assert "服务器未安装中文字体" in page
    assert reverse("governance:qualityreport_download", args=[report.pk, "pdf"]) not in page
    assert web(scene["officer"]).get(f"{LIST}{report.pk}/download/pdf/").status_code == 404


def test_rebuild_from_the_page(scene, reports, django_capture_on_commit_callbacks):
    report = reports["city"]
    with django_capture_on_commit_callbacks(execute=True):
        response = web(scene["officer"]).post(f"{LIST}{report.pk}/rebuild/")
    assert response.status_code == 302
    assert QualityReport.objects.get(pk=report.pk).status == ReportStatus.DONE
    response = web(scene["researcher"]).post(f"{LIST}{report.pk}/rebuild/", follow=True)
    assert "只有能生成该报告的人员" in response.content.decode()


# --- the API ---------------------------------------------------------------------------------------------
def test_api_request_poll_download_and_rebuild(scene, django_capture_on_commit_callbacks):
    client = api(scene["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"year": YEAR, "school": None}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    body = client.get(f"{API}{pk}/").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["pdf_available"] is True
    assert set(body["downloads"]) == {"html", "pdf", "xlsx"}
    xlsx = client.get(body["downloads"]["xlsx"])
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = client.post(f"{API}{pk}/rebuild/")
    assert rebuilt.status_code == 200 and rebuilt.json()["version"] == 1
    assert client.get(f"{API}?scope=city&year={YEAR}").json()["count"] == 1
    assert client.get(f"{API}?scope=school").json()["count"] == 0


def test_api_refusals(scene):
    assert api(scene["officer"]).post(API, {"year": 2019}, format="json").status_code == 400
    assert api(scene["other_officer"]).post(API, {"year": YEAR}, format="json").status_code == 403
    response = api(scene["admin_a"]).post(API, {"year": YEAR, "school": scene["b"].code}, format="json")
    assert response.status_code == 403 and "学校" in response.json()["detail"]
    assert not QualityReport.objects.exists()
