"""Masking (PIPL, DESIGN rule 4): a student's phone is shown in the clear only to those who own the record
(the student, the administrator of the student's school, platform administrators) — on pages, in the API and
in exports, in the schools app and wherever another app shows the student (applications). The ID card number
is never shown to anyone: only whether one is on file, and never its digest.

The enterprise-facing side is walked route by route in ``test_consent_everywhere.py``; this module covers the
other roles."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import Student

from ..enterprises.factories import ApplicationFactory
from ..orgs.factories import user_with_role
from .factories import StudentFactory, student_account

pytestmark = pytest.mark.django_db
PHONE, MASKED = "13698765432", "136****5432"
DIGEST = "f" * 64


@pytest.fixture
def student():
    s = StudentFactory(name="司徒若兰", phone=PHONE, consent="full")
    Student.objects.filter(pk=s.pk).update(id_card_hash=DIGEST)
    s.refresh_from_db()
    return s


def pages(student) -> list[str]:
    sid = student.pk
    return [
        "/schools/students/",
        f"/schools/students/?q={student.name}",
        f"/schools/students/{sid}/",
        "/schools/students/?export=csv",
        "/schools/students/?export=xlsx",
        "/api/v1/schools/students/",
        f"/api/v1/schools/students/{sid}/",
        "/enterprises/applications/",
        "/enterprises/applications/?export=csv",
        "/api/v1/enterprises/applications/",
        "/schools/profile-views/",
        "/schools/profile-views/?export=csv",
        "/api/v1/schools/profile-views/",
    ]


def text_of(response) -> str:
    content = response.content
    if content[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8-sig", "replace")


def seen_by(user, student) -> dict[str, str]:
    """The 200 answers of ``pages`` for ``user``: {url: text}."""
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    answers = {}
    for url in pages(student):
        response = (api if url.startswith("/api/") else page).get(url)
        if response.status_code == 200:
            answers[url] = text_of(response)
    return answers


@pytest.mark.parametrize(
    "role",
    [
        Role.TEACHER,
        Role.ENTERPRISE_HR,
        Role.ENTERPRISE_MENTOR,
        Role.GOV_OFFICER,
        Role.RESEARCHER,
        "other_school_admin",
        "other_student",
    ],
)
def test_no_role_that_does_not_own_the_record_sees_the_phone(student, role):
    if role == "other_school_admin":
        user = user_with_role(Role.SCHOOL_ADMIN)
    elif role == "other_student":
        user = student_account(StudentFactory(school=student.school, school_major=student.school_major))
    elif role == Role.TEACHER:
        user = user_with_role(role, school=student.school)
    else:
        user = user_with_role(role)
    if role in {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}:
        ApplicationFactory(
            student=student, position__enterprise=user.enterprise
        )  # an applicant, seen in full
    answers = seen_by(user, student)
    for url, text in answers.items():
        assert PHONE not in text, (role, url)
        assert DIGEST not in text, (role, url)
    if role in {Role.TEACHER, Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}:
        # they do see the student, with the phone masked, on the page and in the API
        assert MASKED in answers[f"/schools/students/{student.pk}/"], role
        assert MASKED in answers[f"/api/v1/schools/students/{student.pk}/"], role
        assert MASKED in answers["/api/v1/schools/students/"], role


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.STUDENT, Role.PLATFORM_ADMIN])
def test_those_who_own_the_record_see_the_phone_but_never_the_id_digest(student, role):
    if role == Role.STUDENT:
        user = student_account(student)
    elif role == Role.SCHOOL_ADMIN:
        user = user_with_role(role, school=student.school)
    else:
        user = user_with_role(role)
    answers = seen_by(user, student)
    assert PHONE in answers[f"/schools/students/{student.pk}/"]
    assert PHONE in answers[f"/api/v1/schools/students/{student.pk}/"]
    if role == Role.SCHOOL_ADMIN:
        assert PHONE in answers["/schools/students/?export=csv"]
    for url, text in answers.items():
        assert DIGEST not in text, (role, url)
