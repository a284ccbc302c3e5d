"""T13 (产教融合实习基地 per school) and T14 (县域共享性实训基地 per county-level unit) counts, the city's
市级共享性智能实训基地, who sees which rows, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import BaseKind, RuleKey
from xiaoqitong.cooperation.models import Rule
from xiaoqitong.cooperation.selectors import bases as selectors
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Region

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from .factories import PracticeBaseFactory

pytestmark = pytest.mark.django_db
URL = "/cooperation/bases/targets/"
API = "/api/v1/cooperation/base-targets/"


def region(code):
    return Region.objects.get(code=code)


@pytest.fixture
def city():
    """Three schools: one meets T13 (2 active), one does not (1 active, 1 inactive, 1 of another kind),
    one has only an enterprise-owned base; 北湖区 has a county shared base, 苏仙区 only an inactive one."""
    met, short, none = SchoolFactory(), SchoolFactory(), SchoolFactory()
    PracticeBaseFactory.create_batch(2, owner_school=met, kind=BaseKind.INTEGRATION)
    PracticeBaseFactory(owner_school=short, kind=BaseKind.INTEGRATION)
    PracticeBaseFactory(owner_school=short, kind=BaseKind.INTEGRATION, active=False)
    PracticeBaseFactory(owner_school=short, kind=BaseKind.TRAINING)
    PracticeBaseFactory(owner_school=None, owner_enterprise=EnterpriseFactory(), kind=BaseKind.INTEGRATION)
    PracticeBaseFactory(owner_school=met, kind=BaseKind.COUNTY_SHARED, county=region("431002"), shared=True)
    PracticeBaseFactory(
        owner_school=short, kind=BaseKind.COUNTY_SHARED, county=region("431003"), shared=True, active=False
    )
    return {"met": met, "short": short, "none": none}


def test_school_rows_count_active_integration_bases_against_t13(city):
    rows = {row["school"].pk: row for row in selectors.school_rows()}
    assert (rows[city["met"].pk]["count"], rows[city["met"].pk]["met"]) == (2, True)
    assert (rows[city["short"].pk]["count"], rows[city["short"].pk]["met"]) == (1, False)
    assert (rows[city["none"].pk]["count"], rows[city["none"].pk]["met"]) == (0, False)
    assert all(
        row["target"] == 2 and row["cite"] == "T13，郴政发〔2021〕9号 四（九）" for row in rows.values()
    )


def test_county_rows_cover_the_city_counties_against_t14(city):
    rows = selectors.county_rows()
    codes = [row["county"].code for row in rows]
    assert len(codes) == 11 and codes == sorted(codes) and all(c.startswith("4310") for c in codes)
    by_code = {row["county"].code: row for row in rows}
    assert (by_code["431002"]["count"], by_code["431002"]["met"]) == (1, True)
    assert (by_code["431003"]["count"], by_code["431003"]["met"]) == (0, False)
    assert by_code["431002"]["cite"] == rules.cite(RuleKey.SHARED_BASES_PER_COUNTY)
    assert selectors.city_row()["met"] is False
    PracticeBaseFactory(kind=BaseKind.CITY_SHARED, shared=True)
    assert selectors.city_row()["met"] is True and selectors.city_row()["count"] == 1


def test_the_targets_follow_the_rule_values(city):
    Rule.objects.filter(key=RuleKey.INTEGRATION_BASES_PER_SCHOOL).update(value=1)
    rows = {row["school"].pk: row for row in selectors.school_rows()}
    assert rows[city["short"].pk]["met"] is True


def test_school_admins_see_their_row_and_the_city_table_officers_everything(client, city):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=city["short"])
    client.force_login(admin)
    body = client.get(URL).content.decode()
    assert city["short"].name in body and city["met"].name not in body
    assert "北湖区" in body and "T14" in body and "data-unmet" in body
    assert "T13，郴政发〔2021〕9号 四（九）" in body
    data = _api(admin).get(API).data
    assert [row["school"] for row in data["schools"]] == [city["short"].code]
    assert len(data["counties"]) == 11 and data["city"]["met"] is False

    officer = user_with_role(Role.GOV_OFFICER)
    client.force_login(officer)
    body = client.get(URL).content.decode()
    assert all(school.name in body for school in city.values())
    assert "1/3 所学校达标" in body and "1/11 个县市区达标" in body
    assert len(_api(officer).get(API).data["schools"]) >= 3

    hr = user_with_role(Role.ENTERPRISE_HR)
    assert _api(hr).get(API).data["schools"] == []
    assert APIClient().get(API).status_code in (401, 403)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_export_of_both_tables(client, city):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    body = client.get(URL + "?export=csv&table=schools").content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("学校代码,学校名称")
    assert f"{city['met'].code},{city['met'].name}" in body and "达标" in body
    body = client.get(URL + "?export=csv&table=counties").content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("区划代码,县市区") and len(lines) == 1 + 11 + 1
    assert "市级共享性智能实训基地" in lines[-1]
    response = client.get(URL + "?export=xlsx&table=schools")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_the_page_and_api_run_no_query_per_school(client, city):
    officer = user_with_role(Role.GOV_OFFICER)
    client.force_login(officer)
    api = _api(officer)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
        api.get(API)
    for _ in range(5):
        PracticeBaseFactory(owner_school=SchoolFactory(), kind=BaseKind.INTEGRATION)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
        api.get(API)
    assert len(many) == len(few)


def test_menu_and_home_counters(client, city):
    teacher = user_with_role(Role.TEACHER)
    client.force_login(teacher)
    body = client.get(reverse("home")).content.decode()
    assert "近期基地预约" in body and reverse("cooperation:booking_mine") in body
    assert reverse("cooperation:base_targets") in body
    client.force_login(user_with_role(Role.GOV_OFFICER))
    body = client.get(reverse("home")).content.decode()
    assert "共享基地未达标县市区（T14）" in body and reverse("cooperation:basebooking_list") in body
