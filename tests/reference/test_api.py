"""/api/v1/reference/…: filters, counts, codes instead of ids, refusals and query counts."""

import pytest
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.reference.models import Skill

pytestmark = pytest.mark.django_db
API = "/api/v1/reference"


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user("reader", password="a-Long-pass-2026", role="platform_admin")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def student(django_user_model):
    # create_user does not run the model's clean(): a student without a school is enough for the API.
    user = django_user_model.objects.create_user("student-api", password="a-Long-pass-2026", role="student")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin(django_user_model):
    user = django_user_model.objects.create_superuser(
        "root-api", "root@example.invalid", "a-Long-pass-2026", role="platform_admin"
    )
    client = APIClient()
    client.force_authenticate(user)
    return client


def count(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.data["count"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", 1349),
        ("?level=secondary", 358),
        ("?level=associate", 744),
        ("?level=bachelor", 247),
        ("?class=6601", 9),
        ("?category=66", 40),
        ("?level=associate&is_controlled=true", 47),
        ("?q=数控", None),
        ("?q=520101K", 1),
    ],
)
def test_majors(reader, reference_data, query, expected):
    from xiaoqitong.reference.models import Major

    if expected is None:
        expected = Major.objects.filter(name__contains="数控").count()
    if query.startswith("?class="):
        expected = Major.objects.filter(major_class__code="6601").count()
    if query.startswith("?category="):
        expected = Major.objects.filter(major_class__category__code="66").count()
    assert count(reader, f"{API}/majors/{query}") == expected


def test_major_serializer_uses_codes(reader, reference_data):
    data = reader.get(f"{API}/majors/?q=520101K").data["results"][0]
    assert data["code"] == "520101" and data["is_controlled"] is True
    assert data["major_class"] == "5201" and data["category"] == "52"
    data = reader.get(f"{API}/majors/?q=660103").data["results"][0]
    assert data["family"] == "F060103" and data["education_level"] == "secondary"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("?level=1", 20),
        ("?level=2", 97),
        ("?level=3", 473),
        ("?level=4", 1381),
        ("?parent=C33", None),
        ("?parent=33", None),
        ("?parent=A", 5),
    ],
)
def test_industries(reader, reference_data, query, expected):
    from xiaoqitong.reference.models import Industry

    if expected is None:
        expected = Industry.objects.filter(parent__code="C33").count()
    assert count(reader, f"{API}/industries/{query}") == expected


def test_industry_serializer(reader, reference_data):
    data = reader.get(f"{API}/industries/?q=C3874").data["results"][0]
    assert data == {**data, "code": "C3874", "numeric_code": "3874", "level": 4, "parent": "C387"}


def test_regions(reader, reference_data):
    assert count(reader, f"{API}/regions/?parent=431000") == 13
    assert count(reader, f"{API}/regions/?parent=431000&level=county") == 11
    assert count(reader, f"{API}/regions/?parent=431000&level=park") == 2
    assert count(reader, f"{API}/regions/?level=province") == 31
    response = reader.get(f"{API}/regions/?parent=431000&level=county&page_size=20")
    assert {r["code"] for r in response.data["results"]} == {
        "431002",
        "431003",
        "431021",
        "431022",
        "431023",
        "431024",
        "431025",
        "431026",
        "431027",
        "431028",
        "431081",
    }
    assert {r["parent"] for r in response.data["results"]} == {"431000"}


def test_major_classes_and_chains(reader, reference_data):
    assert count(reader, f"{API}/major-classes/") == 275
    assert count(reader, f"{API}/major-classes/?level=secondary") == 88
    assert count(reader, f"{API}/major-classes/?category=66") == 6  # 中职 has no 轨道装备类
    assert count(reader, f"{API}/major-categories/?level=bachelor") == 19
    response = reader.get(f"{API}/industry-chains/")
    assert response.data["count"] == 10
    equipment = next(c for c in response.data["results"] if c["code"] == "equipment")
    assert "C34" in equipment["industries"] and {"6601", "4601", "2601"} <= set(equipment["major_classes"])
    assert count(reader, f"{API}/skills/?q=可编程控制器") == 1  # found by its synonym
    assert count(reader, f"{API}/skills/?chain=rare-metals") > 5
    assert count(reader, f"{API}/certificates/?kind=1%2Bx&level=senior") == 34


def test_student_reads_but_cannot_write(student, reference_data):
    assert student.get(f"{API}/majors/?level=secondary").data["count"] == 358
    response = student.post(f"{API}/skills/", {"name": "学生添加的技能"}, format="json")
    assert response.status_code == 403
    assert not Skill.objects.filter(name="学生添加的技能").exists()
    skill = Skill.objects.get(name="PLC编程")
    assert student.patch(f"{API}/skills/{skill.pk}/", {"category": "x"}, format="json").status_code == 403
    assert student.delete(f"{API}/skills/{skill.pk}/").status_code == 403


@pytest.mark.parametrize(
    "path", ["majors", "regions", "industries", "skills", "certificates", "industry-chains"]
)
def test_anonymous_is_refused(path):
    assert APIClient().get(f"{API}/{path}/").status_code in (401, 403)


def test_official_catalogs_are_read_only_even_for_admins(admin, reference_data):
    assert admin.post(f"{API}/majors/", {"code": "669999"}, format="json").status_code == 405
    assert admin.post(f"{API}/regions/", {"code": "431099"}, format="json").status_code == 405


def test_admin_writes_a_skill_by_codes_through_the_service(admin, reference_data):
    response = admin.post(
        f"{API}/skills/",
        {
            "name": "氢能装备运维",
            "synonyms": ["氢能"],
            "category": "新能源",
            "chains": ["new-energy"],
            "major_classes": ["4303", "6303"],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["chains"] == ["new-energy"]
    assert sorted(response.data["major_classes"]) == ["4303", "6303"]
    skill = Skill.objects.get(name="氢能装备运维")
    assert AuditLog.objects.filter(object_id=str(skill.pk), action="create", verb="skill_create").count() == 1
    response = admin.post(f"{API}/skills/", {"name": "x", "chains": ["no-such-chain"]}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path", ["majors", "regions", "industries", "major-classes", "industry-chains", "skills", "certificates"]
)
def test_list_query_count(reader, reference_data, django_assert_max_num_queries, path):
    # Count + page + at most two prefetches, whatever the page size.
    with django_assert_max_num_queries(4):
        response = reader.get(f"{API}/{path}/?page_size=200")
    assert response.status_code == 200 and len(response.data["results"]) > 1
