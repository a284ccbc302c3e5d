#!/usr/bin/env python3
"""Build the project's reference data files (src/xiaoqitong/reference/data/*.csv).

Run by hand by a developer when a source changes; the generated files are committed, and the platform
reads only them at run time (``xiaoqitong load_reference``):

    python scripts/build_reference.py [--source /work/shared/data/reference] [--check]

Official catalogs are converted from the folder given by ``--source`` (see its README.md):

- regions.csv        统计用区划代码 (国家统计局, 2023): provinces, cities, county-level units of
                     all China, the townships of one city (郴州市), plus the city's parks (non-official
                     codes, see SOURCES.md)
- majors.csv         职业教育专业目录（2021年）(教育部 教职成〔2021〕2号): 大类, 专业类 and 专业 of
                     three levels
- major_families.csv the same major across levels (rule in :func:`same_major` and SOURCES.md)
- industries.csv     国民经济行业分类 GB/T 4754-2017 as amended by its 2019 第1号修改单

Curated data (defined in this file, labelled curated, not official):

- industry_chains.csv, chain_industries.csv, chain_major_classes.csv   the city's ten key chains
- skills.csv         starter vocabulary of skill tags with synonyms
- certificates.csv   starter list of certificates

``--check`` builds everything in memory and compares it with the committed files (exit 1 when they differ).
The script uses the standard library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "xiaoqitong" / "reference" / "data"
DEFAULT_SOURCE = Path("/work/shared/data/reference")
LIST_SEP = "|"

# --------------------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------------------
CITY_CODE = "431000"  # 郴州市: the only city whose townships the source lists
# Parks are areas the city manages like county-level units but they have no statistical division code.
# Their codes are ours: the city code, "P", a two-digit number. The letter keeps them apart from every
# official code (all digits), so a future official code can never collide with them.
PARKS = [
    ("431000P01", "郴州高新区"),  # 郴州高新技术产业开发区
    ("431000P02", "郴州经开区"),  # 郴州经济开发区
]


def build_regions(src: Path) -> list[dict]:
    folder = src / "admin_divisions"
    provinces = read_csv(folder / "provinces.csv")
    cities = read_csv(folder / "cities.csv")
    areas = read_csv(folder / "areas.csv")
    streets = read_csv(folder / "streets_chenzhou.csv")
    rows = []
    for p in provinces:
        rows.append(region(p["code"] + "0000", p["name"], "province", ""))
    for c in cities:
        rows.append(region(c["code"] + "00", c["name"], "city", c["provinceCode"] + "0000"))
    for a in areas:
        if a["code"] == a["cityCode"] + "00":
            # 东莞市, 中山市 and 儋州市 have no county-level units: the source repeats the city as one of its
            # own areas (441900 under 4419). The city row already stands for it.
            continue
        rows.append(region(a["code"], a["name"], "county", a["cityCode"] + "00"))
    for s in streets:
        rows.append(region(s["code"], s["name"], "township", s["areaCode"]))
    for code, name in PARKS:
        rows.append(region(code, name, "park", CITY_CODE))
    check_tree(rows, "regions")
    for row in rows:
        parent = row["parent_code"]
        if row["level"] == "park":
            assert parent == CITY_CODE
        elif parent:
            prefix = {"city": 2, "county": 4, "township": 6}[row["level"]]
            assert row["code"][:prefix] == parent[:prefix], row
    return rows


def region(code: str, name: str, level: str, parent: str) -> dict:
    return {"code": code, "name": clean(name), "level": level, "parent_code": parent}


# --------------------------------------------------------------------------------------------------------
# Majors
# --------------------------------------------------------------------------------------------------------
LEVELS = {
    "VOCATIONAL_SECONDARY": "secondary",
    "VOCATIONAL_ASSOCIATE": "associate",
    "VOCATIONAL_BACHELOR": "bachelor",
}
ITEMS = {"CATEGORY": "category", "CLASS": "class", "MAJOR": "major"}
# The 大类 codes of a level start here: 中职 61-79, 高职专科 41-59, 职业本科 21-39 (大类 n is base + n).
CATEGORY_BASE = {"secondary": 60, "associate": 40, "bachelor": 20}
MAJOR_SOURCE = "教职成〔2021〕2号"


def level_key(code: str, level: str) -> str:
    """The code with its 大类 replaced by the 大类's ordinal (01-19): the same across levels."""
    return f"{int(code[:2]) - CATEGORY_BASE[level]:02d}{code[2:]}"


def code_at(key: str, level: str) -> str:
    return f"{int(key[:2]) + CATEGORY_BASE[level]:02d}{key[2:]}"


def build_majors(src: Path) -> tuple[list[dict], list[dict]]:
    source = read_csv(src / "vocational_majors_2021" / "vocational-2021.csv")
    rows = []
    for r in source:
        raw = r["majorCode"].strip()
        # 国控专业 are printed with a trailing K (520101K). We keep the six digits as the code, like every
        # other major, and the K as a flag; imports accept either form.
        controlled = raw.endswith("K")
        code = raw.rstrip("K")
        assert code.isdigit(), raw
        rows.append(
            {
                "code": code,
                "name": clean(r["majorName"]),
                "item": ITEMS[r["itemLevel"]],
                "education_level": LEVELS[r["educationLevel"]],
                "parent_code": r["parentCode"].strip(),
                "controlled": "1" if controlled else "0",
                "family": "",
                "source": MAJOR_SOURCE,
            }
        )
    check_tree(rows, "majors")
    families = assign_families(rows)
    return rows, families


# Suffixes that name the same subject at different levels (数控技术应用 / 数控技术, 现代家政服务与管理 /
# 现代家政管理). Longest first; they are removed repeatedly while at least two characters remain.
NAME_SUFFIXES = (
    "技术应用",
    "应用技术",
    "工程技术",
    "技术",
    "应用",
    "工程",
    "与管理",
    "管理",
    "与服务",
    "服务",
)


def stem(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in NAME_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)]
                changed = True
                break
    return name


def same_major(a: str, b: str) -> bool:
    """Two names of majors with aligned codes name the same major when they are equal, when one contains the
    other, when their stems (:func:`stem`) are equal, or when a stem of three or more characters is contained
    in the other stem with at most four characters to spare (种子生产与经营 / 种子生产技术)."""
    if a == b or a in b or b in a:
        return True
    sa, sb = stem(a), stem(b)
    if sa == sb:
        return True
    short, long_ = sorted((sa, sb), key=len)
    return len(short) >= 3 and short in long_ and len(long_) - len(short) <= 4


FAMILY_NAME_ORDER = ("associate", "bachelor", "secondary")


def assign_families(rows: list[dict]) -> list[dict]:
    """Link majors of different levels whose codes align (大类 shifted by 20 per level, the rest equal) AND
    whose names match (:func:`same_major`). Pairwise matches are joined, so a family has two or three
    members, one per level. The family is named after its 高职专科 member (else 职业本科, else 中职)."""
    majors = [r for r in rows if r["item"] == "major"]
    by_key: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in majors:
        by_key[level_key(r["code"], r["education_level"])][r["education_level"]] = r
    families = []
    for key in sorted(by_key):
        members = by_key[key]
        levels = sorted(members)
        parent = {lv: lv for lv in levels}

        def find(x, parent=parent):
            while parent[x] != x:
                x = parent[x]
            return x

        for i, a in enumerate(levels):
            for b in levels[i + 1 :]:
                if same_major(members[a]["name"], members[b]["name"]):
                    parent[find(a)] = find(b)
        groups = defaultdict(list)
        for lv in levels:
            groups[find(lv)].append(lv)
        for group in groups.values():
            if len(group) < 2:
                continue
            family_key = f"F{key}"
            name_from = next(lv for lv in FAMILY_NAME_ORDER if lv in group)
            families.append(
                {
                    "key": family_key,
                    "name": members[name_from]["name"],
                    "members": LIST_SEP.join(members[lv]["code"] for lv in sorted(group, key=order)),
                }
            )
            for lv in group:
                members[lv]["family"] = family_key
    return families


def order(level: str) -> int:
    return ["secondary", "associate", "bachelor"].index(level)


# --------------------------------------------------------------------------------------------------------
# Industries
# --------------------------------------------------------------------------------------------------------
def build_industries(src: Path) -> list[dict]:
    source = read_csv(src / "industry_gbt4754_2017" / "gbt4754-2017.csv")
    rows = []
    for r in source:
        rows.append(
            {
                "code": r["code"].strip(),
                "numeric_code": r["numeric_code"].strip(),
                "name": clean(r["name"]),
                "level": r["level"].strip(),
                "parent_code": r["parent_code"].strip(),
            }
        )
    check_tree(rows, "industries")
    for row in rows:
        level = int(row["level"])
        assert len(row["code"]) == {1: 1, 2: 3, 3: 4, 4: 5}[level], row
        assert row["numeric_code"] == row["code"][1:], row
    return rows


# --------------------------------------------------------------------------------------------------------
# Industry chains (curated: reasoning and sources in SOURCES.md)
# --------------------------------------------------------------------------------------------------------
# 专业类 are named by their 高职专科 code (e.g. 4601); each expands to the 专业类 with the same position in
# the other two levels (6601 中职, 2601 职业本科) where that level has it. The three levels' 专业类 of the
# same position carry the same name (checked below).
CHAINS = [
    {
        "code": "equipment",
        "name": "装备制造",
        "description": (
            "金属制品、通用和专用设备、汽车、轨道交通等运输设备、电气机械、仪器仪表的制造，以及机械和设"
            "备修理。"
        ),
        "source": (
            "国家统计局装备制造业统计口径（GB/T 4754-2017 大类 33-40）；计算机、通信和其他电子设备制造"
            "业（39）归入新一代信息技术产业链。"
        ),
        "industries": ["C33", "C34", "C35", "C36", "C37", "C38", "C40", "C43"],
        "classes": ["4601", "4602", "4603", "4604", "4605", "4606", "4607"],
    },
    {
        "code": "new-it",
        "name": "新一代信息技术",
        "description": "电子信息制造、电信和互联网服务、软件和信息技术服务。",
        "source": (
            "国家统计局《战略性新兴产业分类（2018）》1 新一代信息技术产业；《数字经济及其核心产业统计分"
            "类（2021）》01-04 数字经济核心产业。"
        ),
        "industries": ["C39", "I63", "I64", "I65"],
        "classes": ["5101", "5102", "5103", "5104"],
    },
    {
        "code": "new-energy",
        "name": "新能源",
        "description": (
            "核能、风能、太阳能、生物质能发电，风电和光伏装备，电池（含储能）制造，新能源技术推广服务。"
        ),
        "source": (
            "国家统计局《战略性新兴产业分类（2018）》6 新能源产业（核电、风能、太阳能、生物质能、智能电网）。"
        ),
        "industries": ["D4414", "D4415", "D4416", "D4417", "C3415", "C3825", "C384", "M7515"],
        "classes": ["4301", "4302", "4303"],
    },
    {
        "code": "new-materials",
        "name": "新材料",
        "description": (
            "石墨及碳素制品、合成材料、特种陶瓷、玻璃纤维及复合材料、有色金属合金、电子专用材料，石墨矿"
            "采选，新材料技术推广服务。"
        ),
        "source": (
            "国家统计局《战略性新兴产业分类（2018）》3 新材料产业（先进有色金属材料、先进无机非金属材料"
            "、先进石化化工新材料、高性能纤维及制品和复合材料）。"
        ),
        "industries": ["C3091", "B1092", "C265", "C3073", "C3061", "C3062", "C324", "C3985", "M7513"],
        "classes": ["4304", "4305", "4306", "4307", "4702"],
    },
    {
        "code": "medicine",
        "name": "医药",
        "description": (
            "医药制造、医疗仪器设备及器械制造、中药材种植、医药及医疗器材批发零售、医学研究和试验发展。"
        ),
        "source": (
            "GB/T 4754-2017 大类 27 医药制造业；国家统计局《战略性新兴产业分类（2018）》4 生物产业（生"
            "物医药、生物医学工程）。"
        ),
        "industries": ["C27", "C358", "A017", "F515", "F525", "M7340"],
        "classes": ["4902", "5203", "5204", "4701"],
    },
    {
        "code": "logistics",
        "name": "现代物流",
        "description": "铁路和道路货物运输、多式联运和运输代理、装卸搬运和仓储、邮政快递、供应链管理服务。",
        "source": (
            "GB/T 4754-2017 门类 G 交通运输、仓储和邮政业中的货运、仓储和邮政大类，及小类 7224 供应链管"
            "理服务。"
        ),
        "industries": ["G53", "G54", "G58", "G59", "G60", "L7224"],
        "classes": ["5308", "5007", "5002", "5001"],
    },
    {
        "code": "health-elderly",
        "name": "健康养老",
        "description": "养老和护理机构服务、社会看护与帮助、康复辅具、疗养院、家庭服务、养生保健和健康咨询。",
        "source": (
            "国家统计局《养老产业统计分类（2020）》（养老照护服务、老年医疗卫生服务、老年健康促进、老年"
            "用品制造）及《健康产业统计分类（2019）》。"
        ),
        "industries": ["Q851", "Q852", "Q8416", "O8010", "O8053", "L7244", "C3586"],
        "classes": ["5202", "5206", "5208", "5903"],
    },
    {
        "code": "culture-tourism",
        "name": "文化旅游",
        "description": "旅行社、游览景区、住宿和餐饮、文化艺术、广播影视、娱乐和工艺美术品制造。",
        "source": "国家统计局《文化及相关产业分类（2018）》与《国家旅游及相关产业统计分类（2018）》。",
        "industries": ["L7291", "N786", "H61", "H62", "R87", "R88", "R90", "C243"],
        "classes": ["5401", "5402", "5501", "5502", "5503", "5504", "5601", "5602"],
    },
    {
        "code": "agriculture",
        "name": "现代特色农业",
        "description": (
            "农、林、牧、渔业及其专业和辅助性活动，农副食品加工，食品制造，酒、饮料和精制茶制造，农林牧"
            "渔技术推广服务。"
        ),
        "source": (
            "GB/T 4754-2017 门类 A 农、林、牧、渔业；大类 13-15（农产品加工）；国家统计局《农业及相关产"
            "业统计分类（2020）》。"
        ),
        "industries": ["A01", "A02", "A03", "A04", "A05", "C13", "C14", "C15", "M7511"],
        "classes": ["4101", "4102", "4103", "4104", "4901", "4903"],
    },
    {
        "code": "rare-metals",
        "name": "稀贵金属综合利用",
        "description": (
            "有色金属（含贵金属、稀有稀土金属）矿采选、冶炼和压延加工，金属废料回收利用，珠宝首饰制造，"
            "固体矿产地质勘查。"
        ),
        "source": (
            "GB/T 4754-2017 大类 09 有色金属矿采选业、32 有色金属冶炼和压延加工业，中类 421 金属废料和"
            "碎屑加工处理，小类 2438 珠宝首饰及有关物品制造、7472 固体矿产地质勘查。"
        ),
        "industries": ["B09", "C32", "C421", "C2438", "M7472"],
        "classes": ["4305", "4206", "4201", "4202"],
    },
]


def expand_class(key_code: str, class_codes: dict[str, str]) -> list[str]:
    """A 高职专科 专业类 code and its counterparts at the other levels (those that exist)."""
    key = level_key(key_code, "associate")
    out = []
    names = set()
    for level in ("secondary", "associate", "bachelor"):
        code = code_at(key, level)
        if code in class_codes:
            out.append(code)
            names.add(class_codes[code])
    if key_code not in class_codes:
        raise SystemExit(f"unknown 专业类 {key_code}")
    assert len(names) == 1, (key_code, names)
    return out


def build_chains(majors: list[dict], industries: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    industry_codes = {r["code"] for r in industries}
    class_codes = {r["code"]: r["name"] for r in majors if r["item"] == "class"}
    class_level = {r["code"]: r["education_level"] for r in majors if r["item"] == "class"}
    chains, chain_industries, chain_classes = [], [], []
    for number, chain in enumerate(CHAINS, start=1):
        chains.append(
            {
                "code": chain["code"],
                "name": chain["name"],
                "sort_order": str(number),
                "description": chain["description"],
                "source": chain["source"],
            }
        )
        for code in chain["industries"]:
            if code not in industry_codes:
                raise SystemExit(f"chain {chain['code']}: unknown industry {code}")
            chain_industries.append({"chain_code": chain["code"], "industry_code": code})
        levels = set()
        for key_code in chain["classes"]:
            for code in expand_class(key_code, class_codes):
                chain_classes.append({"chain_code": chain["code"], "major_class_code": code})
                levels.add(class_level[code])
        assert levels == {"secondary", "associate", "bachelor"}, (chain["code"], levels)
    return chains, chain_industries, chain_classes


# --------------------------------------------------------------------------------------------------------
# Skills (curated starter vocabulary)
# --------------------------------------------------------------------------------------------------------
# category | skill | synonyms (、) | chains (,) | 专业类 by 高职专科 code (,)
SKILLS = """
机械制造 | 机械制图 | 工程制图、机械识图 | equipment | 4601,4602
机械制造 | CAD绘图 | AutoCAD、计算机辅助设计 | equipment | 4601,4401,4602
机械制造 | 三维建模 | 三维设计、SolidWorks、UG建模 | equipment | 4601
机械制造 | 数控车削编程 | 数控车床编程、数控车 | equipment | 4601
机械制造 | 数控铣削编程 | 数控铣床编程、数控铣 | equipment | 4601
机械制造 | 加工中心操作 | 加工中心编程 | equipment | 4601
机械制造 | 多轴加工 | 五轴加工、四轴加工 | equipment | 4601
机械制造 | CAM编程 | 计算机辅助制造、MasterCAM | equipment | 4601
机械制造 | 普通车削加工 | 车工、车床操作 | equipment | 4601
机械制造 | 铣削加工 | 铣工、铣床操作 | equipment | 4601
机械制造 | 磨削加工 | 磨工、磨床操作 | equipment | 4601
机械制造 | 钳工装配 | 钳工、装配钳工 | equipment | 4601,4602
机械制造 | 焊接 | 电焊、焊工 | equipment | 4601,4605
机械制造 | 氩弧焊 | TIG焊、钨极氩弧焊 | equipment | 4601
机械制造 | 二氧化碳气体保护焊 | CO2焊、MAG焊 | equipment | 4601
机械制造 | 焊接工艺评定 | WPS编制、PQR | equipment | 4601
机械制造 | 焊接机器人操作 | 机器人焊接 | equipment | 4601,4603
机械制造 | 模具设计 | 冲压模具设计、注塑模具设计 | equipment | 4601
机械制造 | 模具制造与装调 | 模具装配、模具钳工 | equipment | 4601
机械制造 | 金属热处理 | 热处理 | equipment,new-materials | 4601,4304
机械制造 | 铸造工艺 | 铸造 | equipment | 4601,4304
机械制造 | 锻压工艺 | 锻造、冲压 | equipment | 4601
机械制造 | 机械装配与调试 | 机械装调 | equipment | 4601,4602
机械制造 | 精密测量 | 三坐标测量、CMM检测 | equipment | 4601
机械制造 | 公差配合与技术测量 | 形位公差、几何公差 | equipment | 4601
机械制造 | 产品质量检验 | QC检验、来料检验 | equipment | 4601,4602
机械制造 | 质量管理体系 | ISO9001、IATF16949 | equipment | 4601,5306
机械制造 | 工艺编制 | 工艺规程编制、工艺文件编制 | equipment | 4601
机械制造 | 增材制造 | 3D打印 | equipment,new-materials | 4601
机械制造 | 逆向工程 | 三维扫描 | equipment | 4601
机械制造 | 液压与气动 | 液压传动、气动控制 | equipment | 4601,4602,4603
机械制造 | 机械设备维修 | 设备维修、机修 | equipment | 4602
机械制造 | 设备点检 | TPM、设备维护保养 | equipment | 4602
机械制造 | 机电设备安装调试 | 机电安装 | equipment | 4602
机械制造 | 电梯安装维修 | 电梯维保 | equipment | 4602
机械制造 | 制冷设备维修 | 空调维修、制冷维修 | equipment | 4602
机械制造 | 精益生产 | 精益制造、5S管理、Lean | equipment | 4601,5306
机械制造 | 生产计划与调度 | 生产排程、PMC | equipment | 4601,5306,5308
机械制造 | 机械设计 | 机械结构设计、非标设计 | equipment | 4601
机械制造 | 钣金加工 | 钣金、激光切割、折弯 | equipment | 4601
智能制造 | 智能制造产线运维 | 智能产线运维、自动化产线维护 | equipment | 4601,4603
智能制造 | 数字孪生 | 虚拟调试 | equipment,new-it | 4603,5102
智能制造 | MES系统应用 | 制造执行系统 | equipment,new-it | 4603,5102
智能制造 | 工业机器人操作 | 机器人示教、机械臂操作 | equipment | 4603
智能制造 | 工业机器人编程 | 机器人离线编程、ABB机器人编程、FANUC机器人编程 | equipment | 4603
智能制造 | 工业机器人系统集成 | 机器人工作站集成 | equipment | 4603
智能制造 | 机器视觉 | 视觉检测、工业相机 | equipment,new-it | 4603,5101
智能制造 | 工业互联网平台应用 | 工业互联网 | new-it,equipment | 5102,4603
智能制造 | 工业网络通信 | 现场总线、PROFINET、工业以太网 | equipment,new-it | 4603
电气自动化 | PLC编程 | 可编程控制器、可编程逻辑控制器、西门子PLC、三菱PLC | equipment | 4603,4602,4301
电气自动化 | 触摸屏组态 | HMI组态、人机界面 | equipment | 4603
电气自动化 | 组态软件应用 | WinCC、组态王、SCADA | equipment | 4603
电气自动化 | 变频器应用 | 变频调速 | equipment | 4603,4602
电气自动化 | 伺服驱动 | 伺服系统、运动控制 | equipment | 4603
电气自动化 | 传感器应用 | 传感器技术 | equipment,new-it | 4603,5101
电气自动化 | 电气控制线路安装 | 电气控制、继电接触控制 | equipment | 4603,4602
电气自动化 | 电气识图 | 电气制图、电气图纸识读 | equipment,new-energy | 4603,4301
电气自动化 | EPLAN电气设计 | EPLAN | equipment | 4603
电气自动化 | 电工操作 | 电工、低压电工 | equipment,new-energy | 4603,4301,4404
电气自动化 | 高压电工作业 | 高压电工 | new-energy | 4301
电气自动化 | 电机维修 | 电动机维修、电机拆装 | equipment | 4602
电气自动化 | 过程控制 | DCS、集散控制系统 | equipment | 4603,4702
电气自动化 | 仪器仪表校验 | 仪表调校、计量检定 | equipment | 4603
电气自动化 | 单片机应用 | 单片机开发、51单片机 | new-it,equipment | 5101,4603
汽车 | 汽车维修 | 汽车修理、汽修 | equipment | 4607,5002
汽车 | 汽车发动机检修 | 发动机维修 | equipment | 4607,5002
汽车 | 汽车底盘检修 | 底盘维修 | equipment | 4607,5002
汽车 | 汽车电气检修 | 汽车电路维修 | equipment | 4607,5002
汽车 | 汽车故障诊断 | 汽车电控诊断 | equipment | 4607,5002
汽车 | 新能源汽车维修 | 电动汽车维修、新能源车检修 | equipment,new-energy | 4607,5002
汽车 | 动力电池检测与维护 | 电池包维修、BMS检测 | new-energy,equipment | 4607,4303
汽车 | 智能网联汽车测试 | 自动驾驶测试、ADAS标定 | equipment,new-it | 4607
汽车 | 汽车钣金 | 钣金修复 | equipment | 4607,5002
汽车 | 汽车涂装 | 汽车喷漆 | equipment | 4607,5002
汽车 | 汽车装配 | 汽车总装 | equipment | 4607
汽车 | 汽车营销 | 汽车销售、汽车服务顾问 | equipment | 4607,5002
轨道与航空装备 | 轨道车辆检修 | 机车车辆检修、动车组检修 | equipment,logistics | 4604,5001
轨道与航空装备 | 无人机操控 | 无人机驾驶、飞手 | equipment | 4606
轨道与航空装备 | 无人机组装调试 | 无人机装调 | equipment | 4606
轨道与航空装备 | 航空器维修 | 飞机维修 | equipment | 4606,5004
轨道与航空装备 | 船舶焊接与装配 | 船体装配 | equipment | 4605
软件开发 | Python编程 | Python、Python开发 | new-it | 5102
软件开发 | Java开发 | Java、Java编程、JavaEE | new-it | 5102
软件开发 | C语言编程 | C语言 | new-it | 5102,5101
软件开发 | C++编程 | C++ | new-it | 5102
软件开发 | Web前端开发 | 前端开发、HTML5、HTML/CSS | new-it | 5102
软件开发 | JavaScript | JS、ECMAScript | new-it | 5102
软件开发 | Vue.js | Vue | new-it | 5102
软件开发 | React | ReactJS | new-it | 5102
软件开发 | 移动应用开发 | App开发、安卓开发、Android开发 | new-it | 5102
软件开发 | 微信小程序开发 | 小程序开发 | new-it | 5102
软件开发 | 鸿蒙应用开发 | HarmonyOS开发、ArkTS | new-it | 5102
软件开发 | PHP开发 | PHP | new-it | 5102
软件开发 | Go语言开发 | Golang | new-it | 5102
软件开发 | 数据库设计 | 数据库建模 | new-it | 5102
软件开发 | MySQL | MySQL数据库 | new-it | 5102
软件开发 | SQL | SQL语言、结构化查询语言 | new-it | 5102
软件开发 | Oracle数据库 | Oracle | new-it | 5102
软件开发 | Redis | Redis缓存 | new-it | 5102
软件开发 | 软件测试 | 功能测试、测试用例设计 | new-it | 5102
软件开发 | 自动化测试 | Selenium、接口测试 | new-it | 5102
软件开发 | 软件项目管理 | IT项目管理 | new-it | 5102
软件开发 | Git版本管理 | Git、代码版本控制 | new-it | 5102
软件开发 | UI设计 | 界面设计、用户界面设计 | new-it,culture-tourism | 5102,5501
软件开发 | 交互设计 | 用户体验设计、UX设计 | new-it | 5102,5501
软件开发 | 区块链应用 | 区块链 | new-it | 5102
软件开发 | 虚拟现实开发 | VR开发、AR开发、Unity3D | new-it,culture-tourism | 5102,5501
网络与运维 | Linux系统管理 | Linux运维、Linux | new-it | 5102,5103
网络与运维 | Windows Server管理 | Windows服务器管理 | new-it | 5102
网络与运维 | 计算机网络组建 | 网络组建、局域网搭建 | new-it | 5102,5103
网络与运维 | 路由与交换 | 路由交换、华为数通、思科路由 | new-it | 5102,5103
网络与运维 | 网络安全 | 信息安全、网络攻防 | new-it | 5102
网络与运维 | 渗透测试 | 安全渗透 | new-it | 5102
网络与运维 | 等级保护测评 | 等保测评、等保2.0 | new-it | 5102
网络与运维 | 防火墙配置 | 防火墙 | new-it | 5102
网络与运维 | 云计算运维 | 云平台运维、云计算 | new-it | 5102
网络与运维 | 虚拟化技术 | VMware、KVM | new-it | 5102
网络与运维 | 容器技术 | Docker、Kubernetes、K8s | new-it | 5102
网络与运维 | DevOps | 持续集成、CI/CD | new-it | 5102
网络与运维 | 计算机组装与维护 | 电脑维修、计算机维修 | new-it | 5102
网络与运维 | 信息系统运维 | IT运维、桌面运维 | new-it | 5102
数据与人工智能 | 大数据开发 | Hadoop、Spark | new-it | 5102
数据与人工智能 | 数据采集与爬虫 | 网络爬虫、数据采集 | new-it | 5102
数据与人工智能 | 数据分析 | 数据统计分析 | new-it | 5102,5304,5307
数据与人工智能 | 数据可视化 | 可视化报表、ECharts、BI报表 | new-it | 5102,5304
数据与人工智能 | 机器学习 | ML | new-it | 5102
数据与人工智能 | 深度学习 | 神经网络、PyTorch、TensorFlow | new-it | 5102
数据与人工智能 | 计算机视觉 | 图像识别 | new-it | 5102
数据与人工智能 | 自然语言处理 | NLP | new-it | 5102
数据与人工智能 | 人工智能训练 | 数据标注、AI训练师 | new-it | 5102
电子与通信 | 嵌入式开发 | 嵌入式系统、ARM开发、STM32 | new-it | 5101,5102
电子与通信 | 物联网系统集成 | 物联网、IoT | new-it | 5101
电子与通信 | 智能家居安装调试 | 智能家居 | new-it | 5101
电子与通信 | RFID应用 | 射频识别 | new-it,logistics | 5101
电子与通信 | 电子产品装配 | 电子装联、电子组装 | new-it | 5101
电子与通信 | SMT工艺 | 表面贴装、贴片 | new-it | 5101,5104
电子与通信 | PCB设计 | 电路板设计、Altium Designer | new-it | 5101
电子与通信 | 电子电路调试 | 电路调试、电子测量 | new-it | 5101
电子与通信 | 电子产品检测 | 电子元器件检测 | new-it | 5101
电子与通信 | 集成电路封装测试 | 芯片封测、IC封装 | new-it | 5104
电子与通信 | 集成电路版图设计 | 版图设计 | new-it | 5104
电子与通信 | 通信工程施工 | 通信线路施工、光缆施工 | new-it | 5103
电子与通信 | 5G网络优化 | 网优、无线网络优化 | new-it | 5103
电子与通信 | 移动通信基站维护 | 基站维护 | new-it | 5103
电子与通信 | 光纤熔接 | 光纤接续 | new-it | 5103
电子与通信 | 综合布线 | 网络布线、弱电布线 | new-it | 5103,4404
新能源 | 光伏电站运维 | 光伏运维 | new-energy | 4303
新能源 | 光伏系统设计 | 光伏设计 | new-energy | 4303
新能源 | 光伏组件安装 | 光伏安装 | new-energy | 4303
新能源 | 风电机组运维 | 风电运维、风机维护 | new-energy | 4303
新能源 | 储能系统运维 | 储能运维、储能电站 | new-energy | 4303,4301
新能源 | 锂电池生产工艺 | 锂电池制造、电芯制造 | new-energy,new-materials | 4303,4305
新能源 | 充电桩安装运维 | 充电设施运维 | new-energy | 4303,4607
新能源 | 变电站运行维护 | 变电运维 | new-energy | 4301
新能源 | 输配电线路施工 | 配电线路运维、线路工 | new-energy | 4301
新能源 | 继电保护 | 继电保护调试 | new-energy | 4301
新能源 | 电力营销 | 用电检查、抄表核算 | new-energy | 4301
新能源 | 生物质能利用 | 沼气技术 | new-energy,agriculture | 4303
新能源 | 水电站运行 | 水电运维 | new-energy | 4503
新能源 | 热能动力设备运行 | 锅炉运行、汽轮机运行 | new-energy | 4302
新能源 | 节能评估 | 能源审计、节能技术 | new-energy | 4302,4208
新能源 | 碳排放管理 | 碳核算、碳资产管理 | new-energy | 4208
材料 | 金属材料检测 | 材料性能检测、力学性能试验 | new-materials,rare-metals | 4304,4305
材料 | 金相分析 | 金相检验 | new-materials,rare-metals | 4304,4305
材料 | 无损检测 | 超声检测、射线检测、磁粉探伤、NDT | new-materials,equipment | 4304,4305,4601
材料 | 高分子材料加工 | 塑料成型、注塑成型 | new-materials | 4306,4702
材料 | 复合材料成型 | 碳纤维复合材料、玻璃钢成型 | new-materials | 4306
材料 | 石墨深加工 | 石墨提纯、石墨烯制备 | new-materials | 4306,4305
材料 | 陶瓷材料制备 | 特种陶瓷、先进陶瓷 | new-materials | 4306
材料 | 粉末冶金 | 粉末成型 | new-materials | 4305,4304
材料 | 新型建材生产 | 建材生产、装配式构件生产 | new-materials | 4307
材料 | 建筑材料检测 | 建材检测 | new-materials | 4307,4403
材料 | 材料化学分析 | 化学成分分析、ICP分析 | new-materials,rare-metals | 4305,4702
有色冶金 | 选矿工艺 | 浮选、重选、磁选 | rare-metals | 4206,4305
有色冶金 | 有色金属冶炼 | 湿法冶金、火法冶金 | rare-metals,new-materials | 4305
有色冶金 | 贵金属提纯 | 金银提纯、贵金属精炼 | rare-metals | 4305
有色冶金 | 稀土分离 | 稀土冶炼 | rare-metals | 4305
有色冶金 | 金属压延加工 | 轧制、有色金属加工 | rare-metals,new-materials | 4305
有色冶金 | 再生金属回收 | 废旧金属回收、二次资源综合利用 | rare-metals | 4305,4208
有色冶金 | 电解工艺 | 电解精炼、电积 | rare-metals | 4305
有色冶金 | 冶金设备操作 | 冶炼设备操作 | rare-metals | 4305,4304
有色冶金 | 冶金化验 | 矿石化验、冶金分析 | rare-metals | 4305
有色冶金 | 贵金属首饰制作 | 银饰加工、首饰制作、金银首饰 | rare-metals,culture-tourism | 4801,5501
有色冶金 | 珠宝鉴定 | 宝石鉴定、宝玉石鉴定 | rare-metals | 4801,4201
有色冶金 | 尾矿综合利用 | 尾矿处理 | rare-metals | 4206,4208
采矿地质 | 采矿技术 | 凿岩爆破、井下开采 | rare-metals | 4205,4206
采矿地质 | 矿山安全 | 矿井通风、矿山安全管理 | rare-metals | 4206,4209,4205
采矿地质 | 地质勘查 | 地质找矿、地质填图 | rare-metals | 4201,4202
采矿地质 | 岩矿鉴定 | 岩矿分析 | rare-metals | 4201,4202
采矿地质 | 钻探施工 | 岩心钻探 | rare-metals | 4202
采矿地质 | 矿山测量 | 井下测量 | rare-metals | 4203,4206
化工 | 化工总控操作 | 化工操作、化工总控 | new-materials | 4702
化工 | 化学检验 | 化学分析、化验 | new-materials | 4702
化工 | 仪器分析 | HPLC、高效液相色谱、气相色谱 | medicine,new-materials | 4702,4902
化工 | 精细化工合成 | 精细化学品合成 | new-materials | 4702
化工 | 化工设备维护 | 化工设备检修 | new-materials | 4702
化工 | 化工安全 | HAZOP分析、化工安全管理 | new-materials | 4702,4209
化工 | 危险化学品管理 | 危化品管理 | new-materials | 4209,4702
医药 | 药物制剂 | 制剂生产、片剂生产 | medicine | 4902,5203
医药 | GMP管理 | 药品生产质量管理规范、GMP | medicine | 4902
医药 | 药品检验 | 药物分析、药品质量检验 | medicine | 4902,5203
医药 | 化学制药 | 原料药合成 | medicine | 4902
医药 | 生物制药 | 发酵工艺、生物药品生产 | medicine | 4902,4701
医药 | 中药炮制 | 中药饮片加工 | medicine | 5204,4902
医药 | 中药鉴定 | 中药材鉴定 | medicine,agriculture | 5204
医药 | 中药材种植 | 药材栽培 | medicine,agriculture | 4101,5204
医药 | 药品调剂 | 处方调配、药房调剂 | medicine | 5203
医药 | 药品营销 | 医药代表、医药销售 | medicine | 5203,4902
医药 | 药品储运 | GSP、药品经营质量管理规范 | medicine,logistics | 5203,5308
医药 | 医疗器械维修 | 医疗设备维修 | medicine | 4902
医药 | 医疗器械质量管理 | 医疗器械法规、医疗器械注册 | medicine | 4902
医药 | 微生物检验 | 微生物检测 | medicine | 4701,4901
医药 | 细胞培养 | 细胞培养技术 | medicine | 4701
医药 | 分子生物学实验 | PCR、基因检测 | medicine | 4701,5205
医药 | 制药设备操作 | 制药设备运行 | medicine | 4902
医药 | 医学检验 | 临床检验 | medicine | 5205
医药 | 医学影像技术 | 放射技术、影像检查 | medicine | 5205
健康养老 | 老年照护 | 老年护理、养老护理 | health-elderly | 5202,5903,5208
健康养老 | 失智老人照护 | 认知症照护 | health-elderly | 5202,5903
健康养老 | 康复训练 | 康复治疗、运动疗法 | health-elderly | 5206
健康养老 | 作业治疗 | OT | health-elderly | 5206
健康养老 | 言语治疗 | 言语康复 | health-elderly | 5206
健康养老 | 中医推拿 | 推拿按摩 | health-elderly | 5204,5206
健康养老 | 针灸 | 针刺疗法 | health-elderly | 5204
健康养老 | 中医养生保健 | 养生保健 | health-elderly | 5204,5208
健康养老 | 健康管理 | 健康评估、慢病管理 | health-elderly | 5208
健康养老 | 营养配餐 | 营养指导、膳食指导 | health-elderly | 5208,4901,5402
健康养老 | 护理技术 | 临床护理、基础护理 | health-elderly | 5202
健康养老 | 急救技能 | 心肺复苏、急救 | health-elderly | 5202,5903
健康养老 | 母婴护理 | 月嫂、母婴照护 | health-elderly | 5202,5903
健康养老 | 婴幼儿照护 | 育婴、托育 | health-elderly | 5208,5701
健康养老 | 家政服务 | 家政、保洁 | health-elderly | 5903
健康养老 | 社区养老服务 | 居家养老服务 | health-elderly | 5903,5901
健康养老 | 智慧养老平台运营 | 智慧养老 | health-elderly,new-it | 5903
健康养老 | 康复辅具适配 | 辅具适配 | health-elderly | 5206
健康养老 | 心理咨询 | 心理疏导 | health-elderly | 5208,5901
健康养老 | 社会工作 | 社工 | health-elderly | 5901
健康养老 | 老年活动策划 | 老年文娱活动组织 | health-elderly | 5903,5208
健康养老 | 健身指导 | 健身教练、体适能 | health-elderly | 5703,5208
健康养老 | 眼视光验配 | 验光配镜、验光 | health-elderly | 5209
物流 | 仓储管理 | 仓库管理、库存管理 | logistics | 5308
物流 | WMS系统应用 | 仓储管理系统 | logistics,new-it | 5308
物流 | 配送管理 | 物流配送 | logistics | 5308,5007
物流 | 运输调度 | 车辆调度、运输管理 | logistics | 5308,5002
物流 | 冷链物流 | 冷链运输 | logistics,agriculture | 5308
物流 | 供应链管理 | 供应链运营 | logistics | 5308,5306
物流 | 采购管理 | 采购、供应商管理 | logistics | 5308,5306
物流 | 国际货运代理 | 货代 | logistics | 5308,5305
物流 | 报关报检 | 报关、报检 | logistics | 5305,5308
物流 | 快递运营 | 快递、快件分拣 | logistics | 5007
物流 | 叉车操作 | 叉车驾驶、叉车司机 | logistics | 5308
物流 | 物流信息系统 | TMS、物流信息管理 | logistics,new-it | 5308
物流 | 智慧物流设备运维 | 自动化立体仓库、AGV | logistics,equipment | 5308,4603
物流 | 危险品运输管理 | 危货运输 | logistics | 5002,5308
物流 | 铁路运输组织 | 铁路行车、车站值班 | logistics | 5001
物流 | 多式联运组织 | 多式联运 | logistics | 5308,5001
物流 | 集装箱业务 | 集装箱管理 | logistics | 5308
物流 | 道路货运 | 货车驾驶、公路货运 | logistics | 5002
电子商务 | 网店运营 | 电商运营、淘宝运营 | logistics | 5307
电子商务 | 直播电商 | 带货直播、直播运营 | culture-tourism,agriculture | 5307,5601
电子商务 | 跨境电商 | 跨境电子商务 | logistics | 5307,5305
电子商务 | 农村电商 | 农产品电商 | agriculture | 5307,4101
电子商务 | 新媒体运营 | 公众号运营、短视频运营 | culture-tourism | 5307,5601
电子商务 | 市场营销 | 营销策划 | | 5306,5307
电子商务 | 客户服务 | 客服 | | 5306,5307
电子商务 | 商务谈判 | 谈判技巧 | | 5306,5305
电子商务 | 搜索引擎营销 | SEM、SEO | | 5307
电子商务 | 网络美工 | 店铺装修、电商美工 | | 5307,5501
财经商贸 | 会计核算 | 会计、账务处理 | | 5303
财经商贸 | 出纳 | 出纳实务 | | 5303
财经商贸 | 成本核算 | 成本会计 | equipment | 5303
财经商贸 | 纳税申报 | 税务申报、报税 | | 5301,5303
财经商贸 | 财务分析 | 财务报表分析 | | 5303
财经商贸 | 管理会计 | 预算管理 | | 5303
财经商贸 | 审计 | 审计实务 | | 5303
财经商贸 | 智能财税 | 财税共享、财务机器人 | | 5303,5301
财经商贸 | 财务软件应用 | 用友、金蝶、ERP财务 | | 5303
财经商贸 | ERP系统应用 | SAP、ERP | equipment | 5306,5303
财经商贸 | 银行柜面业务 | 柜员、银行柜员 | | 5302
财经商贸 | 金融理财 | 理财规划 | | 5302
财经商贸 | 保险业务 | 保险销售、保险理赔 | | 5302
财经商贸 | 统计调查 | 市场调查 | | 5304
财经商贸 | 外贸业务 | 国际贸易实务、外贸跟单 | logistics | 5305
财经商贸 | 人力资源管理 | 人事管理、招聘 | | 5902,5306
财经商贸 | 薪酬核算 | 工资核算、社保核算 | | 5902,5303
财经商贸 | 项目管理 | PMP | | 5306,4405,5102
财经商贸 | 门店运营管理 | 连锁门店管理、店长 | | 5306
旅游酒店 | 导游讲解 | 导游、讲解员 | culture-tourism | 5401
旅游酒店 | 旅游线路设计 | 旅游产品设计、线路策划 | culture-tourism | 5401
旅游酒店 | 研学旅行指导 | 研学导师、研学旅行策划 | culture-tourism | 5401,5701
旅游酒店 | 酒店前厅服务 | 前台接待 | culture-tourism | 5401
旅游酒店 | 客房服务 | 客房管理 | culture-tourism | 5401
旅游酒店 | 餐厅服务 | 餐饮服务 | culture-tourism | 5402,5401
旅游酒店 | 会展策划 | 会展服务 | culture-tourism | 5401,5504
旅游酒店 | 景区运营管理 | 景区管理 | culture-tourism | 5401
旅游酒店 | 民宿运营 | 民宿管理 | culture-tourism,agriculture | 5401
旅游酒店 | 乡村旅游服务 | 农家乐、休闲农业 | culture-tourism,agriculture | 5401,4101
旅游酒店 | 茶艺 | 茶艺服务、茶艺表演 | culture-tourism,agriculture | 5401,4101
旅游酒店 | 咖啡制作 | 咖啡师 | culture-tourism | 5401,5402
烹饪餐饮 | 中式烹调 | 中餐烹饪、厨师 | culture-tourism | 5402
烹饪餐饮 | 湘菜烹饪 | 湖南菜 | culture-tourism | 5402
烹饪餐饮 | 西式烹调 | 西餐烹饪 | culture-tourism | 5402
烹饪餐饮 | 中式面点 | 面点制作 | culture-tourism | 5402
烹饪餐饮 | 西式面点 | 西点、烘焙 | culture-tourism | 5402,4901
烹饪餐饮 | 餐饮成本控制 | 餐饮管理 | culture-tourism | 5402
艺术设计 | 平面设计 | 图形设计、Photoshop | culture-tourism | 5501,5601
艺术设计 | 室内设计 | 室内装饰设计 | culture-tourism | 5501,4401
艺术设计 | 景观设计 | 园林景观设计 | culture-tourism | 4401,4102
艺术设计 | 产品设计 | 工业设计 | equipment,culture-tourism | 4601,5501
艺术设计 | 服装设计 | 服装制版、服装打版 | | 4804,5501
艺术设计 | 动画制作 | 二维动画、三维动画、Maya | culture-tourism | 5501,5602
艺术设计 | 游戏美术设计 | 游戏原画 | culture-tourism,new-it | 5501,5102
艺术设计 | 文创产品设计 | 文创设计 | culture-tourism | 5501,5504
艺术设计 | 民族工艺制作 | 非遗技艺、传统手工艺 | culture-tourism | 5503,5501
艺术设计 | 美容 | 美容护理、皮肤管理 | | 5501
艺术设计 | 美发 | 美发造型、发型设计 | | 5501
艺术设计 | 化妆造型 | 化妆、形象设计 | culture-tourism | 5501,5502
文化传媒 | 影视后期制作 | 视频剪辑、Premiere、AE特效 | culture-tourism | 5602,5601
文化传媒 | 短视频制作 | 短视频拍摄 | culture-tourism | 5602,5601,5307
文化传媒 | 摄影摄像 | 摄影、摄像 | culture-tourism | 5602,5501
文化传媒 | 播音主持 | 主持、播音 | culture-tourism | 5602
文化传媒 | 新闻采编 | 采编、新闻写作 | culture-tourism | 5601
文化传媒 | 数字出版 | 编辑出版 | culture-tourism | 5601
文化传媒 | 舞台表演 | 表演 | culture-tourism | 5502
文化传媒 | 音乐表演 | 声乐、器乐 | culture-tourism | 5502
文化传媒 | 舞蹈 | 舞蹈表演 | culture-tourism | 5502
文化传媒 | 文物修复 | 文物保护 | culture-tourism | 5504
文化传媒 | 舞台灯光音响 | 灯光音响、舞美 | culture-tourism | 5502,5504
农业 | 作物栽培 | 大田作物种植 | agriculture | 4101
农业 | 蔬菜种植 | 设施蔬菜 | agriculture | 4101
农业 | 果树栽培 | 果园管理 | agriculture | 4101
农业 | 茶叶种植与加工 | 茶叶加工、制茶 | agriculture | 4101,4901
农业 | 植物保护 | 病虫害防治、植保 | agriculture | 4101
农业 | 植保无人机操作 | 植保飞防 | agriculture,equipment | 4101,4606
农业 | 设施农业 | 温室管理、智能温室 | agriculture | 4101
农业 | 智慧农业 | 农业物联网 | agriculture,new-it | 4101
农业 | 农业机械操作 | 农机驾驶、农机维修 | agriculture,equipment | 4101
农业 | 种子生产 | 育种、制种 | agriculture | 4101
农业 | 土壤肥料 | 测土配方施肥 | agriculture | 4101
农业 | 农产品质量检测 | 农残检测 | agriculture | 4101,4901
农业 | 农产品加工 | 农副产品加工 | agriculture | 4901,4101
农业 | 畜禽养殖 | 生猪养殖、家禽养殖 | agriculture | 4103
农业 | 动物疫病防治 | 兽医、动物防疫 | agriculture | 4103
农业 | 水产养殖 | 淡水养殖、鱼类养殖 | agriculture | 4104
农业 | 林木种苗培育 | 林木育苗 | agriculture | 4102
农业 | 森林资源管护 | 护林 | agriculture | 4102
农业 | 园林绿化养护 | 绿化养护 | agriculture | 4102,4401
农业 | 花卉栽培 | 花卉生产 | agriculture | 4101
农业 | 食用菌栽培 | 食用菌生产 | agriculture | 4101
农业 | 家庭农场经营 | 农场管理 | agriculture | 4101
农业 | 农产品营销 | 农产品销售 | agriculture | 4101,5307
食品 | 食品加工 | 食品生产 | agriculture | 4901
食品 | 食品检验 | 食品检测、食品安全检测 | agriculture | 4901
食品 | 食品安全管理 | HACCP、食品安全 | agriculture | 4901
食品 | 酿酒工艺 | 白酒酿造、酿酒 | agriculture | 4901
食品 | 粮油加工 | 粮食加工 | agriculture | 4903
食品 | 粮食储藏 | 粮库管理 | agriculture,logistics | 4903
建筑 | 建筑识图 | 施工图识读 | | 4403,4401
建筑 | BIM建模 | BIM、Revit | | 4403,4405,4401
建筑 | 建筑施工 | 施工员、施工管理 | | 4403
建筑 | 工程测量 | 全站仪测量、施工测量 | | 4203,4403
建筑 | 工程造价 | 造价、工程计价、广联达 | | 4405
建筑 | 施工质量检查 | 质量员 | | 4403
建筑 | 施工安全管理 | 安全员 | | 4403,4209
建筑 | 工程资料管理 | 资料员 | | 4403,4405
建筑 | 装配式建筑施工 | 装配式施工 | new-materials | 4403
建筑 | 建筑装饰施工 | 装修施工 | | 4401
建筑 | 建筑电气安装 | 水电安装 | | 4404
建筑 | 给排水施工 | 给排水安装 | | 4404,4406
建筑 | 暖通空调安装 | 暖通 | | 4404
建筑 | 市政工程施工 | 市政施工 | | 4406
建筑 | 道路桥梁施工 | 路桥施工 | logistics | 5002
建筑 | 物业管理 | 物业服务 | | 4407
建筑 | 房地产营销 | 房产销售 | | 4407
建筑 | 地理信息系统 | GIS、ArcGIS | | 4203
建筑 | 无人机航测 | 航空摄影测量 | | 4203,4606
安全环保 | 安全生产管理 | 安全管理 | | 4209
安全环保 | 应急救援 | 应急处置 | | 4209
安全环保 | 消防设施操作 | 消防设施运维 | | 4209
安全环保 | 职业健康管理 | 职业卫生 | | 4209,5207
安全环保 | 环境监测 | 水质监测、大气监测 | rare-metals | 4208
安全环保 | 污水处理 | 水处理 | | 4208,4504
安全环保 | 固体废物处理 | 固废处理 | rare-metals | 4208
安全环保 | 环境影响评价 | 环评 | | 4208
教育语言 | 幼儿教育 | 幼儿园教学 | | 5701
教育语言 | 幼儿保育 | 保育 | | 5701
教育语言 | 教学设计 | 课程设计 | | 5701
教育语言 | 职业培训 | 培训师、内训师 | | 5701,5902
教育语言 | 英语翻译 | 英语笔译、英语口译 | | 5702
教育语言 | 商务英语 | 外贸英语 | logistics | 5702,5305
教育语言 | 日语 | 日语翻译 | | 5702
教育语言 | 普通话 | 普通话水平 | | 5701,5602
公共服务 | 社区治理 | 网格管理 | | 5901,5902
公共服务 | 法律事务 | 法律咨询 | | 5804
公共服务 | 安保服务 | 安全保卫、保安 | | 5807
公共服务 | 办公软件应用 | Office、WPS | | 5904,5306
公共服务 | 文秘写作 | 公文写作 | | 5904
公共服务 | 档案管理 | 档案数字化 | | 5904,5504
公共服务 | 行政事务 | 行政管理事务 | | 5904,5902
"""


def build_skills(majors: list[dict]) -> list[dict]:
    class_codes = {r["code"]: r["name"] for r in majors if r["item"] == "class"}
    chain_codes = {c["code"] for c in CHAINS}
    rows, names, synonyms_seen = [], set(), {}
    for line in SKILLS.strip().splitlines():
        category, name, synonyms, chains, classes = (part.strip() for part in line.split("|"))
        if name in names:
            raise SystemExit(f"skill {name} twice")
        names.add(name)
        syn = [s.strip() for s in synonyms.split("、") if s.strip()]
        for s in syn:
            if s in synonyms_seen:
                raise SystemExit(f"synonym {s} of {name} is also a synonym of {synonyms_seen[s]}")
            synonyms_seen[s] = name
        chain_list = [c.strip() for c in chains.split(",") if c.strip()]
        for c in chain_list:
            if c not in chain_codes:
                raise SystemExit(f"skill {name}: unknown chain {c}")
        class_list = []
        for key in classes.split(","):
            if key.strip():
                class_list += expand_class(key.strip(), class_codes)
        if not chain_list and not class_list:
            raise SystemExit(f"skill {name} is linked to nothing")
        rows.append(
            {
                "name": name,
                "category": category,
                "synonyms": LIST_SEP.join(syn),
                "chain_codes": LIST_SEP.join(chain_list),
                "major_class_codes": LIST_SEP.join(class_list),
            }
        )
    clashes = names & set(synonyms_seen)
    if clashes:
        raise SystemExit(f"synonyms that are also skill names: {sorted(clashes)}")
    return rows


# --------------------------------------------------------------------------------------------------------
# Certificates (curated starter list)
# --------------------------------------------------------------------------------------------------------
# kind prefix | name | chains (,) | 专业类 by 高职专科 code (,). Every certificate is listed at three levels.
CERTIFICATES = """
1+x | Web前端开发 | new-it | 5102
1+x | 建筑信息模型（BIM） | | 4403,4401,4405
1+x | 物流管理 | logistics | 5308
1+x | 老年照护 | health-elderly | 5202,5903
1+x | 汽车运用与维修 | equipment | 4607,5002
1+x | 智能财税 | | 5303,5301
1+x | 工业机器人操作与运维 | equipment | 4603
1+x | 工业机器人应用编程 | equipment | 4603
1+x | 智能新能源汽车 | equipment,new-energy | 4607
1+x | 母婴护理 | health-elderly | 5202,5903
1+x | 幼儿照护 | health-elderly | 5701,5208
1+x | 失智老年人照护 | health-elderly | 5202,5903
1+x | 网店运营推广 | | 5307
1+x | 电子商务数据分析 | | 5307
1+x | 数控车铣加工 | equipment | 4601
1+x | 多轴数控加工 | equipment | 4601
1+x | 增材制造模型设计 | equipment | 4601
1+x | 机械产品三维模型设计 | equipment | 4601
1+x | 可编程控制器系统应用编程 | equipment | 4603
1+x | 智能制造生产管理与控制 | equipment | 4601,4603
1+x | 特殊焊接技术 | equipment | 4601
1+x | 云计算平台运维与开发 | new-it | 5102
1+x | 大数据应用开发（Python） | new-it | 5102
1+x | 网络系统建设与运维 | new-it | 5102,5103
1+x | 移动应用开发 | new-it | 5102
1+x | 传感网应用开发 | new-it | 5101
1+x | 工业互联网实施与运维 | new-it,equipment | 5102,4603
1+x | 光伏电站运维 | new-energy | 4303
1+x | 界面设计 | new-it,culture-tourism | 5501,5102
1+x | 财务共享服务 | | 5303
1+x | 业财一体信息化应用 | | 5303
1+x | 药物制剂生产 | medicine | 4902
1+x | 粮农食品安全评价 | agriculture | 4901
1+x | 无人机驾驶 | equipment | 4606
skill_level | 电工 | equipment,new-energy | 4603,4301,4404
skill_level | 育婴员 | health-elderly | 5208,5701
skill_level | 保育师 | | 5701
skill_level | 养老护理员 | health-elderly | 5202,5903
skill_level | 中式烹调师 | culture-tourism | 5402
skill_level | 西式面点师 | culture-tourism | 5402
skill_level | 茶艺师 | culture-tourism,agriculture | 5401,4101
skill_level | 车工 | equipment | 4601
skill_level | 钳工 | equipment | 4601,4602
skill_level | 汽车维修工 | equipment | 4607,5002
skill_level | 电子商务师 | | 5307
skill_level | 美发师 | | 5501
qualification | 焊工 | equipment | 4601,4605
qualification | 消防设施操作员 | | 4209
"""
KIND_PREFIX = {"1+x": "1X", "skill_level": "SL", "qualification": "QC"}
CERT_LEVELS = [("junior", "J"), ("intermediate", "Z"), ("senior", "G")]


def build_certificates(majors: list[dict]) -> list[dict]:
    class_codes = {r["code"]: r["name"] for r in majors if r["item"] == "class"}
    chain_codes = {c["code"] for c in CHAINS}
    rows, numbers, names = [], Counter(), set()
    for line in CERTIFICATES.strip().splitlines():
        kind, name, chains, classes = (part.strip() for part in line.split("|"))
        if name in names:
            raise SystemExit(f"certificate {name} twice")
        names.add(name)
        numbers[kind] += 1
        chain_list = [c for c in (x.strip() for x in chains.split(",")) if c]
        assert all(c in chain_codes for c in chain_list), (name, chain_list)
        class_list = []
        for key in classes.split(","):
            if key.strip():
                class_list += expand_class(key.strip(), class_codes)
        for level, letter in CERT_LEVELS:
            rows.append(
                {
                    "code": f"{KIND_PREFIX[kind]}-{numbers[kind]:03d}-{letter}",
                    "name": name,
                    "kind": kind,
                    "level": level,
                    "issuer": "",
                    "chain_codes": LIST_SEP.join(chain_list),
                    "major_class_codes": LIST_SEP.join(class_list),
                }
            )
    return rows


# --------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def clean(text: str) -> str:
    # The sources carry stray ideographic spaces (U+3000) after some names.
    return text.replace("\u3000", " ").strip()


def check_tree(rows: list[dict], what: str) -> None:
    codes = Counter(r["code"] for r in rows)
    dupes = [c for c, n in codes.items() if n > 1]
    if dupes:
        raise SystemExit(f"{what}: duplicate codes {dupes[:10]}")
    missing = [r["code"] for r in rows if r["parent_code"] and r["parent_code"] not in codes]
    if missing:
        raise SystemExit(f"{what}: parents missing for {missing[:10]}")


def to_csv(rows: list[dict], fields: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row[k] for k in fields})
    return buf.getvalue()


FILES = {
    "regions.csv": ["code", "name", "level", "parent_code"],
    "majors.csv": [
        "code",
        "name",
        "item",
        "education_level",
        "parent_code",
        "controlled",
        "family",
        "source",
    ],
    "major_families.csv": ["key", "name", "members"],
    "industries.csv": ["code", "numeric_code", "name", "level", "parent_code"],
    "industry_chains.csv": ["code", "name", "sort_order", "description", "source"],
    "chain_industries.csv": ["chain_code", "industry_code"],
    "chain_major_classes.csv": ["chain_code", "major_class_code"],
    "skills.csv": ["name", "category", "synonyms", "chain_codes", "major_class_codes"],
    "certificates.csv": ["code", "name", "kind", "level", "issuer", "chain_codes", "major_class_codes"],
}


def build(src: Path) -> dict[str, list[dict]]:
    regions = build_regions(src)
    majors, families = build_majors(src)
    industries = build_industries(src)
    chains, chain_industries, chain_classes = build_chains(majors, industries)
    return {
        "regions.csv": regions,
        "majors.csv": majors,
        "major_families.csv": families,
        "industries.csv": industries,
        "industry_chains.csv": chains,
        "chain_industries.csv": chain_industries,
        "chain_major_classes.csv": chain_classes,
        "skills.csv": build_skills(majors),
        "certificates.csv": build_certificates(majors),
    }


def summary(data: dict[str, list[dict]]) -> list[str]:
    lines = [f"{name}: {len(rows)} rows" for name, rows in data.items()]
    regions = Counter(r["level"] for r in data["regions.csv"])
    lines.append("  regions by level: " + ", ".join(f"{k} {v}" for k, v in sorted(regions.items())))
    majors = Counter((r["education_level"], r["item"]) for r in data["majors.csv"])
    lines.append("  majors: " + ", ".join(f"{lv}/{it} {n}" for (lv, it), n in sorted(majors.items())))
    lines.append(f"  国控 majors: {sum(r['controlled'] == '1' for r in data['majors.csv'])}")
    industries = Counter(r["level"] for r in data["industries.csv"])
    lines.append("  industries by level: " + ", ".join(f"{k} {v}" for k, v in sorted(industries.items())))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of the official catalogs")
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files, write nothing"
    )
    args = parser.parse_args(argv)
    data = build(args.source)
    differs = []
    for name, rows in data.items():
        text = to_csv(rows, FILES[name])
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                differs.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for line in summary(data):
        print(line)
    if args.check and differs:
        print("differ from the committed files: " + ", ".join(differs), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
