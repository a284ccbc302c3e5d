"""The roster import (项目编号, 期次, 姓名, 身份证号, 手机号, 结业): validated as a whole, every bad row
reported in Chinese, all or nothing, idempotent on session + ID hash; ID numbers only ever hashed; a school
administrator imports only into its own school's programmes; the roster is shown with masked phones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.testing import csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import TrainingParticipant
from xiaoqitong.schools.validators import id_card_hash

from ..orgs.factories import user_with_role
from .factories_training import (
    TrainingParticipantFactory,
    TrainingProgrammeFactory,
    TrainingSessionFactory,
    id_card,
    roster_rows,
)

pytestmark = pytest.mark.django_db
IMPORT = "/quality/training/participants/import/"
API = "/api/v1/quality/training-participants/"


def upload(client, rows, capture, name="roster.csv", encoding="utf-8") -> ImportJob:
    with capture(execute=True):
        response = client.post(IMPORT, {"file": csv_upload(rows, name=name, encoding=encoding)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def confirm(client, job, capture) -> ImportJob:
    with capture(execute=True):
        client.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    return job


@pytest.fixture
def school_admin():
    return user_with_role(Role.SCHOOL_ADMIN)


@pytest.fixture
def sessions(school_admin):
    programme = TrainingProgrammeFactory(provider_school=school_admin.school)
    return [TrainingSessionFactory(programme=programme, number=n) for n in (1, 2)]


def test_a_roster_of_two_sessions_imports_once_and_again_changes_nothing(
    school_admin, sessions, django_capture_on_commit_callbacks
):
    page, _api = login_clients(school_admin)
    rows = roster_rows(sessions[0], 3) + roster_rows(sessions[1], 2, start=10)
    job = upload(page, rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.VALID, job.errors
    assert job.summary["new"] == 5
    assert not TrainingParticipant.objects.exists()  # validated only
    job = confirm(page, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert sessions[0].participants.count() == 3 and sessions[1].participants.count() == 2
    first = TrainingParticipant.objects.get(name="学员0")
    assert first.id_card_hash == id_card_hash(rows[0]["身份证号"]) and first.completed is False
    assert AuditLog.objects.filter(verb="trainingparticipant_import").count() == 5
    # the clear number is nowhere: not in the rows, the job or the audit log
    number = rows[0]["身份证号"]
    assert not TrainingParticipant.objects.filter(id_card_hash__contains=number).exists()
    assert number not in str(list(AuditLog.objects.values_list("changes", flat=True)))
    assert number not in str(job.errors) + str(job.summary)

    again = upload(page, rows, django_capture_on_commit_callbacks, encoding="gb18030")
    assert again.status == ImportJob.Status.VALID, again.errors
    assert again.summary == {"new": 0, "update": 0, "skip": 5}
    # a lower-case x or blanks in the number are the same person: still nothing new
    rows[1]["身份证号"] = f" {rows[1]['身份证号'][:6]} {rows[1]['身份证号'][6:].lower()}"
    rows[2]["姓名"] = "改名学员"
    again = confirm(
        page, upload(page, rows, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks
    )
    assert again.summary == {"new": 0, "update": 1, "skip": 4}
    assert (
        TrainingParticipant.objects.count() == 5
        and TrainingParticipant.objects.filter(name="改名学员").exists()
    )


def test_every_bad_row_is_reported_in_chinese_and_nothing_is_saved(
    school_admin, sessions, django_capture_on_commit_callbacks
):
    page, _api = login_clients(school_admin)
    rows = roster_rows(sessions[0], 6)
    bad_number = rows[1]["身份证号"][:-1] + ("0" if rows[1]["身份证号"][-1] != "0" else "1")
    rows[1]["身份证号"] = bad_number  # wrong check digit
    rows[2]["身份证号"] = "43100219900101"  # too short
    rows[3]["期次"] = "9"  # no such session
    rows[4]["手机号"] = "12345"
    rows[5]["结业"] = "也许"
    job = upload(page, rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(3, "身份证号"), (4, "身份证号"), (5, "项目编号"), (6, "手机号"), (7, "结业")} <= found, (
        job.errors
    )
    messages = " ".join(e["message"] for e in job.errors)
    assert "校验位不正确" in messages and "应为 18 位" in messages and "没有第 9 期" in messages
    assert bad_number not in messages and "43100219900101" not in messages  # never repeated
    assert not TrainingParticipant.objects.exists()


def test_the_same_person_twice_in_a_session_is_a_duplicate_but_in_two_sessions_is_fine(
    school_admin, sessions, django_capture_on_commit_callbacks
):
    page, _api = login_clients(school_admin)
    rows = roster_rows(sessions[0], 2)
    twice = dict(rows[0], 姓名="同一人", 身份证号=rows[0]["身份证号"].replace("4310", "4310 ", 1))
    job = upload(page, [*rows, twice], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert any(e["row"] == 4 and "重复" in e["message"] and "身份证号" in e["column"] for e in job.errors), (
        job.errors
    )
    assert not TrainingParticipant.objects.exists()

    other_session = dict(rows[0], 期次="2")
    job = confirm(
        page,
        upload(page, [*rows, other_session], django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert TrainingParticipant.objects.filter(id_card_hash=id_card_hash(rows[0]["身份证号"])).count() == 2


def test_another_schools_programme_is_refused_like_an_unknown_one(
    school_admin, sessions, django_capture_on_commit_callbacks
):
    foreign = TrainingSessionFactory(number=1)  # another school's programme
    page, _api = login_clients(school_admin)
    rows = roster_rows(sessions[0], 2) + roster_rows(foreign, 1, start=20)
    rows.append(dict(rows[0], 项目编号="PX-NOPE", 身份证号=id_card(9999)))
    job = upload(page, rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    refusals = [e for e in job.errors if e["column"] == "项目编号"]
    assert [e["row"] for e in refusals] == [4, 5], job.errors
    assert refusals[0]["message"].replace(foreign.programme.code, "X") == refusals[1]["message"].replace(
        "PX-NOPE", "X"
    )
    assert "本单位" in refusals[0]["message"]
    assert not TrainingParticipant.objects.exists()
    # the officer imports into every programme, the school's teacher into none
    officer_page, _api = login_clients(user_with_role(Role.GOV_OFFICER))
    job = upload(officer_page, rows[:3], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.VALID, job.errors
    teacher_page, _api = login_clients(user_with_role(Role.TEACHER, school=school_admin.school))
    assert teacher_page.get(IMPORT).status_code == 403


def test_the_template_names_the_columns(school_admin):
    page, _api = login_clients(school_admin)
    body = page.get(IMPORT + "?template=csv").content.decode("utf-8-sig")
    assert body.strip() == "项目编号,期次,姓名,身份证号,手机号,结业"
    body = page.get(IMPORT).content.decode()
    assert "只保存不可逆摘要" in body


def test_the_roster_is_shown_with_masked_phones(school_admin, sessions, client):
    TrainingParticipantFactory(session=sessions[0], name="张三", phone="13912345678")
    page, api = login_clients(user_with_role(Role.TEACHER, school=school_admin.school))
    body = page.get(sessions[0].get_absolute_url()).content.decode()
    assert "张三" in body and "139****5678" in body and "13912345678" not in body
    body = page.get(reverse("quality:trainingparticipant_list")).content.decode()
    assert "张三" in body and "139****5678" in body and "13912345678" not in body
    row = api.get(API).data["results"][0]
    assert row["phone"] == "139****5678" and "id_card_hash" not in row
    admin_page, _api = login_clients(school_admin)
    export = admin_page.get(reverse("quality:trainingparticipant_list") + "?export=csv").content.decode(
        "utf-8-sig"
    )
    header, line = export.splitlines()[:2]
    assert header == "项目编号,期次,姓名,手机号,结业"
    assert "139****5678" in line and "13912345678" not in export
    other, other_api = login_clients(user_with_role(Role.SCHOOL_ADMIN))
    assert other.get(sessions[0].get_absolute_url()).status_code == 404
    assert other_api.get(API).data["count"] == 0
    researcher, researcher_api = login_clients(user_with_role(Role.RESEARCHER))
    assert researcher.get(reverse("quality:trainingparticipant_list")).status_code == 403
    assert researcher_api.get(API).status_code == 403


def test_roster_lists_run_no_query_per_row(sessions):
    officer = user_with_role(Role.GOV_OFFICER)
    page, api = login_clients(officer)
    TrainingParticipantFactory.create_batch(2, session=sessions[0])
    url = reverse("quality:trainingparticipant_list")
    with CaptureQueriesContext(connection) as few:
        page.get(url)
        api.get(API)
        page.get(sessions[0].get_absolute_url())
    TrainingParticipantFactory.create_batch(8, session=sessions[0])
    TrainingParticipantFactory.create_batch(4, session=sessions[1])
    with CaptureQueriesContext(connection) as many:
        page.get(url)
        api.get(API)
        page.get(sessions[0].get_absolute_url())
    assert len(many) == len(few)
