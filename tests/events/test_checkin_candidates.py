"""On-site booth lists: the students registered for the event ranked for each position a booth brings, by the
matching engine, only those an enterprise may see (consent, or its applicants), with check-in status; for the
booth's enterprise and the organizer only; a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiaoqitong.core.testing import login_clients
from xiaoqitong.events.choices import RegistrationStatus
from xiaoqitong.events.selectors import checkin as selectors
from xiaoqitong.matching import selectors as matching_selectors
from xiaoqitong.matching import services as matching_services
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import StudentSkill
from xiaoqitong.schools.selectors import Access

from ..enterprises.factories import ApplicationFactory, GraduateOutcomeFactory
from ..matching.factories import cnc_posting, cnc_student, hotel_posting, skill
from ..orgs.factories import user_with_role
from .factories import EnterpriseRegistrationFactory, RegistrationFactory, TodayEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_matching_index(settings, tmp_path, monkeypatch):
    """Each test its own snapshot folder and a fresh per-process index; no rebuild task."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(matching_services, "_ask_for_rebuild", lambda: None)
    matching_services.forget_index()
    yield
    matching_services.forget_index()


@pytest.fixture
def fair():
    """A fair under way with a booth bringing an open 数控 posting and a closed one, and students registered:
    full consent (checked in), de-identified, no consent, no consent but applied, employed; and a student
    with full consent who did not register, and one whose registration is cancelled."""
    event = TodayEventFactory()
    position = cnc_posting()
    closed = cnc_posting(enterprise=position.enterprise, status="closed")
    booth = EnterpriseRegistrationFactory(event=event, enterprise=position.enterprise, booth_no="A08")
    booth.positions.add(position, closed)
    people = {
        "full": cnc_student(consent="full"),
        "anonymous": cnc_student(consent="deidentified"),
        "hidden": cnc_student(consent="none"),
        "applicant": cnc_student(consent="none"),
        "employed": cnc_student(consent="full"),
        "absent": cnc_student(consent="full"),
        "cancelled": cnc_student(consent="full"),
    }
    StudentSkill.objects.create(student=people["full"], skill=skill("数控车削编程"))  # ranks first
    ApplicationFactory(student=people["applicant"], position=position)
    GraduateOutcomeFactory(student=people["employed"], outcome="employed")
    for name, student in people.items():
        if name == "absent":
            continue
        RegistrationFactory(
            event=event,
            student=student,
            status=RegistrationStatus.CANCELLED if name == "cancelled" else RegistrationStatus.APPROVED,
            checked_in_at=timezone.now() if name == "full" else None,
        )
    return event, booth, position, closed, people


def url(booth) -> str:
    return f"/events/{booth.event_id}/booths/{booth.pk}/candidates/"


def test_the_booth_sees_its_registered_candidates_ranked(fair):
    _event, booth, position, closed, people = fair
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    report = selectors.booth_candidates(hr, booth)
    assert report["registered_students"] == 5  # approved student registrations
    lines = {line.position.pk: line for line in report["positions"]}
    assert lines[closed.pk].open is False and lines[closed.pk].candidates == []
    line = lines[position.pk]
    assert line.open
    by_pk = {c.student.pk: c for c in line.candidates}
    # never who did not consent (unless they applied), nor the employed, the unregistered, the cancelled
    assert set(by_pk) == {people["full"].pk, people["anonymous"].pk, people["applicant"].pk}
    assert line.candidates[0].student == people["full"]
    assert [c.percent for c in line.candidates] == sorted((c.percent for c in line.candidates), reverse=True)
    full = by_pk[people["full"].pk]
    assert full.access == Access.FULL and full.label == str(people["full"])
    assert full.checked_in and not by_pk[people["anonymous"].pk].checked_in
    assert full.required_skills == ["PLC编程"] and full.bonus_skills == ["数控车削编程"]
    assert full.major == people["full"].school_major.major.name
    anonymous = by_pk[people["anonymous"].pk]
    assert anonymous.access == Access.DEIDENTIFIED and people["anonymous"].name not in anonymous.label
    assert by_pk[people["applicant"].pk].access == Access.FULL


def test_the_scores_are_the_matching_pages(fair):
    """The same students in the same order with the same percentages as “推荐人选” shows the enterprise,
    narrowed to those registered."""
    _event, booth, position, _closed, _people = fair
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    ours = next(
        line for line in selectors.booth_candidates(hr, booth)["positions"] if line.position == position
    )
    registered = {c.student.pk for c in ours.candidates}
    theirs = [
        (r.student.pk, r.match.percent)
        for r in matching_selectors.recommend_students(hr, position, k=50)
        if r.student.pk in registered
    ]
    assert [(c.student.pk, c.percent) for c in ours.candidates] == theirs


def test_the_organizer_sees_what_the_booth_would(fair):
    event, booth, position, _closed, people = fair
    officer = user_with_role(Role.GOV_OFFICER, department=event.organizer)
    line = next(
        line for line in selectors.booth_candidates(officer, booth)["positions"] if line.position == position
    )
    by_pk = {c.student.pk: c for c in line.candidates}
    assert set(by_pk) == {people["full"].pk, people["anonymous"].pk}  # consent only, as matching shows admins
    assert by_pk[people["anonymous"].pk].access == Access.DEIDENTIFIED


def test_top_twenty_per_position(fair):
    event, booth, position, _closed, _people = fair
    for _ in range(22):
        RegistrationFactory(event=event, student=cnc_student(consent="full"))
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    line = next(
        line for line in selectors.booth_candidates(hr, booth)["positions"] if line.position == position
    )
    assert len(line.candidates) == selectors.TOP_CANDIDATES == 20
    assert line.fitting == 25


def test_the_page_and_its_export(fair):
    event, booth, _position, _closed, people = fair
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    page, _api = login_clients(hr)
    response = page.get(url(booth))
    assert response.status_code == 200
    html = response.content.decode()
    assert people["full"].name in html and "已签到" in html
    for name in ("hidden", "employed", "absent", "cancelled", "anonymous"):
        assert people[name].name not in html, name
    assert "匿名学生 #" in html and "岗位已不在招聘中" in html and "@media print" in html
    csv = page.get(url(booth) + "?export=csv")
    assert csv.status_code == 200 and people["full"].name in csv.content.decode("utf-8-sig")
    officer = user_with_role(Role.GOV_OFFICER, department=event.organizer)
    page, _api = login_clients(officer)
    assert page.get(url(booth)).status_code == 200


def test_strangers_get_404(fair):
    event, booth, _position, _closed, people = fair
    student_user = user_with_role(Role.STUDENT)
    people["full"].user = student_user
    people["full"].save()
    outsiders = [
        user_with_role(Role.ENTERPRISE_HR),  # another enterprise
        user_with_role(Role.GOV_OFFICER),  # another department
        user_with_role(Role.SCHOOL_ADMIN, school=people["full"].school),
        student_user,  # registered, but the list is the booth's
        user_with_role(Role.RESEARCHER),
    ]
    for user in outsiders:
        page, api = login_clients(user)
        assert page.get(url(booth)).status_code == 404, user.role
        assert api.get(f"/api/v1/events/booths/{booth.pk}/candidates/").status_code == 404, user.role
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    page, _api = login_clients(hr)
    assert page.get(f"/events/{event.pk + 999}/booths/{booth.pk}/candidates/").status_code == 404
    booth.status = RegistrationStatus.PENDING
    booth.save()
    assert page.get(url(booth)).status_code == 404  # a booth not approved has no list


def test_api_candidates(fair):
    _event, booth, position, _closed, people = fair
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=booth.enterprise)
    _page, api = login_clients(mentor)
    response = api.get(f"/api/v1/events/booths/{booth.pk}/candidates/")
    assert response.status_code == 200
    body = response.json()
    assert body["booth"] == booth.pk and body["registered_students"] == 5
    line = next(p for p in body["positions"] if p["position"] == position.pk)
    first = line["candidates"][0]
    assert first["rank"] == 1 and first["student"] == people["full"].pk and first["checked_in"] is True
    assert first["required_skills"] == ["PLC编程"] and 0 < first["percent"] <= 100
    assert {c["student"] for c in line["candidates"]} == {
        people["full"].pk,
        people["anonymous"].pk,
        people["applicant"].pk,
    }


def test_a_constant_number_of_queries(fair):
    event, booth, position, _closed, _people = fair
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    page, api = login_clients(hr)

    def measure() -> tuple[int, int]:
        page.get(url(booth))  # warm: the index takes in the positions changed since it was built
        with CaptureQueriesContext(connection) as on_page:
            assert page.get(url(booth)).status_code == 200
        with CaptureQueriesContext(connection) as on_api:
            assert api.get(f"/api/v1/events/booths/{booth.pk}/candidates/").status_code == 200
        return len(on_page), len(on_api)

    small = measure()
    for _ in range(12):
        student = cnc_student(consent="full")
        StudentSkill.objects.create(student=student, skill=skill("数控车削编程"))
        RegistrationFactory(event=event, student=student, checked_in_at=timezone.now())
    booth.positions.add(cnc_posting(enterprise=position.enterprise), hotel_posting())
    large = measure()
    assert large == small


def test_students_about_to_graduate_are_listed_with_their_start_day(fair):
    """“推荐人选” leaves out who cannot start by the position's start; a fair lists them, marked."""
    event, booth, position, _closed, people = fair
    graduation = timezone.localdate() + dt.timedelta(days=200)
    studying = cnc_student(consent="full", status="studying", expected_graduation=graduation)
    RegistrationFactory(event=event, student=studying)
    senior = cnc_posting(enterprise=position.enterprise, min_education="associate")  # above 中职
    booth.positions.add(senior)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    lines = {line.position.pk: line for line in selectors.booth_candidates(hr, booth)["positions"]}
    by_pk = {c.student.pk: c for c in lines[position.pk].candidates}
    assert by_pk[studying.pk].available_from == graduation
    assert by_pk[people["full"].pk].available_from is None
    assert studying.pk not in {r.student.pk for r in matching_selectors.recommend_students(hr, position)}
    assert lines[senior.pk].open and lines[senior.pk].candidates == []  # below the minimum education
    page, api = login_clients(hr)
    html = page.get(url(booth)).content.decode()
    assert f"{graduation:%Y-%m} 毕业后" in html and "按期到岗" in html
    body = api.get(f"/api/v1/events/booths/{booth.pk}/candidates/").json()
    line = next(p for p in body["positions"] if p["position"] == position.pk)
    assert {c["student"]: c["available_from"] for c in line["candidates"]}[
        studying.pk
    ] == graduation.isoformat()
