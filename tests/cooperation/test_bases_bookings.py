"""Bookings of practice bases: booking_create and every refusal (capacity with the clash shown, not shared,
inactive, past, bad spans, wrong role), booking_cancel and who may cancel, the pages (the base's form, the
week calendar, the month list, 我的预约, the .ics file) and the API, scoped and without a query per row."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.cooperation.choices import BaseKind, BookingStatus
from xiaoqitong.cooperation.models import BaseBooking
from xiaoqitong.cooperation.services import bases as services
from xiaoqitong.cooperation.views.bases import BaseBookingViews
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from .factories import PracticeBaseFactory
from .factories_bases import BookingFactory, SharedBaseFactory, at

pytestmark = pytest.mark.django_db
API = "/api/v1/cooperation/base-bookings/"


@pytest.fixture
def teacher():
    return user_with_role(Role.TEACHER)


@pytest.fixture
def base():
    return SharedBaseFactory(capacity=40)


def book(actor, base, start=None, end=None, headcount=10, purpose="实训"):
    return services.booking_create(
        actor=actor,
        base=base,
        start=start or at(3, 9),
        end=end or at(3, 12),
        headcount=headcount,
        purpose=purpose,
    )


# --- booking_create -----------------------------------------------------------------------------------------
def test_a_school_books_a_shared_base_for_itself_audited(teacher, base):
    booking = book(teacher, base, headcount=40)
    assert booking.school == teacher.school and booking.enterprise is None and booking.booked_by == teacher
    assert booking.status == BookingStatus.CONFIRMED
    assert (
        AuditLog.objects.filter(verb="booking_create", object_id=str(booking.pk), actor=teacher).count() == 1
    )


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR, Role.SCHOOL_ADMIN])
def test_enterprises_and_school_admins_book_too(role, base):
    user = user_with_role(role)
    booking = book(user, base)
    assert (booking.school_id, booking.enterprise_id) == (user.school_id, user.enterprise_id)


def test_over_capacity_is_refused_with_each_clash_and_the_places_left(teacher, base):
    first = BookingFactory(base=base, start=at(3, 8), end=at(3, 10), headcount=25)
    second = BookingFactory(base=base, start=at(3, 11), end=at(3, 12), headcount=30)
    BookingFactory(base=base, start=at(3, 12), end=at(3, 14), headcount=40)  # touches the span: no clash
    BookingFactory(base=base, start=at(3, 9), end=at(3, 10), headcount=40, status="cancelled")
    with pytest.raises(ValidationError) as excinfo:
        book(teacher, base, start=at(3, 9), end=at(3, 12), headcount=11)
    message = excinfo.value.message_dict["headcount"][0]
    assert "最多容纳 40 人" in message and "最多只剩 10 个名额" in message and "本次预约 11 人" in message
    day = f"{at(3):%Y-%m-%d}"
    assert f"{day} 08:00–10:00 {first.school.name} 25 人" in message
    assert f"{day} 11:00–12:00 {second.school.name} 30 人" in message
    assert message.count("人；") == 1  # two clashes listed, not the touching or the cancelled booking
    assert not BaseBooking.objects.filter(school=teacher.school).exists()
    # The places left fit: the two clashes never overlap each other, so they do not add up.
    book(teacher, base, start=at(3, 9), end=at(3, 12), headcount=10)


def test_a_booking_larger_than_the_base_is_refused_without_clashes(teacher, base):
    with pytest.raises(ValidationError) as excinfo:
        book(teacher, base, headcount=41)
    assert excinfo.value.message_dict["headcount"][0].endswith("最多只剩 40 个名额，本次预约 41 人。")


def test_a_base_that_is_not_shared_takes_only_its_owners(teacher):
    private = PracticeBaseFactory(kind=BaseKind.INTEGRATION, shared=False)
    with pytest.raises(ValidationError, match="不对外共享"):
        book(teacher, private)
    own = PracticeBaseFactory(owner_school=teacher.school, shared=False)
    assert book(teacher, own).base == own
    hr = user_with_role(Role.ENTERPRISE_HR)
    co_owned = PracticeBaseFactory(owner_enterprise=hr.enterprise, shared=False)
    assert book(hr, co_owned).enterprise == hr.enterprise


def test_an_inactive_base_is_refused(teacher):
    inactive = SharedBaseFactory(owner_school=teacher.school, active=False)
    with pytest.raises(ValidationError, match="已停用"):
        book(teacher, inactive)


def test_spans_in_the_past_reversed_or_too_long_are_refused(teacher, base):
    with pytest.raises(ValidationError) as excinfo:
        book(teacher, base, start=at(-1, 9), end=at(1, 9))
    assert "已过" in excinfo.value.message_dict["start"][0]
    with pytest.raises(ValidationError) as excinfo:
        book(teacher, base, start=at(3, 12), end=at(3, 12))
    assert "晚于开始时间" in excinfo.value.message_dict["end"][0]
    with pytest.raises(ValidationError) as excinfo:
        book(teacher, base, start=at(3, 9), end=at(3, 9) + dt.timedelta(days=31, minutes=1))
    assert "最长 31 天" in excinfo.value.message_dict["end"][0]
    book(teacher, base, start=at(3, 9), end=at(3, 9) + dt.timedelta(days=31))  # exactly 31 days: fine
    with pytest.raises(ValidationError):
        book(teacher, base, headcount=0)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN])
def test_roles_that_do_not_book_are_refused(role, base):
    with pytest.raises(PermissionDenied):
        book(user_with_role(role), base)
    assert not BaseBooking.objects.exists()


def test_a_base_the_user_cannot_see_is_refused(teacher):
    hidden = SharedBaseFactory(active=False)
    with pytest.raises(PermissionDenied):
        book(teacher, hidden)


# --- booking_cancel -----------------------------------------------------------------------------------------
def test_the_booker_organization_cancels_with_a_reason_and_frees_the_places(teacher, base):
    booking = book(teacher, base, headcount=40)
    colleague = user_with_role(Role.SCHOOL_ADMIN, school=teacher.school)
    with pytest.raises(ValidationError, match="取消原因"):
        services.booking_cancel(actor=colleague, booking=booking, reason="  ")
    services.booking_cancel(actor=colleague, booking=booking, reason="课程调整")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    entry = AuditLog.objects.get(verb="booking_cancel", object_id=str(booking.pk))
    assert entry.changes["reason"] == [None, "课程调整"] and entry.changes["status"][1] == "cancelled"
    with pytest.raises(ValidationError, match="不能再取消"):
        services.booking_cancel(actor=colleague, booking=booking, reason="再取消")
    other = user_with_role(Role.TEACHER)
    assert book(other, base, headcount=40).headcount == 40


def test_the_base_owner_cancels_others_bookings(base):
    booking = BookingFactory(base=base)
    owner_admin = user_with_role(Role.SCHOOL_ADMIN, school=base.owner_school)
    services.booking_cancel(actor=owner_admin, booking=booking, reason="基地检修")
    assert BaseBooking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR, Role.GOV_OFFICER])
def test_others_may_not_cancel(role, base):
    booking = BookingFactory(base=base)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=user_with_role(role), booking=booking, reason="不行")
    # a teacher of the owner school is not the base's owner (its administrator is)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(
            actor=user_with_role(Role.TEACHER, school=base.owner_school), booking=booking, reason="不行"
        )
    assert BaseBooking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_an_ended_booking_is_not_cancelled(base):
    booking = BookingFactory(base=base, start=at(-3, 9), end=at(-3, 12))
    actor = user_with_role(Role.TEACHER, school=booking.school)
    with pytest.raises(ValidationError, match="已结束"):
        services.booking_cancel(actor=actor, booking=booking, reason="晚了")


# --- pages --------------------------------------------------------------------------------------------------
def test_the_base_page_books_and_shows_a_refusal_in_place(client, teacher, base):
    client.force_login(teacher)
    url = reverse("cooperation:practicebase_book", args=[base.pk])
    data = {"start": f"{at(3, 9):%Y-%m-%dT%H:%M}", "end": f"{at(3, 12):%Y-%m-%dT%H:%M}", "purpose": "实训"}
    response = client.post(url, data | {"headcount": 30})
    booking = BaseBooking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    response = client.post(url, data | {"headcount": 11})
    assert response.status_code == 400
    body = response.content.decode()
    assert "最多只剩 10 个名额" in body and teacher.school.name in body and "data-refusal" in body
    student = user_with_role(Role.STUDENT)
    client.force_login(student)
    body = client.get(base.get_absolute_url()).content.decode()
    assert "可以为本单位预约共享基地" in body and url not in body
    assert client.post(url, data | {"headcount": 1}).status_code == 400
    assert BaseBooking.objects.count() == 1


def test_week_calendar_shows_blocks_in_day_columns_and_navigates(client, teacher, base):
    mine = book(teacher, base, start=at(3, 9), end=at(3, 12), headcount=5, purpose="我们的实训")
    theirs = BookingFactory(base=base, start=at(3, 10), end=at(3, 11), headcount=7, purpose="别人的用途")
    long = BookingFactory(base=base, start=at(3, 20), end=at(4, 8), headcount=3)
    client.force_login(teacher)
    url = reverse("cooperation:practicebase_calendar", args=[base.pk])
    day = at(3).date()
    response = client.get(f"{url}?week={day:%Y-%m-%d}")
    body = response.content.decode()
    assert response.status_code == 200
    for booking in (mine, theirs, long):
        assert f'data-booking="{booking.pk}"' in body
    assert "我们的实训" in body and "别人的用途" not in body  # the purpose only for insiders
    assert theirs.school.name in body and "最多已约 12/40 人" in body
    monday = day - dt.timedelta(days=day.weekday())
    assert f'data-week="{monday:%Y-%m-%d}"' in body
    assert f"?week={monday + dt.timedelta(days=7):%Y-%m-%d}" in body
    other_week = client.get(f"{url}?week={monday + dt.timedelta(days=7):%Y-%m-%d}").content.decode()
    if (day + dt.timedelta(days=1)).weekday() != 0:  # the overnight booking stays in this week
        assert f'data-booking="{mine.pk}"' not in other_week
    month = client.get(f"{url}?view=month&month={day:%Y-%m}").content.decode()
    assert f'data-month="{day:%Y-%m}"' in month and "我们的实训" in month and "别人的用途" not in month


def test_calendar_pages_run_no_query_per_booking(client, teacher, base):
    client.force_login(teacher)
    url = reverse("cooperation:practicebase_calendar", args=[base.pk]) + f"?week={at(3).date():%Y-%m-%d}"
    BookingFactory(base=base, start=at(3, 8), end=at(3, 9), headcount=1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for hour in range(10, 18):
        BookingFactory(base=base, start=at(3, hour), end=at(3, hour + 1), headcount=1)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_ics_export_has_one_event_per_confirmed_booking(client, teacher, base):
    mine = book(teacher, base, purpose="数控实训, 第一批; 含夜间")
    BookingFactory(base=base, start=at(5, 9), end=at(5, 10), purpose="别人的用途")
    BookingFactory(base=base, start=at(6, 9), end=at(6, 10), status="cancelled")
    client.force_login(teacher)
    response = client.get(reverse("cooperation:practicebase_ics", args=[base.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2
    unfolded = body.replace("\r\n ", "")
    assert f"UID:base-booking-{mine.pk}@" in unfolded
    assert f"DTSTART:{mine.start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in unfolded
    assert "DESCRIPTION:数控实训\\, 第一批\\; 含夜间" in unfolded and "别人的用途" not in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_my_bookings_lists_the_organization_bookings_only(client, teacher, base):
    mine = book(teacher, base, purpose="本校的")
    BookingFactory(base=base, start=at(5, 9), end=at(5, 10), purpose="别校的")
    past = BookingFactory(base=base, school=teacher.school, start=at(-5, 9), end=at(-5, 10), purpose="上周的")
    client.force_login(teacher)
    body = client.get(reverse("cooperation:booking_mine")).content.decode()
    assert "本校的" in body and "上周的" in body and "别校的" not in body
    assert mine.pk and past.pk
    client.force_login(user_with_role(Role.STUDENT))
    assert client.get(reverse("cooperation:booking_mine")).status_code == 403


def test_booking_pages_are_scoped_and_cancel_works(client, teacher, base):
    booking = book(teacher, base)
    outsider = user_with_role(Role.TEACHER)
    client.force_login(outsider)
    assert client.get(booking.get_absolute_url()).status_code == 404
    cancel = reverse("cooperation:basebooking_cancel", args=[booking.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 404
    owner = user_with_role(Role.SCHOOL_ADMIN, school=base.owner_school)
    client.force_login(owner)
    body = client.get(booking.get_absolute_url()).content.decode()
    assert cancel in body  # the base's owner sees the booking of its base and may cancel it
    client.force_login(teacher)
    response = client.post(cancel, {"reason": "临时停课"})
    assert response.status_code == 302
    body = client.get(booking.get_absolute_url()).content.decode()
    assert "临时停课" in body and cancel not in body
    client.force_login(user_with_role(Role.GOV_OFFICER))
    assert client.get(BaseBookingViews.url_for("list")).status_code == 200
    assert client.get(booking.get_absolute_url()).status_code == 200


def test_booking_list_and_api_run_no_query_per_row(client, base):
    officer = user_with_role(Role.GOV_OFFICER)
    client.force_login(officer)
    BookingFactory.create_batch(2, base=base, headcount=1)
    with CaptureQueriesContext(connection) as few:
        client.get(BaseBookingViews.url_for("list"))
        client.get(API)
    BookingFactory.create_batch(6, base=base, headcount=1)
    with CaptureQueriesContext(connection) as many:
        client.get(BaseBookingViews.url_for("list"))
        client.get(API)
    assert len(many) == len(few)
    assert client.get(BaseBookingViews.url_for("list") + "?export=csv").status_code == 200


# --- API ----------------------------------------------------------------------------------------------------
def test_api_books_refuses_with_the_clash_and_cancels(teacher, base):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(teacher)
    payload = {
        "base": base.pk,
        "start": at(3, 9).isoformat(),
        "end": at(3, 12).isoformat(),
        "purpose": "实训",
    }
    response = api.post(API, payload | {"headcount": 35}, format="json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["school"] == teacher.school.code
    other = APIClient()
    other.force_authenticate(user_with_role(Role.ENTERPRISE_HR))
    response = other.post(API, payload | {"headcount": 6}, format="json")
    assert response.status_code == 400
    assert (
        "最多只剩 5 个名额" in response.data["headcount"][0]
        and teacher.school.name in response.data["headcount"][0]
    )
    student = APIClient()
    student.force_authenticate(user_with_role(Role.STUDENT))
    assert student.post(API, payload | {"headcount": 1}, format="json").status_code == 403
    assert other.post(f"{API}{pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
    assert api.post(f"{API}{pk}/cancel/", {}, format="json").status_code == 400
    response = api.post(f"{API}{pk}/cancel/", {"reason": "调课"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "cancelled"
    assert api.patch(f"{API}{pk}/", {"headcount": 1}, format="json").status_code in (403, 405)
    assert api.delete(f"{API}{pk}/").status_code in (403, 405)
    owner = APIClient()
    owner.force_authenticate(user_with_role(Role.SCHOOL_ADMIN, school=base.owner_school))
    second = BookingFactory(base=base)
    assert owner.post(f"{API}{second.pk}/cancel/", {"reason": "检修"}, format="json").status_code == 200


def test_api_lists_a_base_bookings_between_dates(teacher, base):
    from rest_framework.test import APIClient

    mine = book(teacher, base, purpose="本校实训")
    theirs = BookingFactory(base=base, start=at(4, 9), end=at(4, 10), purpose="别人的用途")
    BookingFactory(base=base, start=at(20, 9), end=at(20, 10))
    api = APIClient()
    api.force_authenticate(teacher)
    url = f"/api/v1/cooperation/practice-bases/{base.pk}/bookings/"
    response = api.get(f"{url}?from={at(3):%Y-%m-%d}&to={at(4):%Y-%m-%d}")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.data}
    assert set(rows) == {mine.pk, theirs.pk}
    assert rows[mine.pk]["purpose"] == "本校实训" and rows[theirs.pk]["purpose"] == ""
    assert rows[theirs.pk]["booker"] == theirs.school.name
    assert api.get(f"{url}?from=2026-13-01").status_code == 400
    assert api.get(f"{url}?from={at(3):%Y-%m-%d}&to={at(1):%Y-%m-%d}").status_code == 400
    hidden = SharedBaseFactory(active=False)
    assert api.get(f"/api/v1/cooperation/practice-bases/{hidden.pk}/bookings/").status_code == 404


def test_ics_lines_fold_at_75_octets_between_characters():
    from xiaoqitong.cooperation.views.bases import _fold

    line = "DESCRIPTION:" + "数控车工实训" * 20
    parts = _fold(line)
    assert len(parts) > 1 and all(len(p.encode()) <= 75 for p in parts)
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line


def test_month_list_ics_and_my_bookings_run_no_query_per_booking(client, teacher, base):
    client.force_login(teacher)
    calendar = reverse("cooperation:practicebase_calendar", args=[base.pk])
    urls = [
        f"{calendar}?view=month&month={at(3).date():%Y-%m}",
        reverse("cooperation:practicebase_ics", args=[base.pk]),
        reverse("cooperation:booking_mine"),
    ]
    BookingFactory(base=base, school=teacher.school, start=at(3, 8), end=at(3, 9), headcount=1)
    BookingFactory(base=base, start=at(3, 9), end=at(3, 10), headcount=1)
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            assert client.get(url).status_code == 200
    for hour in range(10, 16):
        BookingFactory(base=base, school=teacher.school, start=at(3, hour), end=at(3, hour + 1), headcount=1)
        BookingFactory(base=base, start=at(3, hour), end=at(3, hour + 1), headcount=1)
    with CaptureQueriesContext(connection) as many:
        for url in urls:
            client.get(url)
    assert len(many) == len(few)
