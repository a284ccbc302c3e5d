"""Personal information (PIPL, DESIGN rule 4): what each person sees of a student, masked phones, the
record of every profile view, and ID card numbers that never reach the database."""

import datetime as dt

import pytest
import tablib
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools import selectors, views
from xiaoqitong.schools.models import Student
from xiaoqitong.schools.validators import id_card_hash, make_id_card

from ..orgs.factories import user_with_role
from .factories import SchoolMajorFactory, StudentFactory, TeacherFactory, region, student_account

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
MASKED = "138****5678"


def clients(user):
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return page, api


@pytest.fixture
def student():
    s = StudentFactory(
        name="欧阳明轩",
        student_no="2024XQ01",
        phone=PHONE,
        gender="male",
        birth_year=2008,
        hometown=region(),
        consent="full",
    )
    return s


def seen(user, student):
    """(detail page HTML, API retrieve data) of ``student`` as ``user`` sees them."""
    page, api = clients(user)
    html = page.get(views.StudentViews.url_for("detail", student)).content.decode()
    data = api.get(f"/api/v1/schools/students/{student.pk}/").data
    return html, data


def test_phone_in_the_clear_only_for_the_school_administrator_and_the_student(student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    teacher = user_with_role(Role.TEACHER, school=student.school)
    hr = user_with_role(Role.ENTERPRISE_HR)
    own = student_account(student)
    for user, expected in ((admin, PHONE), (own, PHONE), (teacher, MASKED), (hr, MASKED)):
        html, data = seen(user, student)
        assert data["phone"] == expected, user.role
        assert expected in html, user.role
        if expected == MASKED:
            assert PHONE not in html and PHONE not in str(data), user.role
    # lists too
    _page, api = clients(teacher)
    assert api.get("/api/v1/schools/students/").data["results"][0]["phone"] == MASKED


def test_enterprises_never_see_gender_birth_year_or_hometown(student):
    hr = user_with_role(Role.ENTERPRISE_HR)
    html, data = seen(hr, student)
    assert data["name"] == "欧阳明轩" and "欧阳明轩" in html
    for key in ("gender", "birth_year", "hometown", "consent", "has_id_card"):
        assert key not in data
    assert "出生年份" not in html and "生源地" not in html and "性别" not in html


def test_deidentified_profiles_show_no_name_phone_or_student_number(student):
    Student.objects.filter(pk=student.pk).update(consent="deidentified")
    student.refresh_from_db()
    for role in (Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR):
        user = user_with_role(role)
        html, data = seen(user, student)
        for secret in ("欧阳明轩", "2024XQ01", PHONE, MASKED):
            assert secret not in html, (role, secret)
            assert secret not in str(data), (role, secret)
        assert "name" not in data and "student_no" not in data and "phone" not in data
        assert data["label"] == f"匿名学生 #{student.pk}" and data["major_name"]
        assert f"匿名学生 #{student.pk}" in html
        page, api = clients(user)
        listing = page.get(views.StudentViews.url_for("list")).content.decode()
        assert "欧阳明轩" not in listing and "2024XQ01" not in listing and "匿名学生" in listing
        assert "欧阳明轩" not in str(api.get("/api/v1/schools/students/").data)


def test_a_deidentified_profile_cannot_be_found_by_name_or_sorted_by_it(student):
    hidden = StudentFactory(name="司马静怡", consent="deidentified")
    hr = user_with_role(Role.ENTERPRISE_HR)
    page, api = clients(hr)
    assert api.get("/api/v1/schools/students/", {"q": "司马"}).data["count"] == 0
    assert api.get("/api/v1/schools/students/", {"q": "欧阳"}).data["count"] == 1  # full consent
    assert api.get("/api/v1/schools/students/", {"q": hidden.student_no}).data["count"] == 0
    ordered = api.get("/api/v1/schools/students/", {"ordering": "name"}).data
    default = api.get("/api/v1/schools/students/").data
    assert [r["id"] for r in ordered["results"]] == [r["id"] for r in default["results"]]
    html = page.get(views.StudentViews.url_for("list") + "?q=司马").content.decode()
    assert "匿名学生" not in html
    # the school still finds its own students by name
    admin = user_with_role(Role.SCHOOL_ADMIN, school=hidden.school)
    _page, api = clients(admin)
    assert api.get("/api/v1/schools/students/", {"q": "司马"}).data["count"] == 1


def test_students_without_consent_are_invisible_to_enterprises():
    StudentFactory(consent="none")
    hr = user_with_role(Role.ENTERPRISE_HR)
    _page, api = clients(hr)
    assert api.get("/api/v1/schools/students/").data["count"] == 0


def test_the_enterprises_app_can_extend_visibility_to_its_applicants():
    applicant = StudentFactory(consent="none", name="申请人甲")
    StudentFactory(consent="none")
    hr = user_with_role(Role.ENTERPRISE_HR)

    def applied(user):
        from django.db.models import Q

        return Q(pk__in=[applicant.pk]) if user.enterprise_id else Q(pk__in=[])

    selectors.extend_enterprise_visibility(applied)
    try:
        page, api = clients(hr)
        data = api.get("/api/v1/schools/students/").data
        assert data["count"] == 1 and data["results"][0]["name"] == "申请人甲"
        html, _data = seen(hr, applicant)
        assert "申请人甲" in html
        listing = page.get(views.StudentViews.url_for("list")).content.decode()
        assert "申请人甲" in listing
    finally:
        selectors._enterprise_rules.remove(applied)


def test_each_profile_view_is_recorded(student):
    hr = user_with_role(Role.ENTERPRISE_HR)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    seen(hr, student)
    seen(admin, student)
    _page, api = clients(hr)
    api.get("/api/v1/schools/students/")  # lists are not profile views
    views_of = AuditLog.objects.filter(action="view", verb="student_profile_view", object_id=str(student.pk))
    assert views_of.count() == 4
    assert sorted(views_of.values_list("actor_id", "changes__access")) == sorted(
        [(hr.pk, "full"), (hr.pk, "full"), (admin.pk, "owner"), (admin.pk, "owner")]
    )


def test_teacher_phones_are_masked_outside_their_school():
    teacher = TeacherFactory(phone=PHONE)
    officer = user_with_role(Role.GOV_OFFICER)
    colleague = user_with_role(Role.TEACHER, school=teacher.school)
    for user, expected in ((officer, MASKED), (colleague, PHONE)):
        page, api = clients(user)
        assert api.get(f"/api/v1/schools/teachers/{teacher.pk}/").data["phone"] == expected
        html = page.get(views.TeacherViews.url_for("detail", teacher)).content.decode()
        assert expected in html
        if expected == MASKED:
            assert PHONE not in html


# --- ID card numbers --------------------------------------------------------------------------------------
def every_stored_text() -> str:
    """Every value of every table of the database, as one text (SQLite and PostgreSQL)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)


def student_row(school, **overrides):
    row = {
        "学校代码": school.code,
        "学号": "2024101",
        "姓名": "钟一",
        "性别": "男",
        "出生年份": "2008",
        "生源地": "",
        "专业代码": "660103",
        "年级": "2024",
        "入学日期": "",
        "预计毕业日期": "",
        "手机号": "",
        "对企业公开简历": "",
        "状态": "",
        "技能": "",
        "意向产业链": "",
        "意向工作地": "",
        "意向岗位类型": "",
        "期望月薪（元）": "",
    }
    return row | overrides


def test_id_card_numbers_are_hashed_and_never_stored(django_capture_on_commit_callbacks):
    school_major = SchoolMajorFactory(year=2024)
    number = make_id_card("431002", dt.date(2008, 3, 15), 123)
    lower = number[:-1] + number[-1].lower()
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    page, _api = clients(admin)
    rows = [student_row(school_major.school, **{"身份证号": f" {lower} "})]
    with django_capture_on_commit_callbacks(execute=True):
        page.post(views.StudentViews.url_for("import"), {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    student = Student.objects.get(student_no="2024101")
    assert student.id_card_hash == id_card_hash(number) and len(student.id_card_hash) == 64
    stored = every_stored_text()
    assert number not in stored and number[:17] not in stored
    assert not AuditLog.objects.filter(changes__icontains=number[:17]).exists()
    # not exported either, and the API only says that one is on file
    export = page.get(views.StudentViews.url_for("list") + "?export=csv").content.decode("utf-8-sig")
    assert "身份证号" not in export and number[:17] not in export
    data = APIClient()
    data.force_authenticate(admin)
    body = data.get(f"/api/v1/schools/students/{student.pk}/").data
    assert body["has_id_card"] is True and number[:17] not in str(body)


def test_a_bad_id_card_number_is_refused_without_repeating_it():
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    good = make_id_card("431002", dt.date(2008, 3, 15), 7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    resource = resource_for(Student)()
    resource.actor = admin
    row = student_row(school_major.school, **{"身份证号": bad})
    data = tablib.Dataset(headers=list(row))
    data.append(list(row.values()))
    errors, _totals = run_import(resource, data, dry_run=False)
    assert errors == [{"row": 2, "column": "身份证号", "message": "身份证号校验位不正确，请核对。"}]
    assert not Student.objects.exists()
    assert bad[:17] not in every_stored_text()


def test_the_id_card_column_may_be_left_out(django_capture_on_commit_callbacks):
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    page, _api = clients(admin)
    with django_capture_on_commit_callbacks(execute=True):
        page.post(
            views.StudentViews.url_for("import"), {"file": csv_upload([student_row(school_major.school)])}
        )
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    assert job.summary["new"] == 1


def test_id_card_through_the_api_and_the_form():
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    page, api = clients(admin)
    number = make_id_card("431002", dt.date(2007, 1, 2), 55)
    payload = {
        "school": school_major.school.code,
        "school_major": school_major.pk,
        "student_no": "A1",
        "name": "接口生",
        "grade": 2024,
    }
    bad = api.post("/api/v1/schools/students/", payload | {"id_card": "430000200701021234"}, format="json")
    assert bad.status_code == 400 and "id_card" in bad.data and "430000200701021234" not in str(bad.data)
    response = api.post("/api/v1/schools/students/", payload | {"id_card": number}, format="json")
    assert response.status_code == 201, response.data
    assert "id_card" not in response.data
    assert Student.objects.get(student_no="A1").id_card_hash == id_card_hash(number)
    assert number[:17] not in every_stored_text()
    form = {
        "school": school_major.school.pk,
        "school_major": school_major.pk,
        "student_no": "F1",
        "name": "表单生",
        "grade": 2024,
        "consent": "none",
        "status": "studying",
    }
    other = make_id_card("431003", dt.date(2007, 5, 6), 66)
    bad = page.post(views.StudentViews.url_for("add"), form | {"id_card": other[:-1] + "Y"})
    assert bad.status_code == 400 and "身份证号格式不正确" in bad.content.decode()
    assert page.post(views.StudentViews.url_for("add"), form | {"id_card": other}).status_code == 302
    assert Student.objects.get(student_no="F1").id_card_hash == id_card_hash(other)
    assert other[:17] not in every_stored_text()
