"""The teachers' measures (T18-T23) against hand-computed figures, their “no data” cases, and the “师资队伍”
page, its export and its API (who sees it, own school first, a fixed number of queries)."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality import targets
from xiaoqitong.quality.selectors import teachers as selectors
from xiaoqitong.schools.choices import MasterLevel

from ..orgs.factories import SchoolFactory, user_with_role
from ..schools.factories import TeacherPracticeFactory
from .factories_teachers import (
    YEAR,
    SpecialPostFundingFactory,
    TeacherTrainingBaseFactory,
    TechServiceIncomeFactory,
    staff,
)

URL = reverse("quality:teachers_overview")
API = "/api/v1/quality/teachers-overview/"


@pytest.fixture
def city():
    """甲: 8 full-time (6 双师型, one national and one city master), 2 part-time; 乙: 3 full-time (1 双师型, a
    provincial master), 3 part-time; 丙: no teachers; 丁: only part-time teachers."""
    a, b = SchoolFactory(name="甲职校"), SchoolFactory(name="乙职校")
    c, d = SchoolFactory(name="丙职校"), SchoolFactory(name="丁职校")
    staff(a, full_time=8, dual=6, part_time=2, masters=[MasterLevel.NATIONAL, MasterLevel.CITY])
    staff(b, full_time=3, dual=1, part_time=3, masters=[MasterLevel.PROVINCE])
    staff(d, part_time=2)
    return a, b, c, d


def test_part_time_share(city):
    a, b, c, d = city
    figures = selectors.part_time_figures(YEAR)
    assert (figures[a.pk].numerator, figures[a.pk].denominator) == (2, 10)
    assert figures[b.pk].value == Decimal("0.5")
    assert c.pk not in figures  # no teachers: no figure, not 0
    assert figures[d.pk].value == 1
    assert (figures[None].numerator, figures[None].denominator) == (7, 18)


def test_dual_qualified_share_counts_full_time_teachers_only(city):
    a, b, c, d = city
    figures = selectors.dual_qualified_figures(YEAR)
    assert figures[a.pk].value == Decimal("0.75")
    assert (figures[b.pk].numerator, figures[b.pk].denominator) == (1, 3)
    assert c.pk not in figures
    assert figures[d.pk].value is None  # part-time teachers only: no full-time denominator
    assert (figures[None].numerator, figures[None].denominator) == (7, 11)


def test_masters_count_at_their_level_or_above(city):
    assert selectors.master_figures(MasterLevel.PROVINCE)(YEAR)[None].value == 2  # national + provincial
    assert selectors.master_figures(MasterLevel.CITY)(YEAR)[None].value == 3


def test_no_teachers_at_all_is_no_data():
    SchoolFactory()
    assert selectors.part_time_figures(YEAR)[None].value is None
    assert selectors.dual_qualified_figures(YEAR)[None].value is None
    assert selectors.master_figures(MasterLevel.CITY)(YEAR)[None].value is None
    assert selectors.special_post_figures(YEAR)[None].value is None
    assert selectors.tech_service_figures(YEAR)[None].value is None


def test_training_bases_count_up_to_the_year():
    TeacherTrainingBaseFactory(level="national", recognized_year=2024)
    TeacherTrainingBaseFactory(level="province", recognized_year=2021)
    TeacherTrainingBaseFactory(level="province", recognized_year=2025)
    national = selectors.training_base_figures("national")
    province = selectors.training_base_figures("province")
    assert national(2023)[None].value == 0  # a real zero: none recognized yet
    assert national(2024)[None].value == 1
    assert province(2024)[None].value == 1 and province(2025)[None].value == 2


def test_special_post_funding_per_post():
    a, b, c = SchoolFactory(), SchoolFactory(), SchoolFactory()
    SpecialPostFundingFactory(school=a, year=YEAR, posts=2, amount=Decimal("150000"))
    SpecialPostFundingFactory(school=b, year=YEAR, posts=4, amount=Decimal("200000"))
    SpecialPostFundingFactory(school=c, year=YEAR - 1, posts=1, amount=Decimal("70000"))
    figures = selectors.special_post_figures(YEAR)
    assert figures[a.pk].value == Decimal("75000")
    assert figures[b.pk].value == Decimal("50000")
    assert c.pk not in figures  # no row for the year
    assert figures[None].value == Decimal("350000") / 6
    rows = {(r.measure.rule, r.school_id): r for r in targets.evaluate(YEAR, school_ids=[a.pk, b.pk, c.pk])}
    assert rows[("special_post_funding_min", a.pk)].met is True  # 75,000 >= 70,000
    assert rows[("special_post_funding_min", b.pk)].met is False
    assert rows[("special_post_funding_min", c.pk)].met is None


def test_tech_service_share():
    a, b = SchoolFactory(), SchoolFactory()
    TechServiceIncomeFactory(
        school=a, year=YEAR, surplus=Decimal("200000"), paid_to_teachers=Decimal("120000")
    )
    TechServiceIncomeFactory(
        school=b, year=YEAR, income=Decimal("1000"), surplus=Decimal("0"), paid_to_teachers=Decimal("0")
    )
    figures = selectors.tech_service_figures(YEAR)
    assert figures[a.pk].value == Decimal("0.6")
    assert figures[b.pk].value is None  # no surplus: nothing to share
    assert figures[None].value == Decimal("0.6")


def test_the_measures_are_registered_with_their_rules():
    rules = {m.rule for m in targets.measures()}
    assert set(selectors.TEACHER_KEYS) <= rules
    rows = {r.measure.rule: r for r in targets.evaluate(YEAR, school_ids=[], keys=selectors.TEACHER_KEYS)}
    assert rows["part_time_teacher_share_max"].target == Decimal("0.3")
    assert rows["part_time_teacher_share_max"].measure.comparison == targets.LE
    assert rows["dual_qualified_share_min"].target_id == "T20"
    assert "五（十三）" in rows["provincial_masters_min"].source


# --- the page -----------------------------------------------------------------------------------------------
def test_officer_sees_city_and_every_school(client, city):
    a, b, c, _d = city
    TeacherPracticeFactory(teacher=a.teachers.filter(employment="full_time").first(), year=YEAR, days=40)
    client.force_login(user_with_role(Role.GOV_OFFICER))
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    for school in city:
        assert school.name in html
    assert "75.0%" in html and "33.3%" in html  # 甲's and 乙's 双师型 shares
    assert "暂无数据" in html  # 丙 and 丁
    assert "当前在册" in html  # the figures are today's whatever the year
    assert "五（十二）" in html and "T21" in html
    lines = {line.school.pk: line for line in response.context["lines"]}
    assert lines[a.pk].days_per_teacher == Decimal("5.0")  # 40 days / 8 full-time teachers
    assert lines[b.pk].days_per_teacher == Decimal("0.0")
    assert lines[c.pk].days_per_teacher is None


def test_school_staff_see_their_school_first(client, city):
    _a, b, _c, _d = city
    admin = user_with_role(Role.SCHOOL_ADMIN, school=b)
    client.force_login(admin)
    response = client.get(URL, {"year": YEAR})
    lines = response.context["lines"]
    assert lines[0].school == b and lines[0].own
    assert not any(line.own for line in lines[1:])
    assert "data-own-school" in response.content.decode()


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.STUDENT])
def test_enterprises_and_students_are_refused(client, role):
    user = user_with_role(role)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 403
    _page, api = login_clients(user)
    assert api.get(API).status_code == 403


def test_researchers_see_the_aggregates(client, city):
    client.force_login(user_with_role(Role.RESEARCHER))
    assert client.get(URL, {"year": YEAR}).status_code == 200


def test_the_page_runs_a_fixed_number_of_queries(client):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    for _n in range(2):
        school = SchoolFactory()
        staff(school, full_time=2, dual=1, part_time=1)
        SpecialPostFundingFactory(school=school, year=YEAR)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"year": YEAR})
    for _n in range(6):
        school = SchoolFactory()
        staff(school, full_time=2, dual=1, part_time=1)
        SpecialPostFundingFactory(school=school, year=YEAR)
        TechServiceIncomeFactory(school=school, year=YEAR)
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"year": YEAR})
    assert len(many) == len(few)
    _page, api = login_clients(user_with_role(Role.GOV_OFFICER))
    with CaptureQueriesContext(connection) as api_queries:
        api.get(API, {"year": YEAR})
    SchoolFactory()
    with CaptureQueriesContext(connection) as more:
        api.get(API, {"year": YEAR})
    assert len(more) == len(api_queries)


def test_export_has_the_city_and_a_line_per_school(client, city):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    response = client.get(URL, {"year": YEAR, "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    a = next(r for r in rows if r["学校"] == "甲职校")
    assert a["“双师型”教师比例"] == "75.0%" and a["T20"] == "达标" and a["兼职教师占比"] == "20.0%"
    c = next(r for r in rows if r["学校"] == "丙职校")
    assert c["“双师型”教师比例"] == "暂无数据" and c["教师数"] == "0"
    assert sum(1 for r in rows if r["学校代码"] == "") == len(selectors.TEACHER_KEYS)  # the city's rows
    assert client.get(URL, {"year": YEAR, "export": "xlsx"}).status_code == 200


def test_api_gives_the_page_rows(city):
    a, _b, c, _d = city
    _page, api = login_clients(user_with_role(Role.GOV_OFFICER))
    data = api.get(API, {"year": YEAR}).json()
    assert data["year"] == YEAR and "当前在册" in data["note"]
    by_code = {line["school"]: line for line in data["schools"]}
    line = by_code[a.code]
    assert line["dual_qualified_share"]["text"] == "75.0%" and line["dual_qualified_share"]["met"] is True
    assert line["part_time_share"]["met"] is True and line["teachers"] == 10
    assert by_code[c.code]["dual_qualified_share"]["value"] is None
    assert by_code[c.code]["dual_qualified_share"]["met"] is None
    city_rules = {row["rule"]: row for row in data["city"]}
    assert city_rules["provincial_masters_min"]["value"] == "2.0000"
