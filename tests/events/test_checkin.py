"""Check-in on site: the service's refusals and its success (once, then “已于 HH:MM 签到”), the pass and its
QR code, the scanned-code page (the organizer confirms, the registrant sees their pass, strangers get 404),
the scanning page and its live counts, and the API."""

import datetime as dt
import re

import pytest
import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xiaoqitong.core.testing import audit_count, login_clients
from xiaoqitong.events.choices import EventStatus, RegistrationStatus
from xiaoqitong.events.models import Registration
from xiaoqitong.events.selectors import checkin as selectors
from xiaoqitong.events.services.checkin import OPENS_BEFORE, registration_check_in
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory
from .factories import (
    EnterpriseRegistrationFactory,
    EventFactory,
    RegistrationFactory,
    SchoolRegistrationFactory,
    TodayEventFactory,
)

pytestmark = pytest.mark.django_db


# --- people and registrations ------------------------------------------------------------------------------
@pytest.fixture
def event():
    return TodayEventFactory()


@pytest.fixture
def officer(event):
    return user_with_role(Role.GOV_OFFICER, department=event.organizer)


@pytest.fixture
def student_user():
    user = user_with_role(Role.STUDENT)
    StudentFactory(user=user, school_major__school=user.school)
    return user


@pytest.fixture
def registration(event, student_user):
    return RegistrationFactory(event=event, student=student_user.student_profile)


def qr_of(url: str) -> str:
    """The SVG the pages must show for ``url``: what segno draws of it, with the pages' options."""
    return segno.make(url, error=selectors.QR_ERROR, micro=False).svg_inline(**selectors.SVG_OPTIONS)


def checkin_url(registration: Registration) -> str:
    return f"/events/checkin/{registration.checkin_code}/"


def pass_url(registration: Registration) -> str:
    return f"/events/registrations/{registration.pk}/pass/"


def strangers(event) -> list:
    """Users who must learn nothing of a student's registration: another department's officer, another
    student, another school's staff, an enterprise, a researcher."""
    other = user_with_role(Role.STUDENT)
    StudentFactory(user=other, school_major__school=other.school)
    return [
        user_with_role(Role.GOV_OFFICER),
        other,
        user_with_role(Role.SCHOOL_ADMIN),
        user_with_role(Role.TEACHER),
        user_with_role(Role.ENTERPRISE_HR),
        user_with_role(Role.RESEARCHER),
    ]


# --- the service -------------------------------------------------------------------------------------------
def test_the_organizer_checks_a_registration_in_once(registration, officer):
    done, first = registration_check_in(actor=officer, registration=registration)
    assert first is True
    assert done.checked_in_at is not None and done.checked_in_by == officer
    assert audit_count(Registration, registration.pk) == 1
    at = done.checked_in_at

    again, first = registration_check_in(actor=officer, registration=registration)
    assert first is False
    assert again.checked_in_at == at  # the first time stays
    assert audit_count(Registration, registration.pk) == 1  # nothing written the second time


def test_a_platform_administrator_may_check_in(registration):
    _reg, first = registration_check_in(actor=user_with_role(Role.PLATFORM_ADMIN), registration=registration)
    assert first


@pytest.mark.parametrize(
    "role", [Role.GOV_OFFICER, Role.ENTERPRISE_HR, Role.SCHOOL_ADMIN, Role.TEACHER, Role.RESEARCHER]
)
def test_only_the_organizer_checks_in(registration, role):
    with pytest.raises(PermissionDenied, match="主办部门"):
        registration_check_in(actor=user_with_role(role), registration=registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert audit_count(Registration, registration.pk) == 0


def test_the_registrant_cannot_check_themself_in(registration, student_user):
    with pytest.raises(PermissionDenied):
        registration_check_in(actor=student_user, registration=registration)


@pytest.mark.parametrize(
    "status, label",
    [
        (RegistrationStatus.PENDING, "待审核"),
        (RegistrationStatus.DECLINED, "未通过"),
        (RegistrationStatus.CANCELLED, "已取消"),
    ],
)
def test_only_an_approved_registration_is_checked_in(event, officer, status, label):
    registration = EnterpriseRegistrationFactory(event=event, status=status)
    with pytest.raises(ValidationError) as refused:
        registration_check_in(actor=officer, registration=registration)
    assert f"该报名状态为“{label}”" in refused.value.messages[0]
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_check_in_opens_two_hours_before_the_start_and_closes_at_the_end(officer):
    now = timezone.now()
    soon = TodayEventFactory(
        organizer=officer.department, starts_at=now + OPENS_BEFORE - dt.timedelta(minutes=5)
    )
    assert registration_check_in(actor=officer, registration=RegistrationFactory(event=soon))[1]

    later = TodayEventFactory(
        organizer=officer.department, starts_at=now + OPENS_BEFORE + dt.timedelta(minutes=10)
    )
    with pytest.raises(ValidationError) as refused:
        registration_check_in(actor=officer, registration=RegistrationFactory(event=later))
    message = refused.value.messages[0]
    assert "还未开始签到" in message and "活动开始前 2 小时起" in message
    assert timezone.localtime(later.starts_at - OPENS_BEFORE).strftime("%Y-%m-%d %H:%M") in message

    over = TodayEventFactory(
        organizer=officer.department,
        starts_at=now - dt.timedelta(hours=8),
        ends_at=now - dt.timedelta(minutes=1),
    )
    with pytest.raises(ValidationError, match=r"已于 .* 结束，不能再签到"):
        registration_check_in(actor=officer, registration=RegistrationFactory(event=over))


def test_every_day_of_a_multi_day_event_is_open(officer):
    now = timezone.now()
    fair = TodayEventFactory(
        organizer=officer.department, starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1)
    )
    assert registration_check_in(actor=officer, registration=RegistrationFactory(event=fair))[1]


def test_a_cancelled_event_checks_nobody_in(event, officer, registration):
    event.status = EventStatus.CANCELLED
    event.save()
    with pytest.raises(ValidationError, match="已取消"):
        registration_check_in(actor=officer, registration=registration)


# --- the scanned-code page -------------------------------------------------------------------------------
def test_the_organizer_confirms_on_the_scanned_code_page(registration, officer):
    page, _api = login_clients(officer)
    response = page.get(checkin_url(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认签到" in html and "data-checkin-button" in html
    assert registration.student.name in html
    assert reverse("events:checkin_scan", kwargs={"pk": registration.event_id}) in html

    response = page.post(checkin_url(registration), follow=True)
    assert response.redirect_chain[-1][0] == checkin_url(registration)
    registration.refresh_from_db()
    assert registration.checked_in_by == officer
    html = response.content.decode()
    assert "签到成功" in html
    hhmm = timezone.localtime(registration.checked_in_at).strftime("%H:%M")
    assert f"已于 {hhmm} 签到" in html
    assert "data-checkin-button" not in html

    # a second scan is no error: it says when
    response = page.post(checkin_url(registration), follow=True)
    assert f"已于 {hhmm} 签到" in response.content.decode()
    assert audit_count(Registration, registration.pk) == 1


def test_the_page_says_why_it_cannot_check_in(event, officer):
    pending = EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    page, _api = login_clients(officer)
    html = page.get(checkin_url(pending)).content.decode()
    assert "data-refusal" in html and "待审核" in html
    assert "data-checkin-button" not in html
    response = page.post(checkin_url(pending), follow=True)
    assert "只有已通过的报名才能签到" in response.content.decode()
    pending.refresh_from_db()
    assert pending.checked_in_at is None


def test_the_registrants_side_is_shown_its_pass(registration, student_user):
    page, _api = login_clients(student_user)
    response = page.get(checkin_url(registration))
    assert response.status_code == 302 and response.url == pass_url(registration)
    school_admin = user_with_role(Role.SCHOOL_ADMIN, school=registration.student.school)
    page, _api = login_clients(school_admin)
    assert page.get(checkin_url(registration)).url == pass_url(registration)
    # and may not check in
    assert page.post(checkin_url(registration)).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_strangers_learn_nothing_of_a_code(event, registration):
    for user in strangers(event):
        page, _api = login_clients(user)
        label = f"{user.role}"
        assert page.get(checkin_url(registration)).status_code == 404, label
        assert page.post(checkin_url(registration)).status_code == 404, label
        assert page.get(pass_url(registration)).status_code == 404, label
        assert page.get(pass_url(registration) + "qr.png").status_code == 404, label
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    officer = user_with_role(Role.GOV_OFFICER, department=event.organizer)
    page, _api = login_clients(officer)
    assert page.get("/events/checkin/no-such-code-000/").status_code == 404
    anonymous = Client().get(checkin_url(registration))
    assert anonymous.status_code == 302 and "/login" in anonymous.url  # a phone not signed in yet


# --- the pass ----------------------------------------------------------------------------------------------
def test_the_pass_shows_the_qr_code_of_the_checkin_url(registration, student_user, officer):
    expected_url = f"http://testserver/events/checkin/{registration.checkin_code}/"
    for user in (student_user, officer):
        page, _api = login_clients(user)
        response = page.get(pass_url(registration))
        assert response.status_code == 200
        html = response.content.decode()
        assert qr_of(expected_url) in html  # the QR code segno draws of exactly that URL
        assert registration.checkin_code in html
        assert registration.event.title in html and registration.event.venue in html
        assert "data-xqt-print" in html and "@media print" in html
    assert selectors.qr_svg(expected_url) == qr_of(expected_url)
    assert qr_of(expected_url) != qr_of(expected_url.replace("/checkin/", "/checkin/x"))


def test_the_pass_follows_the_host_it_is_asked_on(registration, student_user):
    page, _api = login_clients(student_user)
    html = page.get(pass_url(registration), HTTP_HOST="localhost").content.decode()
    assert qr_of(f"http://localhost/events/checkin/{registration.checkin_code}/") in html


def test_a_booths_pass_shows_its_booth_and_positions(event):
    booth = EnterpriseRegistrationFactory(event=event, booth_no="B07")
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    page, _api = login_clients(hr)
    html = page.get(pass_url(booth)).content.decode()
    assert "B07" in html and booth.enterprise.name in html
    assert reverse("events:booth_candidates", args=[event.pk, booth.pk]) in html


def test_a_pending_pass_says_it_cannot_be_used_yet(event):
    booth = EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)
    page, _api = login_clients(hr)
    html = page.get(pass_url(booth)).content.decode()
    assert "data-not-approved" in html and "审核通过后" in html


def test_the_qr_code_downloads_as_png_and_svg(registration, student_user):
    page, _api = login_clients(student_user)
    png = page.get(pass_url(registration) + "qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert f'filename="checkin-{registration.pk}.png"' in png["Content-Disposition"]
    svg = page.get(pass_url(registration) + "qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    body = svg.content.decode()
    assert "<svg" in body and 'xmlns="http://www.w3.org/2000/svg"' in body


# --- the scanning page -------------------------------------------------------------------------------------
def make_crowd(event, n: int) -> None:
    """Registrations of every kind: ``n`` students (one in three checked in), two booths (one checked in), a
    pending booth, a school delegation of 4 checked in, a cancelled student."""
    now = timezone.now()
    for i in range(n):
        RegistrationFactory(event=event, checked_in_at=now if i % 3 == 0 else None)
    EnterpriseRegistrationFactory(event=event, checked_in_at=now)
    EnterpriseRegistrationFactory(event=event)
    EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    SchoolRegistrationFactory(event=event, delegation_size=4, checked_in_at=now)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)


def test_the_scanning_page_is_made_for_a_phone(event, officer):
    make_crowd(event, 6)
    page, _api = login_clients(officer)
    response = page.get(f"/events/{event.pk}/scan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input[^>]*type="file"[^>]*accept="image/\*"[^>]*capture="environment"', html)
    assert "/static/vendor/jsqr/jsQR.js" in html and "/static/events/checkin/scan.js" in html
    assert 'data-checkin-base="/events/checkin/"' in html
    assert 'name="code"' in html  # the code can be typed
    assert "data-live-button" in html  # offered by the script in a secure context
    counts = selectors.checkin_counts(event)
    by_kind = {k.kind: (k.checked_in, k.approved) for k in counts["kinds"]}
    assert by_kind == {"enterprise": (1, 2), "school": (1, 1), "student": (2, 6)}
    assert (counts["checked_in"], counts["approved"]) == (4, 9)
    assert counts["kinds"][1].people == 4
    assert "data-checked-in-total>4</span>" in html
    fragment = page.get(f"/events/{event.pk}/scan/counts/").content.decode()
    assert "data-checked-in-total>4</span>" in fragment and "到场 4 人" in fragment


def test_a_typed_code_or_pasted_url_opens_its_checkin_page(event, officer, registration):
    page, _api = login_clients(officer)
    code = registration.checkin_code
    for typed in (code, f"  {code} ", f"http://192.168.1.20:8000/events/checkin/{code}/"):
        response = page.get(f"/events/{event.pk}/scan/", {"code": typed})
        assert response.status_code == 302 and response.url == checkin_url(registration), typed
    response = page.get(f"/events/{event.pk}/scan/", {"code": "不是签到码"}, follow=True)
    assert "签到码格式不正确" in response.content.decode()


def test_the_scanning_page_is_the_organizers(event, registration, student_user):
    for user in [*strangers(event), student_user]:
        page, _api = login_clients(user)
        assert page.get(f"/events/{event.pk}/scan/").status_code == 404, user.role
        assert page.get(f"/events/{event.pk}/scan/counts/").status_code == 404, user.role
    draft = EventFactory(organizer=event.organizer, status=EventStatus.DRAFT)
    officer = user_with_role(Role.GOV_OFFICER, department=event.organizer)
    page, _api = login_clients(officer)
    assert page.get(f"/events/{draft.pk}/scan/").status_code == 404  # nothing to check in on a draft


def test_the_scanning_page_runs_a_constant_number_of_queries(officer):
    small, large = (TodayEventFactory(organizer=officer.department) for _ in range(2))
    make_crowd(small, 2)
    make_crowd(large, 30)
    page, _api = login_clients(officer)
    counts = []
    for event in (small, large):
        for url in (f"/events/{event.pk}/scan/", f"/events/{event.pk}/scan/counts/"):
            page.get(url)  # warm (session, menu)
            with CaptureQueriesContext(connection) as queries:
                assert page.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts


def test_the_checkin_home_lists_the_departments_events(event, officer):
    later = EventFactory(organizer=officer.department)  # in ten days
    EventFactory()  # another department's
    page, _api = login_clients(officer)
    response = page.get("/events/checkin/")
    html = response.content.decode()
    assert response.status_code == 200
    assert event.title in html and later.title in html
    assert f"/events/{event.pk}/scan/" in html
    assert html.count("data-event=") == 2
    assert "签到进行中" in html and "未到签到时间" in html
    page, _api = login_clients(user_with_role(Role.ENTERPRISE_HR))
    assert page.get("/events/checkin/").status_code == 403


# --- API ---------------------------------------------------------------------------------------------------
def test_api_checks_in_by_code_or_url(registration, officer):
    _page, api = login_clients(officer)
    response = api.post("/api/v1/events/checkin/", {"code": registration.checkin_code}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["first"] is True and body["message"] == "签到成功"
    assert body["registration"]["id"] == registration.pk and body["registration"]["checked_in_at"]
    url = f"http://10.0.0.5/events/checkin/{registration.checkin_code}/"
    response = api.post("/api/v1/events/checkin/", {"code": url}, format="json")
    assert response.json()["first"] is False and response.json()["message"].startswith("已于 ")
    assert audit_count(Registration, registration.pk) == 1


def test_api_checkin_refusals(event, registration, officer, student_user):
    pending = EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    _page, api = login_clients(officer)
    response = api.post("/api/v1/events/checkin/", {"code": pending.checkin_code}, format="json")
    assert response.status_code == 400 and "待审核" in str(response.json())
    assert api.post("/api/v1/events/checkin/", {"code": "??"}, format="json").status_code == 400
    assert api.post("/api/v1/events/checkin/", {"code": "unknown-code"}, format="json").status_code == 404
    _page, api = login_clients(student_user)
    response = api.post("/api/v1/events/checkin/", {"code": registration.checkin_code}, format="json")
    assert response.status_code == 403
    for user in strangers(event):
        _page, api = login_clients(user)
        response = api.post("/api/v1/events/checkin/", {"code": registration.checkin_code}, format="json")
        assert response.status_code == 404, user.role
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/events/checkin/", {"code": "x"}).status_code in (401, 403)


def test_api_pass(registration, student_user, event):
    _page, api = login_clients(student_user)
    response = api.get(f"/api/v1/events/registrations/{registration.pk}/pass/")
    assert response.status_code == 200
    body = response.json()
    url = f"http://testserver/events/checkin/{registration.checkin_code}/"
    assert body["checkin_url"] == url and body["qr_svg"] == qr_of(url)
    assert body["checkin_code"] == registration.checkin_code
    assert body["event"]["venue"] == event.venue and body["participant"] == registration.student.name
    for user in strangers(event):
        _page, api = login_clients(user)
        response = api.get(f"/api/v1/events/registrations/{registration.pk}/pass/")
        assert response.status_code == 404, user.role
