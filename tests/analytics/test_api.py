"""/api/v1/analytics/…: each endpoint per role, the researchers' suppression, bad parameters."""

import pytest
from rest_framework.test import APIClient

from xiaoqitong.analytics import measures, services
from xiaoqitong.analytics.models import Threshold
from xiaoqitong.core.models import AuditLog
from xiaoqitong.reference.models import MajorClass, Region

from .factories import city_with_shortage, users_with_other_school

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

YEAR = services.current_year()
BASE = "/api/v1/analytics/"


@pytest.fixture
def city():
    return city_with_shortage(YEAR)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def users(city):
    return users_with_other_school(city)


CITY_ONLY = {"gov", "admin"}


def test_figures_per_role_and_scope(city, users):
    pk = city["school"].pk
    county = city["school"].county_id
    own = f"{BASE}figures/?dimension=major&school={pk}"
    for name, user in users.items():
        client = api(user)
        sees_own = name in CITY_ONLY | {"school_admin", "teacher"}
        assert client.get(own).status_code == (200 if sees_own else 403), name
        assert client.get(f"{BASE}figures/").status_code == (200 if name in CITY_ONLY else 403), name
        county_url = f"{BASE}figures/?county={county}"
        assert client.get(county_url).status_code == (200 if name in CITY_ONLY else 403), name
    assert APIClient().get(own).status_code in (401, 403)


def test_figures_content(city, users):
    gov = api(users["gov"])
    data = gov.get(f"{BASE}figures/?dimension=major_class&year={YEAR}").json()
    assert data["scope"] == "city" and data["dimension"] == "major_class" and data["year"] == YEAR
    rows = {r["code"]: r for r in data["results"]}
    assert rows["7102"]["status"] == "shortage" and rows["7102"]["headcount"] == 30
    assert rows["6601"]["status_display"] == "过剩" and rows["6601"]["graduates"] == 40
    assert rows["7301"]["graduates"] == 3  # the government sees the small cell
    assert "days_sum" not in rows["7102"]
    assert data["results"][0]["status"] == "shortage"  # shortages first
    mine = api(users["teacher"]).get(f"{BASE}figures/?dimension=major&school={city['school'].pk}").json()
    assert mine["scope"] == f"school:{city['school'].pk}"
    assert {r["code"] for r in mine["results"] if r["enrolled"]} == {"660103", "730101"}


@pytest.mark.parametrize(
    "query,field",
    [
        ("year=abc", "year"),
        ("year=1999", "year"),
        (f"year={YEAR + 1}", "year"),
        ("dimension=nonsense", "dimension"),
        ("county=abc", "county"),
        ("school=abc", "school"),
    ],
)
def test_figures_bad_parameters_answer_400_in_chinese(users, query, field):
    response = api(users["gov"]).get(f"{BASE}figures/?{query}")
    assert response.status_code == 400
    message = response.json()[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_scope_parameters_are_checked(city, users):
    gov = api(users["gov"])
    province = Region.objects.get(code="430000").pk  # a region, but not one of the city's counties
    response = gov.get(f"{BASE}figures/?county={province}")
    assert response.status_code == 400 and "县市区" in response.json()["county"][0]
    both = gov.get(f"{BASE}figures/?county={city['school'].county_id}&school={city['school'].pk}")
    assert both.status_code == 400 and "county" in both.json()
    assert gov.get(f"{BASE}figures/?school=99999999").status_code == 404
    assert gov.get(f"{BASE}alignment/?school=99999999").status_code == 404


def test_alignment_per_role(city, users):
    pk = city["school"].pk
    for name, user in users.items():
        response = api(user).get(f"{BASE}alignment/?school={pk}")
        expected = 200 if name in CITY_ONLY | {"school_admin", "teacher"} else 403
        assert response.status_code == expected, name
    data = api(users["school_admin"]).get(f"{BASE}alignment/?school={pk}").json()
    assert data["scope"] == f"school:{pk}" and data["demand_index"] is not None
    assert {c["label"] for c in data["chains"] if c["enrolment_share"]} == {"装备制造"}
    city_data = api(users["gov"]).get(f"{BASE}alignment/").json()
    assert city_data["scope"] == "city" and 0 <= city_data["demand_index"] <= 1
    assert api(users["school_admin"]).get(f"{BASE}alignment/").status_code == 403


@pytest.mark.parametrize("endpoint", ["counties/", "warnings/", "thresholds/"])
def test_city_endpoints_are_for_the_government(users, endpoint):
    for name, user in users.items():
        status = api(user).get(f"{BASE}{endpoint}").status_code
        assert status == (200 if name in CITY_ONLY else 403), name


def test_counties_and_warnings(city, users):
    gov = api(users["gov"])
    counties = gov.get(f"{BASE}counties/?year={YEAR}").json()["results"]
    assert counties[0]["scope"] == "city" and counties[0]["label"] == "全市"
    assert len(counties) == 1 + len(measures.counties())
    beihu = next(c for c in counties if c["county"] == city["school"].county_id)
    assert beihu["label"] == "北湖区" and beihu["demand_index"] is not None
    warnings = gov.get(f"{BASE}warnings/").json()
    assert warnings["year"] == YEAR and warnings["retire"] == [] and isinstance(warnings["gaps"], list)
    assert gov.get(f"{BASE}warnings/?year=x").status_code == 400


def test_trend(city, users):
    services.snapshots_refresh(year=YEAR)
    klass = MajorClass.objects.get(code="7102").pk
    gov = api(users["gov"])
    data = gov.get(f"{BASE}trend/?dimension=major_class&key={klass}").json()
    assert data["label"] == "计算机类（7102）"
    assert [(r["year"], r["headcount"]) for r in data["results"]] == [(YEAR, 30)]
    assert gov.get(f"{BASE}trend/?key={klass}").status_code == 400  # no dimension
    assert gov.get(f"{BASE}trend/?dimension=major_class").status_code == 400  # no key
    assert gov.get(f"{BASE}trend/?dimension=major_class&key=x").status_code == 400
    assert gov.get(f"{BASE}trend/?dimension=major_class&key=99999999").status_code == 404
    assert (
        api(users["school_admin"]).get(f"{BASE}trend/?dimension=major_class&key={klass}").status_code == 403
    )


def test_school_plan_per_role(city, users):
    url = f"{BASE}schools/{city['school'].pk}/plan/"
    for name, user in users.items():
        expected = 200 if name in CITY_ONLY | {"school_admin", "teacher"} else 403
        assert api(user).get(url).status_code == expected, name
    data = api(users["school_admin"]).get(f"{url}?year={YEAR}").json()
    assert data["school"]["name"] == city["school"].name and data["levels"] == ["secondary"]
    assert {m["code"] for m in data["majors"]} == {"660103", "730101"}
    assert {r["code"][:4] for r in data["open"]} == {"7102"}
    assert data["open"][0]["class_unmet"] == 20
    assert [r["code"] for r in data["review"]] == ["660103"]
    assert data["review"][0]["reasons"]
    gov = api(users["gov"])
    assert gov.get(f"{BASE}schools/99999999/plan/").status_code == 404
    assert gov.get(f"{url}?year=soon").status_code == 400


def test_aggregates_suppress_small_cells(city, users):
    for name, user in users.items():
        status = api(user).get(f"{BASE}aggregates/").status_code
        assert status == (200 if name in CITY_ONLY | {"researcher"} else 403), name
    data = api(users["researcher"]).get(f"{BASE}aggregates/?dimension=major&year={YEAR}").json()
    assert data["suppress_below"] == 5 and data["dimension"] == "major"
    rows = {r["code"]: r for r in data["results"]}
    tax = rows["730101"]  # 3 expected graduates, 3 outcomes: counts of people below 5
    assert tax["graduates"] is None and tax["index"] is None
    assert tax["outcomes"] is None and tax["employed"] is None and tax["employment_rate"] is None
    assert tax["enrolled"] == 9
    cnc = rows["660103"]
    assert (cnc["graduates"], cnc["enrolled"], cnc["headcount"]) == (40, 120, 5)
    assert "key" not in cnc and "name" not in cnc
    researcher = api(users["researcher"])
    assert researcher.get(f"{BASE}aggregates/?dimension=school").status_code == 400
    assert researcher.get(f"{BASE}aggregates/?year=20x5").status_code == 400
    # the threshold is data
    services.threshold_set(actor=users["gov"], key="suppress_below", value=50)
    rows = {r["code"]: r for r in researcher.get(f"{BASE}aggregates/?dimension=major").json()["results"]}
    assert rows["660103"]["graduates"] is None  # 40 graduates, now below the threshold


def test_thresholds_read_and_set(users):
    gov = api(users["gov"])
    rows = {r["key"]: r for r in gov.get(f"{BASE}thresholds/").json()["results"]}
    assert rows["shortage_index"]["value"] == rows["shortage_index"]["default"] == 1.2
    assert not rows["shortage_index"]["is_set"]
    response = gov.post(
        f"{BASE}thresholds/", {"key": "shortage_index", "value": 1.5, "note": "2026 年会议"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["value"] == 1.5 and response.json()["is_set"]
    assert response.json()["note"] == "2026 年会议"
    assert Threshold.objects.get(key="shortage_index").value == 1.5
    assert AuditLog.objects.filter(verb="threshold_set").count() == 1
    bad = gov.post(f"{BASE}thresholds/", {"key": "surplus_index", "value": 2}, format="json")
    assert bad.status_code == 400 and "应小于紧缺阈值" in bad.json()["value"][0]
    assert gov.post(f"{BASE}thresholds/", {"key": "nonsense", "value": 1}, format="json").status_code == 400
    negative = gov.post(f"{BASE}thresholds/", {"key": "min_headcount", "value": -1}, format="json")
    assert negative.status_code == 400 and "value" in negative.json()
    for name in ("school_admin", "researcher", "hr"):
        response = api(users[name]).post(
            f"{BASE}thresholds/", {"key": "min_headcount", "value": 3}, format="json"
        )
        assert response.status_code == 403, name
    assert not Threshold.objects.filter(key="min_headcount").exists()


def test_schema_lists_the_endpoints(users):
    response = api(users["admin"]).get("/api/v1/schema/")
    assert response.status_code == 200
    for path in ("figures/", "alignment/", "counties/", "warnings/", "trend/", "aggregates/", "thresholds/"):
        assert f"/api/v1/analytics/{path}".encode() in response.content, path
    assert b"/api/v1/analytics/schools/{id}/plan/" in response.content


def test_oversized_keys_are_refused_not_crashed(users):
    gov = api(users["gov"])
    big = "9" * 25
    assert gov.get(f"{BASE}trend/?dimension=major&key={big}").status_code == 400
    assert gov.get(f"{BASE}figures/?county={big}").status_code == 400
