"""Bad import rows are named by row and column in Chinese; nothing is saved. Bad API input names the field."""

import pytest
from rest_framework.test import APIClient

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.schools import views
from xiaoqitong.schools.models import SchoolMajor, Student, Teacher

from ..orgs.factories import SchoolFactory, UserFactory
from .factories import SchoolMajorFactory
from .test_pipl import student_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def import_job(client, config, rows, capture):
    with capture(execute=True):
        client.post(config.url_for("import"), {"file": csv_upload(rows)})
    return ImportJob.objects.latest("pk")


def found(job) -> dict:
    return {(e["row"], e["column"]): e["message"] for e in job.errors}


def test_student_rows(root_client, django_capture_on_commit_callbacks):
    school_major = SchoolMajorFactory(year=2024)
    school = school_major.school
    rows = [
        student_row(school),
        student_row(school, 学号="2", 专业代码="710201"),  # the school runs no 710201
        student_row(school, 学号="3", 性别="未知"),
        student_row(school, 学号="4", 技能="机械制图:大师、飞檐走壁"),
        student_row(school, 学号="5", 入学日期="九月一日"),
        student_row(school, 学号="6", 生源地="新华区"),  # two counties share the name
        student_row(school, 学号="7", 意向工作地="火星县"),
        student_row(school, 学号="8", 意向产业链="航天"),
        student_row(school, 学号="9", 意向岗位类型="兼职"),
        student_row(school, 学号="10", 学校代码="4143999999"),
        student_row(school, 学号="11", 姓名=""),
        student_row(school, 学号="12", 手机号="12345"),
        student_row(school, 学号="13", 年级="2025"),  # 660103 is recorded for 2024 only, before 2025
        student_row(school, 学号="14", 年级="2023"),  # fine: enrolled 2023, in school in 2024
    ]
    job = import_job(root_client, views.StudentViews, rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    errors = found(job)
    assert not any(e["row"] == 2 for e in job.errors)
    assert "没有开设专业“710201”的记录" in errors[(3, "专业代码")]
    assert "“未知”不是可选值" in errors[(4, "性别")]
    assert "“大师”不是可选值" in errors[(5, "技能")] and "飞檐走壁" in errors[(5, "技能")]
    assert "不是日期" in errors[(6, "入学日期")]
    assert "有重名" in errors[(7, "生源地")]
    assert "火星县" in errors[(8, "意向工作地")]
    assert "航天" in errors[(9, "意向产业链")]
    assert "“兼职”不是可选值" in errors[(10, "意向岗位类型")]
    assert "4143999999" in errors[(11, "学校代码")]
    assert (12, "姓名") in errors
    assert "手机号" in errors[(13, "手机号")] or "11 位" in errors[(13, "手机号")]
    assert "只有 2024 年度的记录" in errors[(14, "专业代码")] and "2025 年度起" in errors[(14, "专业代码")]
    assert not any(e["row"] == 15 for e in job.errors)
    assert all(e["column"] for e in job.errors), job.errors
    assert not Student.objects.exists()


def test_school_major_rows(root_client, django_capture_on_commit_callbacks):
    school = SchoolFactory(school_type="secondary")
    base = {
        "学校代码": school.code,
        "专业代码": "660103",
        "年度": "2024",
        "学制": "三年制",
        "招生计划": "50",
        "实际招生": "40",
        "在校生数": "120",
        "预计毕业生数": "40",
        "实际毕业生数": "",
        "省级高水平专业（群）": "否",
        "优质专业（群）": "否",
        "对接产业链": "",
    }
    rows = [
        base,
        base | {"专业代码": "460103"},  # an associate major at a 中职 school
        base | {"专业代码": "710201", "学制": "五年一贯制"},
        base | {"专业代码": "999999"},
        base | {"专业代码": "660301", "实际招生": "200"},
        base | {"专业代码": "660302", "对接产业链": "装备制造、航空航天"},
        base | {"专业代码": "660303", "在校生数": "很多"},
    ]
    job = import_job(root_client, views.SchoolMajorViews, rows, django_capture_on_commit_callbacks)
    errors = found(job)
    assert "只能开设中职专业" in errors[(3, "专业代码")]
    assert "五年一贯制只适用于高职专科专业" in errors[(4, "学制")]
    assert "999999" in errors[(5, "专业代码")]
    assert "不能多于在校生数" in errors[(6, "实际招生")]
    assert "航空航天" in errors[(7, "对接产业链")]
    assert "不是整数" in errors[(8, "在校生数")]
    assert not SchoolMajor.objects.exists()


def test_teacher_rows(root_client, django_capture_on_commit_callbacks):
    school = SchoolFactory()
    row = {
        "学校代码": school.code,
        "工号": "T1",
        "姓名": "某老师",
        "聘任方式": "专任",
        "“双师型”教师": "是",
        "“双师型”认定日期": "",
        "“双师型”认定依据": "",
        "职称": "教授",
        "教学名师": "",
        "特岗教师": "也许",
        "手机号": "",
        "本职单位统一社会信用代码": "",
    }
    job = import_job(root_client, views.TeacherViews, [row], django_capture_on_commit_callbacks)
    errors = found(job)
    assert "认定日期" in errors[(2, "“双师型”认定日期")]
    assert "“教授”不是可选值" in errors[(2, "职称")]
    assert "应为“是”或“否”" in errors[(2, "特岗教师")]
    assert not Teacher.objects.exists()


def test_missing_and_unknown_columns_and_duplicates(root_client, django_capture_on_commit_callbacks):
    school_major = SchoolMajorFactory(year=2024)
    row = student_row(school_major.school)
    job = import_job(root_client, views.StudentViews, [row, row], django_capture_on_commit_callbacks)
    assert job.errors == [{"row": 3, "column": "学校代码、学号", "message": "与第 2 行重复"}]
    partial = {k: v for k, v in row.items() if k != "技能"} | {"备注": "x"}
    job = import_job(root_client, views.StudentViews, [partial], django_capture_on_commit_callbacks)
    messages = {e["message"]: e["column"] for e in job.errors}
    assert messages["缺少列"] == "技能"
    assert messages["无法识别的列（请使用下载的模板）"] == "备注"


def test_api_names_the_field():
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    school = SchoolFactory(school_type="secondary")
    response = api.post(
        "/api/v1/schools/school-majors/",
        {"school": school.code, "major": "460103", "year": 2024},
        format="json",
    )
    assert response.status_code == 400 and "只能开设中职专业" in str(response.data["major"])
    school_major = SchoolMajorFactory(school=school, year=2024)
    response = api.post(
        "/api/v1/schools/students/",
        {
            "school": school.code,
            "school_major": school_major.pk,
            "student_no": "1",
            "name": "甲",
            "grade": 2024,
            "skills": [{"skill": "飞檐走壁", "level": "expert"}],
            "preferred_position_types": ["part_time"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "飞檐走壁" in str(response.data["skills"])
    assert "preferred_position_types" in response.data
