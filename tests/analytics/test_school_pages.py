"""The 一校一产业链 page and the researchers' 研究数据 page: per role, their exports, the menu."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from xiaoqitong.analytics import services

from .factories import city_with_shortage, users_with_other_school

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

YEAR = services.current_year()


@pytest.fixture
def city():
    return city_with_shortage(YEAR, name="郴州市第一职业中专")


@pytest.fixture
def users(city):
    return users_with_other_school(city)


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_url(school) -> str:
    return f"/analytics/school/{school.pk}/"


def test_school_accounts_go_to_their_own_school(city, users):
    for name in ("school_admin", "teacher"):
        client = page(users[name])
        response = client.get("/analytics/school/")
        assert response.status_code == 302 and response["Location"] == plan_url(city["school"]), name
        response = client.get(f"/analytics/school/?year={YEAR}")
        assert response["Location"] == f"{plan_url(city['school'])}?year={YEAR}"
    response = page(users["other_school"]).get("/analytics/school/")
    assert response["Location"] == plan_url(city["other"])


def test_plan_page_per_role(city, users):
    url = plan_url(city["school"])
    for name, user in users.items():
        expected = 200 if name in {"gov", "admin", "school_admin", "teacher"} else 403
        assert page(user).get(url).status_code == expected, name
    for name in ("researcher", "hr", "student"):
        assert page(users[name]).get("/analytics/school/").status_code == 403, name
    assert page(users["gov"]).get("/analytics/school/99999999/").status_code == 404
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_plan_page_shows_what_to_open_and_review(city, users):
    body = page(users["school_admin"]).get(plan_url(city["school"])).content.decode()
    assert "郴州市第一职业中专" in body
    open_part = body[body.index('id="open"') : body.index('id="review"')]
    assert "710201" in open_part and "计算机类（7102）" in open_part and "紧缺" in open_part
    assert "510201" not in open_part  # 高职 计算机类: not the school's level
    review_part = body[body.index('id="review"') : body.index('id="chains"')]
    assert "660103" in review_part and "过剩" in review_part and "需求名额 5" in review_part
    assert "装备制造" in body[body.index('id="chains"') :]
    assert 'name="school"' not in body  # a school does not get the school select


def test_the_government_chooses_a_school(city, users):
    client = page(users["gov"])
    body = client.get("/analytics/school/").content.decode()
    assert f'value="{city["school"].pk}"' in body and "郴州市第一职业中专" in body
    response = client.get(f"/analytics/school/?school={city['school'].pk}")
    assert response.status_code == 302 and response["Location"] == plan_url(city["school"])
    assert client.get("/analytics/school/?school=99999999").status_code == 200  # back to the select
    body = client.get(plan_url(city["school"])).content.decode()
    assert 'name="school"' in body and f'value="{city["other"].pk}"' in body


def test_plan_exports_the_three_sheets(city, users):
    client = page(users["teacher"])
    response = client.get(f"{plan_url(city['school'])}?export=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["本校专业", "建议开设", "建议评估"]

    def rows(sheet):
        values = list(book[sheet].iter_rows(values_only=True))
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

    majors = {r["专业代码"]: r for r in rows("本校专业")}
    assert set(majors) == {"660103", "730101"}
    assert majors["660103"]["在校生"] == 120 and majors["660103"]["专业类供需（全市）"] == "过剩"
    opened = rows("建议开设")
    first = opened[0]
    assert first["专业类"] == "计算机类（7102）" and first["供需状态"] == "紧缺"
    assert (first["需求名额"], first["预计毕业生"], first["缺口"]) == (30, 10, 20)
    assert first["对接产业链"] == "新一代信息技术" and first["层次"] == "中职"
    assert {r["专业代码"][:4] for r in opened} == {"7102"}
    review = rows("建议评估")
    assert [r["专业代码"] for r in review] == ["660103"] and "过剩" in review[0]["评估原因"]

    response = client.get(f"{plan_url(city['school'])}?export=csv&sheet=review")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == "专业代码" and lines[1][0] == "660103" and len(lines) == 2
    assert client.get(f"{plan_url(city['school'])}?export=csv&sheet=nonsense").status_code == 404
    assert page(users["other_school"]).get(f"{plan_url(city['school'])}?export=xlsx").status_code == 403


def test_aggregates_page_per_role(city, users):
    for name, user in users.items():
        expected = 200 if name in {"gov", "admin", "researcher"} else 403
        assert page(user).get("/analytics/aggregates/").status_code == expected, name


def test_aggregates_hide_small_cells(city, users):
    client = page(users["researcher"])
    body = client.get(f"/analytics/aggregates/?dimension=major&year={YEAR}").content.decode()
    assert "少于 5" in body and "&lt;5" in body and "data-suppressed" in body
    row = body[body.index("730101") :]
    row = row[: row.index("</tr>")]
    assert row.count("data-suppressed") >= 4  # graduates, 供需比, outcomes, employed … and their rates
    assert "郴州市第一职业中专" not in body  # never by school
    chains = client.get("/analytics/aggregates/?dimension=chain").content.decode()
    assert "装备制造" in chains
    fallback = client.get("/analytics/aggregates/?dimension=school&year=abc")
    assert fallback.status_code == 200 and "郴州市第一职业中专" not in fallback.content.decode()


def test_aggregates_export(city, users):
    client = page(users["researcher"])
    response = client.get(f"/analytics/aggregates/?dimension=major&year={YEAR}&export=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    rows = {r[0]: dict(zip(values[0], r, strict=True)) for r in values[1:]}
    assert rows["730101"]["预计毕业生"] == "<5" and rows["730101"]["在校生"] == 9
    assert rows["730101"]["就业率（%）"] == "<5"
    assert rows["660103"]["预计毕业生"] == 40 and rows["660103"]["需求名额"] == 5
    response = client.get(f"/analytics/aggregates/?dimension=major&year={YEAR}&export=csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("代码,专业,") and "<5" in text


def test_menu_items(city, users):
    def menu(name):
        return page(users[name]).get("/").content.decode()

    assert "一校一产业链" in menu("school_admin") and "研究数据" not in menu("school_admin")
    assert "研究数据" in menu("researcher") and "一校一产业链" not in menu("researcher")
    gov = menu("gov")
    assert "一校一产业链" in gov and "研究数据" in gov
    hr = menu("hr")
    assert "一校一产业链" not in hr and "研究数据" not in hr
