"""``xiaoqitong load_reference``: counts in the database, idempotence, audit, and what survives a reload."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from xiaoqitong.core.models import AuditLog
from xiaoqitong.reference import services
from xiaoqitong.reference.loader import load_all
from xiaoqitong.reference.models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    Region,
    Skill,
)

from .test_data_files import CHENZHOU_COUNTIES

pytestmark = pytest.mark.django_db

EXPECTED = {
    "regions": 3512,
    "major_categories": 57,
    "major_classes": 275,
    "major_families": 158,
    "majors": 1349,
    "industries": 1971,
    "industry_chains": 10,
    "skills": 399,
    "certificates": 144,
}


def reference_audits():
    return AuditLog.objects.filter(verb="reference_load")


def test_first_load_covers_every_row(reference_data):
    by_key = {r.key: r for r in reference_data}
    assert set(by_key) == set(EXPECTED)
    for key, count in EXPECTED.items():
        r = by_key[key]
        assert r.created + r.updated + r.unchanged == count, key


def test_counts_in_the_database(reference_data):
    assert Region.objects.count() == 3512
    assert MajorCategory.objects.count() == 57
    assert MajorClass.objects.count() == 275
    assert Major.objects.count() == 1349
    assert Major.objects.filter(education_level="secondary").count() == 358
    assert Major.objects.filter(education_level="associate").count() == 744
    assert Major.objects.filter(education_level="bachelor").count() == 247
    for level in ("secondary", "associate", "bachelor"):
        assert MajorCategory.objects.filter(education_level=level).count() == 19
    assert Major.objects.filter(is_controlled=True).count() == 47
    assert Major.objects.get(code="520101").is_controlled
    assert [Industry.objects.filter(level=n).count() for n in (1, 2, 3, 4)] == [20, 97, 473, 1381]
    assert IndustryChain.objects.count() == 10
    assert Skill.objects.filter(is_curated=True).count() == 399
    assert Certificate.objects.filter(is_curated=True).count() == 144


def test_chenzhou(reference_data):
    city = Region.objects.get(code="431000")
    assert city.name == "郴州市" and city.level == "city" and city.parent.code == "430000"
    counties = dict(city.children.filter(level="county").values_list("code", "name"))
    assert counties == CHENZHOU_COUNTIES
    parks = dict(city.children.filter(level="park").values_list("code", "name"))
    assert parks == {"431000P01": "郴州高新区", "431000P02": "郴州经开区"}
    assert Region.objects.filter(level="township", parent__parent=city).count() == 162


def test_hierarchy_in_the_database(reference_data):
    parent_level = {"city": "province", "county": "city", "township": "county", "park": "city"}
    for region in Region.objects.select_related("parent").exclude(level="province"):
        assert region.parent.level == parent_level[region.level], region.code
        digits = {"city": 2, "county": 4, "township": 6}.get(region.level)
        if digits:
            assert region.code[:digits] == region.parent.code[:digits], region.code
    assert not Region.objects.filter(level="province", parent__isnull=False).exists()
    for industry in Industry.objects.select_related("parent").filter(level__gt=1):
        assert industry.parent.level == industry.level - 1 and industry.code.startswith(industry.parent.code)
    for major in Major.objects.select_related("major_class__category"):
        assert major.code.startswith(major.major_class.code)
        assert (
            major.education_level
            == major.major_class.education_level
            == major.major_class.category.education_level
        )


def test_families(reference_data):
    family = Major.objects.get(code="660103").family
    assert family.key == "F060103" and family.name == "数控技术"
    assert set(family.majors.values_list("code", flat=True)) == {"660103", "460103", "260103"}
    design, engineering = Major.objects.get(code="460105"), Major.objects.get(code="260105")
    assert design.family_id is None or design.family_id != engineering.family_id


def test_chains_have_industries_and_classes_of_every_level(reference_data):
    for chain in IndustryChain.objects.prefetch_related("industries", "major_classes"):
        assert chain.industries.all(), chain.code
        assert {c.education_level for c in chain.major_classes.all()} == {
            "secondary",
            "associate",
            "bachelor",
        }
    rare = IndustryChain.objects.get(name="稀贵金属综合利用")
    assert {"B09", "C32"} <= set(rare.industries.values_list("code", flat=True))


def test_second_load_changes_nothing_and_writes_no_audit(reference_data):
    before = reference_audits().count()
    results = load_all()
    for r in results:
        assert (r.created, r.updated, r.links) == (0, 0, 0), r.line()
        assert r.unchanged == EXPECTED[r.key]
    assert reference_audits().count() == before


def test_command_prints_counts(reference_data):
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    assert "专业（majors）: created 0, updated 0, unchanged 1349" in text
    assert "行政区划（regions）: created 0, updated 0, unchanged 3512" in text
    assert "全部未变" in text


def test_a_changed_row_is_restored_with_one_audit_record_per_catalog(reference_data):
    Major.objects.filter(code="660103").update(name="改过的名称")
    Region.objects.filter(code="431002").update(name="改过")
    Skill.objects.filter(name="PLC编程").update(synonyms=[])
    last = reference_audits().order_by("-pk").values_list("pk", flat=True).first() or 0
    results = {r.key: r for r in load_all()}
    assert results["majors"].updated == 1 and results["regions"].updated == 1
    assert results["skills"].updated == 1
    assert Major.objects.get(code="660103").name == "数控技术应用"
    assert Region.objects.get(code="431002").name == "北湖区"
    assert "可编程控制器" in Skill.objects.get(name="PLC编程").synonyms
    audits = list(reference_audits().filter(pk__gt=last).select_related("content_type"))
    models = sorted(a.content_type.model for a in audits)
    assert models == ["major", "region", "skill"]
    entry = next(a for a in audits if a.content_type.model == "major")
    assert entry.actor is None and entry.actor_repr == "系统" and entry.action == "import"
    assert entry.changes["updated"] == 1 and entry.changes["file"] == "majors.csv"


def test_admin_rows_survive_a_reload(reference_data):
    mclass = MajorClass.objects.get(code="4601")
    Major.objects.create(
        code="460199",
        name="2024年新增专业",
        education_level="associate",
        major_class=mclass,
        source="教育部 2024 年增补",
    )
    Skill.objects.create(name="管理员添加的技能", synonyms=["自定义"])
    Certificate.objects.create(code="ADMIN-1", name="管理员添加的证书", kind="skill_level", level="junior")
    # An administrator took over a curated skill: unmarked and edited.
    Skill.objects.filter(name="焊接").update(is_curated=False, synonyms=["管理员的同义词"])
    chain = IndustryChain.objects.get(code="equipment")
    extra = Industry.objects.get(code="C39")
    chain.industries.add(extra)

    results = {r.key: r for r in load_all()}

    assert Major.objects.filter(code="460199").exists()
    assert Skill.objects.filter(name="管理员添加的技能").exists()
    assert Certificate.objects.filter(code="ADMIN-1").exists()
    assert Skill.objects.get(name="焊接").synonyms == ["管理员的同义词"]
    assert results["skills"].skipped == 1 and results["skills"].updated == 0
    assert chain.industries.filter(pk=extra.pk).exists()
    assert results["majors"].unchanged == 1349 and results["majors"].created == 0


def test_service_refuses_a_non_admin(reference_data, django_user_model):
    student = django_user_model.objects.create_user("stu-load", role="student")
    with pytest.raises(PermissionDenied):
        services.reference_load(actor=student)


def test_first_load_audited_once_per_catalog(reference_data):
    # One record per catalog, naming the system, never one per row.
    for model in ("region", "major", "industry", "skill", "certificate"):
        entries = AuditLog.objects.filter(verb="reference_load", content_type__model=model)
        assert entries.exists() and entries.filter(actor__isnull=False).count() == 0
    assert AuditLog.objects.filter(content_type__model="major").exclude(verb="reference_load").count() == 0


def test_chain_leaf_industries(reference_data):
    rare = IndustryChain.objects.get(code="rare-metals")
    leaves = set(rare.leaf_industries().values_list("code", flat=True))
    assert {"C3221", "B0921", "C2438", "C4210"} <= leaves  # under C32, B09, the 小类 itself, C421
    assert all(code.startswith(("B09", "C32", "C421", "C2438", "M7472")) for code in leaves)
    assert Industry.objects.filter(code__in=leaves).exclude(level=4).count() == 0


def test_major_widget_accepts_the_k_suffix(reference_data):
    from xiaoqitong.reference.resources import MajorWidget

    assert MajorWidget().clean("520101K").name == "临床医学"
    assert MajorWidget().clean("520101").code == "520101"
    with pytest.raises(ValueError, match="找不到"):
        MajorWidget().clean("999999")
