"""The API of events and registrations: registering each side, the organizer's steps (publish, cancel,
approve, decline), cancelling, 我的活动, and the refusals as 400/403/404 with their Chinese messages."""

import pytest

from xiaoqitong.core.models import Notification
from xiaoqitong.core.testing import login_clients
from xiaoqitong.events.choices import EventStatus, RegistrationStatus
from xiaoqitong.events.models import Registration
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import PublishedPositionFactory
from ..orgs.factories import user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import EnterpriseRegistrationFactory, EventFactory, RegistrationFactory, student_with_user

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/events/events/"
REGISTRATIONS = "/api/v1/events/registrations/"


@pytest.fixture
def officer():
    return user_with_role(Role.GOV_OFFICER)


@pytest.fixture
def event(officer):
    return EventFactory(organizer=officer.department, capacity=1, booths=5)


def test_enterprise_registers_its_booth_and_duplicates_are_refused(event):
    hr = user_with_role(Role.ENTERPRISE_HR)
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    _page, api = login_clients(hr)
    response = api.post(REGISTRATIONS, {"event": event.pk, "positions": [position.pk]}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["status"] == RegistrationStatus.PENDING
    assert response.data["positions"] == [position.pk] and response.data["kind"] == "enterprise"
    response = api.post(REGISTRATIONS, {"event": event.pk}, format="json")
    assert response.status_code == 400
    assert "不能重复报名" in str(response.data["non_field_errors"])


def test_refusals_reach_the_client_with_their_field(event):
    hr = user_with_role(Role.ENTERPRISE_HR)
    _page, api = login_clients(hr)
    response = api.post(
        REGISTRATIONS, {"event": event.pk, "positions": [PublishedPositionFactory().pk]}, format="json"
    )
    assert response.status_code == 400 and "不是本企业已发布的岗位" in str(response.data["positions"])
    draft = EventFactory(status=EventStatus.DRAFT)
    response = api.post(REGISTRATIONS, {"event": draft.pk}, format="json")
    assert response.status_code == 400 and "event" in response.data  # a draft reads as no event
    teacher_api = login_clients(user_with_role(Role.TEACHER))[1]
    assert teacher_api.post(REGISTRATIONS, {"event": event.pk}, format="json").status_code == 403


def test_school_registers_its_delegation_and_a_student_by_number(event):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school)
    student = StudentFactory(school_major__school=admin.school)
    _page, api = login_clients(admin)
    response = api.post(
        REGISTRATIONS, {"event": event.pk, "majors": [major.pk], "delegation_size": 5}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["delegation_size"] == 5 and response.data["status"] == "approved"
    response = api.post(REGISTRATIONS, {"event": event.pk, "student_no": student.student_no}, format="json")
    assert response.status_code == 201 and response.data["student_no"] == student.student_no
    response = api.post(REGISTRATIONS, {"event": event.pk, "student_no": "NOPE"}, format="json")
    assert response.status_code == 400 and "student_no" in response.data


def test_a_student_registers_then_the_capacity_refuses_the_next(event):
    user, _student = student_with_user()
    _page, api = login_clients(user)
    assert api.post(REGISTRATIONS, {"event": event.pk}, format="json").status_code == 201
    other, _s = student_with_user()
    response = login_clients(other)[1].post(REGISTRATIONS, {"event": event.pk}, format="json")
    assert response.status_code == 400
    assert "学生名额已满：本活动限 1 人，已报名 1 人" in str(response.data["non_field_errors"])
    mine = login_clients(user)[1].get("/api/v1/events/my-registrations/").data["results"]
    assert [r["event"] for r in mine] == [event.pk]


def test_the_organizer_approves_and_declines_through_the_api(
    event, officer, django_capture_on_commit_callbacks
):
    hr = user_with_role(Role.ENTERPRISE_HR)
    booth = EnterpriseRegistrationFactory(
        event=event, enterprise=hr.enterprise, status="pending", booth_no=""
    )
    other = EnterpriseRegistrationFactory(event=event, status="pending", booth_no="")
    _page, api = login_clients(officer)
    hr_api = login_clients(hr)[1]
    assert (
        hr_api.post(f"{REGISTRATIONS}{booth.pk}/approve/", {"booth_no": "A1"}, format="json").status_code
        == 403
    )
    stranger = login_clients(user_with_role(Role.GOV_OFFICER))[1]
    assert (
        stranger.post(f"{REGISTRATIONS}{booth.pk}/approve/", {"booth_no": "A1"}, format="json").status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{REGISTRATIONS}{booth.pk}/approve/", {"booth_no": "A1"}, format="json")
    assert response.status_code == 200 and response.data["booth_no"] == "A1"
    assert Notification.objects.filter(user=hr, text__contains="A1").exists()
    response = api.post(f"{REGISTRATIONS}{other.pk}/approve/", {"booth_no": "A1"}, format="json")
    assert response.status_code == 400 and "已分配给" in str(response.data)
    assert api.post(f"{REGISTRATIONS}{other.pk}/decline/", {}, format="json").status_code == 400
    response = api.post(f"{REGISTRATIONS}{other.pk}/decline/", {"reason": "主题不符"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "declined"


def test_cancel_through_the_api(event):
    user, student = student_with_user()
    registration = RegistrationFactory(event=event, student=student)
    other_user, _s = student_with_user()
    assert (
        login_clients(other_user)[1]
        .post(f"{REGISTRATIONS}{registration.pk}/cancel/", {}, format="json")
        .status_code
        == 404
    )
    response = login_clients(user)[1].post(
        f"{REGISTRATIONS}{registration.pk}/cancel/", {"reason": "生病"}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "cancelled"
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED


def test_registrations_have_no_edit_or_delete_through_the_api(event, officer):
    registration = RegistrationFactory(event=event)
    _page, api = login_clients(officer)
    assert (
        api.patch(f"{REGISTRATIONS}{registration.pk}/", {"booth_no": "X"}, format="json").status_code == 405
    )
    assert api.delete(f"{REGISTRATIONS}{registration.pk}/").status_code in (403, 405)
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_publish_and_cancel_events_through_the_api(officer, django_capture_on_commit_callbacks):
    _page, api = login_clients(officer)
    response = api.post(
        EVENTS,
        {
            "type": "dialogue",
            "title": "校长进园区产教对话",
            "organizer": "IGNORED",
            "venue": "郴州高新区管委会会议室",
            "starts_at": "2030-05-10T09:00:00+08:00",
            "ends_at": "2030-05-10T12:00:00+08:00",
            "registration_opens_at": "2030-04-01T09:00:00+08:00",
            "registration_closes_at": "2030-05-08T18:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 400 and "organizer" in response.data  # an unknown code is named
    data = {
        "type": "dialogue",
        "title": "校长进园区产教对话",
        "venue": "郴州高新区管委会会议室",
        "starts_at": "2030-05-10T09:00:00+08:00",
        "ends_at": "2030-05-10T12:00:00+08:00",
        "registration_opens_at": "2030-04-01T09:00:00+08:00",
        "registration_closes_at": "2030-05-08T18:00:00+08:00",
    }
    response = api.post(EVENTS, data, format="json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["status"] == "draft" and response.data["organizer"] == officer.department.code
    assert response.data["phase"] == "draft" and response.data["students_count"] == 0
    response = api.post(f"{EVENTS}{pk}/publish/")
    assert response.status_code == 200 and response.data["status"] == "published"
    assert response.data["phase"] == "not_open" and response.data["phase_display"] == "即将开放报名"
    assert api.post(f"{EVENTS}{pk}/publish/").status_code == 400
    stranger = login_clients(user_with_role(Role.GOV_OFFICER))[1]
    assert stranger.post(f"{EVENTS}{pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
    assert api.post(f"{EVENTS}{pk}/cancel/", {}, format="json").status_code == 400
    response = api.post(f"{EVENTS}{pk}/cancel/", {"reason": "议程调整"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "cancelled"
    student_api = login_clients(user_with_role(Role.STUDENT))[1]
    assert student_api.post(f"{EVENTS}{pk}/cancel/", {"reason": "x"}, format="json").status_code == 403


def test_the_api_filters_events_by_phase(officer):
    EventFactory(title="报名中")
    _page, api = login_clients(officer)
    titles = [row["title"] for row in api.get(f"{EVENTS}?phase=open").data["results"]]
    assert titles == ["报名中"]
    assert api.get(f"{EVENTS}?phase=ended").data["count"] == 0


def test_change_a_booth_through_the_api(event):
    hr = user_with_role(Role.ENTERPRISE_HR)
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    booth = EnterpriseRegistrationFactory(
        event=event, enterprise=hr.enterprise, status="pending", booth_no=""
    )
    api = login_clients(hr)[1]
    response = api.post(f"{REGISTRATIONS}{booth.pk}/change/", {"positions": [position.pk]}, format="json")
    assert response.status_code == 200 and response.data["positions"] == [position.pk]
    other = login_clients(user_with_role(Role.ENTERPRISE_HR))[1]
    assert other.post(f"{REGISTRATIONS}{booth.pk}/change/", {"note": "x"}, format="json").status_code == 404
