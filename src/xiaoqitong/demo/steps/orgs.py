"""Steps that make the organizations: departments, schools and their enrolment, research institutions,
enterprises, and the demo accounts."""

import bisect
import itertools
import random
from collections import Counter

from xiaoqitong.core import search
from xiaoqitong.orgs.choices import EnterpriseSize, Ownership, SchoolType
from xiaoqitong.orgs.models import Enterprise, ResearchInstitution, School, SchoolEnrolment, User
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.choices import RegionLevel

from .. import names as N
from ..accounts import ensure_demo_accounts
from ..context import Context, DemoError
from ..indexing import Indexer, MemoTokenizer

# --- places -------------------------------------------------------------------------------------------


def division6(code: str) -> str:
    """A region code as the six-digit division code (``"4310"`` -> ``"431000"``)."""
    return code.ljust(6, "0")[:6]


def area_division(area) -> str:
    """The registration division of an area: a park registers with its parent county or city."""
    if area.level == RegionLevel.PARK:
        parent = area.parent
        return division6(parent.code) if parent is not None else N.CITY_CODE
    return division6(area.code)


def city_of(area):
    region = area
    while region is not None and region.level not in (RegionLevel.CITY, RegionLevel.PROVINCE):
        region = region.parent
    return region if region is not None and region.level == RegionLevel.CITY else None


def city_short(city) -> str:
    if city is None:
        return N.CITY_SHORT
    name = city.name
    if "自治州" in name:
        return name[:2]
    return name[:-1] if name.endswith(("市", "州", "盟")) else name


def area_key(area) -> str:
    """The key of an area in the weight tables (the city's parks may be named in full)."""
    if area.level == RegionLevel.PARK:
        if "高新" in area.name:
            return "郴州高新区"
        if "经开" in area.name or "经济开发" in area.name:
            return "郴州经开区"
    return area.name


ZONE_WORDS = ("开发区", "管理区", "示范区", "高新区", "新区", "实验区")


def is_zone(area) -> bool:
    """A park, or a county-level unit that is a development zone (some provinces list them as such)."""
    return area.level == RegionLevel.PARK or any(word in area.name for word in ZONE_WORDS)


def is_district(area) -> bool:
    return area.level == RegionLevel.COUNTY and area.name.endswith("区") and not is_zone(area)


def county_short(area) -> str:
    """宜章县 -> 宜章, 资兴市 -> 资兴, 芷江侗族自治县 -> 芷江."""
    name = area.name
    if "自治" in name:
        return name[:2]
    return name[:-1] if len(name) > 2 else name


def place_prefix(area) -> str:
    """How a school in ``area`` starts its name: 宜章县…, 资兴市…, 郴州市北湖区…"""
    if is_zone(area):
        return city_short(city_of(area))
    if is_district(area):
        city = city_of(area)
        return f"{city.name if city else N.CITY_SHORT + '市'}{area.name}"
    return area.name


def phone_area_code(area) -> str:
    city = city_of(area)
    return N.HUNAN_AREA_CODES.get(division6(city.code) if city else N.CITY_CODE, N.AREA_CODE)


def landline(rng: random.Random, area_code: str) -> str:
    if area_code in N.EIGHT_DIGIT_AREAS:
        return f"{area_code}-{rng.randint(20_000_000, 89_999_999)}"
    return f"{area_code}-{rng.randint(2_000_000, 8_999_999)}"


class Addresses:
    """Street addresses in an area: province, city, county, sometimes a township, a road and a number."""

    def __init__(self, ctx: Context):
        self.townships: dict[int, list[str]] = ctx.objects.get("townships", {})

    def __call__(self, rng: random.Random, area) -> str:
        city = city_of(area)
        city_name = city.name if city and not area.name.startswith(city.name) else ""
        province = city.parent.name if city is not None and city.parent is not None else "湖南省"
        number = f"{rng.randint(1, 399)}号"
        if area.level == RegionLevel.PARK:
            roads = N.ROADS_PARK.get(area_key(area), N.ROADS_COUNTY)
            return f"{province}{city_name}{area.name}{rng.choice(roads)}{number}"
        if area.name.endswith("区"):
            roads = N.ROADS_CITY if division6(city.code if city else "") == N.CITY_CODE else N.ROADS_COUNTY
            return f"{province}{city_name}{area.name}{rng.choice(roads)}{number}"
        towns = self.townships.get(area.pk)
        town = rng.choice(towns) if towns and rng.random() < 0.5 else ""
        return f"{province}{city_name}{area.name}{town}{rng.choice(N.ROADS_COUNTY)}{number}"


def weighted(rng: random.Random, pairs):
    population, weights = zip(*pairs, strict=True)
    return rng.choices(population, weights=weights)[0]


class Picker:
    """Weighted choice with the cumulative weights computed once (the enterprise loop draws 120,000 times)."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cum = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


TRADE_CHARS = list(dict.fromkeys(N.TRADE_CHARS))
TRADE_NAMES = [a + b for a in TRADE_CHARS for b in TRADE_CHARS if a != b and a + b not in N.TRADE_BLOCKLIST]


def trade_name(rng: random.Random, long: bool = False) -> str:
    name = rng.choice(TRADE_NAMES)
    return name + rng.choice(TRADE_CHARS) if long else name


def unique_name(rng: random.Random, used: set[str], make) -> str:
    """``make(rng, long)`` until the name is new; three-character 字号 after a few collisions."""
    for attempt in range(60):
        name = make(rng, attempt >= 10)
        if name not in used:
            used.add(name)
            return name
    raise DemoError("无法生成不重复的名称，请换一个随机种子。")


# --- departments ----------------------------------------------------------------------------------------


def load_departments(ctx: Context) -> None:
    """Every deployment needs the departments the policy names; upsert them (not demo data: kept on reset)."""
    from xiaoqitong.orgs.services import departments_load

    result = departments_load(actor=None)
    ctx.objects["departments_loaded"] = result


# --- schools --------------------------------------------------------------------------------------------


class SchoolCodes:
    """Ten-digit codes starting with 4143 (湖南). These are generated, NOT official 学校标识码."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng = rng
        self.taken = set(taken)

    def __call__(self) -> str:
        while True:
            code = f"4143{self.rng.randint(0, 999_999):06d}"
            if code not in self.taken:
                self.taken.add(code)
                return code


def _school_name(rng: random.Random, school_type: str, ownership: str, area, long: bool) -> str:
    prefix = place_prefix(area)
    city = city_short(city_of(area))
    private = ownership == Ownership.PRIVATE
    if school_type == SchoolType.SECONDARY:
        if private:
            return (
                f"{prefix}{trade_name(rng, long)}{rng.choice(['职业学校', '中等职业学校', '职业技术学校'])}"
            )
        spec = rng.choice(N.SCHOOL_SPECIALTIES)
        return (
            rng.choice(
                [
                    f"{prefix}职业中专学校",
                    f"{prefix}{rng.choice(N.ORDINALS)}职业中专学校",
                    f"{prefix}中等职业学校",
                    f"{prefix}职业技术学校",
                    f"{prefix}{spec}职业学校",
                    f"{prefix}{spec}中等专业学校",
                    f"{prefix}{rng.choice(N.ORDINALS)}职业中专学校",
                ]
            )
            if not long
            else f"{prefix}{rng.choice(N.ORDINALS)}{spec}职业学校"
        )
    if school_type == SchoolType.TECHNICIAN:
        if private:
            return f"{prefix}{trade_name(rng, long)}技工学校"
        return (
            rng.choice(
                [
                    f"{prefix}技工学校",
                    f"{prefix}高级技工学校",
                    f"{prefix}{rng.choice(N.SCHOOL_SPECIALTIES)}技工学校",
                ]
            )
            if not long
            else (f"{prefix}{rng.choice(N.ORDINALS)}{rng.choice(N.SCHOOL_SPECIALTIES)}技工学校")
        )
    if school_type in (SchoolType.ASSOCIATE, SchoolType.BACHELOR):
        suffix = (
            "职业技术大学" if school_type == SchoolType.BACHELOR else rng.choice(["职业技术学院", "职业学院"])
        )
        if private:
            return f"{city}{trade_name(rng, long)}{suffix}"
        return f"{city}{rng.choice(N.COLLEGE_SPECIALTIES)}{suffix}"
    if not long and area.level == RegionLevel.COUNTY and not is_district(area) and not is_zone(area):
        return f"{city}开放大学{area.name[:-1] if len(area.name) > 2 else area.name}分校"
    return f"{city}开放大学" if not long else f"{prefix}开放教育学院"


COLLEGE_TYPES = (SchoolType.ASSOCIATE, SchoolType.BACHELOR)


def make_schools(ctx: Context) -> None:
    """The ten schools the policy names, then generated ones spread evenly over the county-level units."""
    rng = ctx.rng
    taken_names = set(School.objects.values_list("name", flat=True))
    codes = SchoolCodes(rng, set(School.objects.values_list("code", flat=True)))
    counties = {division6(c.code): c for c in ctx.counties}
    addresses = Addresses(ctx)
    schools: list[School] = []
    sizes: dict[str, int] = {}
    for name, school_type, ownership, county_code, size in N.REAL_SCHOOLS[: ctx.scale.schools]:
        county = counties[county_code]
        city = city_of(county)
        schools.append(
            School(
                code=codes(),
                name=name,
                school_type=school_type,
                ownership=ownership,
                county=county,
                address=f"湖南省{city.name if city else ''}{county.name}",
            )
        )
        taken_names.add(name)
        sizes[name] = size
    pool = list(ctx.wide_counties if ctx.scale.province_wide else ctx.counties)
    rng.shuffle(pool)
    type_weights = N.SCHOOL_TYPE_WEIGHTS["province" if ctx.scale.province_wide else "city"]
    districts_of: dict[object, list] = {}
    for county in ctx.wide_counties if ctx.scale.province_wide else ctx.counties:
        if is_district(county):
            districts_of.setdefault(city_of(county), []).append(county)
    for i in range(max(0, ctx.scale.schools - len(schools))):
        county = pool[i % len(pool)]
        school_type = weighted(rng, type_weights)
        if school_type in COLLEGE_TYPES and not is_district(county):
            # Colleges sit in the city's districts, not in county towns.
            districts = districts_of.get(city_of(county))
            county = rng.choice(districts) if districts else county
        ownership = Ownership.PRIVATE if rng.random() < N.PRIVATE_SHARE[school_type] else Ownership.PUBLIC
        name = unique_name(
            rng,
            taken_names,
            lambda r, long, t=school_type, o=ownership, c=county: _school_name(r, t, o, c, long),
        )
        schools.append(
            School(
                code=codes(),
                name=name,
                school_type=school_type,
                ownership=ownership,
                county=county,
                address=addresses(rng, county),
                contact_phone=landline(rng, phone_area_code(county)),
            )
        )
        low, high = N.ENROLMENT_RANGE[(school_type, ownership)]
        sizes[name] = round(low + (high - low) * rng.random() ** 1.6, -1)
    for school in schools:
        school.clean_fields(exclude=["county"])
        school.clean()
    ctx.bulk_create(School, schools, desc="学校")
    ctx.schools = schools
    ctx.objects["school_size"] = {s.code: int(sizes[s.name]) for s in schools}  # in the current school year
    ctx.anchors["school"] = next((s.code for s in schools if s.name == N.HOME_SCHOOL), schools[0].code)
    others = [s for s in schools if s.code != ctx.anchors["school"]] or schools
    ctx.anchors["school2"] = next((s.code for s in others if s.name == N.SECOND_SCHOOL), others[0].code)


def make_enrolment(ctx: Context) -> None:
    """Full-time enrolment for the current school year and the six before (``ctx.enrolment_years``): the
    school's current size, grown into over the years with some noise."""
    rng = ctx.rng
    sizes = ctx.objects["school_size"]
    last = ctx.current_year
    rows = []
    for school in ctx.schools:
        growth = rng.uniform(-0.01, 0.07)
        for year in ctx.enrolment_years:
            value = sizes[school.code] / (1 + growth) ** (last - year)
            if year != last:
                value *= rng.uniform(0.97, 1.03)
            rows.append(SchoolEnrolment(school=school, year=year, full_time_students=max(50, round(value))))
    ctx.bulk_create(SchoolEnrolment, rows, desc="在校生规模")
    # The school majors of later steps add up to these figures.
    ctx.objects["enrolment"] = {(r.school.code, r.year): r.full_time_students for r in rows}


# --- research institutions ------------------------------------------------------------------------------


def make_institutions(ctx: Context) -> None:
    """Research institutions and think tanks (科研机构, 智库) for the researcher role."""
    counties = {division6(c.code): c for c in ctx.counties}
    taken = set(ResearchInstitution.objects.values_list("name", flat=True))
    specs = [(name, kind, counties.get(code)) for name, kind, code in N.INSTITUTIONS]
    pool = ctx.wide_counties if ctx.scale.province_wide else ctx.counties
    cities: dict[str, object] = {}  # other cities of the province first, one institute each
    for county in pool:
        city = city_of(county)
        if city is not None and division6(city.code) != N.CITY_CODE:
            cities.setdefault(city.code, county)
    extra = [(f"{city_of(c).name}职业教育研究所", c) for c in cities.values()]
    extra += [(f"{place_prefix(c)}职业教育研究室", c) for c in pool]
    for name, county in extra:
        if len(specs) >= ctx.scale.institutions:
            break
        specs.append((name, "research", county))
    rows = []
    for n, (name, kind, county) in enumerate(specs[: ctx.scale.institutions], 1):
        if name in taken:
            continue
        rows.append(
            ResearchInstitution(code=f"RI-{N.CITY_CODE[:4]}-{n:03d}", name=name, kind=kind, county=county)
        )
    ctx.bulk_create(ResearchInstitution, rows, desc="科研机构")
    ctx.institutions = rows
    home = next((r for r in rows if r.name == N.HOME_INSTITUTION), rows[0] if rows else None)
    if home is None:
        raise DemoError("没有可用的科研机构（名称均已存在）。")
    ctx.anchors["institution"] = home.code


# --- enterprises ----------------------------------------------------------------------------------------


def industry_words(industry) -> list[str]:
    for keyword, words in N.INDUSTRY_WORDS_BY_KEYWORD:
        if keyword in industry.name:
            return words
    numeric = industry.numeric_code or industry.code[1:]
    return (
        N.INDUSTRY_WORDS_BY_DIVISION.get(numeric[:2])
        or N.INDUSTRY_WORDS_BY_SECTION.get(industry.code[0])
        or ["实业"]
    )


def size_thresholds(industry) -> tuple[int, int, int]:
    numeric = industry.numeric_code or industry.code[1:]
    return N.SIZE_THRESHOLDS_BY_DIVISION.get(numeric[:2], N.SIZE_THRESHOLDS_DEFAULT)


def employees_for(rng: random.Random, size: str, industry) -> int:
    """Employees inside the size band of 国统字〔2017〕213号 for the industry, skewed to the small end."""
    large, medium, small = size_thresholds(industry)
    if size == EnterpriseSize.MICRO:
        return 2 + int((small - 2) * rng.random() ** 1.3)
    if size == EnterpriseSize.SMALL:
        return small + int((medium - small) * rng.random() ** 2)
    if size == EnterpriseSize.MEDIUM:
        return medium + int((large - medium) * rng.random() ** 1.5)
    return max(large, int(large * rng.lognormvariate(0.4, 0.6)))


def _suffix(rng: random.Random, size: str) -> str:
    if size == EnterpriseSize.LARGE:
        return weighted(rng, [("股份有限公司", 45), ("集团有限公司", 20), ("有限公司", 35)])
    if size == EnterpriseSize.MEDIUM:
        return weighted(rng, [("股份有限公司", 15), ("有限公司", 75), ("有限责任公司", 10)])
    return weighted(rng, [("有限公司", 88), ("有限责任公司", 12)])


def _prefixes(area) -> list[tuple[str, float]]:
    """Name prefixes of an enterprise registered where it operates."""
    city = city_of(area)
    short = city_short(city)
    pairs = [(f"{short}市" if city and city.name.endswith("市") else short, 30), (short, 15), ("湖南", 8)]
    if area.level == RegionLevel.COUNTY and not is_district(area) and not is_zone(area):
        if "自治" in area.name:
            pairs.append((county_short(area), 40))
        else:
            pairs += [(area.name, 30), (county_short(area), 10)]
    return pairs


def _chain_key(chain_name: str, table: dict) -> str:
    return next((key for key in table if key and key in chain_name), "")


def make_enterprises(ctx: Context) -> None:
    """Enterprises of the ten industry chains: a 小类 under the chain's industries, a realistic name, size
    and headcount, an area weighted by where the chain is strong, and a valid 统一社会信用代码."""
    rng = ctx.rng
    chains = [c for c in ctx.chains if ctx.chain_leaves.get(c.code)]
    chain_pick = Picker(
        chains,
        [N.CHAIN_WEIGHTS.get(_chain_key(c.name, N.CHAIN_WEIGHTS), N.CHAIN_WEIGHT_DEFAULT) for c in chains],
    )
    areas = list(ctx.wide_counties) + list(ctx.parks) if ctx.scale.province_wide else list(ctx.areas)

    def base_weight(area) -> float:
        key = area_key(area)
        if ctx.scale.province_wide and division6(area_division(area))[:4] != N.CITY_CODE[:4]:
            return N.AREA_WEIGHT_DEFAULT
        return N.AREA_WEIGHTS.get(key, N.AREA_WEIGHT_DEFAULT)

    area_pick = {}
    for chain in chains:
        affinity = N.CHAIN_AREA_AFFINITY.get(
            _chain_key(chain.name, N.CHAIN_AREA_AFFINITY), N.CHAIN_AREA_AFFINITY[""]
        )
        area_pick[chain.code] = Picker(areas, [base_weight(a) * affinity.get(area_key(a), 1) for a in areas])
    size_pick = Picker(*zip(*N.SIZE_WEIGHTS, strict=True))
    prefix_pick = {a.pk: Picker(*zip(*_prefixes(a), strict=True)) for a in areas}
    outside_pick = Picker(N.OUTSIDE_REGISTRATIONS, [1] * len(N.OUTSIDE_REGISTRATIONS))
    addresses = Addresses(ctx)

    used_names = set(Enterprise.objects.values_list("name", flat=True))
    used_codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    used_serials: set[int] = set()

    anchor_chain = next((c for c in chains if N.ANCHOR_CHAIN in c.name), chains[0])
    anchor_area = next((a for a in ctx.parks if "高新" in a.name), areas[0])

    rows: list[Enterprise] = []
    chain_of: dict[str, object] = {}
    for i in ctx.bar(range(ctx.scale.enterprises), desc="企业（生成）"):
        if i == 0:  # the demo enterprise: a large company of the 装备制造 chain in the high-tech zone
            chain, area, size, in_city = anchor_chain, anchor_area, EnterpriseSize.LARGE, True
        else:
            chain = chain_pick(rng)
            area = area_pick[chain.code](rng)
            size = size_pick(rng)
            in_city = rng.random() < N.REGISTERED_IN_CITY_SHARE
        leaves = ctx.chain_leaves[chain.code]
        if i == 0:
            leaves = [leaf for leaf in leaves if leaf.code.startswith(N.ANCHOR_INDUSTRY_PREFIXES)] or leaves
        industry = rng.choice(leaves)
        if in_city:
            division = area_division(area)
            prefix = "湖南" if i == 0 else prefix_pick[area.pk](rng)
            if (
                prefix == "湖南"
                and size in (EnterpriseSize.SMALL, EnterpriseSize.MICRO)
                and rng.random() < 0.6
            ):
                prefix = city_short(city_of(area))
            area_code = phone_area_code(area)
        else:
            division, prefix, area_code = outside_pick(rng)
        words = industry_words(industry)
        suffix = "股份有限公司" if i == 0 else _suffix(rng, size)
        name = unique_name(
            rng,
            used_names,
            lambda r, long, p=prefix, w=words, s=suffix: f"{p}{trade_name(r, long)}{r.choice(w)}{s}",
        )
        while True:
            serial = rng.randint(10_000_000, 99_999_999)
            code = make_credit_code(division, serial)
            if serial not in used_serials and code not in used_codes:
                used_serials.add(serial)
                used_codes.add(code)
                break
        enterprise = Enterprise(
            credit_code=code,
            name=name,
            size=size,
            industry=industry,
            county=area,
            registered_in_city=in_city,
            employees=employees_for(rng, size, industry),
            address=addresses(rng, area),
            contact_phone=landline(rng, area_code) if rng.random() < 0.8 else "",
        )
        enterprise.clean_fields(exclude=["industry", "county"])  # FK checks would query once per row
        enterprise.clean()
        rows.append(enterprise)
        chain_of[code] = chain
    with ctx.timed("search dictionary"):  # built once per process from the catalogs
        tokenizer = ctx.objects.setdefault("tokenizer", MemoTokenizer(search.get_tokenizer()))
    with ctx.timed("enterprises: search text"):
        indexer = Indexer(Enterprise, tokenizer)
        for enterprise in rows:
            enterprise.search_text = indexer.text(enterprise)
    ctx.bulk_create(Enterprise, rows, desc="企业")
    ctx.objects["enterprise_chain"] = chain_of  # credit code -> the chain it was made for
    ctx.enterprises = rows
    ctx.anchors["enterprise"] = rows[0].credit_code
    ctx.objects["enterprise_sizes"] = Counter(e.size for e in rows)


# --- demo accounts --------------------------------------------------------------------------------------


def make_accounts(ctx: Context) -> None:
    """One demo account per role (see ``accounts.DEMO_ACCOUNTS``)."""
    users = ensure_demo_accounts(anchors=ctx.anchors, record_audit=False)
    ctx.accounts = users
    ctx.record_existing(User, [u.pk for u in users])
