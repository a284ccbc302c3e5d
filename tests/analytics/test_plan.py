"""一校一产业链 (``analytics.plan``): a school's majors, its chains, the majors it could open and those to
review, on a small hand-built city."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoqitong.analytics import plan, services
from xiaoqitong.reference.models import Major, MajorClass, Region

from ..enterprises.factories import GraduateOutcomeFactory, PublishedPositionFactory
from ..orgs.factories import SchoolFactory
from ..schools.factories import SchoolMajorFactory, StudentFactory

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

YEAR = services.current_year()


def posting(headcount: int, *, major=None, major_class=None, county="431002"):
    position = PublishedPositionFactory(headcount=headcount, county=Region.objects.get(code=county))
    if major is not None:
        position.majors.add(major)
    if major_class is not None:
        position.major_classes.add(major_class)
    return position


def runs(school, code: str, *, graduates: int, new: int = 20, year: int = YEAR, enrolled: int = 100):
    return SchoolMajorFactory(
        school=school,
        major=Major.objects.get(code=code),
        year=year,
        students_enrolled=enrolled,
        new_enrolment=new,
        enrolment_plan=new,
        expected_graduates=graduates,
    )


@pytest.fixture
def city():
    """北湖区 中职 school A runs 数控技术应用 (机械设计制造类 6601: 40 graduates against 5 places,
    过剩) and 纳税事务 (财政税务类 7301: enrolment halved, half its graduates employed: 淘汰预警).
    Another 中职 school runs 计算机应用 (计算机类 7102: 10 graduates against 30 places, 紧缺); a 高职
    school runs 软件技术 (高职计算机类 5102: 10 graduates against 30 places, 紧缺 too but not of A's
    level); a 桂阳县 school runs 旅游服务与管理 (旅游类 7401: 15 graduates against 15 places, balanced
    in the city, but 北湖区 has the places and no supply)."""
    beihu = Region.objects.get(code="431002")
    guiyang = Region.objects.get(code="431021")
    school = SchoolFactory(school_type="secondary", county=beihu)
    cnc = runs(school, "660103", graduates=40, new=40, enrolled=120)
    tax = runs(school, "730101", graduates=15, new=10)
    runs(school, "730101", graduates=15, new=20, year=YEAR - 1)
    for outcome in ("employed", "unemployed"):
        GraduateOutcomeFactory(
            student=StudentFactory(school_major=tax, status="graduated"), year=YEAR, outcome=outcome
        )
    posting(5, major=cnc.major)

    runs(SchoolFactory(school_type="secondary", county=beihu), "710201", graduates=10)
    posting(30, major_class=MajorClass.objects.get(code="7102"))

    runs(SchoolFactory(school_type="associate", county=beihu), "510203", graduates=10)
    posting(30, major_class=MajorClass.objects.get(code="5102"))

    runs(SchoolFactory(school_type="secondary", county=guiyang), "740101", graduates=15)
    posting(15, major_class=MajorClass.objects.get(code="7401"), county="431002")
    return {"school": school, "cnc": cnc, "tax": tax}


def test_majors_join_the_city_figures_of_their_class_and_chain(city):
    p = plan.school_plan(city["school"], YEAR)
    assert p["levels"] == ["secondary"] and p["school"]["county_label"] == "北湖区"
    majors = {m["code"]: m for m in p["majors"]}
    assert set(majors) == {"660103", "730101"}
    cnc = majors["660103"]
    assert (cnc["enrolled"], cnc["graduates"], cnc["major_headcount"]) == (120, 40, 5)
    assert (cnc["class_status"], cnc["class_headcount"], cnc["class_graduates"]) == ("surplus", 5, 40)
    assert cnc["class_status_display"] == "过剩" and cnc["class_label"] == "机械设计制造类（6601）"
    assert [c["label"] for c in cnc["chains"]] == ["装备制造"] and cnc["chains_text"] == "装备制造"
    assert majors["730101"]["employment_rate"] == 0.5 and majors["730101"]["chains"] == []
    # its chains: those its majors supply, with their share of its enrolment
    chains = {c["label"]: c for c in p["chains"]}
    assert set(chains) == {"装备制造"}
    assert chains["装备制造"]["enrolment_share"] == 1.0 and chains["装备制造"]["enrolled"] == 120
    assert chains["装备制造"]["majors"] == ["数控技术应用"]


def test_suggests_majors_of_short_classes_at_its_level_only(city):
    p = plan.school_plan(city["school"], YEAR)
    suggested = [r["code"] for r in p["open"]]
    computing = set(Major.objects.filter(major_class__code="7102").values_list("code", flat=True))
    tourism = set(Major.objects.filter(major_class__code="7401").values_list("code", flat=True))
    assert set(suggested) == computing | tourism  # 计算机应用 too: the other school runs it, A does not
    assert not [c for c in suggested if c.startswith("5102")]  # 高职 计算机类: not A's level
    assert not [c for c in suggested if c.startswith("6601")]  # its own class is in surplus
    first = p["open"][0]
    assert first["class_label"] == "计算机类（7102）" and first["scope"] == "city"
    assert (first["class_status"], first["class_headcount"], first["class_graduates"]) == ("shortage", 30, 10)
    assert (
        first["class_unmet"] == 20
        and first["class_index"] == 3.0
        and first["chains_text"] == "新一代信息技术"
    )
    assert first["level_display"] == "中职"
    # best first by unmet demand: 计算机类 (30 − 10) before 旅游类 in 北湖区 (15 − 0)
    unmet = [r["class_unmet"] for r in p["open"]]
    assert unmet == sorted(unmet, reverse=True)
    travel = next(r for r in p["open"] if r["code"] == "740101")
    assert travel["scope"] == "county" and travel["scope_label"] == "北湖区"
    assert (travel["class_status"], travel["class_headcount"], travel["class_graduates"]) == ("gap", 15, 0)


def test_an_associate_school_is_offered_associate_majors(city):
    college = SchoolFactory(school_type="associate")
    runs(college, "460103", graduates=30)
    suggested = {r["code"][:4] for r in plan.school_plan(college, YEAR)["open"]}
    assert suggested == {"5102"}  # 计算机类 of 高职; the 中职 classes are not its level


def test_review_lists_the_surplus_major_and_the_retire_warning(city):
    p = plan.school_plan(city["school"], YEAR)
    review = {r["code"]: r for r in p["review"]}
    assert set(review) == {"660103", "730101"}
    cnc = review["660103"]
    assert cnc["surplus"] and not cnc["retire"]
    assert "过剩" in cnc["reasons_text"] and "需求名额 5" in cnc["reasons_text"]
    tax = review["730101"]
    assert tax["retire"] and not tax["surplus"]
    assert (tax["new_before"], tax["new"], tax["enrolment_drop"]) == (20, 10, 0.5)
    assert "50.0%" in tax["reasons_text"] and "20 → 10" in tax["reasons_text"]


def test_no_query_per_row(city):
    school = city["school"]
    plan.school_plan(school, YEAR)  # computes the snapshots (cold)
    with CaptureQueriesContext(connection) as few:
        plan.school_plan(school, YEAR)
    for code in ("660101", "660102", "660104", "660105"):
        runs(school, code, graduates=20)
    posting(40, major_class=MajorClass.objects.get(code="6101"))  # more classes and majors to open
    runs(SchoolFactory(school_type="secondary"), "610101", graduates=5)
    services.snapshots_refresh(year=YEAR)
    services.snapshots_refresh(year=YEAR - 1)
    p = plan.school_plan(school, YEAR)
    assert len(p["majors"]) == 6 and any(r["code"].startswith("6101") for r in p["open"])
    with CaptureQueriesContext(connection) as many:
        plan.school_plan(school, YEAR)
    assert len(many) == len(few)


def test_a_school_without_majors_gets_an_empty_plan(city):
    empty = SchoolFactory(school_type="secondary")
    p = plan.school_plan(empty, YEAR)
    assert p["majors"] == [] and p["chains"] == [] and p["review"] == []
    assert p["open"]  # the city's shortages still apply
