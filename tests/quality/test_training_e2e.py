"""End to end with the test client (issue 7, “Done when”): a school administrator registers a programme and a
session, imports the session's roster through the import pages (validated, then confirmed), sees the
trainees with masked phones on the session's page, and sees its person-times against twice its full-time
enrolment on the “培训人次” page; an officer sees the school's line among all schools."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import TrainingParticipant, TrainingProgramme, TrainingSession

from ..orgs.factories import SchoolEnrolmentFactory, user_with_role
from .factories_training import id_card

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_school_admin_imports_a_roster_and_sees_its_person_times_against_twice_its_enrolment(
    django_capture_on_commit_callbacks,
):
    year = timezone.localdate().year
    admin = user_with_role(Role.SCHOOL_ADMIN)
    SchoolEnrolmentFactory(school=admin.school, year=year, full_time_students=4)
    page = client_for(admin)

    body = page.get(reverse("quality:training_person_times")).content.decode()
    assert "data-own-school" in body and "全日制在校生 4 人，2 倍为 8 人次" in body
    assert "未达标，还差 8 人次" in body

    response = page.post(
        reverse("quality:trainingprogramme_add"),
        {"code": "PX-E2E-1", "title": "电工职业技能等级认定培训", "kind": "subsidised", "year": year},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = TrainingProgramme.objects.get(code="PX-E2E-1")
    assert programme.provider_school == admin.school
    response = page.post(
        reverse("quality:trainingsession_add"),
        {
            "programme": programme.pk,
            "number": 1,
            "start_date": f"{year}-01-02",
            "end_date": f"{year}-01-06",
            "place": "实训楼 A201",
            "hours": 40,
            "reported_person_times": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = TrainingSession.objects.get(programme=programme)

    body = page.get(session.get_absolute_url()).content.decode()
    import_url = reverse("quality:trainingparticipant_import")
    assert "data-roster-import" in body and import_url in body
    template = page.get(import_url + "?template=csv").content.decode("utf-8-sig")
    assert template.strip() == "项目编号,期次,姓名,身份证号,手机号,结业"
    rows = [
        {
            "项目编号": "PX-E2E-1",
            "期次": "1",
            "姓名": name,
            "身份证号": id_card(700 + n),
            "手机号": f"1580000{n:04d}",
            "结业": "是",
        }
        for n, name in enumerate(["王芳", "李强", "赵敏", "陈刚", "刘洋"])
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(import_url, {"file": csv_upload(rows, name="花名册.csv")})
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("core:import_job", args=[job.pk])
    body = page.get(response["Location"]).content.decode()
    assert job.status == ImportJob.Status.VALID, job.errors
    assert "校验通过" in body
    with django_capture_on_commit_callbacks(execute=True):
        page.post(reverse("core:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and TrainingParticipant.objects.count() == 5

    body = page.get(session.get_absolute_url()).content.decode()
    assert "花名册（5 人）" in body and "王芳" in body and "158****0000" in body and "15800000000" not in body
    assert rows[0]["身份证号"] not in body

    body = page.get(reverse("quality:training_person_times") + f"?year={year}").content.decode()
    assert "data-own-person-times>5 <" in body
    assert "全日制在校生 4 人，2 倍为 8 人次" in body and "当前 1.25 倍" in body and "还差 3 人次" in body
    assert "PX-E2E-1" in body  # its programmes with the year's person-times

    # a second class reported without a roster lifts the school over 2x
    page.post(
        reverse("quality:trainingsession_add"),
        {
            "programme": programme.pk,
            "number": 2,
            "start_date": f"{year}-01-10",
            "end_date": f"{year}-01-12",
            "hours": 16,
            "reported_person_times": 3,
        },
    )
    body = page.get(reverse("quality:training_person_times")).content.decode()
    assert "data-own-person-times>8 <" in body and "data-met" in body and "当前 2.00 倍" in body

    officer = client_for(user_with_role(Role.GOV_OFFICER))
    body = officer.get(reverse("quality:training_person_times")).content.decode()
    assert f'data-school="{admin.school.code}"' in body and "1/1 所学校达标" in body
