"""Chinese full-text search (core/search.py): the tokenizer and its catalog dictionary, tokens stored on
write (services, imports, reindex_search), and the ranked ``?q=`` filter on SQLite and PostgreSQL."""

import datetime as dt
from io import StringIO

import pytest
import tablib
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from tests.orgs.factories import EnterpriseFactory, user_with_role
from xiaoqitong.core import search, services
from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.models import Industry, Major, Region, Skill

API = "/api/v1/orgs/enterprises/"


@pytest.fixture
def catalogs(reference_data, db):
    """The real catalogs, and a dictionary built from them (another test may have built one before they
    were loaded)."""
    search.reset_dictionary()
    yield
    search.reset_dictionary()


@pytest.fixture
def admin():
    return user_with_role("platform_admin", username="search-admin")


def enterprise(admin, name, *, industry="C3421", county="431003", address="", n=0):
    return services.object_create(
        actor=admin,
        model=Enterprise,
        data={
            "credit_code": make_credit_code("431003", 30_000_000 + n),
            "name": name,
            "size": "medium",
            "industry": Industry.objects.get(code=industry),
            "county": Region.objects.get(code=county),
            "address": address,
        },
    )


def names(response):
    assert response.status_code == 200, response.content[:500]
    return [row["name"] for row in response.data["results"]]


# --- the tokenizer --------------------------------------------------------------------------------
def test_catalog_words_are_kept_whole(catalogs):
    tokens = search.tokenize("就读工业机器人技术专业，掌握PLC编程")
    assert "工业机器人技术" in tokens  # a catalog major: one word with the user dictionary ...
    assert {"工业", "机器人", "技术"} <= set(tokens)  # ... and its sub-words, for search
    assert "工业机器人技术" not in search.Tokenizer().tokens("就读工业机器人技术专业")  # not without it


def test_punctuation_spaces_case_and_stop_words_dropped(catalogs):
    tokens = search.tokenize("【急招】ＣＡＤ绘图员（2人）：熟悉AutoCAD、SolidWorks的优先！！ 5000-8000元/月")
    assert tokens, tokens
    assert all(t.isalnum() for t in tokens), tokens
    assert {"cad", "autocad", "solidworks", "5000", "8000", "绘图"} <= set(tokens)
    assert "的" not in tokens and "AutoCAD" not in tokens
    assert search.tokenize("，。！？、 ……") == []
    assert search.tokenize("") == [] and search.tokenize(None) == []


def test_short_texts_are_remembered_long_ones_are_not(catalogs):
    tokenizer = search.Tokenizer(["工业机器人技术"])
    first = tokenizer.tokens("工业机器人技术")
    first.append("changed by the caller")  # a caller's list is its own
    assert tokenizer.tokens("工业机器人技术") == first[:-1]
    assert tokenizer._memo.cache_info().hits == 1
    long = "数控车床操作，" * 20  # over MEMO_TEXT characters: a posting's description
    assert tokenizer.tokens(long) == tokenizer.tokens(long)
    assert tokenizer._memo.cache_info().currsize == 1
    # each tokenizer remembers with its own dictionary
    assert "工业机器人技术" not in search.Tokenizer().tokens("工业机器人技术")


def test_mixed_tokens_are_split_by_script(catalogs):
    tokens = search.tokenize("Web前端开发")
    assert "web" in tokens and "前端开发" in tokens
    assert not [t for t in tokens if any(c.isascii() for c in t) and not t.isascii()]


def test_query_words_match_differently_segmented_text(catalogs):
    tokenizer = search.get_tokenizer()
    stored = set(tokenizer.tokens("工业机器人技术专业学生"))

    def matches(query):
        return search.matches(tokenizer.query(query), stored)

    assert matches("工业机器人技术")
    assert matches("工业机器人")  # 工业 + 机器人 inside the catalog word
    assert matches("机器人")
    assert not matches("数控")
    assert tokenizer.query("的，。") is None


def test_dictionary_is_built_once_and_reset(catalogs):
    first = search.get_tokenizer()
    assert search.get_tokenizer() is first
    assert first.words > 5000  # majors, industries, skills, certificates, counties
    search.reset_dictionary()
    assert search.get_tokenizer() is not first


# --- written once, on every path ------------------------------------------------------------------
def test_service_create_and_update_store_tokens(catalogs, admin):
    e = enterprise(admin, "郴州市精工数控机床有限公司", address="郴州高新区白露塘镇")
    stored = e.search_text.split()
    assert stored.count("数控") >= 3  # the name counts three times in the ranking ...
    assert "工数" in stored  # ... and its character pairs are stored: a 字号 is found however jieba cuts it
    assert {"精工", "机床", "苏仙区"} <= set(stored)
    assert {"金属切削机床制造", "金属加工机械制造", "通用设备制造业"} <= set(
        stored
    )  # industry and its parents
    Enterprise.objects.filter(pk=e.pk).update(search_text="")
    e = services.object_update(actor=admin, instance=e, data={"name": "郴州市精工激光设备有限公司"})
    e.refresh_from_db()
    assert "激光" in e.search_text.split() and "数控" not in e.search_text.split()


def test_import_stores_tokens(catalogs, admin):
    resource = resource_for(Enterprise)()
    resource.actor = admin
    data = tablib.Dataset(headers=resource.headers())
    row = {
        "统一社会信用代码": make_credit_code("431002", 40_000_001),
        "企业名称": "郴州导入新材料有限公司",
        "企业规模": "小型",
        "行业代码": "C3240",
        "所在县市区或园区代码": "431002",
        "在本市注册": "是",
        "从业人数": "50",
        "地址": "",
        "联系电话": "",
    }
    data.append([row.get(h, "") for h in data.headers])
    errors, totals = run_import(resource, data, dry_run=False)
    assert errors == [] and totals["new"] == 1
    stored = Enterprise.objects.get(credit_code=row["统一社会信用代码"]).search_text.split()
    assert {"新材料", "有色金属合金制造", "北湖区"} <= set(stored)


def test_reindex_command(catalogs):
    rows = EnterpriseFactory.create_batch(3)  # written around the services: nothing stored yet
    assert all(not e.search_text for e in rows)
    out = StringIO()
    call_command("reindex_search", "--model", "orgs.Enterprise", stdout=out, stderr=StringIO())
    assert "更新 3 行" in out.getvalue()
    for e in Enterprise.objects.filter(pk__in=[e.pk for e in rows]):
        assert "郴州" in e.search_text.split()
    out = StringIO()
    call_command("reindex_search", "--model", "orgs.Enterprise", stdout=out, stderr=StringIO())
    assert "更新 0 行" in out.getvalue()
    with pytest.raises(CommandError, match="没有登记全文检索"):
        call_command("reindex_search", "--model", "orgs.School", stdout=StringIO())


# --- the filter -----------------------------------------------------------------------------------
def test_enterprise_api_finds_by_tokens_and_ranks(catalogs, admin):
    enterprise(admin, "郴州宏达机械有限公司", address="苏仙区数控产业园车床路8号", n=1)
    enterprise(admin, "郴州数控车床有限公司", n=2)
    enterprise(admin, "郴州数控科技有限公司", industry="C3874", n=3)  # 数控 only
    enterprise(admin, "资兴东江湖旅游有限公司", industry="L7291", county="431081", n=4)
    client = APIClient()
    client.force_authenticate(admin)

    assert names(client.get(API, {"q": "数控 车床"})) == ["郴州数控车床有限公司", "郴州宏达机械有限公司"]
    assert names(client.get(API, {"q": "数控车床"})) == ["郴州数控车床有限公司", "郴州宏达机械有限公司"]
    assert set(names(client.get(API, {"q": "数控"}))) == {
        "郴州数控车床有限公司",
        "郴州数控科技有限公司",
        "郴州宏达机械有限公司",
    }
    assert names(client.get(API, {"q": "资兴 旅游"})) == ["资兴东江湖旅游有限公司"]
    assert names(client.get(API, {"q": "照明器具"})) == ["郴州数控科技有限公司"]  # by its industry
    assert names(client.get(API, {"q": "ＣＮＣ 数控"})) == []  # every word must be there
    assert names(client.get(API, {"q": "，。"})) == []
    assert len(names(client.get(API, {"q": ""}))) >= 4

    # a 字号 that jieba merges with a neighbour (光诚锑业) is found by its character pairs
    enterprise(admin, "湖南光诚锑业股份有限公司", industry="C3219", n=5)
    assert names(client.get(API, {"q": "光诚"})) == ["湖南光诚锑业股份有限公司"]
    assert names(client.get(API, {"q": "光诚 锑业"})) == ["湖南光诚锑业股份有限公司"]

    code = Enterprise.objects.get(name="郴州宏达机械有限公司").credit_code
    assert names(client.get(API, {"q": code})) == ["郴州宏达机械有限公司"]
    assert names(client.get(API, {"q": code.lower()})) == ["郴州宏达机械有限公司"]


def test_list_page_searches_too(catalogs, admin):
    from django.test import Client

    enterprise(admin, "郴州数控车床有限公司", n=2)
    enterprise(admin, "郴州东江湖旅游有限公司", n=3)
    client = Client()
    client.force_login(admin)
    html = client.get("/orgs/enterprises/", {"q": "车床"}).content.decode()
    assert "郴州数控车床有限公司" in html and "东江湖" not in html


def test_search_keeps_scope(catalogs, admin):
    enterprise(admin, "郴州数控车床有限公司", n=2)
    own = enterprise(admin, "郴州数控车床配件有限公司", n=3)
    hr = user_with_role("enterprise_hr", enterprise=own)
    client = APIClient()
    client.force_authenticate(hr)
    visible = names(client.get(API))
    found = names(client.get(API, {"q": "数控 车床"}))
    assert set(found) <= set(visible)
    assert "郴州数控车床配件有限公司" in found or "郴州数控车床配件有限公司" not in visible


def test_search_with_another_condition(catalogs, admin):
    from django.db.models import Q

    enterprise(admin, "郴州数控车床有限公司", n=2)
    enterprise(admin, "郴州东江湖旅游有限公司", industry="L7291", address="东风路车床厂旧址", n=3)
    found = search.search(Enterprise.objects.all(), "数控", also=Q(address__icontains="车床厂"))
    assert [e.name for e in found] == [
        "郴州数控车床有限公司",
        "郴州东江湖旅游有限公司",
    ]  # matched words first
    assert list(search.search(Enterprise.objects.all(), "，", also=Q(name__icontains="旅游"))) == list(
        Enterprise.objects.filter(name__icontains="旅游")
    )


# --- positions and students -----------------------------------------------------------------------
def position(admin, company, title, description, **data):
    from xiaoqitong.enterprises.models import Position

    return services.object_create(
        actor=admin,
        model=Position,
        data={
            "enterprise": company,
            "title": title,
            "description": description,
            "headcount": 2,
            "county": Region.objects.get(code="431003"),
            "valid_until": dt.date(2099, 12, 31),
            **data,
        },
    )


def test_position_title_outranks_one_mention_in_the_description(catalogs, admin):
    from xiaoqitong.enterprises.models import Position

    company = enterprise(admin, "郴州精工机械有限公司", n=5)
    position(admin, company, "仓库管理员", "负责物料收发与盘点；了解数控设备者优先，兼管车床区域的备件。")
    position(admin, company, "数控车床操作工", "负责车间设备的日常操作与保养，服从班组安排。")
    position(admin, company, "质检员", "熟悉数控加工零件的检验方法。")
    found = [p.title for p in search.search(Position.objects.all(), "数控 车床")]
    assert found == ["数控车床操作工", "仓库管理员"]


def test_position_indexes_majors_skills_and_synonyms(catalogs, admin):
    from xiaoqitong.enterprises.models import Position, PositionSkill

    company = enterprise(admin, "郴州智造科技有限公司", n=6)
    p = position(
        admin, company, "设备技术员", "负责产线设备调试。", majors=[Major.objects.get(code="460305")]
    )
    assert "工业机器人技术" in p.search_text.split()  # a many-to-many value, stored after the row
    PositionSkill.objects.create(position=p, skill=Skill.objects.get(name="PLC编程"))
    assert search.refresh(p, save=True)
    qs = Position.objects.all()
    assert [x.pk for x in search.search(qs, "可编程控制器")] == [p.pk]  # a synonym of the skill
    assert [x.pk for x in search.search(qs, "智造科技 调试")] == [p.pk]  # the enterprise's name


def test_student_profile_is_indexed_without_name_or_phone(catalogs):
    from tests.orgs.factories import SchoolFactory
    from xiaoqitong.schools.models import SchoolMajor, Student

    assert search.registration_for(Student) is not None
    school = SchoolFactory(school_type="associate")
    major = SchoolMajor.objects.create(school=school, major=Major.objects.get(code="460305"), year=2025)
    student = Student(
        school=school,
        school_major=major,
        student_no="2025001",
        name="张晓明",
        phone="13800138000",
        grade=2025,
    )
    student.save()
    student.skills.add(Skill.objects.get(name="PLC编程"))
    assert search.refresh(student, save=True)
    stored = student.search_text.split()
    assert {"工业机器人技术", "plc", "可编程控制器"} <= set(stored)
    assert not {"张晓明", "晓明", "13800138000"} & set(stored)


# --- the index ------------------------------------------------------------------------------------
def test_gin_index_on_postgresql_only(catalogs, admin):
    enterprise(admin, "郴州数控车床有限公司", n=2)
    qs = search.search(Enterprise.objects.all(), "数控 车床")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Enterprise._meta.db_table)
    if connection.vendor != "postgresql":
        assert "orgs_enterprise_search" not in indexes
        return
    assert indexes["orgs_enterprise_search"]["type"] == "gin"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: make the planner show its choice
    assert "orgs_enterprise_search" in qs.explain()
    by_code = search.search(Enterprise.objects.all(), "91431003", codes=("credit_code",))
    assert "orgs_enterprise_search" in by_code.explain()
    from django.db.models import Q

    with_name = search.search(Enterprise.objects.all(), "数控", also=Q(name__icontains="数控"))
    assert "orgs_enterprise_search" in with_name.explain()  # the other condition keeps the index in use


def test_index_operation_is_reversible(db):
    from django.db.migrations.loader import MigrationLoader

    state = MigrationLoader(connection).project_state(("orgs", "0002_enterprise_search_text"))
    operation = search.AddSearchIndex("enterprise", "orgs_enterprise_search")
    if connection.vendor != "postgresql":

        class Editor:  # anything but a vendor check would fail on this
            pass

        Editor.connection = connection
        operation.database_forwards("orgs", Editor(), state, state)
        operation.database_backwards("orgs", Editor(), state, state)
        return
    with connection.schema_editor() as editor:
        operation.database_backwards("orgs", editor, state, state)
    with connection.cursor() as cursor:
        assert "orgs_enterprise_search" not in connection.introspection.get_constraints(
            cursor, Enterprise._meta.db_table
        )
    with connection.schema_editor() as editor:
        operation.database_forwards("orgs", editor, state, state)
    with connection.cursor() as cursor:
        present = "orgs_enterprise_search" in connection.introspection.get_constraints(
            cursor, Enterprise._meta.db_table
        )
    assert present
