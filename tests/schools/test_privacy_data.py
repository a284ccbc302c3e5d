"""我的数据 and 个人信息删除申请 (PIPL 第四十五条, 第四十七条): a student downloads everything the platform
holds about them, and asks for deletion; the school administrator approves (the record is erased or
anonymised) or refuses with a reason."""

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog, ImportJob, Notification
from xiaoqitong.enterprises.models import Application
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.services import assessment as quality_services
from xiaoqitong.schools import privacy, services
from xiaoqitong.schools.models import DataRequest, Student

from ..enterprises.factories import ApplicationFactory, GraduateOutcomeFactory
from ..events.factories import RegistrationFactory
from ..orgs.factories import user_with_role
from ..quality.factories_assessment import dual_plan
from ..quality.factories_certificates import CertificateAwardFactory
from .factories import StudentFactory, student_account

pytestmark = pytest.mark.django_db
REFERENCE = re.compile(r"(^|_)(student|user)(_id|_pk|_no|_number|_name)?$")
NAME, NUMBER, PHONE = "欧阳明轩", "2024XQ77", "13912345678"


def every_stored_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.fixture
def rich(django_capture_on_commit_callbacks):
    """A student with a login and rows in many apps: an application, a grade, a certificate, an event, an
    outcome, an import job with a file, a token, notifications, profile views."""
    dual = dual_plan(students=1)
    student = dual.students[0]
    Student.objects.filter(pk=student.pk).update(
        name=NAME, student_no=NUMBER, phone=PHONE, consent="full", id_card_hash="a" * 64
    )
    student.refresh_from_db()
    user = student_account(student)
    user.email = "mingxuan@example.com"
    user.display_name = NAME
    user.save()
    application = ApplicationFactory(student=student, note=f"我是{NAME}，电话{PHONE}")
    quality_services.grade_set(
        actor=dual.teacher, plan=dual.plan, student=student, part="theory", score=88, comment="课堂表现好"
    )
    CertificateAwardFactory(student=student)
    RegistrationFactory(student=student)
    GraduateOutcomeFactory(student=student)
    job = ImportJob.objects.create(created_by=user, target="schools.Student", original_name="mine.csv")
    job.file.save("mine.csv", ContentFile(f"{NAME},{PHONE}".encode()), save=True)
    Token.objects.create(user=user)
    hr = user_with_role(Role.ENTERPRISE_HR, display_name="人事王")
    services.student_profile_view(actor=hr, student=student, access="full")
    with django_capture_on_commit_callbacks(execute=True):
        from xiaoqitong.core.notifications import notify

        notify(user, "您的申请已被查看")
        notify(hr, f"{student}投递了简历")
    return {"student": student, "user": user, "application": application, "job": job, "hr": hr, "dual": dual}


# --- what the export covers ------------------------------------------------------------------------------
def test_every_model_that_points_to_a_student_or_a_login_is_covered():
    """A new model with a foreign key to Student (or to a row that does) is exported and erased without a
    change to ``privacy``; this fails if a model refers to a student in a way the walk cannot follow."""
    covered = privacy.personal_models()
    student_model = Student._meta.label_lower
    for model in apps.get_models():
        label = model._meta.label_lower
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if field.is_relation and field.related_model is Student:
                assert label in covered, f"{label}.{field.name} points to Student but is not exported"
            elif not field.is_relation and label != student_model:
                # e.g. an IntegerField "student_id", a CharField "student_no": references the walk would miss
                assert not REFERENCE.search(field.name), (
                    f"{label}.{field.name} looks like a reference to a student without a foreign key"
                )
    for label in (
        "enterprises.application",
        "enterprises.applicationevent",
        "quality.grade",
        "quality.certificateaward",
        "events.registration",
        "cooperation.placement",
        "cooperation.internshiplog",
        "core.notification",
        "core.auditlog",
        "schools.datarequest",
    ):
        assert label in covered, label
    assert "authtoken.token" not in covered  # a secret, never exported


def test_the_export_holds_every_related_row(rich):
    student, user = rich["student"], rich["user"]
    body, content_type, name = privacy.student_data_export(actor=user, student=student, fmt="json")
    assert content_type.startswith("application/json") and name.endswith(".json")
    data = json.loads(body)
    by_model = {s["model"]: s["rows"] for s in data["sections"] if s["model"]}
    for label in (
        "schools.Student",
        "orgs.User",
        "enterprises.Application",
        "enterprises.ApplicationEvent",
        "enterprises.GraduateOutcome",
        "quality.Grade",
        "quality.CertificateAward",
        "events.Registration",
        "core.ImportJob",
        "core.Notification",
    ):
        assert by_model.get(label), label
    me = by_model["schools.Student"][0]
    assert me["姓名"] == NAME and me["手机号"] == PHONE and me["身份证号"] == "已登记（只保存摘要）"
    assert "a" * 64 not in body.decode()
    account = by_model["orgs.User"][0]
    assert "密码" not in account and "password" not in body.decode()
    assert Token.objects.get(user=user).key not in body.decode()
    views = next(s for s in data["sections"] if s["title"] == "个人信息查看记录")["rows"]
    assert views == [
        {
            "查看时间": views[0]["查看时间"],
            "查看人": "人事王",
            "角色": "企业人事",
            "所属单位": rich["hr"].enterprise.name,
            "访问级别": "求职档案（含姓名）",
        }
    ]
    assert (
        AuditLog.objects.filter(verb="student_data_export", actor=user, object_id=str(student.pk)).count()
        == 1
    )


def test_the_workbook_has_one_sheet_per_kind_and_escapes_formulas(rich):
    student, user = rich["student"], rich["user"]
    Application.objects.filter(pk=rich["application"].pk).update(note="=HYPERLINK(1)")
    body, _type, _name = privacy.student_data_export(actor=user, student=student, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert {"学生", "用户", "求职申请", "个人信息查看记录"} <= set(book.sheetnames), book.sheetnames
    notes = [c.value for row in book["求职申请"].iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in notes


def test_only_the_student_downloads_their_data(rich):
    student = rich["student"]
    other = student_account(StudentFactory(school=student.school, school_major=student.school_major))
    for actor in (
        other,
        user_with_role(Role.SCHOOL_ADMIN, school=student.school),
        user_with_role(Role.PLATFORM_ADMIN),
        rich["hr"],
    ):
        with pytest.raises(PermissionDenied):
            privacy.student_data_export(actor=actor, student=student)
    with pytest.raises(ValidationError):
        privacy.student_data_export(actor=rich["user"], student=student, fmt="pdf")
    assert not AuditLog.objects.filter(verb="student_data_export").exists()


def test_my_data_page_download_and_api(rich):
    user = rich["user"]
    page = Client()
    page.force_login(user)
    html = page.get("/schools/my-data/").content.decode()
    assert "下载 Excel" in html and "人事王" in html and "个人信息删除申请" in html
    response = page.get("/schools/my-data/download/?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(page.get("/schools/my-data/download/?format=json").content)["student"].startswith(NAME)
    api = APIClient()
    api.force_authenticate(user)
    data = api.get("/api/v1/schools/my-data/").json()
    assert any(s["model"] == "enterprises.Application" for s in data["sections"])
    assert api.get("/api/v1/schools/my-data/", {"as": "xlsx"}).status_code == 200
    assert api.get("/api/v1/schools/my-data/", {"as": "pdf"}).status_code == 400
    # not a student: no such page, no such data
    admin = user_with_role(Role.SCHOOL_ADMIN, school=rich["student"].school)
    page.force_login(admin)
    assert page.get("/schools/my-data/").status_code == 302
    assert page.get("/schools/my-data/download/").status_code == 403
    api.force_authenticate(admin)
    assert api.get("/api/v1/schools/my-data/").status_code == 403


# --- 个人信息删除申请 -------------------------------------------------------------------------------------
def test_fifteen_working_days_skip_weekends():
    assert privacy.add_working_days(dt.date(2026, 3, 2), 15) == dt.date(2026, 3, 23)  # Monday → Monday
    assert privacy.add_working_days(dt.date(2026, 3, 6), 1) == dt.date(2026, 3, 9)  # Friday → Monday


def test_a_request_is_made_by_the_student_once(rich, django_capture_on_commit_callbacks):
    student, user = rich["student"], rich["user"]
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    with django_capture_on_commit_callbacks(execute=True):
        request = privacy.data_request_create(actor=user, student=student, reason="毕业了，不再使用")
    assert request.status == "pending"
    assert request.due_date == privacy.add_working_days(timezone.localdate(), 15)
    assert Notification.objects.filter(user=admin, url=f"/schools/data-requests/{request.pk}/").exists()
    assert AuditLog.objects.filter(verb="data_request_create", object_id=str(request.pk), actor=user).exists()
    with pytest.raises(ValidationError, match="待处理"):
        privacy.data_request_create(actor=user, student=student)
    for actor in (admin, user_with_role(Role.PLATFORM_ADMIN), rich["hr"]):
        with pytest.raises(PermissionDenied):
            privacy.data_request_create(actor=actor, student=student)
    other = student_account(StudentFactory())
    with pytest.raises(PermissionDenied):
        privacy.data_request_create(actor=other, student=student)
    assert DataRequest.objects.count() == 1


def test_only_the_students_school_administrator_handles_a_request(rich):
    student, user = rich["student"], rich["user"]
    request = privacy.data_request_create(actor=user, student=student)
    outsiders = (
        user,
        user_with_role(Role.SCHOOL_ADMIN),  # another school
        user_with_role(Role.TEACHER, school=student.school),
        rich["hr"],
        user_with_role(Role.GOV_OFFICER),
    )
    for actor in outsiders:
        with pytest.raises(PermissionDenied):
            privacy.data_request_approve(actor=actor, data_request=request)
        with pytest.raises(PermissionDenied):
            privacy.data_request_refuse(actor=actor, data_request=request, reply="不行")
    request.refresh_from_db()
    assert request.status == "pending"
    assert Student.objects.get(pk=student.pk).name == NAME


def test_a_refusal_needs_a_reason_and_tells_the_student(rich, django_capture_on_commit_callbacks):
    student, user = rich["student"], rich["user"]
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    request = privacy.data_request_create(actor=user, student=student)
    with pytest.raises(ValidationError, match="理由"):
        privacy.data_request_refuse(actor=admin, data_request=request, reply="  ")
    with django_capture_on_commit_callbacks(execute=True):
        privacy.data_request_refuse(
            actor=admin, data_request=request, reply="实习协议履行中，须保留至实习结束"
        )
    request.refresh_from_db()
    assert (request.status, request.handled_by, request.reply) == (
        "refused",
        admin,
        "实习协议履行中，须保留至实习结束",
    )
    assert Notification.objects.filter(user=user, text__contains="未获同意").exists()
    with pytest.raises(ValidationError, match="已办理"):
        privacy.data_request_approve(actor=admin, data_request=request)
    assert Student.objects.get(pk=student.pk).name == NAME
    # a new request may follow a refusal
    assert privacy.data_request_create(actor=user, student=student).status == "pending"


def test_approval_erases_the_student_everywhere(rich, django_capture_on_commit_callbacks):
    student, user, job = rich["student"], rich["user"], rich["job"]
    storage, file_name = job.file.storage, job.file.name
    assert storage.exists(file_name)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    token = Token.objects.get(user=user).key
    with django_capture_on_commit_callbacks(execute=True):
        request = privacy.data_request_create(actor=user, student=student, reason=f"{NAME}申请删除")
    with django_capture_on_commit_callbacks(execute=True):
        privacy.data_request_approve(actor=admin, data_request=request)
    request.refresh_from_db()
    assert request.status == "done" and request.handled_by == admin and request.handled_at is not None
    student.refresh_from_db()
    assert student.name == f"已注销学生{student.pk}" and student.student_no == f"ERASED-{student.pk}"
    assert (student.phone, student.id_card_hash, student.consent) == ("", "", "none")
    # kept for statistics
    assert student.school_major_id and student.grade and student.status
    assert Application.objects.filter(student=student).exists()
    assert Application.objects.get(student=student).note == ""
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.email == ""
    assert not Token.objects.filter(key=token).exists()
    assert not storage.exists(file_name)
    # nothing left anywhere: the name, the 学号, the phone, the e-mail, in any table
    stored = every_stored_text()
    for secret in (NAME, NUMBER, PHONE, "mingxuan@example.com"):
        assert secret not in stored, secret
    # the student was told (the notice was written before the login closed)
    assert Notification.objects.filter(user=user, text__contains="已办结").count() == 1
    assert AuditLog.objects.filter(verb="student_erase", object_id=str(student.pk), actor=admin).exists()
    assert AuditLog.objects.filter(verb="data_request_approve", object_id=str(request.pk)).exists()
    # once erased: no second request, no second approval
    with pytest.raises(ValidationError, match="已办理"):
        privacy.data_request_approve(actor=admin, data_request=request)
    with pytest.raises((PermissionDenied, ValidationError)):
        privacy.data_request_create(actor=user, student=student)


def test_requests_through_the_pages(rich, django_capture_on_commit_callbacks):
    student, user = rich["student"], rich["user"]
    page = Client()
    page.force_login(user)
    assert page.post("/schools/my-data/requests/", {"reason": "x"}).status_code == 302  # not confirmed
    assert not DataRequest.objects.exists()
    page.post("/schools/my-data/requests/", {"reason": "不再使用", "confirm": "on"})
    request = DataRequest.objects.get()
    html = page.get("/schools/my-data/").content.decode()
    assert "待处理" in html and request.due_date.strftime("%Y-%m-%d") in html
    assert page.get(f"/schools/data-requests/{request.pk}/").status_code == 200  # the student's own
    assert page.post(f"/schools/data-requests/{request.pk}/approve/", {"confirm": "on"}).status_code == 403
    other_admin = user_with_role(Role.SCHOOL_ADMIN)
    page.force_login(other_admin)
    assert page.get(f"/schools/data-requests/{request.pk}/").status_code == 404
    assert page.post(f"/schools/data-requests/{request.pk}/approve/", {"confirm": "on"}).status_code == 404
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    page.force_login(admin)
    listing = page.get("/schools/data-requests/").content.decode()
    assert f"#{request.pk}" in listing and NAME in listing
    detail = page.get(f"/schools/data-requests/{request.pk}/").content.decode()
    assert "同意并删除" in detail and "拒绝申请" in detail
    page.post(f"/schools/data-requests/{request.pk}/approve/", {})  # the confirmation box left empty
    request.refresh_from_db()
    assert request.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/schools/data-requests/{request.pk}/approve/", {"confirm": "on", "reply": "已删除"})
    request.refresh_from_db()
    assert request.status == "done" and request.reply == "已删除"
    assert "同意并删除" not in page.get(f"/schools/data-requests/{request.pk}/").content.decode()


def test_requests_through_the_api(rich):
    student, user = rich["student"], rich["user"]
    api = APIClient()
    api.force_authenticate(user)
    created = api.post("/api/v1/schools/data-requests/", {"reason": "不再使用"}, format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["status"] == "pending" and created.data["due_date"]
    again = api.post("/api/v1/schools/data-requests/", {}, format="json")
    assert again.status_code == 400
    assert api.post(f"/api/v1/schools/data-requests/{pk}/approve/", {}, format="json").status_code == 403
    assert api.get("/api/v1/schools/data-requests/").data["count"] == 1
    admin = user_with_role(Role.SCHOOL_ADMIN, school=student.school)
    api.force_authenticate(admin)
    assert api.post("/api/v1/schools/data-requests/", {}, format="json").status_code == 403
    bad = api.post(f"/api/v1/schools/data-requests/{pk}/refuse/", {"reply": ""}, format="json")
    assert bad.status_code == 400 and "reply" in bad.data
    done = api.post(f"/api/v1/schools/data-requests/{pk}/refuse/", {"reply": "须保留"}, format="json")
    assert done.status_code == 200 and done.data["status"] == "refused"
    assert api.post(f"/api/v1/schools/data-requests/{pk}/approve/", {}, format="json").status_code == 400
    api.force_authenticate(user_with_role(Role.SCHOOL_ADMIN))
    assert api.get(f"/api/v1/schools/data-requests/{pk}/").status_code == 404
    assert api.get("/api/v1/schools/data-requests/").data["count"] == 0
