"""A small but complete stand-in for the reference catalogs: 郴州's eleven county-level units and two parks,
a few townships, a slice of GB/T 4754 with leaves inside and outside the chains, the ten chains (with their
real codes) mapped at 大类, 中类 and 小类 level, and the shipped major catalog, skills and certificates
(loaded from ``reference/data`` by the loader: the generator's majors are looked up by name). Enough for
the generator, and fast.

``tiny_scale`` shrinks the small scale's students and postings for tests about the generator's machinery
(reset, determinism, refusals), and ``ORG_STEPS`` runs the organization steps only, for tests about schools,
enterprises and accounts; ``test_supply_demand.py`` checks the real small scale once."""

import dataclasses

import pytest

from xiaoqitong.core import search
from xiaoqitong.demo.steps import STEPS
from xiaoqitong.reference.loader import (
    DATA_DIR,
    add_links,
    codes_to_pk,
    load_certificates,
    load_majors,
    load_skills,
    read_rows,
)
from xiaoqitong.reference.models import Industry, IndustryChain, Major, MajorClass, Region

COUNTIES = [
    ("431002", "北湖区"),
    ("431003", "苏仙区"),
    ("431021", "桂阳县"),
    ("431022", "宜章县"),
    ("431023", "永兴县"),
    ("431024", "嘉禾县"),
    ("431025", "临武县"),
    ("431026", "汝城县"),
    ("431027", "桂东县"),
    ("431028", "安仁县"),
    ("431081", "资兴市"),
]
# (code, name) for 门类, 大类, 中类 and 小类 rows; parents follow from the codes.
INDUSTRIES = [
    ("A", "农、林、牧、渔业"),
    ("A01", "农业"),
    ("A016", "水果种植"),
    ("A0151", "仁果类和核果类水果种植"),
    ("A0164", "茶叶种植"),
    ("A0169", "其他饮料作物种植"),
    ("C", "制造业"),
    ("C27", "医药制造业"),
    ("C274", "中成药生产"),
    ("C2740", "中成药生产"),
    ("C32", "有色金属冶炼和压延加工业"),
    ("C322", "贵金属冶炼"),
    ("C3221", "金冶炼"),
    ("C3222", "银冶炼"),
    ("C30", "非金属矿物制品业"),
    ("C309", "石墨及其他非金属矿物制品制造"),
    ("C3091", "石墨及碳素制品制造"),
    ("C34", "通用设备制造业"),
    ("C342", "金属加工机械制造"),
    ("C3421", "金属切削机床制造"),
    ("C35", "专用设备制造业"),
    ("C351", "采矿、冶金、建筑专用设备制造"),
    ("C3511", "矿山机械制造"),
    ("C38", "电气机械和器材制造业"),
    ("C384", "电池制造"),
    ("C3841", "锂离子电池制造"),
    ("C387", "照明器具制造"),
    ("C3874", "智能照明器具制造"),
    ("C39", "计算机、通信和其他电子设备制造业"),
    ("C397", "电子元件及电子专用材料制造"),
    ("C3971", "电阻电容电感元件制造"),
    ("G", "交通运输、仓储和邮政业"),
    ("G59", "装卸搬运和仓储业"),
    ("G595", "低温仓储"),
    ("G5950", "低温仓储"),
    ("G58", "多式联运和运输代理业"),
    ("G582", "运输代理业"),
    ("G5821", "货物运输代理"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("I65", "软件和信息技术服务业"),
    ("I651", "软件开发"),
    ("I6511", "基础软件开发"),
    ("I6513", "应用软件开发"),
    ("Q", "卫生和社会工作"),
    ("Q85", "社会工作"),
    ("Q851", "提供住宿社会工作"),
    ("Q8514", "老年人、残疾人养护服务"),
    ("R", "文化、体育和娱乐业"),
    ("R88", "文化艺术业"),
    ("R886", "文物及非物质文化遗产保护"),
    ("R8860", "文物及非物质文化遗产保护"),
    ("N", "水利、环境和公共设施管理业"),
    ("N78", "公共设施管理业"),
    ("N786", "游览景区管理"),
    ("N7861", "名胜风景区管理"),
    ("K", "房地产业"),
    ("K70", "房地产业"),
    ("K701", "房地产开发经营"),
    ("K7010", "房地产开发经营"),
]
CHAINS = [  # code, name, mapped industry codes (大类, 中类 or 小类)
    ("equipment", "装备制造", ["C34", "C35"]),
    ("new-it", "新一代信息技术", ["C397", "I65"]),
    ("new-energy", "新能源", ["C384"]),
    ("new-materials", "新材料", ["C3091"]),
    ("medicine", "医药", ["C27"]),
    ("logistics", "现代物流", ["G58", "G595"]),
    ("health-elderly", "健康养老", ["Q8514"]),
    ("culture-tourism", "文化旅游", ["R88", "N786"]),
    ("agriculture", "现代特色农业", ["A016", "A0164"]),
    ("rare-metals", "稀贵金属综合利用", ["C322"]),
]


def industry_level(code: str) -> int:
    return {1: 1, 3: 2, 4: 3, 5: 4}[len(code)]


def clear_catalogs(*, keep_majors: bool = False):
    """Empty the catalogs inside the running test's transaction: the real ones stay loaded for the session
    (tests/reference/fixtures.py) and come back when the test's transaction rolls back. ``keep_majors``
    keeps the major catalog, skills and certificates (the stand-in uses the shipped ones): only their links
    to the chains go, with the chains."""
    from xiaoqitong.reference import models as ref

    Industry.objects.update(parent=None)
    Region.objects.update(parent=None)
    majors = (ref.Skill, ref.Certificate, ref.Major, ref.MajorFamily, ref.MajorClass, ref.MajorCategory)
    for model in (ref.IndustryChain, *(() if keep_majors else majors)):
        model.objects.all().delete()
    # Thousands of rows that nothing in the test refers to: one DELETE each, no collection of related rows
    # (foreign keys are checked at commit, and the test's transaction is rolled back).
    for model in (Industry, Region):
        model.objects.all()._raw_delete(model.objects.db)


ORG_STEPS = [
    s
    for s in STEPS
    if s.name in {"departments", "schools", "enrolment", "institutions", "enterprises", "accounts"}
]


@pytest.fixture
def dictionary(reference_data, db):
    """The search tokenizer's dictionary is built from the catalogs at first use and kept for the process:
    build it from the shipped catalogs before a test replaces them with the stand-in (a dictionary of the
    stand-in would outlive the test)."""
    search.get_tokenizer()


@pytest.fixture
def no_reference(db, dictionary):
    clear_catalogs()


@pytest.fixture
def tiny_scale(monkeypatch):
    """The small scale with fewer students and postings: every step runs, in a fraction of the time."""
    from xiaoqitong.demo import context

    monkeypatch.setitem(
        context.SCALES, "small", dataclasses.replace(context.SCALES["small"], students=400, positions=150)
    )


@pytest.fixture
def reference(db, dictionary):
    """Load the stand-in catalogs; returns the chains."""
    clear_catalogs(keep_majors=True)
    province = Region.objects.create(code="43", name="湖南省", level="province")
    city = Region.objects.create(code="431000", name="郴州市", level="city", parent=province)
    counties = {
        code: Region.objects.create(code=code, name=name, level="county", parent=city)
        for code, name in COUNTIES
    }
    Region.objects.create(code="4310GX", name="郴州高新区", level="park", parent=city)
    Region.objects.create(code="4310JK", name="郴州经开区", level="park", parent=city)
    Region.objects.create(code="431003101", name="白露塘镇", level="township", parent=counties["431003"])
    Region.objects.create(code="431023100", name="湘阴渡街道", level="township", parent=counties["431023"])
    # Another city's county, for the province scale.
    other = Region.objects.create(code="430100", name="长沙市", level="city", parent=province)
    Region.objects.create(code="430104", name="岳麓区", level="county", parent=other)
    industries = {}
    for code, name in INDUSTRIES:
        parent = industries.get(code[:-1] if len(code) in (4, 5) else code[:1] if len(code) == 3 else None)
        industries[code] = Industry.objects.create(
            code=code, name=name, level=industry_level(code), parent=parent, numeric_code=code[1:]
        )
    chains = []
    for n, (code, name, codes) in enumerate(CHAINS, 1):
        chain = IndustryChain.objects.create(code=code, name=name, sort_order=n)
        chain.industries.set([industries[c] for c in codes])
        chains.append(chain)
    if not Major.objects.exists():
        load_majors(DATA_DIR)
    chain_pk, class_pk = codes_to_pk(IndustryChain), codes_to_pk(MajorClass)
    add_links(
        IndustryChain._meta.get_field("major_classes"),
        (
            (chain_pk[r["chain_code"]], class_pk[r["major_class_code"]])
            for r in read_rows(DATA_DIR, "chain_major_classes.csv")
        ),
    )
    load_skills(DATA_DIR)
    load_certificates(DATA_DIR)
    return chains
