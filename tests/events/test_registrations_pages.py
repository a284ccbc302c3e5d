"""Pages of event types, events and registrations: the generic CRUD/export/import tests, who sees which event
and registration (page and API), the action an event's page offers each role, the steps posted from it,
我的活动, the calendars, the export and the batch of 学号, and the query counts of the lists."""

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factory.django import DjangoModelFactory

from xiaoqitong.core.models import Notification
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, csv_upload, login_clients
from xiaoqitong.events.choices import EventStatus, RegistrationStatus
from xiaoqitong.events.models import Event, EventType, Registration
from xiaoqitong.events.views.registrations import EventTypeViews, EventViews
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import PositionFactory, PublishedPositionFactory
from ..orgs.factories import DepartmentFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import (
    EnterpriseRegistrationFactory,
    EventFactory,
    RegistrationFactory,
    SchoolRegistrationFactory,
    at,
    event_type,
    student_with_user,
)

EVENT_TYPES = "/api/v1/events/event-types/"
EVENTS = "/api/v1/events/events/"
REGISTRATIONS = "/api/v1/events/registrations/"
MINE = "/api/v1/events/my-registrations/"


class EventTypeFactory(DjangoModelFactory):
    class Meta:
        model = EventType

    code = factory.Sequence(lambda n: f"salon{n}")
    name = factory.Sequence(lambda n: f"技能沙龙{n}")


class DraftEventFactory(EventFactory):
    status = EventStatus.DRAFT


def _with(registration, **m2m):
    """A factory's registration with its positions or majors set (factories do not set many-to-many)."""
    for name, values in m2m.items():
        getattr(registration, name).set(values)
    return registration


def _when(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class TestEventType(ImportTests, ModelTests):
    views = EventTypeViews
    api_url = EVENT_TYPES
    factory = EventTypeFactory
    update_data = {"name": "校企技能沙龙"}

    def form_data(self):
        return {"code": "salon", "name": "技能沙龙", "rule_key": "", "sort_order": 50}

    def api_data(self):
        return {"code": "forum", "name": "产教论坛", "rule_key": "", "has_minutes": True}

    def import_rows(self):
        return [
            {"代码": "forum", "名称": "产教论坛", "对应指标": "", "记录纪要与承诺事项": "是", "排序": "60"},
            {"代码": "visit", "名称": "企业开放日", "对应指标": "", "记录纪要与承诺事项": "否", "排序": "70"},
        ]

    def test_the_import_keeps_a_seeded_types_rule(self, client_admin, django_capture_on_commit_callbacks):
        rows = [
            {"代码": "fair", "名称": "供需见面会", "对应指标": "", "记录纪要与承诺事项": "否", "排序": "20"}
        ]
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        from xiaoqitong.core.models import ImportJob

        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        assert any("不能修改" in e["message"] for e in job.errors), job.errors

    def test_seeded_type_delete_page_refuses_in_chinese(self, client_admin):
        fair = event_type("fair")
        response = client_admin.post(self.views.url_for("delete", fair), follow=True)
        assert "政策规定的活动类型" in response.content.decode()
        assert EventType.objects.filter(code="fair").exists()

    def test_everybody_reads_types_and_only_platform_admins_write(self):
        own = EventTypeFactory()
        for role in (Role.GOV_OFFICER, Role.STUDENT, Role.ENTERPRISE_HR):

            def may(action, is_own):
                return action in {"view", "export"}

            check_access(user_with_role(role), EventTypeViews, EVENT_TYPES, may, own, None, role)


class TestEvent(ModelTests):
    views = EventViews
    api_url = EVENTS
    factory = DraftEventFactory
    update_data = {"title": "2026 年秋季供需见面会"}

    def form_data(self):
        return {
            "type": event_type("fair").pk,
            "title": "2026 年春季供需见面会",
            "organizer": DepartmentFactory().pk,
            "venue": "郴州国际会展中心",
            "starts_at": _when(at(20, 9)),
            "ends_at": _when(at(20, 17)),
            "registration_opens_at": _when(at(1, 9)),
            "registration_closes_at": _when(at(18, 18)),
            "capacity": 300,
            "booths": 40,
            "slot_minutes": 20,
            "description": "",
        }

    def api_data(self):
        return {
            "type": "gba",
            "title": "郴州职业院校大湾区推介会",
            "organizer": DepartmentFactory().code,
            "venue": "深圳会展中心",
            "starts_at": at(30, 9).isoformat(),
            "ends_at": at(30, 17).isoformat(),
            "registration_opens_at": at(1, 9).isoformat(),
            "registration_closes_at": at(25, 18).isoformat(),
            "booths": 20,
        }

    def test_a_published_event_is_cancelled_not_deleted(self, client_admin):
        event = EventFactory()
        response = client_admin.post(self.views.url_for("delete", event), follow=True)
        assert "不能删除" in response.content.decode()
        assert Event.objects.filter(pk=event.pk).exists()


# --- who sees which event ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_event_access_by_role():
    officer = user_with_role(Role.GOV_OFFICER)
    own = DraftEventFactory(organizer=officer.department)
    other = DraftEventFactory()
    check_access(officer, EventViews, EVENTS, lambda action, is_own: is_own, own, other, "officer")
    for role in (Role.ENTERPRISE_HR, Role.STUDENT, Role.SCHOOL_ADMIN, Role.RESEARCHER):
        check_access(
            user_with_role(role), EventViews, EVENTS, lambda a, o: a == "view" and o, None, other, role
        )


@pytest.mark.django_db
def test_published_events_are_read_by_everybody_drafts_by_their_organizer_only():
    officer = user_with_role(Role.GOV_OFFICER)
    published = EventFactory(title="已发布的见面会")
    draft = DraftEventFactory(organizer=officer.department, title="本部门草稿")
    foreign = DraftEventFactory(title="别的部门草稿")
    for role in (Role.STUDENT, Role.ENTERPRISE_HR, Role.TEACHER, Role.RESEARCHER, Role.GOV_OFFICER):
        page, api = login_clients(user_with_role(role))
        assert page.get(published.get_absolute_url()).status_code == 200, role
        assert page.get(foreign.get_absolute_url()).status_code == 404, role
        titles = {row["title"] for row in api.get(EVENTS).data["results"]}
        assert "已发布的见面会" in titles and "别的部门草稿" not in titles, role
    page, api = login_clients(officer)
    assert page.get(draft.get_absolute_url()).status_code == 200
    assert "本部门草稿" in {row["title"] for row in api.get(EVENTS).data["results"]}


@pytest.mark.django_db
def test_the_list_filters_and_shows_the_phase(client):
    user = user_with_role(Role.STUDENT)
    client.force_login(user)
    EventFactory(title="报名中的活动")
    EventFactory(
        title="已结束的活动",
        starts_at=at(-30, 9),
        ends_at=at(-30, 17),
        registration_opens_at=at(-40),
        registration_closes_at=at(-31),
    )
    EventFactory(
        title="即将举行的活动",
        starts_at=at(3, 9),
        ends_at=at(3, 17),
        registration_opens_at=at(-10),
        registration_closes_at=at(-1),
    )
    body = client.get("/events/").content.decode()
    for label in ("报名中", "已结束", "即将举行"):
        assert label in body
    body = client.get("/events/?phase=open").content.decode()
    assert "报名中的活动" in body and "已结束的活动" not in body
    body = client.get("/events/?phase=ended").content.decode()
    assert "已结束的活动" in body and "报名中的活动" not in body
    gba = EventFactory(title="大湾区推介会 2026", type=event_type("gba"))
    body = client.get(f"/events/?type={gba.type_id}").content.decode()
    assert "大湾区推介会 2026" in body and "报名中的活动" not in body
    year = at(-30).year
    assert "已结束的活动" in client.get(f"/events/?year={year}").content.decode()


@pytest.mark.django_db
def test_the_event_list_and_api_run_no_query_per_event(client):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    _page, api = login_clients(user_with_role(Role.GOV_OFFICER))

    def counts():
        with CaptureQueriesContext(connection) as page_q:
            assert client.get("/events/").status_code == 200
        with CaptureQueriesContext(connection) as api_q:
            assert api.get(EVENTS).status_code == 200
        return len(page_q), len(api_q)

    event = EventFactory()
    RegistrationFactory(event=event)
    few = counts()
    for _ in range(5):
        event = EventFactory()
        RegistrationFactory.create_batch(2, event=event)
        EnterpriseRegistrationFactory(event=event)
    assert counts() == few


# --- an event's page by role -------------------------------------------------------------------------------
@pytest.fixture
def officer():
    return user_with_role(Role.GOV_OFFICER)


@pytest.fixture
def event(officer):
    return EventFactory(organizer=officer.department, capacity=50, booths=10)


@pytest.mark.django_db
def test_an_enterprise_sees_the_booth_form_with_its_own_published_positions(client, event):
    hr = user_with_role(Role.ENTERPRISE_HR)
    PublishedPositionFactory(enterprise=hr.enterprise, title="模具钳工")
    PositionFactory(enterprise=hr.enterprise, title="草稿岗位")
    PublishedPositionFactory(title="别家岗位")
    client.force_login(hr)
    body = client.get(event.get_absolute_url()).content.decode()
    assert "企业报名展位" in body and "模具钳工" in body
    assert "草稿岗位" not in body and "别家岗位" not in body


@pytest.mark.django_db
def test_a_school_sees_the_delegation_form_with_its_own_majors_and_the_batch(client, event):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    SchoolMajorFactory(school=admin.school)
    client.force_login(admin)
    body = client.get(event.get_absolute_url()).content.decode()
    assert "学校报名代表团" in body and "参会人数" in body and "批量报名学生" in body


@pytest.mark.django_db
def test_a_student_registers_from_the_page_and_sees_the_pass(client, event):
    user, _student = student_with_user()
    client.force_login(user)
    assert "学生报名" in client.get(event.get_absolute_url()).content.decode()
    response = client.post(reverse("events:event_register", args=[event.pk]), {"note": ""})
    assert response.status_code == 302
    registration = Registration.objects.get(student__user=user)
    body = client.get(event.get_absolute_url()).content.decode()
    assert "我的报名" in body and reverse("events:registration_pass", args=[registration.pk]) in body
    assert "取消报名" in body


@pytest.mark.django_db
def test_a_refusal_is_shown_on_the_register_page_in_chinese(client, officer):
    full = EventFactory(organizer=officer.department, capacity=1)
    RegistrationFactory(event=full)
    user, _student = student_with_user()
    client.force_login(user)
    assert "学生名额已满" in client.get(full.get_absolute_url()).content.decode()
    response = client.post(reverse("events:event_register", args=[full.pk]), {})
    assert response.status_code == 400
    assert "学生名额已满：本活动限 1 人，已报名 1 人" in response.content.decode()


@pytest.mark.django_db
def test_the_window_is_shown_when_registration_is_not_open(client, officer):
    early = EventFactory(organizer=officer.department, registration_opens_at=at(3, 9))
    client.force_login(user_with_role(Role.ENTERPRISE_HR))
    assert "报名尚未开始：报名时间为" in client.get(early.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_officers_and_teachers_get_no_register_form(client, event):
    for role in (Role.TEACHER, Role.ENTERPRISE_MENTOR, Role.RESEARCHER):
        client.force_login(user_with_role(role))
        body = client.get(event.get_absolute_url()).content.decode()
        assert "data-register" not in body, role
        assert client.get(reverse("events:event_register", args=[event.pk])).status_code == 403, role


@pytest.mark.django_db
def test_the_organizer_approves_and_declines_booths_from_the_page(
    client, officer, event, django_capture_on_commit_callbacks
):
    hr = user_with_role(Role.ENTERPRISE_HR)
    first = EnterpriseRegistrationFactory(
        event=event, enterprise=hr.enterprise, status="pending", booth_no=""
    )
    second = EnterpriseRegistrationFactory(event=event, status="pending", booth_no="")
    SchoolRegistrationFactory(event=event, delegation_size=4)
    RegistrationFactory(event=event)
    client.force_login(officer)
    body = client.get(event.get_absolute_url()).content.decode()
    assert "企业展位（占用 2：已通过 0，待审核 2）" in body
    assert "学校代表团（1 个，共 4 人）" in body and "学生（已报名 1 人）" in body
    assert body.count('data-action="approve"') == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:registration_approve", args=[first.pk]), {"booth_no": "C12"}, follow=True
        )
    assert "已通过" in response.content.decode()
    first.refresh_from_db()
    assert first.status == RegistrationStatus.APPROVED and first.booth_no == "C12"
    assert Notification.objects.filter(user=hr, text__contains="C12").exists()
    response = client.post(
        reverse("events:registration_decline", args=[second.pk]), {"reason": ""}, follow=True
    )
    assert "请填写未通过的原因" in response.content.decode()
    client.post(reverse("events:registration_decline", args=[second.pk]), {"reason": "行业不符"})
    second.refresh_from_db()
    assert second.status == RegistrationStatus.DECLINED


@pytest.mark.django_db
def test_the_organizer_publishes_and_cancels_from_the_page(client, officer):
    draft = DraftEventFactory(organizer=officer.department)
    client.force_login(officer)
    assert "发布活动" in client.get(draft.get_absolute_url()).content.decode()
    client.post(reverse("events:event_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    response = client.post(reverse("events:event_cancel", args=[draft.pk]), {"reason": ""}, follow=True)
    assert "请填写取消原因" in response.content.decode()
    client.post(reverse("events:event_cancel", args=[draft.pk]), {"reason": "台风预警"})
    draft.refresh_from_db()
    assert draft.status == EventStatus.CANCELLED
    body = client.get(draft.get_absolute_url()).content.decode()
    assert "已取消" in body and "台风预警" in body


@pytest.mark.django_db
def test_steps_on_registrations_out_of_view_answer_404(client, event):
    booth = EnterpriseRegistrationFactory(event=event, status="pending")
    client.force_login(user_with_role(Role.GOV_OFFICER))
    for name, data in (("approve", {"booth_no": "A1"}), ("decline", {"reason": "x"}), ("cancel", {})):
        assert client.post(reverse(f"events:registration_{name}", args=[booth.pk]), data).status_code == 404
    assert client.post(reverse("events:event_publish", args=[DraftEventFactory().pk])).status_code == 404


@pytest.mark.django_db
def test_the_organizers_event_page_runs_no_query_per_registration(client, officer, event):
    client.force_login(officer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(event.get_absolute_url()).status_code == 200
        return len(queries)

    _with(EnterpriseRegistrationFactory(event=event), positions=[PublishedPositionFactory()])
    SchoolRegistrationFactory(event=event)
    RegistrationFactory(event=event)
    few = count()
    for _ in range(4):
        EnterpriseRegistrationFactory(event=event, status="pending", booth_no="")
        SchoolRegistrationFactory(event=event)
        RegistrationFactory(event=event)
    assert count() == few


# --- registrations: scope, export ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_registrations_are_scoped_per_role(event, officer):
    hr = user_with_role(Role.ENTERPRISE_HR)
    booth = EnterpriseRegistrationFactory(event=event, enterprise=hr.enterprise)
    other_booth = EnterpriseRegistrationFactory(event=event)
    school_admin = user_with_role(Role.SCHOOL_ADMIN)
    delegation = SchoolRegistrationFactory(event=event, school=school_admin.school)
    own_student = RegistrationFactory(
        event=event, student=StudentFactory(school_major__school=school_admin.school)
    )
    user, student = student_with_user()
    mine = RegistrationFactory(event=event, student=student)
    everything = {booth.pk, other_booth.pk, delegation.pk, own_student.pk, mine.pk}
    expected = {
        "officer": (officer, everything),
        "other officer": (user_with_role(Role.GOV_OFFICER), set()),
        "hr": (hr, {booth.pk}),
        "mentor": (user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise), {booth.pk}),
        "school admin": (school_admin, {delegation.pk, own_student.pk}),
        "teacher": (
            user_with_role(Role.TEACHER, school=school_admin.school),
            {delegation.pk, own_student.pk},
        ),
        "student": (user, {mine.pk}),
        "researcher": (user_with_role(Role.RESEARCHER), set()),
    }
    for label, (person, ids) in expected.items():
        page, api = login_clients(person)
        got = {row["id"] for row in api.get(REGISTRATIONS + f"?event={event.pk}").data["results"]}
        assert got == ids, label
        for registration in (booth, delegation, mine):
            status = page.get(registration.get_absolute_url()).status_code
            assert status == (200 if registration.pk in ids else 404), (label, registration.kind)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_organizer_exports_an_events_registrations(client, officer, event, fmt):
    _with(EnterpriseRegistrationFactory(event=event), positions=[PublishedPositionFactory(title="电工")])
    SchoolRegistrationFactory(event=event)
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory()  # another event
    client.force_login(officer)
    response = client.get(f"/events/registrations/?event={event.pk}&export={fmt}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert lines[0].startswith("报名编号,活动,活动时间,参与方类型") and len(lines) == 5
        assert "电工" in response.content.decode("utf-8-sig")
    client.force_login(user_with_role(Role.ENTERPRISE_HR))
    assert client.get(f"/events/registrations/?event={event.pk}&export={fmt}").status_code == 403


@pytest.mark.django_db
def test_the_registration_list_runs_no_query_per_row(client, officer, event):
    client.force_login(officer)
    _page, api = login_clients(officer)

    def counts():
        with CaptureQueriesContext(connection) as page_q:
            assert client.get("/events/registrations/").status_code == 200
        with CaptureQueriesContext(connection) as api_q:
            assert api.get(REGISTRATIONS).status_code == 200
        with CaptureQueriesContext(connection) as export_q:
            assert client.get("/events/registrations/?export=csv").status_code == 200
        return len(page_q), len(api_q), len(export_q)

    _with(EnterpriseRegistrationFactory(event=event), positions=[PublishedPositionFactory()])
    _with(SchoolRegistrationFactory(event=event), majors=[SchoolMajorFactory()])
    RegistrationFactory(event=event)
    few = counts()
    for _ in range(4):
        _with(EnterpriseRegistrationFactory(event=event), positions=[PublishedPositionFactory()])
        _with(SchoolRegistrationFactory(event=event), majors=[SchoolMajorFactory()])
        RegistrationFactory(event=event)
    assert counts() == few


# --- 我的活动 and calendars ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_my_events_lists_the_sides_registrations_with_status_and_booth(client, event):
    hr = user_with_role(Role.ENTERPRISE_HR)
    EnterpriseRegistrationFactory(event=event, enterprise=hr.enterprise, booth_no="D03")
    other = EventFactory(title="另一场见面会")
    EnterpriseRegistrationFactory(
        event=other, enterprise=hr.enterprise, status="declined", decline_reason="满"
    )
    EnterpriseRegistrationFactory(event=EventFactory(title="别家企业的活动"))
    client.force_login(hr)
    body = client.get("/events/mine/").content.decode()
    assert event.title in body and "D03" in body and "另一场见面会" in body and "未通过" in body
    assert "别家企业的活动" not in body
    client.force_login(user_with_role(Role.GOV_OFFICER))
    assert client.get("/events/mine/").status_code == 403


@pytest.mark.django_db
def test_my_events_page_and_api_run_no_query_per_row(client):
    user, student = student_with_user()
    client.force_login(user)
    _page, api = login_clients(user)

    def counts():
        with CaptureQueriesContext(connection) as page_q:
            assert client.get("/events/mine/").status_code == 200
        with CaptureQueriesContext(connection) as api_q:
            assert api.get(MINE).status_code == 200
        with CaptureQueriesContext(connection) as ics_q:
            assert client.get("/events/mine.ics").status_code == 200
        return len(page_q), len(api_q), len(ics_q)

    RegistrationFactory(student=student)
    few = counts()
    for _ in range(4):
        RegistrationFactory(student=student)
    assert counts() == few


@pytest.mark.django_db
def test_one_events_calendar(client, event):
    client.force_login(user_with_role(Role.STUDENT))
    response = client.get(f"/events/{event.pk}/ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.count("BEGIN:VEVENT") == 1
    assert f"UID:event-{event.pk}@" in body and "LOCATION:郴州国际会展中心" in body
    assert client.get(f"/events/{DraftEventFactory().pk}/ics").status_code == 404


@pytest.mark.django_db
def test_my_calendar_holds_the_places_held(client):
    user, student = student_with_user()
    held = RegistrationFactory(student=student)
    RegistrationFactory(student=student, status="cancelled", event=EventFactory(title="已取消报名的活动"))
    client.force_login(user)
    body = client.get("/events/mine.ics").content.decode()
    assert body.count("BEGIN:VEVENT") == 1 and held.event.title in body
    hr = user_with_role(Role.ENTERPRISE_HR)
    EnterpriseRegistrationFactory(enterprise=hr.enterprise, status="pending", booth_no="")
    client.force_login(hr)
    assert "STATUS:TENTATIVE" in client.get("/events/mine.ics").content.decode()
    client.logout()
    assert client.get("/events/mine.ics").status_code == 302


# --- students by 学号 --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_school_registers_students_by_number_from_the_page(client, event):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    students = StudentFactory.create_batch(2, school_major__school=admin.school)
    client.force_login(admin)
    url = reverse("events:event_register_students", args=[event.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"numbers": "S999999"})
    assert response.status_code == 400 and "不是本校学生" in response.content.decode()
    upload = csv_upload([{"学号": s.student_no} for s in students])
    response = client.post(url, {"numbers": "", "file": upload}, follow=True)
    assert "已为 2 名学生报名" in response.content.decode()
    assert Registration.objects.filter(event=event, student__in=students).count() == 2
    client.force_login(user_with_role(Role.TEACHER, school=admin.school))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_school_changes_its_delegation_from_the_page(client, event):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school)
    delegation = SchoolRegistrationFactory(event=event, school=admin.school, delegation_size=2)
    client.force_login(admin)
    url = reverse("events:registration_change", args=[delegation.pk])
    assert url in client.get(event.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"majors": [major.pk], "delegation_size": 7, "note": ""})
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.delegation_size == 7 and list(delegation.majors.all()) == [major]
    client.force_login(user_with_role(Role.TEACHER, school=admin.school))
    assert client.get(url).status_code == 403
