"""The certification targets (``selectors.targets``): T12 counts the enterprises holding the title (an
enterprise once; past years as they stood on 31 December, the current year today; expired and revoked titles
left out); T2 divides the local large and medium enterprises that take part deeply (a title alone, or the
rule's number of ways) by all of them, for the city and per county; both reach ``quality.targets``."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.cooperation.factories import AgreementFactory, PlacementFactory, PracticeBaseFactory
from tests.orgs.factories import EnterpriseFactory, county
from tests.schools.factories import TeacherFactory
from xiaoqitong.certification.choices import CertificationStatus, Level
from xiaoqitong.certification.selectors import targets
from xiaoqitong.certification.selectors.evidence import Way
from xiaoqitong.quality import targets as quality_targets

from .factories import make_certification, set_rule, set_today

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 6, 30)


# --- T12 ---------------------------------------------------------------------------------------------------
@pytest.fixture
def titles(monkeypatch):
    """Titles of seven enterprises, the clock on 30 June 2027."""
    set_today(monkeypatch, TODAY)
    e = {k: EnterpriseFactory() for k in "ABCDEFGH"}
    make_certification(e["A"], on=dt.date(2026, 3, 2))
    make_certification(e["B"], level=Level.PROVINCIAL, on=dt.date(2025, 1, 10))
    make_certification(
        e["C"], on=dt.date(2025, 5, 1), status=CertificationStatus.EXPIRED, ended_on=dt.date(2026, 3, 1)
    )
    make_certification(
        e["D"], on=dt.date(2025, 3, 1), status=CertificationStatus.REVOKED, ended_on=dt.date(2027, 2, 1)
    )
    # E: municipal from 2024, provincial from mid-2025, the municipal title ended in 2026 (as imported)
    make_certification(
        e["E"], on=dt.date(2024, 1, 1), status=CertificationStatus.EXPIRED, ended_on=dt.date(2026, 3, 1)
    )
    make_certification(e["E"], level=Level.PROVINCIAL, on=dt.date(2025, 6, 1))
    make_certification(e["F"], on=TODAY)
    make_certification(e["G"], on=dt.date(2026, 1, 1), status=CertificationStatus.REVOKED, ended_on=TODAY)
    make_certification(e["H"], on=dt.date(2026, 6, 1), status=CertificationStatus.RECTIFICATION)
    return e


def test_as_of_is_31_december_or_today_while_the_year_runs(monkeypatch):
    set_today(monkeypatch, TODAY)
    assert targets.as_of(2026) == dt.date(2026, 12, 31)
    assert targets.as_of(2027) == TODAY
    assert targets.as_of(2028) == TODAY


@pytest.mark.usefixtures("titles")
@pytest.mark.parametrize(
    ("year", "total", "municipal", "provincial"),
    [
        (2023, 0, 0, 0),
        (2024, 1, 1, 0),  # E
        (2025, 4, 2, 2),  # B, C, D, and E once (provincial) though both its titles stood on 31 December
        (2026, 6, 4, 2),  # A, D (revoked in 2027), G, H (整改中 counts); B, E; C ended in March
        (2027, 5, 3, 2),  # today: A, F (certified today), H; B, E; D revoked, G revoked today
    ],
)
def test_t12_counts_enterprises_holding_the_title(year, total, municipal, provincial):
    assert targets.certified_count(year) == {
        "total": total,
        Level.MUNICIPAL: municipal,
        Level.PROVINCIAL: provincial,
    }


@pytest.mark.usefixtures("titles")
def test_t12_trajectory_and_query_count(django_assert_num_queries):
    with django_assert_num_queries(1):
        targets.certified_count(2026)
    assert targets.certified_by_year(2024, 2027) == [(2024, 1), (2025, 4), (2026, 6), (2027, 5)]


def test_a_title_ended_today_no_longer_counts_this_year_but_did_last_year(titles):
    g = titles["G"].certifications.get()
    assert targets.held_on(TODAY).filter(pk=g.pk).exists() is False
    assert targets.held_on(TODAY - dt.timedelta(days=1)).filter(pk=g.pk).exists() is True


# --- T2 ----------------------------------------------------------------------------------------------------
@pytest.fixture
def firms():
    """Five local medium enterprises in two counties (and two that T2 leaves out), in 2026."""
    beihu, suxian = county(), county("431003", "苏仙区")
    f = {
        "certified": EnterpriseFactory(county=beihu),
        "two_ways": EnterpriseFactory(county=beihu),
        "one_way": EnterpriseFactory(county=beihu),
        "three_ways": EnterpriseFactory(county=suxian, size="large"),
        "none": EnterpriseFactory(county=suxian),
        "small": EnterpriseFactory(county=beihu, size="small"),
        "elsewhere": EnterpriseFactory(county=suxian, size="large", registered_in_city=False),
    }
    make_certification(f["certified"], on=dt.date(2025, 6, 1))
    intern(f["two_ways"])
    TeacherFactory(employer=f["two_ways"], employment="part_time")
    PracticeBaseFactory(owner_enterprise=f["one_way"])
    AgreementFactory(enterprise=f["three_ways"], kind="order_class", status="active")
    AgreementFactory(enterprise=f["three_ways"], kind="modern_apprenticeship", status="active")
    intern(f["three_ways"])
    for excluded in (f["small"], f["elsewhere"]):
        make_certification(excluded, on=dt.date(2025, 6, 1))
        intern(excluded)
        PracticeBaseFactory(owner_enterprise=excluded)
    return f


def intern(enterprise):
    return PlacementFactory(
        enterprise=enterprise,
        status="completed",
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 6, 30),
    )


def shares(year=2026):
    city, counties = targets.deep_participation(year)
    return (city.deep, city.total, city.certified), [(c.region.code, c.deep, c.total) for c in counties], city


@pytest.mark.usefixtures("firms")
def test_t2_counts_a_title_alone_or_two_ways_among_local_large_and_medium_enterprises():
    city_figures, counties, city = shares()
    assert city_figures == (3, 5, 1)  # the certified one, two ways, three ways; of five
    assert counties == [("431002", 2, 3), ("431003", 1, 2)]
    assert city.region is None and city.value == Decimal("0.6") and city.text == "60.0%"
    assert city.by_way == {
        Way.INTERNSHIP: 2,
        Way.TEACHING: 1,
        Way.BASE: 1,
        Way.ORDER: 1,
        Way.APPRENTICESHIP: 1,
    }


@pytest.mark.usefixtures("firms")
def test_t2_follows_the_number_of_ways_rule():
    set_rule("deep_participation_min_ways", 3)
    city_figures, counties, _city = shares()
    assert city_figures == (2, 5, 1)  # the certified one still counts; two ways no longer do
    assert counties == [("431002", 1, 3), ("431003", 1, 2)]
    set_rule("deep_participation_min_ways", 1)
    assert shares()[0] == (4, 5, 1)


@pytest.mark.usefixtures("firms")
def test_t2_of_another_year_sees_that_years_records():
    # 2025: the title (from June), and the order class and apprenticeship running since 2024; the 2026
    # internship not yet, so “two_ways” has only its part-time teacher
    assert shares(2025)[0] == (2, 5, 1)
    # 2028: the agreements ended in 2027; only the title still counts
    city_figures, counties, _city = shares(2028)
    assert city_figures == (1, 5, 1)
    assert counties == [("431002", 1, 3), ("431003", 0, 2)]


def test_t2_with_no_local_enterprises_has_no_value():
    EnterpriseFactory(size="small")
    city, counties = targets.deep_participation(2026)
    assert (city.deep, city.total, city.value, city.text) == (0, 0, None, "—")
    assert counties == []


def test_t2_queries_do_not_grow_with_the_enterprises(django_assert_max_num_queries):
    for i in range(12):
        e = EnterpriseFactory(county=county(f"43100{i % 3 + 2}", f"县{i % 3}"))
        intern(e)
        TeacherFactory(employer=e, employment="part_time")
    with django_assert_max_num_queries(9):
        city, counties = targets.deep_participation(2026)
    assert (city.deep, city.total, len(counties)) == (12, 12, 3)


# --- quality.targets and the report -------------------------------------------------------------------------
@pytest.mark.usefixtures("firms")
def test_the_measures_appear_in_the_quality_targets(monkeypatch):
    set_today(monkeypatch, dt.date(2026, 12, 31))
    rows = quality_targets.evaluate(2026, keys=["certified_enterprises_min", "deep_participation_share_min"])
    by_rule = {row.measure.rule: row for row in rows}
    assert len(rows) == 2 and all(row.school_id is None for row in rows)
    t12, t2 = by_rule["certified_enterprises_min"], by_rule["deep_participation_share_min"]
    assert (t12.figure.numerator, t12.figure.is_ratio, t12.figure.value) == (3, False, Decimal("3"))
    assert (t12.target, t12.target_id) == (Decimal("30"), "T12")
    assert (t2.figure.numerator, t2.figure.denominator, t2.figure.value) == (3, 5, Decimal("0.6"))
    assert (t2.target, t2.target_id) == (Decimal("0.4"), "T2")
    assert "郴政发〔2021〕9号" in t12.source


def test_the_measures_are_registered_without_loading_the_pages():
    """A worker that never loads the URLconf (the annual report task) still finds T12 and T2."""
    code = (
        "import django; django.setup()\n"
        "from xiaoqitong.quality import targets\n"
        "print(sorted(str(m.rule) for m in targets.measures()))\n"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert "certified_enterprises_min" in out.stdout and "deep_participation_share_min" in out.stdout


@pytest.mark.usefixtures("firms")
def test_the_targets_report(monkeypatch):
    set_today(monkeypatch, dt.date(2026, 8, 1))
    report = targets.targets_report(2026)
    assert (report.year, report.as_of) == (2026, dt.date(2026, 8, 1))
    assert report.certified == {"total": 3, Level.MUNICIPAL: 3, Level.PROVINCIAL: 0}
    assert (report.certified_target, report.target_year, report.t12_met, report.t12_short) == (
        30,
        2025,
        False,
        27,
    )
    assert report.t12_source.startswith("T12，郴政发〔2021〕9号")
    assert report.trajectory == [(2021, 0), (2022, 0), (2023, 0), (2024, 0), (2025, 3), (2026, 3)]
    assert (report.share_target, report.t2_met, report.min_ways) == (Decimal("0.4"), True, 2)
    beihu, suxian = report.counties
    assert (report.county_met(beihu), report.county_met(suxian)) == (True, True)
    set_rule("deep_participation_share_min", "0.61")
    report = targets.targets_report(2026)
    assert (report.t2_met, report.county_met(report.counties[0]), report.county_met(report.counties[1])) == (
        False,
        True,
        False,
    )
