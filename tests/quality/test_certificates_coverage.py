"""T3, 1+X coverage, against hand-computed data: who counts (at school now, enrolled by the year; a 1+X
certificate dated by the year's end; several certificates count once), per school, per major and for the city;
the coverage page, its drill-down, export and API for each role; award counts per school; query counts."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoqitong.cooperation.models import Rule
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality import targets
from xiaoqitong.quality.choices import CompetitionLevel, Prize
from xiaoqitong.quality.rules import RuleKey, cite
from xiaoqitong.quality.selectors import certificates as selectors
from xiaoqitong.schools.choices import StudentStatus

from ..orgs.factories import SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory, major
from .factories_certificates import (
    ONE_X,
    ONE_X_OTHER,
    SKILL_LEVEL,
    CertificateAwardFactory,
    CompetitionAwardFactory,
    CompetitionFactory,
    certificate,
)

pytestmark = pytest.mark.django_db
YEAR = 2025
URL = "/quality/certificates/coverage/"
API = "/api/v1/quality/certificate-coverage/"


def award(student, code=ONE_X, on=dt.date(YEAR, 6, 1)):
    return CertificateAwardFactory(student=student, certificate=certificate(code), awarded_on=on)


@pytest.fixture
def city():
    """Hand-computed:

    =====  =====================================================================  ==================
    who    record                                                                 2025
    =====  =====================================================================  ==================
    a1     A, 660103, 在读, 1+X 2025-06                                            holder
    a2     A, 660103, 在读, two 1+X (2025-03, 2025-09)                             holder (once)
    a3     A, 660103, 在读, 电工 职业技能等级证书 only                               student
    a4     A, 660104, 在读, 1+X dated 2026-01-10                                   student (2026 holder)
    a5     A, 660104, 实习, nothing                                                student
    a6     A, 660103, 毕业, 1+X 2025                                               not counted
    a7     A, 660103, 在读, enrolled 2026, 1+X 2025-12                             not counted (2026)
    b*     B, ten 在读; one with a 1+X                                             10 students, 1
    c1     C, 退学 only                                                            no line
    =====  =====================================================================  ==================

    A: 2/5 = 40.0% (met); A per major: 660103 2/3 = 66.7% met, 660104 0/2 = 0.0% unmet;
    B: 1/10 = 10.0% (unmet); the city: 3/15 = 20.0%, met (>= 20%).
    """
    a, b, c = SchoolFactory(name="甲职校"), SchoolFactory(name="乙职校"), SchoolFactory(name="丙职校")
    cnc = SchoolMajorFactory(school=a, major=major("660103"))
    hot = SchoolMajorFactory(school=a, major=major("660104"))
    a1, a2, a3 = (StudentFactory(school_major=cnc) for _ in range(3))
    a4 = StudentFactory(school_major=hot)
    StudentFactory(school_major=hot, status=StudentStatus.INTERNING)
    a6 = StudentFactory(school_major=cnc, status=StudentStatus.GRADUATED)
    a7 = StudentFactory(school_major=cnc, grade=2026)
    award(a1)
    award(a2, ONE_X, dt.date(YEAR, 3, 1))
    award(a2, ONE_X_OTHER, dt.date(YEAR, 9, 1))
    award(a3, SKILL_LEVEL)
    award(a4, on=dt.date(YEAR + 1, 1, 10))
    award(a6)
    award(a7, on=dt.date(YEAR, 12, 31))
    b_students = [StudentFactory(school_major__school=b) for _ in range(10)]
    award(b_students[0])
    StudentFactory(school_major__school=c, status=StudentStatus.DROPPED)
    return a, b, c


def test_the_figures_per_school_and_for_the_city(city):
    a, b, c = city
    figures = selectors.coverage_figures(YEAR)
    assert figures[a.pk] == targets.Figure(2, 5)
    assert figures[b.pk] == targets.Figure(1, 10)
    assert c.pk not in figures  # no student at school: no figure, not 0%
    assert figures[None] == targets.Figure(3, 15)
    assert figures[None].value == Decimal("0.2")
    later = selectors.coverage_figures(YEAR + 1)
    assert later[a.pk] == targets.Figure(4, 6)  # a4's certificate and a7's cohort count in 2026


def test_the_measure_is_registered_and_compared_with_the_rule(city):
    a, b, _c = city
    rows = {r.school_id: r for r in targets.evaluate(YEAR, keys=[RuleKey.CERT_1X_COVERAGE_MIN])}
    assert rows[None].met is True and rows[a.pk].met is True and rows[b.pk].met is False
    assert rows[None].target_id == "T3" and "一" in rows[None].source
    Rule.objects.filter(key=RuleKey.CERT_1X_COVERAGE_MIN).update(value=Decimal("0.25"))
    rows = {r.school_id: r for r in targets.evaluate(YEAR, keys=[RuleKey.CERT_1X_COVERAGE_MIN])}
    assert rows[None].met is False  # 20% < 25%: the rule as edited


def test_no_students_is_no_data():
    figures = selectors.coverage_figures(YEAR)
    assert figures == {None: targets.Figure(None)} and figures[None].value is None


def test_coverage_per_major(city):
    a, _b, _c = city
    report = selectors.major_report(a, YEAR)
    lines = {line.code: line for line in report["majors"]}
    assert (lines["660103"].holders, lines["660103"].students, lines["660103"].coverage) == (
        2,
        3,
        Decimal("66.7"),
    )
    assert (lines["660104"].holders, lines["660104"].students, lines["660104"].met) == (0, 2, False)
    assert (report["total"].holders, report["total"].students) == (2, 5)


def test_an_officer_sees_every_school_against_the_target_with_its_source(client, city):
    a, b, c = city
    client.force_login(user_with_role(Role.GOV_OFFICER))
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert "data-city-coverage>20.0%" in body and "3 / 15 名在校生持有 1+X 证书" in body
    assert cite(RuleKey.CERT_1X_COVERAGE_MIN) in body and "≥ 20%" in body
    row_a = body.split(f'data-school="{a.code}"')[1].split("</tr>")[0]
    row_b = body.split(f'data-school="{b.code}"')[1].split("</tr>")[0]
    assert "40.0%" in row_a and "data-met" in row_a
    assert "10.0%" in row_b and "data-unmet" in row_b and "1 人" in row_b  # 2 of 10 needed
    assert f'data-school="{c.code}"' not in body
    assert "1/2 所学校达标" in body


def test_the_drill_down_and_exports(client, city):
    a, b, _c = city
    client.force_login(user_with_role(Role.GOV_OFFICER))
    body = client.get(f"{URL}{a.pk}/?year={YEAR}").content.decode()
    assert 'data-major="660103"' in body and "66.7%" in body and "数控技术应用" in body
    response = client.get(f"{URL}?year={YEAR}&export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["年度", "范围", "代码", "名称", "在校生", "持 1+X 证书学生", "覆盖面（%）"]
    assert rows[1][1:] == [
        "全市",
        "",
        "全市",
        "15",
        "3",
        "20.0",
        "20",
        "达标",
        cite(RuleKey.CERT_1X_COVERAGE_MIN),
    ]
    assert [r[2] for r in rows[2:]] == sorted([a.code, b.code])
    response = client.get(f"{URL}{a.pk}/?year={YEAR}&export=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_school_staff_see_their_own_school_only(client, city):
    a, b, _c = city
    admin = user_with_role(Role.TEACHER, school=a)
    client.force_login(admin)
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert f'data-school="{a.code}"' in body and f'data-school="{b.code}"' not in body
    assert client.get(f"{URL}{a.pk}/").status_code == 200
    assert client.get(f"{URL}{b.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR])
def test_students_and_enterprises_do_not_get_the_page(client, role):
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 403
    assert client.get(API).status_code == 403


def test_a_researcher_reads_the_aggregates_but_no_rows(client, city):
    a, b, _c = city
    client.force_login(user_with_role(Role.RESEARCHER))
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert f'data-school="{a.code}"' in body and f'data-school="{b.code}"' in body
    assert client.get("/quality/certificates/awards/").status_code == 403


def test_the_api_gives_the_same_rows(client, city):
    a, _b, _c = city
    client.force_login(user_with_role(Role.GOV_OFFICER))
    data = client.get(f"{API}?year={YEAR}").json()
    assert data["city"] == {
        "code": "",
        "name": "全市",
        "students": 15,
        "holders": 3,
        "coverage": "20.0",
        "met": True,
    }
    assert data["target"]["target_id"] == "T3"
    lines = {line["code"]: line for line in data["schools"]}
    assert lines[a.code]["coverage"] == "40.0" and lines[a.code]["met"] is True
    majors = client.get(f"{API}{a.pk}/?year={YEAR}").json()
    assert {m["code"]: m["holders"] for m in majors["majors"]} == {"660103": 2, "660104": 0}
    client.force_login(user_with_role(Role.SCHOOL_ADMIN))
    assert client.get(f"{API}{a.pk}/").status_code == 404


def test_the_page_and_the_api_run_a_constant_number_of_queries(client):
    client.force_login(user_with_role(Role.GOV_OFFICER))

    def add_school():
        school = SchoolFactory()
        award(StudentFactory(school_major__school=school))
        StudentFactory(school_major__school=school)

    add_school()
    counts = []
    for url in (f"{URL}?year={YEAR}", f"{API}?year={YEAR}"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few))
    for _ in range(4):
        add_school()
    for url, before in zip((f"{URL}?year={YEAR}", f"{API}?year={YEAR}"), counts, strict=True):
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == before, url


# --- award counts per school ------------------------------------------------------------------------
def test_award_counts_per_school_by_year_and_level(client):
    a, b = SchoolFactory(), SchoolFactory()
    city_contest = CompetitionFactory(level=CompetitionLevel.CITY, year=YEAR)
    province = CompetitionFactory(level=CompetitionLevel.PROVINCE, year=YEAR)
    old = CompetitionFactory(year=YEAR - 1)
    CompetitionAwardFactory(competition=city_contest, student__school_major__school=a, prize=Prize.FIRST)
    CompetitionAwardFactory(competition=province, student__school_major__school=a, prize=Prize.SECOND)
    CompetitionAwardFactory(competition=province, student__school_major__school=b, prize=Prize.SECOND)
    CompetitionAwardFactory(competition=old, student__school_major__school=b, prize=Prize.FIRST)
    client.force_login(user_with_role(Role.GOV_OFFICER))
    data = client.get(f"/api/v1/quality/competition-award-counts/?year={YEAR}").json()
    lines = {line["school"]: line for line in data["lines"]}
    assert (lines[a.code]["first"], lines[a.code]["second"], lines[a.code]["total"]) == (1, 1, 2)
    assert (lines[b.code]["first"], lines[b.code]["total"]) == (0, 1)
    data = client.get(f"/api/v1/quality/competition-award-counts/?year={YEAR}&level=province").json()
    assert {line["school"]: line["total"] for line in data["lines"]} == {a.code: 1, b.code: 1}
    body = client.get(f"/quality/competitions/award-counts/?year={YEAR}").content.decode()
    assert f'data-school="{a.code}"' in body and "共 3 项获奖" in body
    response = client.get(f"/quality/competitions/award-counts/?year={YEAR}&export=csv")
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 3
    client.force_login(user_with_role(Role.SCHOOL_ADMIN, school=b))
    data = client.get(f"/api/v1/quality/competition-award-counts/?year={YEAR}").json()
    assert [line["school"] for line in data["lines"]] == [b.code]
    list_body = client.get(f"/quality/competitions/?year={YEAR}&level=province").content.decode()
    assert province.name in list_body and city_contest.name not in list_body
