"""Supply, demand and outcomes by SQL aggregation; classification, alignment, snapshots, thresholds."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoqitong.analytics import measures, selectors, services
from xiaoqitong.analytics.measures import Scope, Thresholds
from xiaoqitong.analytics.models import Snapshot, Threshold
from xiaoqitong.core.models import AuditLog
from xiaoqitong.enterprises.models import ApplicationEvent, Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major, Region

from ..enterprises.factories import ApplicationFactory, GraduateOutcomeFactory, PublishedPositionFactory
from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

YEAR = services.current_year()


@pytest.fixture
def city():
    """A school in 北湖区 running 数控技术应用 (class 6601) and 旅游服务与管理 this year and last; two 数控
    postings (one asking for the major and its whole class), one of them with an offer; outcomes."""
    cnc, tourism = Major.objects.get(code="660103"), Major.objects.get(code="740101")
    school = SchoolFactory()
    SchoolMajorFactory(
        school=school,
        major=cnc,
        year=YEAR,
        students_enrolled=100,
        new_enrolment=40,
        enrolment_plan=50,
        expected_graduates=30,
    )
    SchoolMajorFactory(
        school=school,
        major=cnc,
        year=YEAR - 1,
        students_enrolled=90,
        new_enrolment=35,
        enrolment_plan=50,
        expected_graduates=28,
    )
    hotel = SchoolMajorFactory(
        school=school,
        major=tourism,
        year=YEAR,
        students_enrolled=60,
        new_enrolment=10,
        enrolment_plan=30,
        expected_graduates=20,
    )
    SchoolMajorFactory(
        school=school,
        major=tourism,
        year=YEAR - 1,
        students_enrolled=70,
        new_enrolment=20,
        enrolment_plan=30,
        expected_graduates=25,
    )
    enterprise = EnterpriseFactory(employees=500)
    one = PublishedPositionFactory(enterprise=enterprise, headcount=3)
    one.majors.add(cnc)
    two = PublishedPositionFactory(enterprise=enterprise, headcount=5)
    two.majors.add(cnc)
    two.major_classes.add(cnc.major_class)  # the same class twice: counted once
    PublishedPositionFactory(enterprise=enterprise, headcount=7, status="draft").majors.add(cnc)  # not public
    application = ApplicationFactory(position=one, status="offered")
    ApplicationEvent.objects.filter(application=application).update(
        time=one.published_at + dt.timedelta(days=4)
    )
    ApplicationEvent.objects.create(application=application, from_status="submitted", to_status="offered")
    ApplicationEvent.objects.filter(application=application, to_status="offered").update(
        time=one.published_at + dt.timedelta(days=6)
    )
    ApplicationFactory(position=one, status="withdrawn")
    student = StudentFactory(school_major=hotel, status="graduated")
    GraduateOutcomeFactory(
        student=student, year=YEAR, outcome="employed", in_city=True, related_to_major=False
    )
    GraduateOutcomeFactory(
        student=StudentFactory(school_major=hotel, status="graduated"),
        year=YEAR,
        outcome="unemployed",
        in_city=None,
        related_to_major=None,
    )
    return dict(cnc=cnc, tourism=tourism, school=school, enterprise=enterprise, one=one, two=two)


def test_supply_demand_and_outcomes_by_major_class(city):
    cnc, tourism = city["cnc"], city["tourism"]
    f = measures.figures(YEAR, "major_class")
    row = f[cnc.major_class_id]
    assert (row["enrolled"], row["new"], row["plan"], row["graduates"]) == (100, 40, 50, 30)
    assert row["positions"] == 2 and row["headcount"] == 8  # the draft is not demand; two wants, once
    assert row["enterprises"] == 1 and row["filled"] == 1 and row["unfilled"] == 7
    assert row["applicants"] == 1  # the withdrawn application does not count
    assert row["days_to_fill"] == pytest.approx(6.0, abs=0.01)
    assert row["index"] == pytest.approx(8 / 30, abs=1e-4) and row["status"] == "surplus"
    hotel = f[tourism.major_class_id]
    assert hotel["headcount"] == 0 and hotel["outcomes"] == 2 and hotel["employed"] == 1
    assert hotel["employment_rate"] == 0.5 and hotel["local_rate"] == 1.0 and hotel["related_rate"] == 0.0
    by_major = measures.figures(YEAR, "major")
    assert by_major[cnc.pk]["headcount"] == 8 and by_major[tourism.pk]["enrolled"] == 60
    category = measures.figures(YEAR, "major_category")[cnc.major_class.category_id]
    assert category["headcount"] == 8
    county = measures.figures(YEAR, "county")[city["school"].county_id]
    assert county["enrolled"] == 160 and county["headcount"] == 8
    assert measures.figures(YEAR, "school")[city["school"].pk]["enrolled"] == 160


def test_demand_by_chain_follows_the_enterprise_industry(city):
    chains = measures.chain_of_industries()
    chain = chains[city["enterprise"].industry_id]
    by_chain = measures.figures(YEAR, "chain")
    assert by_chain[chain]["headcount"] == 8
    assert measures.employment_by_chain()[chain] == 500


def test_the_window_is_the_school_year_up_to_today(city):
    Position.objects.filter(pk=city["two"].pk).update(published_at=timezone.now() - dt.timedelta(days=400))
    assert measures.figures(YEAR, "major_class")[city["cnc"].major_class_id]["headcount"] == 3
    start, end = measures.school_year_window(2020, today=dt.date(2026, 12, 5))
    assert (start.date(), end.date()) == (dt.date(2020, 9, 1), dt.date(2021, 9, 1))
    start, end = measures.school_year_window(2026, today=dt.date(2026, 12, 5))
    assert (start.date(), end.date()) == (dt.date(2025, 12, 6), dt.date(2026, 12, 6))


def test_county_and_school_scopes(city):
    other = Region.objects.get(code="431021")  # 桂阳县
    assert measures.figures(YEAR, "major_class", Scope(county=other.pk)) == {}
    own = measures.figures(YEAR, "major_class", Scope(county=city["school"].county_id))
    assert own[city["cnc"].major_class_id]["headcount"] == 8
    school = measures.figures(YEAR, "major", Scope(school=city["school"].pk))
    assert set(school) == {city["cnc"].pk, city["tourism"].pk}


@pytest.mark.parametrize(
    "row,status",
    [
        ({"headcount": 40, "graduates": 30}, "shortage"),
        ({"headcount": 5, "graduates": 1}, "none"),  # too small either way
        ({"headcount": 0, "graduates": 12}, "none"),
        ({"headcount": 5, "graduates": 25}, "surplus"),
        ({"headcount": 8, "graduates": 2}, "none"),
        ({"headcount": 10, "graduates": 30}, "surplus"),
        ({"headcount": 10, "graduates": 10}, "balanced"),
        ({"headcount": 3, "graduates": 10}, "none"),
        ({"headcount": 11, "graduates": 10}, "balanced"),
        ({"headcount": 12, "graduates": 0}, "gap"),
        ({"headcount": 2, "graduates": 0}, "none"),
        ({"headcount": 0, "graduates": 0}, "none"),
    ],
)
def test_classification(row, status):
    assert measures.classify(row, Thresholds()) == status


def test_dissimilarity():
    assert measures.dissimilarity({1: 10, 2: 10}, {1: 5, 2: 5}) == 0
    assert measures.dissimilarity({1: 10}, {2: 3}) == 1
    assert measures.dissimilarity({1: 30, 2: 10}, {1: 10, 2: 30}) == 0.5
    assert measures.dissimilarity({}, {1: 1}) is None


def test_alignment_of_city_and_school(city):
    a = measures.alignment(YEAR)
    assert a["demand_index"] is not None and 0 <= a["demand_index"] <= 1
    s = measures.alignment(YEAR, Scope(school=city["school"].pk))
    assert s["enrolment"] and s["demand"]


def test_thresholds_are_data_and_audited(city):
    officer = user_with_role(Role.GOV_OFFICER)
    services.threshold_set(actor=officer, key="surplus_index", value=0.2, note="2026 年专业设置会议")
    assert services.thresholds().surplus_index == 0.2
    assert AuditLog.objects.filter(verb="threshold_set").count() == 1
    assert (
        measures.figures(YEAR, "major_class", thresholds=services.thresholds())[city["cnc"].major_class_id][
            "status"
        ]
        == "balanced"
    )  # 8/30 is above the new surplus line
    with pytest.raises(ValidationError, match="应小于紧缺阈值"):
        services.threshold_set(actor=officer, key="surplus_index", value=2.0)
    with pytest.raises(ValidationError):
        services.threshold_set(actor=officer, key="nonsense", value=1)
    with pytest.raises(ValidationError):
        services.threshold_set(actor=officer, key="min_headcount", value=-1)
    for user in (user_with_role(Role.SCHOOL_ADMIN), user_with_role(Role.RESEARCHER)):
        with pytest.raises(PermissionDenied):
            services.threshold_set(actor=user, key="min_headcount", value=3)
    assert Threshold.objects.get(key="surplus_index").value == 0.2


def test_snapshots_keep_the_figures_and_serve_the_pages(city):
    result = services.snapshots_refresh(year=YEAR)
    assert result["snapshots"] == Snapshot.objects.filter(year=YEAR).count() > 0
    rows = selectors.figures(YEAR, "major_class")
    cnc = next(r for r in rows if r["key"] == city["cnc"].major_class_id)
    assert cnc["headcount"] == 8 and cnc["status_display"] == "过剩" and cnc["label"].endswith("（6601）")
    # the snapshot is what the pages read: a new posting shows after the next refresh
    PublishedPositionFactory(headcount=30).majors.add(city["cnc"])
    assert next(r for r in selectors.figures(YEAR, "major_class") if r["key"] == cnc["key"])["headcount"] == 8
    services.snapshots_refresh(year=YEAR)
    assert (
        next(r for r in selectors.figures(YEAR, "major_class") if r["key"] == cnc["key"])["headcount"] == 38
    )
    trend = selectors.trend("major_class", cnc["key"])
    assert [t["year"] for t in trend] == [YEAR]


def test_retire_warnings_show_their_numbers(city):
    warnings = selectors.warnings(YEAR)
    (retire,) = warnings["retire"]
    assert retire["key"] == city["tourism"].pk
    assert (retire["new_before"], retire["new"], retire["enrolment_drop"]) == (20, 10, 0.5)
    assert retire["employment_rate"] == 0.5


def test_researchers_get_suppressed_aggregates(city):
    rows = {r["code"]: r for r in selectors.aggregates(YEAR, "major_class")}
    hotel = rows[city["tourism"].major_class.code]
    assert hotel["outcomes"] is None and hotel["employment_rate"] is None  # 2 graduates: fewer than 5
    assert hotel["enrolled"] == 60
    assert "name" not in hotel
    with pytest.raises(ValueError):
        selectors.aggregates(YEAR, "school")


def test_who_sees_what(city):
    school = city["school"]
    assert selectors.sees_city(user_with_role(Role.GOV_OFFICER))
    assert not selectors.sees_city(user_with_role(Role.SCHOOL_ADMIN, school=school))
    assert selectors.sees_school(user_with_role(Role.SCHOOL_ADMIN, school=school), school)
    assert selectors.sees_school(user_with_role(Role.TEACHER, school=school), school)
    assert not selectors.sees_school(user_with_role(Role.SCHOOL_ADMIN), school)
    assert not selectors.sees_school(user_with_role(Role.ENTERPRISE_HR), school)
    assert selectors.sees_aggregates(user_with_role(Role.RESEARCHER))
    assert not selectors.sees_aggregates(user_with_role(Role.STUDENT))


def test_a_new_threshold_recomputes_the_snapshots(city, django_capture_on_commit_callbacks):
    services.snapshots_refresh(year=YEAR)
    key = city["cnc"].major_class_id
    assert next(r for r in selectors.figures(YEAR, "major_class") if r["key"] == key)["status"] == "surplus"
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.threshold_set(actor=user_with_role(Role.GOV_OFFICER), key="surplus_index", value=0.2)
    assert len(queued) == 1  # the refresh, run eagerly in tests
    assert next(r for r in selectors.figures(YEAR, "major_class") if r["key"] == key)["status"] == "balanced"


def test_suppression_cannot_be_undone_by_subtraction(city):
    """Two majors of one class: hiding one small cell hides its sibling too, or the class total gives it."""
    from xiaoqitong.reference.models import Major as M

    cnc = city["cnc"]
    sibling = M.objects.filter(major_class=cnc.major_class).exclude(pk=cnc.pk).order_by("code").first()
    SchoolMajorFactory(
        school=city["school"],
        major=sibling,
        year=YEAR,
        students_enrolled=3,
        expected_graduates=3,
        new_enrolment=1,
        enrolment_plan=5,
    )
    services.snapshots_refresh(year=YEAR)
    rows = {r["code"]: r for r in selectors.aggregates(YEAR, "major")}
    assert rows[sibling.code]["enrolled"] is None  # 3: below 5
    assert rows[cnc.code]["enrolled"] is None  # 100, hidden too: else class total − 100 = 3
    classes = {r["code"]: r for r in selectors.aggregates(YEAR, "major_class")}
    assert classes[cnc.major_class.code]["enrolled"] == 103
    assert rows[cnc.code]["headcount"] == 8  # not a count of people


def test_suppression_stays_at_least_five_and_rates_stay_shares():
    officer = user_with_role(Role.GOV_OFFICER)
    for value in (4, 0, 5.5):
        with pytest.raises(ValidationError, match="不小于 5 的整数"):
            services.threshold_set(actor=officer, key="suppress_below", value=value)
    with pytest.raises(ValidationError, match="比例"):
        services.threshold_set(actor=officer, key="retire_employment_rate", value=60)
    assert services.threshold_set(actor=officer, key="suppress_below", value=10).value == 10


def test_a_leap_day_window_and_naive_sqlite_times(city):
    start, end = measures.school_year_window(2027, today=dt.date(2028, 2, 28))
    assert (start.date(), end.date()) == (dt.date(2027, 2, 28), dt.date(2028, 2, 29))
    # a posting published on 1 September at 02:00 in the city belongs to the new school year
    tz = timezone.get_current_timezone()
    late = dt.datetime(YEAR + 1, 9, 1, 2, 0, tzinfo=tz)
    Position.objects.filter(pk=city["two"].pk).update(published_at=late)
    window = measures.school_year_window(YEAR, today=dt.date(YEAR + 1, 12, 1))
    assert measures.demand(window, "major_class")[city["cnc"].major_class_id]["headcount"] == 3


def test_enrolled_students_are_not_a_gap():
    assert measures.classify({"headcount": 20, "graduates": 0, "enrolled": 100}, Thresholds()) == "none"
    assert measures.classify({"headcount": 20, "graduates": 0, "enrolled": 0}, Thresholds()) == "gap"
