"""Person-times (a session's roster rows, or its reported number without a roster; counted in the year the
session ended), T4 (city) and T6 (school person-times / full-time enrolment) against hand-computed data, the
no-enrolment case, the person-times page and its API for each role, exports and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from xiaoqitong.cooperation.models import Rule
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality import targets
from xiaoqitong.quality.choices import TrainingKind
from xiaoqitong.quality.models import TrainingProgramme
from xiaoqitong.quality.rules import RuleKey, cite
from xiaoqitong.quality.selectors import training as selectors

from ..orgs.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    SchoolEnrolmentFactory,
    SchoolFactory,
    user_with_role,
)
from .factories_training import TrainingParticipantFactory, TrainingProgrammeFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db
YEAR = 2025
URL = "/quality/training/person-times/"
API = "/api/v1/quality/training-person-times/"


def session(programme, number, person_times=0, roster=0, end=dt.date(YEAR, 6, 30)):
    s = TrainingSessionFactory(
        programme=programme,
        number=number,
        start_date=end - dt.timedelta(days=5),
        end_date=end,
        reported_person_times=person_times,
    )
    TrainingParticipantFactory.create_batch(roster, session=s)
    return s


@pytest.fixture
def city():
    """Hand-computed 2025:

    ========  ==========================================================  ===========  =========
    school    sessions ended in 2025                                      person-times enrolment
    ========  ==========================================================  ===========  =========
    met       reported 1500 + reported 500 (community) + roster 3 (its    2003         1000 → 2.003 met
              reported 99 ignored); a 2024 session of 700 not counted
    short     reported 400 (its programme says 2024: counted by end date) 400          1000 → 0.4
    no_enrol  reported 300                                                300          none → no data
    idle      nothing                                                     0            800 → 0
    ========  ==========================================================  ===========  =========

    plus an enterprise's 120 (roster-less) and a training centre's 2000 (branded): the city has
    2003 + 400 + 300 + 120 + 2000 = 4823 person-times in 2025.
    """
    rsj = DepartmentFactory(code="CZ-RSJ", name="郴州市人力资源和社会保障局")
    mzj = DepartmentFactory(code="CZ-MZJ", name="郴州市民政局")
    met, short, no_enrol, idle = (SchoolFactory() for _ in range(4))
    for school, students in ((met, 1000), (short, 1000), (idle, 800)):
        SchoolEnrolmentFactory(school=school, year=YEAR, full_time_students=students)
    SchoolEnrolmentFactory(school=no_enrol, year=YEAR - 1, full_time_students=900)  # another year's only

    subsidised = TrainingProgrammeFactory(provider_school=met, funding_department=rsj, fucheng_brand=True)
    session(subsidised, 1, person_times=1500)
    session(subsidised, 2, person_times=700, end=dt.date(YEAR - 1, 12, 20))
    session(subsidised, 3, person_times=99, roster=3)
    community = TrainingProgrammeFactory(
        provider_school=met, kind=TrainingKind.COMMUNITY, funding_department=mzj
    )
    session(community, 1, person_times=500)
    late = TrainingProgrammeFactory(provider_school=short, year=YEAR - 1)
    session(late, 1, person_times=400, end=dt.date(YEAR, 1, 10))
    session(TrainingProgrammeFactory(provider_school=no_enrol), 1, person_times=300)
    employees = TrainingProgrammeFactory(
        provider_school=None, provider_enterprise=EnterpriseFactory(), kind=TrainingKind.EMPLOYEES
    )
    session(employees, 1, person_times=120)
    centre = TrainingProgrammeFactory(
        provider_school=None, provider_centre="郴州市老年大学", kind=TrainingKind.SENIORS, fucheng_brand=True
    )
    session(centre, 1, person_times=2000)
    return {"met": met, "short": short, "no_enrol": no_enrol, "idle": idle, "subsidised": subsidised}


def test_a_session_counts_its_roster_or_else_its_reported_number():
    programme = TrainingProgrammeFactory()
    reported = session(programme, 1, person_times=40)
    rostered = session(programme, 2, person_times=99, roster=3)
    empty = session(programme, 3)
    rows = {s.pk: s for s in selectors.with_person_times(programme.sessions.all())}
    assert (rows[reported.pk].roster_size, rows[reported.pk].person_times) == (0, 40)
    assert (rows[rostered.pk].roster_size, rows[rostered.pk].person_times) == (3, 3)
    assert rows[empty.pk].person_times == 0
    total = TrainingProgramme.objects.annotate(n=selectors.programme_person_times()).get(pk=programme.pk).n
    assert total == 43


def test_t4_counts_every_session_that_ended_in_the_year(city):
    figure = selectors.city_training_figures(YEAR)[targets.CITY]
    assert (figure.numerator, figure.is_ratio, figure.value) == (4823, False, Decimal(4823))
    assert selectors.city_training_figures(YEAR - 1)[targets.CITY].numerator == 700
    assert selectors.city_training_figures(YEAR + 1)[targets.CITY].value is None  # no data, not 0
    (row,) = targets.evaluate(YEAR, keys=[RuleKey.CITY_TRAINING_MIN])
    assert row.school_id is None and row.target == Decimal(100000) and row.met is False
    assert (row.target_id, row.source) == ("T4", "郴政发〔2021〕9号 一")
    Rule.objects.filter(key=RuleKey.CITY_TRAINING_MIN).update(value=4000)
    (row,) = targets.evaluate(YEAR, keys=[RuleKey.CITY_TRAINING_MIN])
    assert row.met is True


def test_t6_divides_each_schools_person_times_by_its_enrolment_of_the_year(city):
    figures = selectors.school_training_figures(YEAR)
    met, short, no_enrol, idle = (figures[city[k].pk] for k in ("met", "short", "no_enrol", "idle"))
    assert (met.numerator, met.denominator, met.value) == (2003, 1000, Decimal("2.003"))
    assert (short.numerator, short.denominator) == (400, 1000)
    assert (no_enrol.numerator, no_enrol.denominator, no_enrol.value) == (300, None, None)  # no data
    assert (idle.numerator, idle.value) == (0, Decimal(0))  # enrolment but no training: a real 0
    city_figure = figures[targets.CITY]
    assert (city_figure.numerator, city_figure.denominator) == (2403, 2800)  # schools with enrolment only
    rows = {r.school_id: r for r in targets.evaluate(YEAR, keys=[RuleKey.SCHOOL_TRAINING_RATIO_MIN])}
    assert rows[city["met"].pk].met is True and rows[city["short"].pk].met is False
    assert rows[city["no_enrol"].pk].met is None and rows[city["idle"].pk].met is False
    assert rows[None].target == Decimal(2) and rows[None].source == "郴政发〔2021〕9号 二（三）"
    assert selectors.school_training_figures(YEAR + 1) == {targets.CITY: targets.Figure(None)}


def test_the_measures_are_registered():
    rules = {m.rule: m for m in targets.measures()}
    assert rules[RuleKey.CITY_TRAINING_MIN].scopes == ("city",)
    assert rules[RuleKey.CITY_TRAINING_MIN].unit == targets.COUNT
    assert rules[RuleKey.SCHOOL_TRAINING_RATIO_MIN].unit == targets.MULTIPLE
    assert rules[RuleKey.SCHOOL_TRAINING_RATIO_MIN].url_name == "quality:training_person_times"


def test_the_report_breaks_the_city_down(city):
    report = selectors.person_times_report(user_with_role(Role.GOV_OFFICER), YEAR)
    assert report["city"]["person_times"] == 4823 and report["city"]["met"] is False
    assert report["city"]["cite"] == cite(RuleKey.CITY_TRAINING_MIN)
    kinds = {k.key: k.person_times for k in report["kinds"]}
    assert kinds == {
        TrainingKind.SUBSIDISED: 1503 + 400 + 300,
        TrainingKind.EMPLOYEES: 120,
        TrainingKind.KEY_GROUPS: 0,
        TrainingKind.COMMUNITY: 500,
        TrainingKind.SENIORS: 2000,
    }
    assert sum(kinds.values()) == 4823
    departments = {d.label: d.person_times for d in report["departments"]}
    assert departments == {
        "郴州市人力资源和社会保障局": 1503,
        "郴州市民政局": 500,
        "未填写经费来源部门": 2820,
    }
    assert (report["brand"].person_times, report["brand"].share) == (3503, Decimal("72.6"))
    providers = {p.key: p.person_times for p in report["providers"]}
    assert providers == {"school": 2003 + 400 + 300, "enterprise": 120, "centre": 2000}
    lines = {line.school.pk: line for line in report["schools"]}
    met = lines[city["met"].pk]
    assert (met.multiple, met.required, met.short, met.met) == (Decimal("2.00"), 2000, 0, True)
    short = lines[city["short"].pk]
    assert (short.required, short.short, short.met) == (2000, 1600, False)
    assert lines[city["no_enrol"].pk].met is None and lines[city["no_enrol"].pk].multiple is None
    assert report["programmes"] == [] and report["own"] is None  # officers use the list page


def test_a_school_admin_sees_its_line_and_programmes_officers_every_school(client, city):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=city["short"])
    client.force_login(admin)
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert "data-own-school" in body and "全日制在校生 1000 人，2 倍为 2000 人次" in body
    assert "未达标，还差 1600 人次" in body and "当前 0.40 倍" in body
    assert city["met"].name not in body  # another school's line
    assert "4823" in body and "T4，郴政发〔2021〕9号 一" in body and "T6，郴政发〔2021〕9号 二（三）" in body
    assert 'data-table="programmes"' in body and "PX-T-" in body

    client.force_login(user_with_role(Role.SCHOOL_ADMIN, school=city["no_enrol"]))
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert "data-no-enrolment" in body and "300" in body

    client.force_login(user_with_role(Role.GOV_OFFICER))
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert all(city[k].name in body for k in ("met", "short", "no_enrol", "idle"))
    assert "1/3 所学校达标" in body and "data-nodata" in body and "data-own-school" not in body


def test_researchers_see_aggregates_students_nothing(client, city):
    client.force_login(user_with_role(Role.RESEARCHER))
    body = client.get(f"{URL}?year={YEAR}").content.decode()
    assert city["met"].name in body and 'data-table="programmes"' not in body
    assert client.get("/quality/training/programmes/").status_code == 403
    client.force_login(user_with_role(Role.STUDENT))
    assert client.get(URL).status_code == 403
    api = APIClient()
    api.force_authenticate(user_with_role(Role.STUDENT))
    assert api.get(API).status_code == 403
    assert APIClient().get(API).status_code in (401, 403)


def test_the_api_gives_the_page_rows(city):
    hr = user_with_role(Role.ENTERPRISE_HR)
    programme = TrainingProgrammeFactory(provider_school=None, provider_enterprise=hr.enterprise)
    session(programme, 1, person_times=80)
    api = APIClient()
    api.force_authenticate(hr)
    data = api.get(f"{API}?year={YEAR}").data
    assert data["city"]["person_times"] == 4903 and data["city"]["target"] == 100000
    assert data["schools"] == []
    assert [(p["code"], p["person_times"]) for p in data["programmes"]] == [(programme.code, 80)]
    api.force_authenticate(user_with_role(Role.SCHOOL_ADMIN, school=city["met"]))
    data = api.get(f"{API}?year={YEAR}").data
    (line,) = data["schools"]
    assert (line["school"], line["person_times"], line["enrolment"], line["met"]) == (
        city["met"].code,
        2003,
        1000,
        True,
    )
    assert data["school_target"]["target_id"] == "T6"
    assert {k["key"]: k["person_times"] for k in data["providers"]}["centre"] == 2000


def test_exports_of_schools_and_summary(client, city):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    body = client.get(f"{URL}?year={YEAR}&export=csv&table=schools").content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("年度,学校代码,学校名称,承办培训人次,全日制在校生,倍数")
    assert f"{YEAR},{city['met'].code},{city['met'].name},2003,1000,2.00,2,2000,达标" in body
    assert f"{city['no_enrol'].name},300,,,2,,暂无数据" in body
    body = client.get(f"{URL}?year={YEAR}&export=csv&table=summary").content.decode("utf-8-sig")
    assert "全市培训人次,4823" in body and "郴州市民政局,500" in body
    response = client.get(f"{URL}?year={YEAR}&export=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_the_page_and_api_run_no_query_per_school_or_programme(client, city):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=city["met"])
    officer = user_with_role(Role.GOV_OFFICER)
    api = APIClient()

    def load():
        for user in (admin, officer):
            client.force_login(user)
            assert client.get(f"{URL}?year={YEAR}").status_code == 200
            api.force_authenticate(user)
            assert api.get(f"{API}?year={YEAR}").status_code == 200

    load()  # sessions and caches warm
    with CaptureQueriesContext(connection) as few:
        load()
    for n in range(5):
        school = SchoolFactory()
        SchoolEnrolmentFactory(school=school, year=YEAR, full_time_students=500)
        session(TrainingProgrammeFactory(provider_school=school), 1, person_times=100, roster=2)
        session(TrainingProgrammeFactory(provider_school=city["met"]), 1, person_times=10 + n)
    with CaptureQueriesContext(connection) as many:
        load()
    assert len(many) == len(few)


def test_programme_and_session_lists_run_no_query_per_row(client, city):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    with CaptureQueriesContext(connection) as few:
        client.get("/quality/training/programmes/")
        client.get("/quality/training/sessions/")
    for _ in range(4):
        session(TrainingProgrammeFactory(funding_department=DepartmentFactory()), 1, roster=2)
    with CaptureQueriesContext(connection) as many:
        client.get("/quality/training/programmes/")
        client.get("/quality/training/sessions/")
    assert len(many) == len(few)
