"""The slots' pages: the booths of an event with their free slots, a booth's time grid (who sees which
buttons and whose names; htmx 预约 / 取消 / 删除 answered with the tile; without JavaScript a redirect with a
message), generating from the page, the schedule's download, 我的预约, the slots' list and a slot's page;
scoping (a draft event, a pending booth) and query counts that do not grow with the rows."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.models import AuditLog, Notification
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
    SchoolRegistrationFactory,
    SlotFactory,
    student_with_user,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def booth():
    return EnterpriseRegistrationFactory(event=EventFactory())


@pytest.fixture
def event(booth):
    return booth.event


@pytest.fixture
def hr(booth):
    return user_with_role(Role.ENTERPRISE_HR, enterprise=booth.enterprise)


@pytest.fixture
def officer(event):
    return user_with_role(Role.GOV_OFFICER, department=event.organizer)


@pytest.fixture
def student(event):
    user, profile = student_with_user()
    return user, RegistrationFactory(event=event, student=profile)


def schedule_url(booth):
    return reverse("events:booth_slots", kwargs={"event_pk": booth.event_id, "pk": booth.pk})


def page(user):
    return login_clients(user)[0]


def generate(booth, hr):
    services.slots_generate(actor=hr, booth=booth)
    return list(Slot.objects.filter(booth=booth).order_by("starts_at"))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- the booths of an event ---------------------------------------------------------------------------
def test_the_booths_page_shows_free_slots_in_constant_queries(booth, hr, student, officer):
    slots = generate(booth, hr)
    services.slot_book(actor=student[0], slot=slots[0])
    EnterpriseRegistrationFactory(event=booth.event, status=RegistrationStatus.PENDING)  # not listed
    url = reverse("events:event_booths", kwargs={"pk": booth.event_id})
    client = page(student[0])
    response = client.get(url)
    body = response.content.decode()
    assert booth.enterprise.name in body
    assert 'data-free="23"' in body and "/ 24" in body
    assert body.count("data-booth=") == 1
    assert "我在本活动的预约" in body  # the student's own booking at the event
    few = count_queries(client, url)
    for _n in range(4):
        other = EnterpriseRegistrationFactory(event=booth.event)
        SlotFactory(booth=other)
    assert count_queries(client, url) == few
    # the organizer may generate for every booth; the others see no such button
    assert "data-generate-all" in page(officer).get(url).content.decode()
    assert "data-generate-all" not in body


def test_the_organizer_generates_every_booth(event, officer):
    booths = [EnterpriseRegistrationFactory(event=event) for _n in range(3)]
    EnterpriseRegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    url = reverse("events:booths_generate", kwargs={"pk": event.pk})
    response = page(officer).post(url, follow=True)
    assert "已为 4 个展位新生成 96 个洽谈时段" in response.content.decode()
    assert Slot.objects.filter(booth__in=booths).count() == 72
    assert AuditLog.objects.filter(verb="slots_generate").count() == 4
    assert page(user_with_role(Role.ENTERPRISE_HR)).post(url).status_code == 403


def test_a_draft_event_and_a_pending_booth_are_hidden(officer):
    draft = EventFactory(status=EventStatus.DRAFT, organizer=officer.department)
    booth = EnterpriseRegistrationFactory(event=draft)
    user, _profile = student_with_user()
    assert page(user).get(reverse("events:event_booths", kwargs={"pk": draft.pk})).status_code == 404
    assert page(user).get(schedule_url(booth)).status_code == 404
    assert page(officer).get(reverse("events:event_booths", kwargs={"pk": draft.pk})).status_code == 200
    pending = EnterpriseRegistrationFactory(event=EventFactory(), status=RegistrationStatus.PENDING)
    assert page(user).get(schedule_url(pending)).status_code == 404
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=pending.enterprise)
    response = page(hr).get(schedule_url(pending))
    assert response.status_code == 200 and "通过主办方审核后才能生成和预约" in response.content.decode()
    # a booth of another event under this event's address
    assert (
        page(user)
        .get(reverse("events:booth_slots", kwargs={"event_pk": EventFactory().pk, "pk": pending.pk}))
        .status_code
        == 404
    )


# --- a booth's schedule -------------------------------------------------------------------------------
def test_the_grid_shows_each_user_their_buttons_and_only_the_names_they_may_see(booth, hr, student):
    slots = generate(booth, hr)
    other, profile = student_with_user()
    RegistrationFactory(event=booth.event, student=profile)
    services.slot_book(actor=other, slot=slots[1])
    services.slot_book(actor=student[0], slot=slots[2])
    url = schedule_url(booth)

    body = page(student[0]).get(url).content.decode()
    assert body.count('data-action="book"') == 22  # every slot but the two booked
    assert f'id="slot-{slots[2].pk}"' in body and 'data-state="mine"' in body
    assert profile.name not in body  # another student's booking reads “已预约”
    assert student[1].student.name in body  # one's own
    assert body.count('data-action="cancel"') == 1

    body = page(hr).get(url).content.decode()
    assert profile.name in body and student[1].student.name in body
    assert 'data-action="book"' not in body
    assert body.count('data-action="cancel"') == 2
    assert body.count('data-action="delete"') == 22
    assert "data-generate" in body and 'data-export="xlsx"' in body

    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=booth.enterprise)
    body = page(mentor).get(url).content.decode()
    assert profile.name in body and 'data-action="delete"' not in body and "data-generate" not in body


def test_the_grid_tells_why_one_cannot_book(booth, hr):
    generate(booth, hr)
    user, _profile = student_with_user()
    body = page(user).get(schedule_url(booth)).content.decode()
    assert "您尚未报名本活动" in body and 'data-action="book"' not in body
    admin = user_with_role(Role.SCHOOL_ADMIN)
    SchoolRegistrationFactory(event=booth.event, school=admin.school, status=RegistrationStatus.CANCELLED)
    body = page(admin).get(schedule_url(booth)).content.decode()
    assert "报名状态为“已取消”" in body and 'data-action="book"' not in body


def test_an_overlapping_slot_elsewhere_is_marked(booth, hr, student):
    slots = generate(booth, hr)
    services.slot_book(actor=student[0], slot=slots[0])
    elsewhere = EnterpriseRegistrationFactory(event=booth.event)
    SlotFactory(booth=elsewhere, starts_at=slots[0].starts_at, ends_at=slots[0].ends_at)
    body = page(student[0]).get(schedule_url(elsewhere)).content.decode()
    assert "与已约时段" in body and "重叠" in body and 'data-action="book"' not in body


def test_the_grid_runs_the_same_queries_whatever_its_size(booth, hr, student):
    slots = generate(booth, hr)
    url = schedule_url(booth)
    clients = {user: page(user) for user in (student[0], hr)}
    few = {user: count_queries(client, url) for user, client in clients.items()}
    for slot in slots[3:8]:
        services.slot_book(actor=student_with_user_registered(booth), slot=slot)
    services.slot_book(actor=student[0], slot=slots[10])
    for n in range(3):  # a second day
        SlotFactory(booth=booth, starts_at=slots[n].starts_at + dt.timedelta(days=1))
    for user, client in clients.items():
        assert count_queries(client, url) == few[user], user.role


def test_htmx_booking_answers_the_tile(booth, hr, student):
    slot = generate(booth, hr)[4]
    client = page(student[0])
    response = client.post(reverse("events:slot_book", kwargs={"pk": slot.pk}), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<div class="col" id="slot-') and 'data-state="mine"' in body
    assert "已预约" in body and 'data-action="cancel"' in body
    assert response["HX-Trigger"] == "slotsChanged"  # the page's counts refresh
    counts = client.get(schedule_url(booth)).content.decode()
    assert 'hx-trigger="slotsChanged from:body"' in counts and "已预约 1 个" in counts
    # the same again: the refusal in the tile, still 200 (htmx swaps it), nothing to refresh
    response = client.post(reverse("events:slot_book", kwargs={"pk": slot.pk}), **HTMX)
    assert response.status_code == 200 and "无需重复预约" in response.content.decode()
    assert "HX-Trigger" not in response
    # another student: “该时段已被预约” in the tile, which now reads booked
    other, profile = student_with_user()
    RegistrationFactory(event=booth.event, student=profile)
    body = page(other).post(reverse("events:slot_book", kwargs={"pk": slot.pk}), **HTMX).content.decode()
    assert "该时段已被预约" in body and 'data-state="booked"' in body


def test_without_javascript_a_step_redirects_with_a_message(booth, hr, student):
    slot = generate(booth, hr)[4]
    client = page(student[0])
    url = schedule_url(booth)
    response = client.post(reverse("events:slot_book", kwargs={"pk": slot.pk}), {"next": url}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "已预约" in response.content.decode()
    response = client.post(
        reverse("events:slot_book", kwargs={"pk": slot.pk}), {"next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url  # an outside ``next`` is ignored
    assert "无需重复预约" in response.content.decode()


def test_htmx_cancel_by_the_enterprise_takes_the_prompted_reason(
    booth, hr, student, django_capture_on_commit_callbacks
):
    slot = generate(booth, hr)[5]
    services.slot_book(actor=student[0], slot=slot)
    with django_capture_on_commit_callbacks(execute=True):
        response = page(hr).post(
            reverse("events:slot_cancel", kwargs={"pk": slot.pk}),
            HTTP_HX_PROMPT="展位撤展",
            **HTMX,
        )
    assert 'data-state="free"' in response.content.decode()
    note = Notification.objects.get(user=student[0])
    assert "展位撤展" in note.text


def test_htmx_delete_removes_the_tile(booth, hr, student):
    slots = generate(booth, hr)
    response = page(hr).post(reverse("events:slot_remove", kwargs={"pk": slots[0].pk}), **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not Slot.objects.filter(pk=slots[0].pk).exists()
    # a student may not: the refusal, the slot stays
    response = page(student[0]).post(reverse("events:slot_remove", kwargs={"pk": slots[1].pk}), **HTMX)
    assert "删除洽谈时段" in response.content.decode()
    assert Slot.objects.filter(pk=slots[1].pk).exists()


def test_generating_from_the_page(booth, hr, student):
    url = reverse("events:booth_slots_generate", kwargs={"event_pk": booth.event_id, "pk": booth.pk})
    day = booth.event.starts_at.astimezone().strftime("%Y-%m-%d")
    response = page(hr).post(url, {"start": f"{day}T13:00", "end": f"{day}T14:00"}, follow=True)
    assert "已新生成 3 个洽谈时段" in response.content.decode()
    response = page(hr).post(url, {"start": f"{day}T13:00", "end": f"{day}T14:00"}, follow=True)
    assert "没有新生成时段" in response.content.decode()
    response = page(hr).post(url, {"start": f"{day}T07:00", "end": ""}, follow=True)
    assert "超出了活动时间" in response.content.decode()
    response = page(student[0]).post(url, {}, follow=True)
    assert "只有该展位企业的人事" in response.content.decode()
    assert Slot.objects.count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_schedule_is_downloaded_by_the_enterprise_and_the_organizer(booth, hr, officer, student, fmt):
    slots = generate(booth, hr)
    services.slot_book(actor=student[0], slot=slots[0])
    url = schedule_url(booth) + f"?export={fmt}"
    for user in (hr, officer):
        response = page(user).get(url)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:7] == ["活动", "展位号", "企业", "日期", "开始", "结束", "状态"]
        assert len(rows) == 25
        assert rows[1][8] == student[1].student.name and rows[1][6] == "已预约"
        assert rows[2][6] == "空闲"
    assert page(student[0]).get(url).status_code == 403


# --- 我的预约 ---------------------------------------------------------------------------------------------
def test_my_bookings_for_each_side(booth, hr, student):
    slots = generate(booth, hr)
    services.slot_book(actor=student[0], slot=slots[0])
    school = student[1].student.school
    delegation = SchoolRegistrationFactory(event=booth.event, school=school)
    teacher = user_with_role(Role.TEACHER, school=school)
    services.slot_book(actor=teacher, slot=slots[1])
    url = reverse("events:slots_mine")

    body = page(student[0]).get(url).content.decode()
    assert body.count("data-slot=") == 1 and 'data-action="cancel"' in body
    body = page(teacher).get(url).content.decode()
    assert body.count("data-slot=") == 2  # the delegation's and the student's
    assert delegation.school.name in body and student[1].student.name in body
    assert body.count('data-action="cancel"') == 1  # only the delegation's: the student books for themself
    body = page(hr).get(url).content.decode()
    assert body.count("data-slot=") == 2 and body.count('data-action="cancel"') == 2
    assert page(user_with_role(Role.GOV_OFFICER)).get(url).status_code == 403


def test_my_bookings_in_constant_queries(booth, hr):
    slots = generate(booth, hr)
    url = reverse("events:slots_mine")
    client = page(hr)
    services.slot_book(actor=student_with_user_registered(booth), slot=slots[0])
    few = count_queries(client, url)
    for slot in slots[1:6]:
        services.slot_book(actor=student_with_user_registered(booth), slot=slot)
    assert count_queries(client, url) == few


def student_with_user_registered(booth):
    user, profile = student_with_user()
    RegistrationFactory(event=booth.event, student=profile)
    return user


def test_htmx_cancel_on_my_bookings_answers_the_row(booth, hr, student):
    slot = generate(booth, hr)[0]
    services.slot_book(actor=student[0], slot=slot)
    response = page(student[0]).post(
        reverse("events:slot_cancel", kwargs={"pk": slot.pk}), {"fragment": "mine"}, **HTMX
    )
    body = response.content.decode()
    assert body.strip().startswith('<li class="list-group-item" id="mine-') and "已取消" in body


# --- the list and a slot's page -----------------------------------------------------------------------
def test_the_list_detail_and_export_are_scoped(booth, hr, student, officer):
    slots = generate(booth, hr)
    services.slot_book(actor=student[0], slot=slots[0])
    draft = EventFactory(status=EventStatus.DRAFT)
    hidden = SlotFactory(booth=EnterpriseRegistrationFactory(event=draft))
    other_booth = SlotFactory(booth=EnterpriseRegistrationFactory(event=booth.event))
    client = page(student[0])
    response = client.get(reverse("events:slot_list") + f"?event={booth.event_id}&free=true")
    assert response.status_code == 200
    assert client.get(reverse("events:slot_detail", kwargs={"pk": hidden.pk})).status_code == 404
    body = client.get(reverse("events:slot_detail", kwargs={"pk": slots[0].pk})).content.decode()
    assert student[1].student.name in body
    assert client.get(reverse("events:slot_list") + "?export=csv").status_code == 403
    # HR exports their booth's slots only; another student's page shows no name
    other, _profile = student_with_user()
    assert (
        student[1].student.name
        not in page(other).get(reverse("events:slot_detail", kwargs={"pk": slots[0].pk})).content.decode()
    )
    body = page(hr).get(reverse("events:slot_list") + "?export=csv").content.decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 25 and student[1].student.name in body
    body = page(officer).get(reverse("events:slot_list") + "?export=csv").content.decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 26  # both booths of the event
    assert other_booth.booth.enterprise.name in body


def test_the_list_page_runs_the_same_queries_whatever_its_size(booth, hr, officer):
    slots = generate(booth, hr)
    client = page(officer)
    url = reverse("events:slot_list")
    few = count_queries(client, url)
    for slot in slots[:5]:
        services.slot_book(actor=student_with_user_registered(booth), slot=slot)
    assert count_queries(client, url) == few
