"""Targets computed from records: city, county and school figures, per-unit targets, states, no data."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.cooperation.factories import PlacementFactory, PracticeBaseFactory
from tests.enterprises.factories import GraduateOutcomeFactory
from tests.orgs.factories import SchoolFactory, county
from tests.schools.factories import SchoolMajorFactory, StudentFactory
from xiaoqitong.governance.choices import Comparison, Scope, State
from xiaoqitong.governance.models import Target
from xiaoqitong.governance.selectors import targets as T

D = Decimal


def result(code, year, scope="city", key=None):
    return next(r for r in T.evaluate(year, codes=[code]) if r.scope == scope and r.key == key)


# --- judge ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "goal", "comparison", "expected"),
    [
        (D("0.5"), D("0.4"), Comparison.GE, State.GREEN),
        (D("0.4"), D("0.4"), Comparison.GE, State.GREEN),
        (D("0.37"), D("0.4"), Comparison.GE, State.AMBER),  # within 10% of 0.4
        (D("0.35"), D("0.4"), Comparison.GE, State.RED),
        (D("0.3"), D("0.3"), Comparison.LE, State.GREEN),
        (D("0.32"), D("0.3"), Comparison.LE, State.AMBER),
        (D("0.4"), D("0.3"), Comparison.LE, State.RED),
        (None, D("0.3"), Comparison.LE, State.NO_DATA),
        (D("0.1"), None, Comparison.NONE, State.MONITORED),
        (None, None, Comparison.NONE, State.NO_DATA),
    ],
)
def test_judge(value, goal, comparison, expected):
    assert T.judge(value, goal, comparison, D("0.1")) == expected


def test_judge_before_the_deadline_is_amber_not_red_and_rising_compares_with_last_year():
    assert T.judge(D("0.1"), D("0.75"), Comparison.GE, D("0.1"), before_deadline=True) == State.AMBER
    assert T.judge(D("0.1"), D("0.75"), Comparison.GE, D("0.1"), before_deadline=False) == State.RED
    assert T.judge(D("0.2"), None, Comparison.RISING, D("0.1"), previous=D("0.1")) == State.GREEN
    assert T.judge(D("0.1"), None, Comparison.RISING, D("0.1"), previous=D("0.2")) == State.RED
    assert T.judge(D("0.1"), None, Comparison.RISING, D("0.1"), previous=None) == State.AMBER


def test_texts():
    assert T.text_of(D("0.4"), "share") == "40.0%"
    assert T.text_of(None, "share") == "暂无数据"
    assert T.goal_text(D("2"), "count", Comparison.GE, D("3")) == "≥ 2（2-3）"
    assert T.goal_text(None, "share", Comparison.RISING) == "逐年提高"


# --- figures ------------------------------------------------------------------------------------------------
def test_t1_school_county_and_city_add_up():
    beihu, suxian = county("431002", "北湖区"), county("431003", "苏仙区")
    a, b = SchoolFactory(county=beihu), SchoolFactory(county=suxian)
    for school, went_on, total in ((a, 3, 5), (b, 1, 5)):
        for i in range(total):
            student = StudentFactory(school_major=SchoolMajorFactory(school=school), status="graduated")
            GraduateOutcomeFactory(
                student=student,
                year=2025,
                outcome="further_study" if i < went_on else "employed",
                further_level="associate" if i < went_on else "",
            )
    assert result("T1", 2025, "school", a.pk).value == D("0.6")
    assert result("T1", 2025, "school", a.pk).state == State.GREEN
    assert result("T1", 2025, "school", b.pk).state == State.RED
    assert result("T1", 2025, "county", suxian.pk).value == D("0.2")
    city = result("T1", 2025)
    assert (city.numerator, city.denominator) == (4, 10)
    assert city.state == State.AMBER or city.value == D("0.4")
    assert "year=2025" in city.records_url
    assert f"school={a.code}" in result("T1", 2025, "school", a.pk).records_url
    # another year has no graduates: no data, not zero
    assert result("T1", 2024).state == State.NO_DATA
    assert result("T1", 2024).value_text == "暂无数据"


def test_per_unit_target_city_is_the_share_of_schools_that_meet_it():
    a, b, c = SchoolFactory(), SchoolFactory(), SchoolFactory()
    PracticeBaseFactory(owner_school=a)
    PracticeBaseFactory(owner_school=a)
    PracticeBaseFactory(owner_school=b)
    PracticeBaseFactory(owner_school=b, established=dt.date(2030, 1, 1))  # not built yet in 2025
    assert result("T13", 2025, "school", a.pk).state == State.GREEN
    assert result("T13", 2025, "school", b.pk).value == 1
    assert result("T13", 2025, "school", c.pk).value == 0
    city = result("T13", 2025)
    assert (city.numerator, city.denominator, city.goal) == (1, 3, 1)
    assert city.state == State.RED
    assert "1/3" in city.note


def test_per_unit_targets_without_any_record_say_no_data():
    SchoolFactory()
    assert result("T13", 2025).state == State.NO_DATA
    assert result("T24", 2025).state == State.NO_DATA
    assert "办学条件" in result("T24", 2025).note


def test_t16_counts_placements_started_in_the_year():
    placement = PlacementFactory(status="active")
    school = placement.plan.school
    PlacementFactory(plan=placement.plan, status="active", start_date=dt.date(2024, 3, 1))
    r = result("T16", 2026, "school", school.pk)
    assert (r.numerator, r.denominator) == (1, 1)
    assert r.state == State.GREEN
    assert "start_from=2026-01-01" in r.records_url
    assert f"school={school.code}" in r.records_url  # the lists filter by 学校代码, not by id


def test_t5_is_rising_year_on_year():
    from xiaoqitong.reference.models import Major

    school = SchoolFactory()
    three, five = Major.objects.filter(education_level="secondary").order_by("code")[:2]
    for year, n in ((2024, 10), (2025, 30)):
        SchoolMajorFactory(school=school, major=three, year=year, new_enrolment=100, duration="3y")
        SchoolMajorFactory(school=school, major=five, year=year, new_enrolment=n, duration="5y")
    r = result("T5", 2025)
    assert (r.numerator, r.denominator) == (30, 130)
    assert r.previous == D(10) / D(110)
    assert r.state == State.GREEN
    assert result("T5", 2024).state == State.AMBER  # no 2023 figure to compare with


def test_a_target_reads_its_value_from_its_rule():
    from xiaoqitong.cooperation.models import Rule

    Rule.objects.filter(key="local_intern_share").update(value=D("0.9"))
    PlacementFactory(status="active")
    assert result("T16", 2026).goal == D("0.9")


def test_deadline_targets_are_amber_before_their_year():
    target = Target.objects.get(code="T20")
    target.deadline_year = 2030
    target.save()
    from tests.schools.factories import TeacherFactory

    TeacherFactory(is_dual_qualified=False)
    r = result("T20", 2026)
    assert r.value == 0
    assert r.state == State.AMBER
    assert "2030" in r.note


def test_evaluate_lists_city_then_counties_then_schools_and_narrows_schools():
    a, b = SchoolFactory(), SchoolFactory()
    rows = T.evaluate(2025, codes=["T18"], school_ids=[a.pk])
    scopes = [r.scope for r in rows]
    assert scopes[0] == Scope.CITY
    assert scopes.index(Scope.COUNTY) < scopes.index(Scope.SCHOOL)
    assert {r.key for r in rows if r.scope == Scope.SCHOOL} == {a.pk}
    assert b.pk not in {r.key for r in rows}


def test_every_target_computes_on_an_empty_city(django_assert_max_num_queries):
    SchoolFactory()
    with django_assert_max_num_queries(90):
        rows = T.city_summary(2025)
    assert len(rows) == Target.objects.count()
    assert all(r.state in State.values for r in rows)
