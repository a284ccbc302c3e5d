"""The slots' API: the list (scoped to readable events, filters, bookers named only to those who may see them,
constant queries), book / cancel / delete with their refusals as 400/403 in Chinese, and the booths with their
counts and ``generate``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import login_clients
from xiaoqitong.events.choices import EventStatus, RegistrationStatus
from xiaoqitong.events.models import Slot
from xiaoqitong.events.services import slots as services
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from .factories import (
    EnterpriseRegistrationFactory,
    EventFactory,
    RegistrationFactory,
    SlotFactory,
    student_with_user,
)

pytestmark = pytest.mark.django_db
SLOTS = "/api/v1/events/slots/"
BOOTHS = "/api/v1/events/booths/"


@pytest.fixture
def booth():
    return EnterpriseRegistrationFactory(event=EventFactory())


@pytest.fixture
def hr(booth):
    return user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)


@pytest.fixture
def officer(booth):
    return user_with_role(Role.GOV_OFFICER, department=booth.event.organizer)


def registered_student(event):
    user, profile = student_with_user()
    RegistrationFactory(event=event, student=profile)
    return user


def api(user):
    return login_clients(user)[1]


def slots_of(booth, hr):
    services.slots_generate(actor=hr, booth=booth)
    return list(Slot.objects.filter(booth=booth).order_by("starts_at"))


def test_the_list_is_scoped_filtered_and_names_bookers_only_to_those_who_may_see(booth, hr, officer):
    slots = slots_of(booth, hr)
    student = registered_student(booth.event)
    services.slot_book(actor=student, slot=slots[0])
    SlotFactory(booth=EnterpriseRegistrationFactory(event=EventFactory(status=EventStatus.DRAFT)))
    other = registered_student(booth.event)

    data = api(other).get(SLOTS).data
    assert data["count"] == 24  # not the draft event's
    first = data["results"][0]
    assert first["booked"] is True and first["free"] is False
    assert first["booker"] is None and first["booked_by"] is None and first["booked_at"] is None
    for user in (student, hr, officer):
        first = api(user).get(SLOTS).data["results"][0]
        assert first["booker"] and first["booked_by"] is not None and first["booked_at"]

    assert api(other).get(SLOTS, {"free": "true"}).data["count"] == 23
    assert api(other).get(SLOTS, {"free": "false"}).data["count"] == 1
    assert api(other).get(SLOTS, {"booth": booth.pk, "event": booth.event_id}).data["count"] == 24
    assert api(other).get(SLOTS, {"event": 999999}).data["count"] == 0
    assert api(officer).get(SLOTS).data["count"] == 24  # the draft of another department stays hidden


def test_the_list_runs_the_same_queries_whatever_its_size(booth, hr):
    slots = slots_of(booth, hr)
    for user, booking in ((hr, slots[:3]), (registered_student(booth.event), slots[3:6])):
        client = api(user)
        with CaptureQueriesContext(connection) as few:
            assert client.get(SLOTS).status_code == 200
        for slot in booking:
            services.slot_book(actor=registered_student(booth.event), slot=slot)
        with CaptureQueriesContext(connection) as many:
            assert client.get(SLOTS).status_code == 200
        assert len(many) == len(few), user.role


def test_book_and_cancel(booth, hr):
    slot = slots_of(booth, hr)[2]
    student = registered_student(booth.event)
    response = api(student).post(f"{SLOTS}{slot.pk}/book/")
    assert response.status_code == 200, response.data
    assert response.data["booked"] is True and response.data["booker"]
    response = api(registered_student(booth.event)).post(f"{SLOTS}{slot.pk}/book/")
    assert response.status_code == 400
    assert response.data["non_field_errors"] == ["该时段已被预约，请选择其他时段。"]
    response = api(hr).post(f"{SLOTS}{slot.pk}/book/")
    assert response.status_code == 403 and "企业不能预约" in str(response.data["detail"])
    response = api(hr).post(f"{SLOTS}{slot.pk}/cancel/", {"reason": "临时调整"}, format="json")
    assert response.status_code == 200 and response.data["booked"] is False
    assert AuditLog.objects.get(verb="slot_cancel").changes["reason"] == [None, "临时调整"]
    response = api(student).post(f"{SLOTS}{slot.pk}/cancel/")
    assert response.status_code == 400 and "没有预约" in response.data["non_field_errors"][0]


def test_a_slot_out_of_view_answers_404(booth, hr):
    hidden = SlotFactory(booth=EnterpriseRegistrationFactory(event=EventFactory(status=EventStatus.DRAFT)))
    student = registered_student(booth.event)
    assert api(student).post(f"{SLOTS}{hidden.pk}/book/").status_code == 404
    assert api(student).get(f"{SLOTS}{hidden.pk}/").status_code == 404


def test_delete_a_free_slot_and_no_create(booth, hr):
    slots = slots_of(booth, hr)
    assert api(hr).delete(f"{SLOTS}{slots[0].pk}/").status_code == 204
    services.slot_book(actor=registered_student(booth.event), slot=slots[1])
    response = api(hr).delete(f"{SLOTS}{slots[1].pk}/")
    assert response.status_code == 400 and "已被预约，不能删除" in response.data["non_field_errors"][0]
    assert api(registered_student(booth.event)).delete(f"{SLOTS}{slots[2].pk}/").status_code == 403
    assert api(hr).post(SLOTS, {}, format="json").status_code in (403, 405)
    assert Slot.objects.filter(booth=booth).count() == 23


def test_booths_with_counts_and_generate(booth, hr, officer):
    pending = EnterpriseRegistrationFactory(event=booth.event, status=RegistrationStatus.PENDING)
    response = api(hr).post(f"{BOOTHS}{booth.pk}/generate/", {}, format="json")
    assert (
        response.status_code == 201 and response.data["created"] == 24 and len(response.data["slots"]) == 24
    )
    response = api(hr).post(f"{BOOTHS}{booth.pk}/generate/", {}, format="json")
    assert response.status_code == 200 and response.data["created"] == 0 and response.data["total"] == 24
    services.slot_book(actor=registered_student(booth.event), slot=Slot.objects.filter(booth=booth).first())

    student = registered_student(booth.event)
    data = api(student).get(BOOTHS, {"event": booth.event_id}).data
    assert [b["id"] for b in data["results"]] == [booth.pk]  # not the pending one
    assert (data["results"][0]["slots_total"], data["results"][0]["slots_free"]) == (24, 23)
    ids = [b["id"] for b in api(officer).get(BOOTHS, {"event": booth.event_id}).data["results"]]
    assert set(ids) == {booth.pk, pending.pk}

    response = api(student).post(f"{BOOTHS}{booth.pk}/generate/", {}, format="json")
    assert response.status_code == 403
    response = api(officer).post(f"{BOOTHS}{pending.pk}/generate/", {}, format="json")
    assert response.status_code == 400 and "通过主办方审核后" in response.data["non_field_errors"][0]
    day = booth.event.starts_at
    response = api(officer).post(
        f"{BOOTHS}{booth.pk}/generate/",
        {"start": day.replace(hour=7).isoformat(), "end": day.replace(hour=8).isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "超出了活动时间" in response.data["non_field_errors"][0]
    assert api(student).get(BOOTHS, {"event": "x"}).status_code == 400


def test_booths_list_runs_the_same_queries_whatever_its_size(booth, officer):
    client = api(officer)
    with CaptureQueriesContext(connection) as few:
        client.get(BOOTHS)
    for _n in range(4):
        SlotFactory(booth=EnterpriseRegistrationFactory(event=booth.event))
    with CaptureQueriesContext(connection) as many:
        assert client.get(BOOTHS).data["count"] == 5
    assert len(many) == len(few)
