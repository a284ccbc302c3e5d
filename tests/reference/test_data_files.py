"""The shipped data files (reference/data/*.csv): counts, hierarchy, mappings; no database needed."""

import csv
import importlib.util
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from xiaoqitong.reference.loader import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]
CHENZHOU_COUNTIES = {
    "431002": "北湖区",
    "431003": "苏仙区",
    "431021": "桂阳县",
    "431022": "宜章县",
    "431023": "永兴县",
    "431024": "嘉禾县",
    "431025": "临武县",
    "431026": "汝城县",
    "431027": "桂东县",
    "431028": "安仁县",
    "431081": "资兴市",
}


def rows(name):
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by_code(name, key="code"):
    return {r[key]: r for r in rows(name)}


# --- regions ------------------------------------------------------------------------------------------------
def test_region_counts():
    levels = Counter(r["level"] for r in rows("regions.csv"))
    assert levels == {"province": 31, "city": 342, "county": 2975, "township": 162, "park": 2}


def test_chenzhou_counties_and_parks():
    regions = rows("regions.csv")
    counties = {
        r["code"]: r["name"] for r in regions if r["parent_code"] == "431000" and r["level"] == "county"
    }
    assert counties == CHENZHOU_COUNTIES
    parks = {r["name"]: r["code"] for r in regions if r["level"] == "park"}
    assert parks == {"郴州高新区": "431000P01", "郴州经开区": "431000P02"}
    assert all(r["parent_code"] == "431000" for r in regions if r["level"] == "park")
    # Park codes can never be official codes (those are all digits).
    assert all(not code.isdigit() for code in parks.values())
    townships = [r for r in regions if r["level"] == "township"]
    assert townships and all(r["code"].startswith("4310") for r in townships)
    assert {r["parent_code"] for r in townships} == set(CHENZHOU_COUNTIES)


def test_region_hierarchy():
    regions = by_code("regions.csv")
    parent_level = {
        "province": None,
        "city": "province",
        "county": "city",
        "township": "county",
        "park": "city",
    }
    digits = {"city": 2, "county": 4, "township": 6}
    for code, r in regions.items():
        wanted = parent_level[r["level"]]
        if wanted is None:
            assert r["parent_code"] == "" and re.fullmatch(r"\d{2}0000", code)
            continue
        parent = regions[r["parent_code"]]
        assert parent["level"] == wanted, code
        if r["level"] != "park":
            assert code[: digits[r["level"]]] == parent["code"][: digits[r["level"]]], code
        assert len(code) == {"city": 6, "county": 6, "township": 9, "park": 9}[r["level"]], code


# --- majors -------------------------------------------------------------------------------------------------
def test_major_counts():
    majors = rows("majors.csv")
    counts = Counter((r["education_level"], r["item"]) for r in majors)
    assert counts[("secondary", "major")] == 358
    assert counts[("associate", "major")] == 744
    assert counts[("bachelor", "major")] == 247
    assert sum(n for (_level, item), n in counts.items() if item == "major") == 1349
    for level in ("secondary", "associate", "bachelor"):
        assert counts[(level, "category")] == 19
    assert counts[("secondary", "class")] == 88
    assert counts[("associate", "class")] == 97
    assert counts[("bachelor", "class")] == 90


def test_major_codes_and_controlled_flag():
    majors = by_code("majors.csv")
    assert all(code.isdigit() for code in majors), "codes are stored without the K of 国控专业"
    controlled = {code for code, r in majors.items() if r["controlled"] == "1"}
    assert len(controlled) == 47
    assert {"520101", "520102", "520401"} <= controlled  # 临床医学, 口腔医学, 中医学 (520101K …)
    assert all(majors[c]["education_level"] == "associate" for c in controlled)
    assert majors["520101"]["name"] == "临床医学"


def test_major_hierarchy():
    majors = by_code("majors.csv")
    base = {"secondary": range(61, 80), "associate": range(41, 60), "bachelor": range(21, 40)}
    length = {"category": 2, "class": 4, "major": 6}
    parent_item = {"category": None, "class": "category", "major": "class"}
    for code, r in majors.items():
        assert len(code) == length[r["item"]], code
        assert int(code[:2]) in base[r["education_level"]], code
        if parent_item[r["item"]] is None:
            assert r["parent_code"] == ""
            continue
        parent = majors[r["parent_code"]]
        assert parent["item"] == parent_item[r["item"]]
        assert parent["education_level"] == r["education_level"]
        assert code.startswith(parent["code"])


@pytest.mark.parametrize(
    "members",
    [
        {"660103": "数控技术应用", "460103": "数控技术", "260103": "数控技术"},
        {"720201": "护理", "520201": "护理", "320201": "护理"},
        {"710202": "计算机网络技术", "510202": "计算机网络技术"},
        {"790301": "现代家政服务与管理", "590301": "现代家政服务与管理", "390301": "现代家政管理"},
        {"740101": "旅游服务与管理", "540101": "旅游管理", "340101": "旅游管理"},
        {"510102": "物联网应用技术", "710102": "物联网技术应用", "310102": "物联网工程技术"},
    ],
)
def test_known_families(members):
    majors = by_code("majors.csv")
    for code, name in members.items():
        assert majors[code]["name"] == name
    families = {majors[code]["family"] for code in members}
    assert len(families) == 1 and families != {""}
    family = by_code("major_families.csv", "key")[families.pop()]
    assert set(family["members"].split("|")) == set(members)


@pytest.mark.parametrize(
    "left,right",
    [
        ("460105", "260105"),  # 工业设计 / 工业工程技术: aligned codes, different majors
        ("460101", "660101"),  # 机械设计与制造 / 机械制造技术
        ("520301", "720301"),  # 药学 / 药剂: related, but the names do not match under the rule
    ],
)
def test_aligned_codes_alone_make_no_family(left, right):
    majors = by_code("majors.csv")
    assert not (majors[left]["family"] and majors[left]["family"] == majors[right]["family"])


def test_families_are_consistent():
    majors = by_code("majors.csv")
    families = by_code("major_families.csv", "key")
    members = defaultdict(set)
    for code, r in majors.items():
        if r["family"]:
            assert r["item"] == "major"
            members[r["family"]].add(code)
    assert set(members) == set(families)
    for key, codes in members.items():
        levels = [majors[c]["education_level"] for c in codes]
        assert len(levels) == len(set(levels)) >= 2, key  # one member per level
        tails = {c[2:] for c in codes}
        assert len(tails) == 1, key  # aligned codes


# --- industries ---------------------------------------------------------------------------------------------
def test_industry_counts():
    levels = Counter(r["level"] for r in rows("industries.csv"))
    # 1381 小类: GB/T 4754-2017 as amended by its 2019 第1号修改单 (see SOURCES.md).
    assert levels == {"1": 20, "2": 97, "3": 473, "4": 1381}
    assert "M7517" in by_code("industries.csv")


def test_industry_hierarchy():
    industries = by_code("industries.csv")
    for code, r in industries.items():
        level = int(r["level"])
        assert len(code) == level + 1 if level > 1 else len(code) == 1
        assert r["numeric_code"] == code[1:]
        if level == 1:
            assert r["parent_code"] == ""
            continue
        parent = industries[r["parent_code"]]
        assert int(parent["level"]) == level - 1
        assert code.startswith(parent["code"])
    assert all(r["name"] == r["name"].strip() and "\u3000" not in r["name"] for r in industries.values())


# --- chains -------------------------------------------------------------------------------------------------
def test_ten_chains_mapped_to_industries_and_classes_of_every_level():
    chains = by_code("industry_chains.csv")
    assert [c["name"] for c in sorted(chains.values(), key=lambda c: int(c["sort_order"]))] == [
        "装备制造",
        "新一代信息技术",
        "新能源",
        "新材料",
        "医药",
        "现代物流",
        "健康养老",
        "文化旅游",
        "现代特色农业",
        "稀贵金属综合利用",
    ]
    industries = by_code("industries.csv")
    classes = {code: r for code, r in by_code("majors.csv").items() if r["item"] == "class"}
    chain_industries = defaultdict(set)
    for r in rows("chain_industries.csv"):
        assert r["industry_code"] in industries and int(industries[r["industry_code"]]["level"]) >= 2
        chain_industries[r["chain_code"]].add(r["industry_code"])
    chain_levels = defaultdict(set)
    for r in rows("chain_major_classes.csv"):
        chain_levels[r["chain_code"]].add(classes[r["major_class_code"]]["education_level"])
    for code in chains:
        assert chain_industries[code], code
        assert chain_levels[code] == {"secondary", "associate", "bachelor"}, code
    assert {"B09", "C32"} <= chain_industries["rare-metals"]
    assert "C27" in chain_industries["medicine"]
    assert all(c["source"] for c in chains.values())


# --- curated lists ------------------------------------------------------------------------------------------
def test_skills():
    skills = rows("skills.csv")
    assert 300 <= len(skills) <= 600
    names = [s["name"] for s in skills]
    assert len(names) == len(set(names))
    chains = set(by_code("industry_chains.csv"))
    classes = {code for code, r in by_code("majors.csv").items() if r["item"] == "class"}
    synonyms = [syn for s in skills for syn in s["synonyms"].split("|") if syn]
    assert len(synonyms) == len(set(synonyms)) and not set(synonyms) & set(names)
    for s in skills:
        linked_chains = [c for c in s["chain_codes"].split("|") if c]
        linked_classes = [c for c in s["major_class_codes"].split("|") if c]
        assert linked_chains or linked_classes, s["name"]
        assert set(linked_chains) <= chains and set(linked_classes) <= classes, s["name"]
    plc = next(s for s in skills if s["name"] == "PLC编程")
    assert "可编程控制器" in plc["synonyms"].split("|")


def test_certificates():
    certificates = rows("certificates.csv")
    assert 60 <= len(certificates) <= 150
    assert len({c["code"] for c in certificates}) == len(certificates)
    assert len({(c["name"], c["level"]) for c in certificates}) == len(certificates)
    kinds = Counter(c["kind"] for c in certificates)
    assert set(kinds) == {"1+x", "skill_level", "qualification"}
    assert {c["level"] for c in certificates} == {"junior", "intermediate", "senior"}
    names = {c["name"] for c in certificates}
    assert {"Web前端开发", "工业机器人操作与运维", "老年照护", "智能财税", "电工", "焊工", "育婴员"} <= names


def test_sources_document_the_decisions():
    text = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for needle in (
        "教职成〔2021〕2号",
        "GB/T 4754-2017",
        "第1号修改单",
        "1381",
        "统计用区划代码",
        "431000P01",
        "战略性新兴产业分类",
        "养老产业统计分类",
        "非官方",
    ):
        assert needle in text, needle


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_reference", ROOT / "scripts" / "build_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_reproduces_the_committed_files():
    build = load_build_script()
    source = Path("/work/shared/data/reference")
    if source.exists():
        assert build.main(["--check", "--source", str(source)]) == 0
        return
    # Without the official sources (CI), the curated files must still follow from the script and the
    # committed official files.
    majors, industries = rows("majors.csv"), rows("industries.csv")
    chains, chain_industries, chain_classes = build.build_chains(majors, industries)
    built = {
        "industry_chains.csv": chains,
        "chain_industries.csv": chain_industries,
        "chain_major_classes.csv": chain_classes,
        "skills.csv": build.build_skills(majors),
        "certificates.csv": build.build_certificates(majors),
    }
    for name, data in built.items():
        assert build.to_csv(data, build.FILES[name]) == (DATA_DIR / name).read_text(encoding="utf-8"), name
