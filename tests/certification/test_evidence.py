"""What the platform's records say about an enterprise (``selectors.evidence``): each computed figure over the
twelve months before a day, with the records just inside and just outside the window; the checklist lines
(met, blocking, differs) and how a criterion's threshold, as data, decides them; the ways of taking part
behind T2."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.cooperation.factories import (
    AgreementFactory,
    AgreementMemberFactory,
    PlacementFactory,
    PracticeBaseFactory,
)
from tests.orgs.factories import EnterpriseFactory, user_with_role
from tests.schools.factories import StudentFactory, TeacherFactory
from xiaoqitong.certification.choices import CertificationStatus, Level, Measure
from xiaoqitong.certification.models import Claim, Criterion, Document
from xiaoqitong.certification.selectors import evidence
from xiaoqitong.certification.selectors.evidence import Way
from xiaoqitong.certification.services import incentives as criterion_services
from xiaoqitong.orgs.choices import Role

from .factories import criterion, departments, lead_officer, make_certification

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 6, 30)
FIRST = dt.date(2025, 7, 1)  # the window's first day: 365 days ending ON
BEFORE = FIRST - dt.timedelta(days=1)
AFTER = ON + dt.timedelta(days=1)


def placement(enterprise, start, end, *, status="active", student=None, mentor=None):
    extra = {"student": student} if student is not None else {}
    return PlacementFactory(
        enterprise=enterprise,
        start_date=start,
        end_date=end,
        status=status,
        enterprise_mentor=mentor,
        **extra,
    )


def agreement(enterprise, kind, start, end, status="active"):
    return AgreementFactory(enterprise=enterprise, kind=kind, start_date=start, end_date=end, status=status)


def mentor(enterprise):
    return user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise)


@pytest.fixture
def enterprise():
    return EnterpriseFactory()


def figure(enterprise, measure, on=ON) -> Decimal:
    return evidence.figures([enterprise.pk], on)[enterprise.pk][measure]


def test_the_window_is_the_365_days_ending_on_the_day():
    assert evidence.window(ON) == (FIRST, ON)
    assert (ON - FIRST).days == 364


def test_bases_in_use_and_established_by_the_day(enterprise):
    PracticeBaseFactory(owner_enterprise=enterprise, owner_school=None)  # no date: counts
    PracticeBaseFactory(owner_enterprise=enterprise, established=ON)
    PracticeBaseFactory(owner_enterprise=enterprise, established=dt.date(2010, 1, 1))
    PracticeBaseFactory(owner_enterprise=enterprise, established=AFTER)  # not yet built
    PracticeBaseFactory(owner_enterprise=enterprise, active=False)  # no longer in use
    PracticeBaseFactory(owner_enterprise=EnterpriseFactory())  # another enterprise's
    PracticeBaseFactory()  # a school's own base
    assert figure(enterprise, Measure.BASES) == 3
    assert figure(enterprise, Measure.BASES, on=dt.date(2009, 12, 31)) == 1


def test_interns_are_distinct_students_hosted_in_the_window(enterprise):
    a, b = StudentFactory(), StudentFactory()
    placement(
        enterprise, FIRST - dt.timedelta(days=60), FIRST, status="completed", student=a
    )  # ends on day 1
    placement(enterprise, dt.date(2026, 3, 1), ON, student=a)  # the same student again: once
    placement(enterprise, ON, dt.date(2026, 9, 30), status="terminated", student=b)  # starts on the last day
    placement(enterprise, dt.date(2025, 3, 1), BEFORE, status="completed")  # ended the day before
    placement(enterprise, AFTER, dt.date(2026, 12, 31))  # starts the day after
    placement(enterprise, dt.date(2026, 3, 1), ON, status="planned")  # never started
    placement(EnterpriseFactory(), dt.date(2026, 3, 1), ON)  # another enterprise's intern
    assert figure(enterprise, Measure.INTERNS) == 2
    assert figure(enterprise, Measure.INTERNS, on=AFTER) == 3  # a window later: b and the late starter
    assert figure(enterprise, Measure.INTERNS, on=BEFORE) == 2  # a window earlier: a and the early one


def test_mentors_are_distinct_enterprise_mentors_of_hosted_interns(enterprise):
    m1, m2, m3 = mentor(enterprise), mentor(enterprise), mentor(enterprise)
    placement(enterprise, dt.date(2026, 1, 1), ON, mentor=m1)
    placement(enterprise, dt.date(2026, 1, 1), ON, mentor=m1)  # the same mentor, two interns
    placement(enterprise, FIRST, FIRST, status="completed", mentor=m2)
    placement(enterprise, dt.date(2025, 1, 1), BEFORE, status="completed", mentor=m3)  # outside
    placement(enterprise, dt.date(2026, 1, 1), ON, status="planned", mentor=m3)  # not hosted
    placement(enterprise, dt.date(2026, 1, 1), ON)  # no mentor named
    assert figure(enterprise, Measure.MENTORS) == 2
    assert figure(enterprise, Measure.INTERNS) == 4


def test_apprentices_are_confirmed_members_of_running_apprenticeship_agreements(enterprise):
    s1, s2 = StudentFactory(), StudentFactory()
    modern = agreement(enterprise, "modern_apprenticeship", dt.date(2025, 9, 1), dt.date(2027, 6, 30))
    AgreementMemberFactory(agreement=modern, student=s1)
    AgreementMemberFactory(agreement=modern, student=s2)
    AgreementMemberFactory(agreement=modern, status="invited")
    AgreementMemberFactory(agreement=modern, status="declined")
    AgreementMemberFactory(agreement=modern, status="left")
    ended = agreement(enterprise, "enterprise_apprenticeship", dt.date(2024, 9, 1), FIRST, status="ended")
    AgreementMemberFactory(agreement=ended, student=s1)  # in two agreements: once
    AgreementMemberFactory(agreement=ended)
    old = agreement(enterprise, "enterprise_apprenticeship", dt.date(2024, 9, 1), BEFORE, status="ended")
    AgreementMemberFactory(agreement=old)  # the agreement ended before the window
    for status in ("draft", "proposed", "cancelled"):
        AgreementMemberFactory(
            agreement=agreement(enterprise, "modern_apprenticeship", FIRST, ON, status=status)
        )
    order = agreement(enterprise, "order_class", FIRST, ON)
    AgreementMemberFactory(agreement=order)  # an order-class student is not an apprentice
    assert figure(enterprise, Measure.APPRENTICES) == 3


def test_order_classes_count_running_order_and_preparatory_agreements(enterprise):
    agreement(enterprise, "order_class", dt.date(2024, 9, 1), dt.date(2027, 6, 30))
    agreement(enterprise, "preparatory", dt.date(2024, 9, 1), FIRST, status="ended")
    agreement(enterprise, "order_class", ON, dt.date(2028, 6, 30))
    agreement(enterprise, "order_class", dt.date(2024, 9, 1), BEFORE, status="ended")  # outside
    agreement(enterprise, "order_class", AFTER, dt.date(2028, 6, 30))  # outside
    agreement(enterprise, "order_class", FIRST, ON, status="draft")
    agreement(enterprise, "order_class", FIRST, ON, status="cancelled")
    agreement(enterprise, "modern_apprenticeship", FIRST, ON)  # an apprenticeship, counted elsewhere
    agreement(EnterpriseFactory(), "order_class", FIRST, ON)
    assert figure(enterprise, Measure.ORDER_CLASSES) == 3


def test_part_time_teachers_are_the_enterprises_staff_teaching_part_time(enterprise):
    TeacherFactory(employer=enterprise, employment="part_time")
    TeacherFactory(employer=enterprise, employment="part_time")
    TeacherFactory(employer=enterprise, employment="full_time")
    TeacherFactory(employer=EnterpriseFactory(), employment="part_time")
    TeacherFactory(employment="part_time")  # a part-time teacher from no enterprise
    assert figure(enterprise, Measure.PART_TIME_TEACHERS) == 2


def test_figures_for_many_enterprises_take_six_queries(django_assert_num_queries):
    enterprises = [EnterpriseFactory() for _ in range(5)]
    for i, e in enumerate(enterprises):
        for _ in range(i):
            PracticeBaseFactory(owner_enterprise=e)
            placement(e, FIRST, ON)
    with django_assert_num_queries(6):
        result = evidence.figures([e.pk for e in enterprises], ON)
    assert [result[e.pk][Measure.BASES] for e in enterprises] == [0, 1, 2, 3, 4]
    assert [result[e.pk][Measure.INTERNS] for e in enterprises] == [0, 1, 2, 3, 4]
    assert set(result[enterprises[0].pk]) == set(Measure.values) - {Measure.CLAIMED}
    assert all(isinstance(v, Decimal) for v in result[enterprises[0].pk].values())


# --- the checklist -----------------------------------------------------------------------------------------
def lines(enterprise, level=Level.MUNICIPAL, claims=(), documents=(), on=ON):
    return {
        line.criterion.code: line
        for line in evidence.checklist(
            enterprise_id=enterprise.pk, level=level, on=on, claims=claims, documents=documents
        )
    }


def test_the_checklist_holds_computed_figures_against_the_level_thresholds(enterprise):
    PracticeBaseFactory(owner_enterprise=enterprise)
    for _ in range(20):
        placement(enterprise, FIRST, ON)
    municipal = lines(enterprise)
    assert list(municipal) == [
        "bases",
        "interns",
        "apprentices",
        "order_classes",
        "part_time_teachers",
        "mentors",
        "investment",
        "credit",
    ]
    assert (municipal["bases"].computed, municipal["bases"].threshold, municipal["bases"].met) == (1, 1, True)
    assert (municipal["interns"].met, municipal["interns"].blocking) == (True, False)
    assert municipal["apprentices"].threshold is None and municipal["apprentices"].met is None
    assert not municipal["apprentices"].blocking
    assert (municipal["order_classes"].met, municipal["order_classes"].blocking) == (False, False)  # optional
    assert municipal["investment"].computed is None and municipal["investment"].blocking  # claimed, no claim
    provincial = lines(enterprise, Level.PROVINCIAL)
    assert (provincial["bases"].threshold, provincial["bases"].met, provincial["bases"].blocking) == (
        2,
        False,
        True,
    )
    assert (provincial["interns"].threshold, provincial["interns"].blocking) == (50, True)
    assert provincial["apprentices"].threshold == 10 and provincial["apprentices"].met is False


def test_changing_a_threshold_changes_met(enterprise):
    for _ in range(20):
        placement(enterprise, FIRST, ON)
    assert lines(enterprise)["interns"].met is True
    departments()
    criterion_services.criterion_update(
        actor=lead_officer(), instance=criterion("interns"), data={"min_municipal": Decimal("21")}
    )
    assert lines(enterprise)["interns"].met is False
    Criterion.objects.filter(code="interns").update(min_municipal=None)
    line = lines(enterprise)["interns"]
    assert line.met is None and not line.blocking


def test_an_inactive_criterion_leaves_the_checklist(enterprise):
    Criterion.objects.filter(code="mentors").update(active=False)
    assert "mentors" not in lines(enterprise)
    assert len(lines(enterprise)) == 7


def test_a_claimed_criterion_needs_its_figure_and_its_document(enterprise):
    investment = criterion("investment")
    claim = Claim(criterion=investment, value=Decimal("60"), note="审计报告")
    document = Document(criterion=investment, title="审计报告")
    line = lines(enterprise, claims=[claim])["investment"]
    assert (line.claimed, line.basis, line.claim_note, line.documents) == (
        Decimal("60"),
        Decimal("60"),
        "审计报告",
        0,
    )
    assert line.met is False  # no document yet
    line = lines(enterprise, claims=[claim], documents=[document, document])["investment"]
    assert (line.met, line.documents) == (True, 2)
    claim.value = Decimal("49.99")
    assert lines(enterprise, claims=[claim], documents=[document])["investment"].met is False


def test_a_claim_on_a_computed_criterion_is_shown_beside_the_platforms_figure(enterprise):
    PracticeBaseFactory(owner_enterprise=enterprise)
    line = lines(enterprise, claims=[Claim(criterion=criterion("bases"), value=Decimal("3"))])["bases"]
    assert (line.computed, line.claimed, line.basis) == (1, Decimal("3"), 1)  # the platform's figure decides
    assert line.differs is True and line.met is True
    same = lines(enterprise, claims=[Claim(criterion=criterion("bases"), value=Decimal("1"))])["bases"]
    assert same.differs is False
    assert lines(enterprise)["bases"].differs is False  # nothing claimed


def test_the_snapshot_kept_with_a_report(enterprise):
    PracticeBaseFactory(owner_enterprise=enterprise)
    claim = Claim(criterion=criterion("investment"), value=Decimal("120.50"))
    snapshot = evidence.snapshot(list(lines(enterprise, claims=[claim]).values()))
    assert snapshot["bases"] == {
        "name": "共建实习实训基地",
        "computed": "1",
        "claimed": None,
        "threshold": "1",
        "met": True,
        "required": True,
        "documents": 0,
    }
    assert snapshot["investment"]["claimed"] == "120.5" and snapshot["investment"]["computed"] is None
    assert snapshot["apprentices"]["threshold"] is None and snapshot["apprentices"]["met"] is None


# --- T2: the ways of taking part ---------------------------------------------------------------------------
def test_participation_names_each_way_of_the_calendar_year():
    year = 2026
    order, apprentice, intern, base, teacher, none = (EnterpriseFactory() for _ in range(6))
    agreement(order, "preparatory", dt.date(2025, 9, 1), dt.date(2026, 1, 1), status="ended")
    agreement(apprentice, "enterprise_apprenticeship", dt.date(2026, 12, 31), dt.date(2028, 6, 30))
    placement(intern, dt.date(2026, 7, 1), dt.date(2026, 8, 31), status="completed")
    PracticeBaseFactory(owner_enterprise=base, established=dt.date(2026, 12, 31))
    TeacherFactory(employer=teacher, employment="part_time")
    # just outside the year: none of these count
    agreement(none, "order_class", dt.date(2024, 9, 1), dt.date(2025, 12, 31), status="ended")
    placement(none, dt.date(2027, 1, 1), dt.date(2027, 3, 1))
    PracticeBaseFactory(owner_enterprise=none, established=dt.date(2027, 1, 1))
    result = evidence.participation(year)
    assert result[order.pk]["ways"] == {Way.ORDER}
    assert result[apprentice.pk]["ways"] == {Way.APPRENTICESHIP}
    assert result[intern.pk]["ways"] == {Way.INTERNSHIP}
    assert result[base.pk]["ways"] == {Way.BASE}
    assert result[teacher.pk]["ways"] == {Way.TEACHING}
    assert result[none.pk] == {"county": none.county_id, "ways": set(), "certified": False}
    assert str(Way.LABELS[Way.TEACHING]) == "员工在职业院校兼职任教"


def test_participation_counts_only_local_large_and_medium_enterprises():
    large = EnterpriseFactory(size="large")
    medium = EnterpriseFactory(size="medium")
    small = EnterpriseFactory(size="small")
    micro = EnterpriseFactory(size="micro")
    outside = EnterpriseFactory(size="large", registered_in_city=False)
    result = evidence.participation(2026)
    assert large.pk in result and medium.pk in result
    assert not {small.pk, micro.pk, outside.pk} & set(result)
    assert set(evidence.participation(2026, enterprise_ids=[large.pk, small.pk])) == {large.pk}


def test_participation_marks_titles_held_at_some_time_of_the_year():
    held, expired_in_year, expired_before, later, revoked_in_year = (EnterpriseFactory() for _ in range(5))
    make_certification(held, on=dt.date(2024, 5, 1))
    make_certification(
        expired_in_year,
        on=dt.date(2023, 5, 1),
        status=CertificationStatus.EXPIRED,
        ended_on=dt.date(2026, 1, 1),
    )
    make_certification(
        expired_before,
        on=dt.date(2022, 5, 1),
        status=CertificationStatus.EXPIRED,
        ended_on=dt.date(2025, 12, 31),
    )
    make_certification(later, on=dt.date(2027, 1, 1))
    make_certification(
        revoked_in_year,
        on=dt.date(2025, 5, 1),
        status=CertificationStatus.REVOKED,
        ended_on=dt.date(2026, 6, 1),
    )
    result = evidence.participation(2026)
    assert {pk for pk, row in result.items() if row["certified"]} == {
        held.pk,
        expired_in_year.pk,
        revoked_in_year.pk,
    }


def test_participation_takes_six_queries_whatever_the_number_of_enterprises(django_assert_num_queries):
    for _ in range(6):
        e = EnterpriseFactory()
        placement(e, dt.date(2026, 3, 1), dt.date(2026, 5, 1))
        TeacherFactory(employer=e, employment="part_time")
    with django_assert_num_queries(7):  # the enterprises, then one per way and one for the titles
        result = evidence.participation(2026)
    assert len(result) == 6 and all(row["ways"] == {Way.INTERNSHIP, Way.TEACHING} for row in result.values())
