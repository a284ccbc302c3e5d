"""T7-T9: events held in a year against the rules (held and scheduled apart; drafts and cancelled events not
counted), types without a rule counted without a target, the year's participants, intentions and
commitments; who reads the page; its export and API; the three measures on the quality targets overview."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiaoqitong.cooperation.models import Rule
from xiaoqitong.core.testing import login_clients
from xiaoqitong.events.models import EventType
from xiaoqitong.events.selectors.targets import targets_report
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality import targets as quality_targets

from ..orgs.factories import user_with_role
from .factories import (
    CommitmentFactory,
    EnterpriseRegistrationFactory,
    EventFactory,
    IntentionFactory,
    RegistrationFactory,
    SchoolRegistrationFactory,
    event_type,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/events/targets/"


def moment(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def held(code: str, days_ago: float = 1, **kwargs):
    """An event of type ``code`` that started ``days_ago`` days ago (in this year when possible)."""
    start = moment(-days_ago)
    return EventFactory(
        type=event_type(code),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
        registration_opens_at=start - dt.timedelta(days=20),
        registration_closes_at=start - dt.timedelta(days=1),
        **kwargs,
    )


@pytest.fixture
def year():
    return timezone.localdate().year


def days_into_year() -> int:
    today = timezone.localdate()
    return (today - dt.date(today.year, 1, 1)).days


def test_held_events_meet_the_targets_scheduled_ones_are_apart(year):
    if days_into_year() < 2:
        pytest.skip("needs two days of this year behind")
    held("fair")
    held("fair", 1.5)
    held("fair", status="cancelled")
    held("fair", status="draft")
    held("dialogue")
    last_year = EventFactory(
        type=event_type("gba"),
        starts_at=timezone.make_aware(dt.datetime(year - 1, 6, 1, 9)),
        ends_at=timezone.make_aware(dt.datetime(year - 1, 6, 1, 17)),
        registration_opens_at=timezone.make_aware(dt.datetime(year - 1, 5, 1)),
        registration_closes_at=timezone.make_aware(dt.datetime(year - 1, 5, 30)),
    )
    report = targets_report(year)
    lines = {line.key: line for line in report.lines}
    assert (lines["fairs_per_year_min"].held, lines["fairs_per_year_min"].met) == (2, True)
    assert (lines["gba_promotions_per_year_min"].held, lines["gba_promotions_per_year_min"].met) == (0, False)
    assert lines["gba_promotions_per_year_min"].short == 1
    assert lines["dialogues_per_year_min"].met is True
    assert lines["fairs_per_year_min"].cite == "T7，郴政发〔2021〕9号 三（四）"
    assert targets_report(year - 1).lines[1].held == 1 and last_year.type.code == "gba"


def test_an_event_ahead_is_scheduled_not_held(year):
    start = moment(2)
    if start.year != year:
        pytest.skip("the year ends within two days")
    EventFactory(type=event_type("gba"), starts_at=start, ends_at=start + dt.timedelta(hours=3))
    line = next(line for line in targets_report(year).lines if line.key == "gba_promotions_per_year_min")
    assert (line.held, line.scheduled, line.met, line.in_reach) == (0, 1, False, True)


def test_the_rule_value_comes_from_the_rule_table(year):
    if days_into_year() < 2:
        pytest.skip("needs two days of this year behind")
    held("fair")
    Rule.objects.filter(key="fairs_per_year_min").update(value=Decimal("1"))
    line = next(line for line in targets_report(year).lines if line.key == "fairs_per_year_min")
    assert line.met is True and line.target == 1


def test_types_without_a_rule_are_counted_without_a_target(year):
    if days_into_year() < 2:
        pytest.skip("needs two days of this year behind")
    roadshow = EventType.objects.create(code="roadshow", name="校园宣讲会", sort_order=50)
    start = moment(-1)
    EventFactory(
        type=roadshow,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        registration_opens_at=start - dt.timedelta(days=5),
        registration_closes_at=start - dt.timedelta(hours=1),
    )
    report = targets_report(year)
    (other,) = report.others
    assert (other.label, other.held, other.met, other.target) == ("校园宣讲会", 1, None, None)
    assert len(report.lines) == 3


def test_participants_intentions_and_commitments_of_the_year(year):
    if days_into_year() < 2:
        pytest.skip("needs two days of this year behind")
    fair = held("fair")
    dialogue = held("dialogue")
    booth = EnterpriseRegistrationFactory(event=fair)
    EnterpriseRegistrationFactory(event=dialogue, enterprise=booth.enterprise)  # the same enterprise twice
    EnterpriseRegistrationFactory(event=fair, status="declined")
    SchoolRegistrationFactory(event=dialogue)
    student = RegistrationFactory(event=fair)
    RegistrationFactory(event=dialogue, student=student.student)
    IntentionFactory(event=fair, status="signed")
    IntentionFactory(event=fair, status="proposed")
    CommitmentFactory(event=dialogue, status="done")
    CommitmentFactory(event=dialogue, due_date=timezone.localdate() - dt.timedelta(days=1))
    report = targets_report(year)
    p = report.participants
    assert (p.held_events, p.enterprises, p.booths, p.schools, p.students, p.student_registrations) == (
        2,
        1,
        2,
        1,
        1,
        2,
    )
    job = next(line for line in report.intentions if line.kind == "job")
    assert job.signed == 1 and job.total == 2
    assert (report.commitments["done"], report.commitments["overdue"], report.commitments["total"]) == (
        1,
        1,
        2,
    )
    assert report.commitments_done_rate == Decimal("50.0")


def test_who_reads_the_page_and_its_export(year):
    url = "/events/targets/"
    for role in (
        Role.GOV_OFFICER,
        Role.RESEARCHER,
        Role.SCHOOL_ADMIN,
        Role.TEACHER,
        Role.ENTERPRISE_HR,
        Role.ENTERPRISE_MENTOR,
        Role.PLATFORM_ADMIN,
    ):
        page, api = login_clients(user_with_role(role))
        assert page.get(url).status_code == 200, role
        assert api.get(API).status_code == 200, role
    page, api = login_clients(user_with_role(Role.STUDENT))
    assert page.get(url).status_code == 403
    assert api.get(API).status_code == 403
    page, api = login_clients(user_with_role(Role.RESEARCHER))
    body = page.get(f"{url}?year={year}").content.decode()
    assert "已安排" in body and "郴政发〔2021〕9号" in body and "data-held" in body
    csv = page.get(f"{url}?year={year}&export=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "年度,分组,项目,已举办,已安排,目标,是否达标,依据"
    assert "供需见面会" in csv and "参与企业（家）" in csv
    data = api.get(f"{API}?year={year}").data
    assert [line["target_id"] for line in data["lines"]] == ["T7", "T8", "T9"]
    assert set(data["participants"]) >= {"enterprises", "schools", "students"}


def test_the_page_runs_a_constant_number_of_queries(year):
    page, _api = login_clients(user_with_role(Role.GOV_OFFICER))
    with CaptureQueriesContext(connection) as few:
        page.get("/events/targets/")
    for _n in range(5):
        event = held("fair")
        EnterpriseRegistrationFactory(event=event)
        IntentionFactory(event=event, status="signed")
        CommitmentFactory()
    with CaptureQueriesContext(connection) as many:
        page.get("/events/targets/")
    assert len(many) == len(few)


def test_the_three_counts_are_on_the_quality_overview(year):
    if days_into_year() < 2:
        pytest.skip("needs two days of this year behind")
    held("dialogue")
    rows = {
        row.target_id: row
        for row in quality_targets.evaluate(
            year, keys=["fairs_per_year_min", "gba_promotions_per_year_min", "dialogues_per_year_min"]
        )
    }
    assert set(rows) == {"T7", "T8", "T9"}
    assert rows["T9"].value == 1 and rows["T9"].met is True
    assert rows["T7"].value == 0 and rows["T7"].met is False
    page, _api = login_clients(user_with_role(Role.GOV_OFFICER))
    body = page.get(f"/quality/targets/?year={year}").content.decode()
    assert "全市年度产教对话场次" in body and "/events/targets/" in body
