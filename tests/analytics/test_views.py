"""The government's dashboards: 供需总览, 产业链, 县市区对比, the drill-down, 分析阈值; who may see them,
the year, the exports, the links behind every number, empty states."""

import csv
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xiaoqitong.analytics import measures, services
from xiaoqitong.analytics.models import Threshold
from xiaoqitong.core.navigation import menu_for
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major, Region

from ..enterprises.factories import GraduateOutcomeFactory, PublishedPositionFactory
from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

YEAR = services.current_year()
OVERVIEW = "/analytics/"
CHAINS = "/analytics/chains/"
COUNTIES = "/analytics/counties/"
DRILL = "/analytics/majors/"
THRESHOLDS = "/analytics/thresholds/"
PAGES = [OVERVIEW, CHAINS, COUNTIES, THRESHOLDS]


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def gov():
    return user_with_role(Role.GOV_OFFICER)


@pytest.fixture
def city():
    """A school in 北湖区 running 数控技术应用 (6601, demand 8 against 30 graduates: surplus) and
    旅游服务与管理 (new enrolment 20 -> 10, one of two graduates employed: 淘汰预警); a posting for 高职
    数控技术 (4601), which no school runs (缺口). Last year's snapshots are kept: the trend has two years."""
    cnc, tourism, higher = (Major.objects.get(code=c) for c in ("660103", "740101", "460103"))
    school = SchoolFactory()
    for year, enrolled, new, graduates in ((YEAR, 100, 40, 30), (YEAR - 1, 90, 35, 28)):
        SchoolMajorFactory(
            school=school,
            major=cnc,
            year=year,
            students_enrolled=enrolled,
            new_enrolment=new,
            enrolment_plan=50,
            expected_graduates=graduates,
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
    enterprise = EnterpriseFactory(employees=300)
    PublishedPositionFactory(enterprise=enterprise, headcount=8).majors.add(cnc)
    PublishedPositionFactory(enterprise=enterprise, headcount=12).majors.add(higher)
    for outcome in ("employed", "unemployed"):
        GraduateOutcomeFactory(
            student=StudentFactory(school_major=hotel, status="graduated"),
            year=YEAR,
            outcome=outcome,
            in_city=outcome == "employed" or None,
            related_to_major=outcome == "employed" or None,
        )
    services.snapshots_refresh(year=YEAR - 1)
    return dict(cnc=cnc, tourism=tourism, higher=higher, school=school)


# --- who may see ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", PAGES)
def test_government_sees_every_page_with_heading_and_explanation(city, gov, url):
    body = html(page(gov).get(url))
    assert "<h1>" in body and "data-lead" in body


def test_platform_administrators_see_the_pages(city):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    for url in PAGES:
        assert page(admin).get(url).status_code == 200, url


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_ADMIN, Role.TEACHER, Role.ENTERPRISE_HR, Role.STUDENT, Role.RESEARCHER]
)
def test_other_roles_are_refused(city, role):
    client = page(user_with_role(role))
    drill = f"{DRILL}?dimension=major_class&key={city['cnc'].major_class_id}"
    for url in [*PAGES, drill, f"{OVERVIEW}?export=xlsx", f"{COUNTIES}?export=csv"]:
        assert client.get(url).status_code == 403, (role, url)


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get(OVERVIEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_menu_shows_the_city_pages_to_the_government_only(gov):
    def labels(user):
        return {item["label"] for group, items in menu_for(user) if group == "分析" for item in items}

    assert {"供需总览", "产业链", "县市区对比", "分析阈值"} <= labels(gov)
    for role in (Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR, Role.STUDENT, Role.RESEARCHER):
        assert not {"供需总览", "产业链", "县市区对比", "分析阈值"} & labels(user_with_role(role)), role


# --- 供需总览 ---------------------------------------------------------------------------------------------
def test_overview_shows_kpis_classes_warnings_and_trend(city, gov):
    body = html(page(gov).get(OVERVIEW))
    cnc_class, gap_class = city["cnc"].major_class, city["higher"].major_class
    # KPIs: 160 enrolled, 50 expected graduates, 20 places wanted, one of two graduates employed
    assert "160" in body and "50.0%" in body
    assert f"{cnc_class.name}（{cnc_class.code}）" in body
    # every number of the 专业类 table links to its drill-down
    drill = f"/analytics/majors/?dimension=major_class&amp;key={cnc_class.pk}&amp;year={YEAR}"
    row = body.split('data-table="classes"')[1].split(f'data-key="{cnc_class.pk}">')[1].split("</tr>")[0]
    numbers = [cell for cell in row.split("<td")[1:] if "text-end" in cell]
    assert len(numbers) == 12
    assert all(f'href="{drill}"' in cell or ">—<" in cell for cell in numbers)
    assert sum(f'href="{drill}"' in cell for cell in numbers) >= 7
    # 淘汰预警 with its numbers: new enrolment 20 -> 10 (50%), employment rate 50%
    retire = body.split('data-table="retire"')[1].split("</table>")[0]
    assert city["tourism"].name in retire and ">20<" in retire and ">10<" in retire and "50.0%" in retire
    assert f"dimension=major&amp;key={city['tourism'].pk}" in retire
    gaps = body.split('data-table="gaps"')[1].split("</table>")[0]
    assert f"{gap_class.name}（{gap_class.code}）" in gaps and ">12<" in gaps
    # the chart's option and the trend of two kept years
    assert 'id="chart-demand-supply-option"' in body and "echarts.min.js" in body
    assert 'id="chart-trend-option"' in body
    trend = body.split('data-table="trend"')[1].split("</table>")[0]
    assert f">{YEAR - 1}<" in trend and f">{YEAR}<" in trend


def test_overview_narrows_the_table_by_status(city, gov):
    body = html(page(gov).get(f"{OVERVIEW}?status=gap"))
    table = body.split('data-table="classes"')[1].split("</table>")[0]
    gap, cnc = city["higher"].major_class, city["cnc"].major_class
    assert f"{gap.name}（{gap.code}）" in table and f"{cnc.name}（{cnc.code}）" not in table


def test_the_year_select_defaults_to_the_current_school_year(city, gov):
    client = page(gov)
    body = html(client.get(OVERVIEW))
    assert f'<option value="{YEAR}" selected>' in body and f'<option value="{YEAR - 1}">' in body
    body = html(client.get(f"{OVERVIEW}?year={YEAR - 1}"))
    assert f'<option value="{YEAR - 1}" selected>' in body
    # last year the school ran 数控 with 28 graduates: the class row says so
    table = body.split('data-table="classes"')[1].split("</table>")[0]
    assert ">28<" in table and f"year={YEAR - 1}" in table
    for wrong in ("1999", "abc", ""):
        assert f'<option value="{YEAR}" selected>' in html(client.get(f"{OVERVIEW}?year={wrong}"))
    # the form keeps the other parameters
    body = html(client.get(f"{DRILL}?dimension=major&key={city['cnc'].pk}"))
    form = body.split("data-year-form")[1].split("</form>")[0]
    assert 'name="dimension" value="major"' in form and f'name="key" value="{city["cnc"].pk}"' in form


def test_overview_exports_every_table_as_xlsx_and_one_as_csv(city, gov):
    client = page(gov)
    response = client.get(f"{OVERVIEW}?export=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "专业类供需" and "淘汰预警" in book.sheetnames
    classes = list(book["专业类供需"].iter_rows(values_only=True))
    header, rows = classes[0], classes[1:]
    assert header[:4] == ("专业类", "供需状态", "供需指数", "需求名额")
    klass = city["cnc"].major_class
    cnc = next(r for r in rows if r[0] == f"{klass.name}（{klass.code}）")
    assert cnc[1] == "过剩" and cnc[3] == 8 and cnc[4] == 30
    assert len(rows) == len(measures.figures(YEAR, "major_class"))
    retire = list(book["淘汰预警"].iter_rows(values_only=True))
    assert retire[1][0].startswith(city["tourism"].name) and retire[1][1:4] == (20, 10, 50.0)

    response = client.get(f"{OVERVIEW}?export=csv&table=retire")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0][:4] == ["专业", "上年招生", "本年招生", "招生降幅（%）"]
    assert lines[1][0].startswith(city["tourism"].name) and lines[1][1:3] == ["20", "10"]
    gbk = client.get(f"{OVERVIEW}?export=csv&table=retire&encoding=gbk")
    assert city["tourism"].name in gbk.content.decode("gb18030")
    assert client.get(f"{OVERVIEW}?export=csv&table=nothing").status_code == 404
    assert client.get(f"{OVERVIEW}?export=pdf").status_code == 404


def test_pages_offer_their_exports(city, gov):
    body = html(page(gov).get(OVERVIEW))
    assert 'href="/analytics/?export=xlsx"' in body
    assert "export=csv&amp;table=classes" in body and "export=csv&amp;table=gaps" in body


def test_page_queries_do_not_grow_with_rows(city, gov, django_assert_max_num_queries):
    client = page(gov)
    client.get(OVERVIEW)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    school = SchoolFactory()
    for code in ("660101", "660102", "740102", "700101", "690101"):
        SchoolMajorFactory(
            school=school, major=Major.objects.get(code=code), year=YEAR, expected_graduates=25
        )
        PublishedPositionFactory(headcount=15).majors.add(Major.objects.get(code=code))
    services.snapshots_refresh(year=YEAR)
    client.get(OVERVIEW)
    with CaptureQueriesContext(connection) as many:
        client.get(OVERVIEW)
    assert len(many) == len(few)


# --- 产业链 -----------------------------------------------------------------------------------------------
def test_chains_show_measures_shares_and_indices(city, gov):
    client = page(gov)
    body = html(client.get(CHAINS))
    assert "data-indices" in body and "结构偏离指数" in body and "0 表示专业结构与产业需求完全一致" in body
    assert 'data-table="chains"' in body and 'data-table="shares"' in body
    assert 'id="chart-shares-option"' in body
    assert "/analytics/majors/?dimension=chain&amp;key=" in body
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{CHAINS}?export=xlsx").content))
    assert book.sheetnames == ["产业链供需", "结构占比"]
    shares = list(book["结构占比"].iter_rows(values_only=True))
    assert shares[0][:4] == ("产业链", "在校生占比（%）", "需求名额占比（%）", "企业从业人数占比（%）")
    assert sum(row[1] for row in shares[1:]) == pytest.approx(100, abs=0.5)


# --- 县市区对比 -------------------------------------------------------------------------------------------
def test_counties_side_by_side_and_without_schools(city, gov):
    client = page(gov)
    body = html(client.get(COUNTIES))
    table = body.split('data-table="counties"')[1].split("</table>")[0]
    units = measures.counties()
    assert table.count("<tr data-key=") == len(units)  # and the city's row, which has no key
    assert "全市" in table and "无职业院校" in table
    beihu = Region.objects.get(code="431002")
    assert beihu.pk == city["school"].county_id
    assert f"/analytics/majors/?dimension=county&amp;key={beihu.pk}&amp;year={YEAR}" in table
    guiyang = table.split(f'data-key="{Region.objects.get(code="431021").pk}"')[1].split("</tr>")[0]
    assert "无职业院校" in guiyang
    assert 'id="chart-counties-option"' in body
    assert "还没有选择县市区" in body

    body = html(client.get(f"{COUNTIES}?county={beihu.pk}"))
    assert 'data-table="county_classes"' in body and 'data-table="county_chains"' in body
    assert f"county={beihu.pk}" in body.split('data-table="county_classes"')[1]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{COUNTIES}?county={beihu.pk}&export=xlsx").content))
    assert book.sheetnames == ["县市区对比", "北湖区·专业类", "北湖区·产业链"]
    rows = list(book["县市区对比"].iter_rows(values_only=True))
    assert len(rows) == 1 + 1 + len(units)
    assert rows[1][0] == "全市" and rows[1][1] == 1
    no_school = next(r for r in rows if r[0] == "桂阳县")
    assert no_school[2] == "无职业院校"


# --- drill-down -------------------------------------------------------------------------------------------
def test_drilldown_shows_every_kept_year_and_the_records_behind(city, gov):
    klass = city["cnc"].major_class
    body = html(page(gov).get(f"{DRILL}?dimension=major_class&key={klass.pk}"))
    assert klass.name in body and "data-current" in body
    years = body.split('data-table="years"')[1].split("</table>")[0]
    assert f">{YEAR}<" in years and f">{YEAR - 1}<" in years and ">28<" in years and ">30<" in years
    assert 'id="chart-drill-option"' in body
    parts = body.split('data-table="parts"')[1].split("</table>")[0]
    assert city["cnc"].name in parts and f"dimension=major&amp;key={city['cnc'].pk}" in parts
    assert f"/schools/school-majors/?year={YEAR}&amp;major={klass.code}" in body
    assert f"major={klass.code}" in body.split("/enterprises/positions/?")[1].split('"')[0]
    assert f"/enterprises/graduate-outcomes/?year={YEAR}" in body


@pytest.mark.parametrize("dimension", ["major", "major_category", "chain", "county"])
def test_drilldown_of_each_dimension(city, gov, dimension):
    key = {
        "major": city["cnc"].pk,
        "major_category": city["cnc"].major_class.category_id,
        "chain": next(iter(measures.figures(YEAR, "chain"))),
        "county": city["school"].county_id,
    }[dimension]
    body = html(page(gov).get(f"{DRILL}?dimension={dimension}&key={key}"))
    assert 'data-table="years"' in body and "data-record" in body


def test_drilldown_in_a_county(city, gov):
    county, klass = city["school"].county_id, city["cnc"].major_class
    body = html(page(gov).get(f"{DRILL}?dimension=major_class&key={klass.pk}&county={county}"))
    assert "北湖区" in body and "county=431002" in body and f"county={county}#county-detail" in body


@pytest.mark.parametrize(
    "query",
    ["dimension=school&key=1", "dimension=major_class&key=99999999", "dimension=major&key=x", "", "county=1"],
)
def test_drilldown_of_nothing_says_so(city, gov, query):
    response = page(gov).get(f"{DRILL}?{query}")
    assert response.status_code == 404 and "data-empty" in response.content.decode()


def test_drilldown_exports(city, gov):
    klass = city["cnc"].major_class
    response = page(gov).get(f"{DRILL}?dimension=major_class&key={klass.pk}&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["历年数据", f"所含专业（{YEAR} 学年）"]
    years = [row[0] for row in book["历年数据"].iter_rows(min_row=2, values_only=True)]
    assert years == [str(YEAR), str(YEAR - 1)]


# --- 分析阈值 ---------------------------------------------------------------------------------------------
def test_thresholds_show_the_values_in_force(gov):
    body = html(page(gov).get(THRESHOLDS))
    assert body.count("data-threshold=") == 7 and 'name="value"' in body
    shortage = body.split('data-threshold="shortage_index"')[1].split("</tr>")[0]
    assert ">1.2<" in shortage and "使用默认值" in shortage


def test_an_officer_sets_a_threshold(gov):
    client = page(gov)
    response = client.post(
        THRESHOLDS, {"key": "shortage_index", "value": "1.5", "note": "2026 年专业设置会议纪要"}
    )
    assert response.status_code == 302
    assert Threshold.objects.get(key="shortage_index").value == 1.5
    assert services.thresholds().shortage_index == 1.5
    assert any("1.5" in str(m) for m in get_messages(response.wsgi_request))
    body = html(client.get(THRESHOLDS))
    assert "2026 年专业设置会议纪要" in body.split('data-threshold="shortage_index"')[1].split("</tr>")[0]


@pytest.mark.parametrize(
    "data",
    [
        {"key": "surplus_index", "value": "3"},  # not below the shortage threshold
        {"key": "shortage_index", "value": "-1"},
        {"key": "nothing", "value": "1"},
        {"key": "min_headcount", "value": "many"},
    ],
)
def test_refused_thresholds_are_messages(gov, data):
    client = page(gov)
    response = client.post(THRESHOLDS, data, follow=True)
    assert response.status_code == 200
    assert not Threshold.objects.exists()
    assert "alert-danger" in response.content.decode()


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR, Role.STUDENT, Role.RESEARCHER])
def test_others_may_not_set_thresholds(role):
    response = page(user_with_role(role)).post(THRESHOLDS, {"key": "shortage_index", "value": "2"})
    assert response.status_code == 403 and not Threshold.objects.exists()


# --- empty --------------------------------------------------------------------------------------------------
def test_an_empty_city_says_why_on_every_page(gov):
    client = page(gov)
    body = html(client.get(OVERVIEW))
    assert "data-empty" in body and "还没有登记本学年的开设专业" in body and "没有需要淘汰预警的专业" in body
    assert "chart-demand-supply-option" not in body
    body = html(client.get(CHAINS))
    assert "没有产业链的供需数据" in body and "没有可比较的占比" in body
    body = html(client.get(COUNTIES))
    assert body.count("无职业院校") >= len(measures.counties())
    body = html(client.get(f"{COUNTIES}?county={measures.counties()[0]}"))
    assert "没有专业类的供需数据" in body
    major = Major.objects.get(code="660103")
    body = html(client.get(f"{DRILL}?dimension=major&key={major.pk}"))
    assert "这一项没有数据" in body and "没有任何学年的数据" in body
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{OVERVIEW}?export=xlsx").content))
    assert book["专业类供需"].max_row == 1  # the header only


def test_an_oversized_key_is_not_found():
    client = Client()
    client.force_login(user_with_role(Role.GOV_OFFICER))
    assert client.get("/analytics/majors/?dimension=major&key=" + "9" * 25).status_code == 404
