"""The issue's story, as a new school administrator lives it: download the student template, fill three rows
with one mistake, see the mistake named by row and column, fix it, import, and find the students. On the
pages, then through the API."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.models import ImportJob
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools import views

from ..orgs.factories import user_with_role
from .factories import SchoolMajorFactory

pytestmark = pytest.mark.django_db

ROWS = [
    {"学号": "2024001", "姓名": "谭晓东", "性别": "男", "专业代码": "660103", "技能": "机械制图:熟练"},
    {"学号": "2024002", "姓名": "曹雨欣", "性别": "女", "专业代码": "660103", "技能": "CAD绘图:精通"},
    {"学号": "2024003", "姓名": "邓浩然", "性别": "男", "专业代码": "660103", "技能": "数控车削编程:熟悉"},
]


def filled(template: bytes, school_code: str, rows: list[dict]) -> SimpleUploadedFile:
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        values = {"学校代码": school_code, "年级": 2024, "对企业公开简历": "匿名公开", **row}
        sheet.append([values.get(header, "") for header in headers])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("学生.xlsx", out.getvalue())


def test_school_administrator_imports_students_on_the_pages(django_capture_on_commit_callbacks):
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    page = Client()
    page.force_login(admin)
    import_url = views.StudentViews.url_for("import")

    assert "导入" in page.get(views.StudentViews.url_for("list")).content.decode()
    template = page.get(import_url + "?template=xlsx")
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]

    # One mistake: 熟悉 is not a skill level.
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(import_url, {"file": filled(template.content, school_major.school.code, ROWS)})
    job_page = page.get(response["Location"]).content.decode()
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [
        {
            "row": 4,
            "column": "技能",
            "message": "技能“数控车削编程”的水平“熟悉”不是可选值，可选：了解、熟练、精通",
        }
    ]
    assert "技能" in job_page and "熟悉" in job_page and "没有导入任何数据" in job_page
    assert "导入学生" in job_page  # the page says what the file was imported as

    fixed = [*ROWS[:2], ROWS[2] | {"技能": "数控车削编程:熟练"}]
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(import_url, {"file": filled(template.content, school_major.school.code, fixed)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID and job.summary == {"new": 3, "update": 0, "skip": 0}
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE

    listing = page.get(views.StudentViews.url_for("list") + "?q=2024").content.decode()
    for row in ROWS:
        assert row["姓名"] in listing
    assert "邓浩然" in page.get(views.StudentViews.url_for("list") + "?skill=数控车削编程").content.decode()


def test_the_same_through_the_api(django_capture_on_commit_callbacks):
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    api = APIClient()
    api.force_authenticate(admin)
    page = Client()
    page.force_login(admin)
    template = page.get(views.StudentViews.url_for("import") + "?template=xlsx").content

    def upload(rows):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                "/api/v1/core/import-jobs/",
                {"target": "schools.Student", "file": filled(template, school_major.school.code, rows)},
                format="multipart",
            )
        assert response.status_code == 201, response.data
        return api.get(f"/api/v1/core/import-jobs/{response.data['id']}/").data

    job = upload(ROWS)
    assert (
        job["status"] == "invalid" and job["errors"][0]["column"] == "技能" and job["errors"][0]["row"] == 4
    )
    job = upload([*ROWS[:2], ROWS[2] | {"技能": ""}])
    assert job["status"] == "valid"
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/core/import-jobs/{job['id']}/confirm/")
    assert api.get(f"/api/v1/core/import-jobs/{job['id']}/").data["status"] == "done"
    data = api.get("/api/v1/schools/students/", {"school": school_major.school.code}).data
    assert data["count"] == 3
    assert sorted(r["name"] for r in data["results"]) == sorted(r["姓名"] for r in ROWS)
