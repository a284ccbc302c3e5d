"""Steps that make talent supply and demand: the majors each school runs over the years, its teachers and
students, the enterprises' postings, graduate outcomes, and applications with their timelines.

The demo city is seen on ``ctx.as_of`` (``--as-of``, by default today); every date and year below is
relative to it (``Context.current_year``, ``graduated()``, ``next_graduation``, ``last_graduation``). A
``SchoolMajor`` of year *Y* is the school year starting on 1 September *Y*: its students enrolled, its intake
(new enrolment), its final-year students (expected graduates, who leave on 30 June *Y*+1) and, once that day
has passed, how many did graduate. Rows exist for the current school year and the four before. Each
programme is simulated cohort by cohort (intake, yearly retention, length of study), so that the figures of
one year follow from those of the years before and add up, school by school, to the full-time enrolment the
``enrolment`` step made.

Students are a sample of that enrolment (``Scale.students`` rows): current students spread over the
current SchoolMajors by cohort size, graduates over the rows of the school years that have ended by their
actual graduates (their ``school_major`` is the row of their final school year). Postings
(``Scale.positions``) spread over the enterprises by size: the open ones run around ``as_of``, the closed
ones of the last hiring season that is over (the spring before the latest graduation) are those its
graduates were hired through. Hires never exceed a posting's headcount, and every hire of a graduate is
also that graduate's outcome.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from xiaoqitong.core import search
from xiaoqitong.enterprises.choices import (
    EDUCATION_ORDER,
    ApplicationStatus,
    Education,
    Outcome,
    OutcomeSource,
    PositionStatus,
)
from xiaoqitong.enterprises.models import (
    Application,
    ApplicationEvent,
    GraduateOutcome,
    Position,
    PositionCertificate,
    PositionSkill,
)
from xiaoqitong.orgs.choices import EnterpriseSize, Role, SchoolType
from xiaoqitong.reference.choices import EducationLevel, RegionLevel
from xiaoqitong.reference.models import Certificate, IndustryChain, Major, MajorClass, Skill
from xiaoqitong.schools.choices import (
    Consent,
    Duration,
    Employment,
    Gender,
    MasterLevel,
    PositionType,
    SkillLevel,
    StudentStatus,
    Title,
)
from xiaoqitong.schools.models import (
    LEVELS_BY_SCHOOL_TYPE,
    SchoolMajor,
    Student,
    StudentSkill,
    Teacher,
    TeacherPractice,
)

from .. import majors as M
from .. import names as N
from .. import postings as P
from ..accounts import DEMO_ACCOUNTS
from ..context import GRADUATION_DAY, Context, DemoError
from ..indexing import Indexer, MemoTokenizer
from ..people import NameMaker, mobile
from .orgs import (
    Picker,
    _chain_key,
    area_key,
    city_short,
    county_short,
    industry_words,
    is_district,
    is_zone,
    trade_name,
    weighted,
)

TZ = ZoneInfo("Asia/Shanghai")
LONGEST = 5  # years of the longest programmes: the oldest cohort still enrolled in the first SchoolMajor year

DURATION_YEARS = {
    Duration.THREE_YEAR: 3,
    Duration.FIVE_YEAR: 5,
    Duration.THREE_PLUS_TWO: 5,
    Duration.FIVE_PLUS_ZERO: 5,
    Duration.TWO_YEAR: 2,
    Duration.FOUR_YEAR: 4,
}
# The education a student of a major's level has, for a posting's minimum education.
EDUCATION_OF_LEVEL = {
    EducationLevel.SECONDARY: Education.SECONDARY,
    EducationLevel.ASSOCIATE: Education.ASSOCIATE,
    EducationLevel.BACHELOR: Education.VOCATIONAL_BACHELOR,
}
RANK = {value: i for i, value in enumerate(EDUCATION_ORDER)}
# Levels of the majors a posting of a minimum education wants.
LEVELS_FOR_EDUCATION = {
    Education.SECONDARY: (EducationLevel.SECONDARY, EducationLevel.ASSOCIATE),
    Education.ASSOCIATE: (EducationLevel.ASSOCIATE, EducationLevel.BACHELOR),
    Education.VOCATIONAL_BACHELOR: (EducationLevel.BACHELOR,),
    Education.BACHELOR: (EducationLevel.BACHELOR,),
}
TYPE_KEY = {
    SchoolType.SECONDARY: "secondary",
    SchoolType.TECHNICIAN: "technician",
    SchoolType.ASSOCIATE: "associate",
    SchoolType.BACHELOR: "bachelor",
    SchoolType.OPEN: "open",
}
LEVEL_SHARES = {  # the levels of a school's majors
    SchoolType.SECONDARY: ((EducationLevel.SECONDARY, 1),),
    SchoolType.ASSOCIATE: ((EducationLevel.ASSOCIATE, 1),),
    SchoolType.BACHELOR: ((EducationLevel.BACHELOR, 0.6), (EducationLevel.ASSOCIATE, 0.4)),
    SchoolType.TECHNICIAN: ((EducationLevel.SECONDARY, 0.6), (EducationLevel.ASSOCIATE, 0.4)),
    SchoolType.OPEN: ((EducationLevel.ASSOCIATE, 0.7), (EducationLevel.SECONDARY, 0.3)),
}
# Share of women among students of a chain's majors (statistics only; other majors: "").
FEMALE_SHARE = {
    "装备制造": 0.12,
    "新一代信息技术": 0.3,
    "新能源": 0.15,
    "新材料": 0.3,
    "医药": 0.6,
    "现代物流": 0.3,
    "健康养老": 0.85,
    "文化旅游": 0.6,
    "现代特色农业": 0.35,
    "稀贵金属": 0.2,
    "": 0.65,
}


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def apportion(rng, weights: list[float], total: int) -> list[int]:
    """``total`` split in proportion to ``weights`` (whole numbers summing to ``total``); the remainders go
    to the largest fractions, ties broken at random."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    raw = [w * total / whole for w in weights]
    counts = [int(x) for x in raw]
    rest = total - sum(counts)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - counts[i]) + 0.5 * rng.random(), reverse=True)
    for i in order[:rest]:
        counts[i] += 1
    return counts


def round_to(value: float, step: int) -> int:
    return int(step * round(value / step))


def choose(rng, items: list, k: int) -> list:
    """``k`` distinct items (all if fewer), in their original order."""
    if len(items) <= k:
        return list(items)
    picked = sorted(rng.sample(range(len(items)), k))
    return [items[i] for i in picked]


def link_fields(relation) -> tuple[str, str]:
    """The two foreign keys of an automatic many-to-many table (``Student.preferred_chains`` …)."""
    return relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()


# --- the catalogs, once per run --------------------------------------------------------------------------


class Catalog:
    """Majors, skills and certificates with the lookups the steps need, read once."""

    def __init__(self, ctx: Context):
        self.chains = list(ctx.chains)
        self.chain_key = {c.code: _chain_key(c.name, N.CHAIN_WEIGHTS) for c in self.chains}
        self.majors = list(Major.objects.select_related("major_class__category").order_by("code"))
        if not self.majors:
            raise DemoError("请先运行 xiaoqitong load_reference（缺少参考数据：职业教育专业目录）。")
        self.major_by = {(m.name, m.education_level): m for m in self.majors}
        self.classes = {c.pk: c for c in MajorClass.objects.select_related("category").order_by("code")}
        self.chain_classes: dict[str, list[int]] = {}
        self.chains_of_class: dict[int, list] = defaultdict(list)
        through = IndustryChain.major_classes.through
        pairs = sorted(through.objects.values_list("industrychain_id", "majorclass_id"))
        chain_by_pk = {c.pk: c for c in self.chains}
        for chain_pk, class_pk in pairs:
            chain = chain_by_pk.get(chain_pk)
            if chain is None:
                continue
            self.chain_classes.setdefault(chain.code, []).append(class_pk)
        for chain in self.chains:
            for class_pk in sorted(self.chain_classes.get(chain.code, [])):
                self.chains_of_class[class_pk].append(chain)
        self.family: dict[int, list] = defaultdict(list)
        for major in self.majors:
            if major.family_id:
                self.family[major.family_id].append(major)

        self.skills = list(Skill.objects.order_by("name").prefetch_related("major_classes", "chains"))
        self.skill_by_name = {s.name: s for s in self.skills}
        self.skills_of_class: dict[int, list] = defaultdict(list)
        self.skills_of_chain: dict[str, list] = defaultdict(list)
        self.general_skills = []
        for skill in self.skills:
            classes = sorted(c.pk for c in skill.major_classes.all())
            chains = sorted(c.code for c in skill.chains.all())
            for pk in classes:
                self.skills_of_class[pk].append(skill)
            for code in chains:
                self.skills_of_chain[code].append(skill)
            if not chains:
                self.general_skills.append(skill)
        self.certificates = list(Certificate.objects.order_by("code").prefetch_related("chains"))
        self.certs_by_name: dict[str, list] = defaultdict(list)
        self.certs_of_chain: dict[str, list] = defaultdict(list)
        for cert in self.certificates:
            self.certs_by_name[cert.name].append(cert)
            for chain in sorted(c.code for c in cert.chains.all()):
                self.certs_of_chain[chain].append(cert)
        self._pools: dict = {}
        self._skills: dict[int, list] = {}

    def chain_for_key(self, key: str):
        return next((c for c in self.chains if self.chain_key[c.code] == key), None)

    def key_of_major(self, major) -> str:
        chains = self.chains_of_class.get(major.major_class_id)
        return self.chain_key[chains[0].code] if chains else ""

    def pool(self, key: str, level: str) -> list[tuple]:
        """(major, weight) a school may run for a chain keyword ("" for majors outside the chains)."""
        if (key, level) in self._pools:
            return self._pools[(key, level)]
        names = M.CHAIN_MAJORS.get(key, {}).get(level, []) if key else M.OTHER_MAJORS.get(level, [])
        pool = [(self.major_by[(n, level)], w) for n, w in names if (n, level) in self.major_by]
        if not pool:
            chain = self.chain_for_key(key) if key else None
            in_chains = {pk for pks in self.chain_classes.values() for pk in pks}
            wanted = set(self.chain_classes.get(chain.code, [])) if chain else None
            pool = [
                (m, 1.0)
                for m in self.majors
                if m.education_level == level
                and not any(word in m.name for word in M.UNLIKELY)
                and (
                    (m.major_class_id in wanted) if wanted is not None else m.major_class_id not in in_chains
                )
            ]
        self._pools[(key, level)] = pool
        return pool

    def skills_for_major(self, major) -> list:
        """Skills taught in the major's 专业类, topped up from its chains' (or the general ones) when the
        class has few: a student lists two to six."""
        key = major.major_class_id
        if key in self._skills:
            return self._skills[key]
        skills = list(self.skills_of_class.get(key, []))
        if len(skills) < 4:
            for chain in self.chains_of_class.get(key, []):
                skills += [s for s in self.skills_of_chain.get(chain.code, []) if s not in skills]
        if len(skills) < 4:
            skills += [s for s in self.general_skills if s not in skills][: 6 - len(skills)]
        self._skills[key] = skills
        return skills


def catalog(ctx: Context) -> Catalog:
    if "catalog" not in ctx.objects:
        ctx.objects["catalog"] = Catalog(ctx)
    return ctx.objects["catalog"]


def chain_of_enterprise(ctx: Context) -> dict[str, object]:
    """Credit code -> chain (recorded by the enterprise step; derived from the industry otherwise)."""
    known = ctx.objects.get("enterprise_chain")
    if known is not None:
        return known
    leaf_chain = {}
    for chain in ctx.chains:
        for leaf in ctx.chain_leaves.get(chain.code, []):
            leaf_chain.setdefault(leaf.pk, chain)
    known = {e.credit_code: leaf_chain.get(e.industry_id) for e in ctx.enterprises}
    ctx.objects["enterprise_chain"] = known
    return known


def in_city(ctx: Context, region) -> bool:
    """Whether a county-level unit or park lies in the demo city."""
    return region.parent_id == ctx.city.pk or (
        region.parent is not None and region.parent.parent_id == ctx.city.pk
    )


# --- school majors ---------------------------------------------------------------------------------------


@dataclass
class Programme:
    """A major a school runs, simulated cohort by cohort; ``rows`` are its SchoolMajor rows by year."""

    school: object
    major: object
    index: int
    key: str  # chain keyword, "" outside the chains
    chains: list
    retention: float
    share: float = 1.0  # relative size among the school's majors
    first: int = 0  # first and last year of intake
    last: int = 0
    cohorts: dict[int, int] = field(default_factory=dict)  # entry year -> intake
    durations: dict[int, str] = field(default_factory=dict)  # entry year -> Duration
    rows: dict[int, SchoolMajor] = field(default_factory=dict)

    def years_of(self, entry: int) -> int:
        return DURATION_YEARS[self.durations[entry]]

    def remaining(self, entry: int, year: int) -> int:
        """Students of the cohort that entered in ``entry`` still enrolled in school year ``year``."""
        if entry not in self.cohorts or not entry <= year < entry + self.years_of(entry):
            return 0
        return round(self.cohorts[entry] * self.retention ** (year - entry))

    def enrolled_cohorts(self, year: int) -> list[int]:
        return [g for g in sorted(self.cohorts) if self.remaining(g, year)]

    def final_cohorts(self, year: int) -> list[int]:
        return [g for g in sorted(self.cohorts) if g + self.years_of(g) - 1 == year]


def _school_chain_weights(ctx: Context, cat: Catalog, school) -> dict[str, float]:
    """Weight of each chain keyword ("" for other majors) in a school's choice of majors: the city's chain
    weights, the county's character (for schools in the counties), the school's name, its type."""
    keys = list(dict.fromkeys(cat.chain_key[c.code] for c in cat.chains))
    weights = {k: N.CHAIN_WEIGHTS.get(k, N.CHAIN_WEIGHT_DEFAULT) for k in keys if k}
    if school.school_type in (SchoolType.SECONDARY, SchoolType.TECHNICIAN, SchoolType.OPEN):
        place = area_key(school.county)
        for key in weights:
            affinity = N.CHAIN_AREA_AFFINITY.get(key, {})
            weights[key] *= affinity.get(place, 1) ** 1.5
    if school.school_type == SchoolType.TECHNICIAN:
        for key, boost in M.TECHNICIAN_BOOSTS.items():
            if key in weights:
                weights[key] *= boost
    share = M.OTHER_SHARE[TYPE_KEY[school.school_type]]
    weights[""] = sum(weights.values()) * share / (1 - share)
    for word, boosts in M.NAME_BOOSTS.items():
        if word in school.name:
            for key, boost in boosts.items():
                if key in weights:
                    weights[key] *= boost
    return weights


def _choose_majors(ctx: Context, cat: Catalog, school, rng) -> list[tuple]:
    """(major, weight, key) a school runs, distinct, by level share and chain weight."""
    low, high, per = M.MAJOR_COUNT[TYPE_KEY[school.school_type]]
    size = ctx.objects["school_size"].get(school.code, 1000)
    wanted = max(low, min(high, round(low + size / per * rng.uniform(0.8, 1.2))))
    allowed = LEVELS_BY_SCHOOL_TYPE.get(school.school_type, set())
    levels = [(lv, w) for lv, w in LEVEL_SHARES[school.school_type] if lv in allowed]
    weights = _school_chain_weights(ctx, cat, school)
    keys = [k for k in weights if weights[k] > 0]
    key_pick = Picker(keys, [weights[k] for k in keys])
    chosen: dict[int, tuple] = {}
    for _attempt in range(wanted * 12):
        if len(chosen) >= wanted:
            break
        level = weighted(rng, levels)
        key = key_pick(rng)
        pool = [(m, w) for m, w in cat.pool(key, level) if m.pk not in chosen]
        if not pool:
            continue
        major = weighted(rng, pool)
        chosen[major.pk] = (major, dict(pool)[major], key)
    return list(chosen.values())


def make_school_majors(ctx: Context) -> None:
    """SchoolMajor rows for the current school year and the four before: each school's majors (levels
    fitting its type, mostly from the chains its county and name lean to), enrolment simulated cohort by
    cohort, 五年一贯制 spreading over the years (target T5), the 省级高水平专业（群） of colleges (2-3, T10)
    and 优质专业（群） of 中职 schools (1-2, T11), and the chains each major serves. Actual graduates are
    known for the school years whose graduation day has passed."""
    rng = ctx.rng
    cat = catalog(ctx)
    enrolment = ctx.objects.get("enrolment", {})
    sizes = ctx.objects.get("school_size", {})
    years = list(ctx.major_years)
    current = ctx.current_year
    first_cohort = years[0] - LONGEST
    programmes: list[Programme] = []
    for school in ctx.schools:
        chosen = _choose_majors(ctx, cat, school, rng)
        mine: list[Programme] = []
        for index, (major, weight, key) in enumerate(sorted(chosen, key=lambda c: c[0].code), 1):
            chains = list(cat.chains_of_class.get(major.major_class_id, []))
            key = cat.chain_key[chains[0].code] if chains else key
            p = Programme(school, major, index, key, chains, retention=rng.uniform(0.95, 0.99))
            p.share = weight * rng.lognormvariate(0, 0.45)
            # When the programme admits students: most since long ago, some new (often chain majors),
            # a few no longer (停招, their students finish).
            p.first = first_cohort if rng.random() < 0.88 or index == 1 else rng.choice(years[1:])
            p.last = current if rng.random() > 0.05 or p.first > first_cohort else rng.choice(years[1:3])
            five = Duration.THREE_YEAR
            switch = 9999
            if major.education_level == EducationLevel.ASSOCIATE:
                roll = rng.random()
                if major.is_controlled:  # 国控专业 keep their regular programme
                    pass
                elif school.school_type == SchoolType.TECHNICIAN and roll < 0.5:
                    five, switch = Duration.FIVE_YEAR, first_cohort
                elif school.school_type in (SchoolType.ASSOCIATE, SchoolType.BACHELOR):
                    if roll < 0.07:
                        five, switch = Duration.FIVE_YEAR, first_cohort
                    elif roll < 0.2:  # more 五年一贯制 every year (target T5: rising)
                        five, switch = Duration.FIVE_YEAR, rng.choice(years[1:])
            p.durations = {
                g: (five if g >= switch else Duration.THREE_YEAR) for g in range(first_cohort, current + 1)
            }
            mine.append(p)
        # Intake per year: the school's full-time enrolment over about three cohorts, shared out.
        base = sizes.get(school.code, 1000)
        for g in range(first_cohort, current + 1):
            full_time = enrolment.get((school.code, g)) or base * 0.97 ** max(0, current - g)
            admitting = [p for p in mine if p.first <= g <= p.last]
            total_share = sum(p.share for p in admitting) or 1
            for p in admitting:
                p.cohorts[g] = max(
                    12, round(full_time / 2.85 * p.share / total_share * rng.uniform(0.9, 1.1))
                )
        programmes.extend(mine)

    rows = []
    for p in programmes:
        for year in years:
            enrolled = sum(p.remaining(g, year) for g in p.cohorts)
            new = p.cohorts.get(year, 0)
            if not enrolled:
                continue
            expected = sum(p.remaining(g, year) for g in p.final_cohorts(year))
            actual = None
            if ctx.graduated(year):
                actual = min(expected, round(expected * rng.uniform(0.93, 0.99)))
            duration = p.durations[min(year, p.last)] if p.cohorts else Duration.THREE_YEAR
            row = SchoolMajor(
                school=p.school,
                major=p.major,
                year=year,
                duration=duration,
                enrolment_plan=round_to(new / rng.uniform(0.85, 1.08), 5) if new else 0,
                new_enrolment=new,
                students_enrolled=enrolled,
                expected_graduates=expected,
                actual_graduates=actual,
            )
            p.rows[year] = row
            rows.append(row)
    _designate(ctx, programmes)
    for row in rows:
        row.clean()
    ctx.bulk_create(SchoolMajor, rows, desc="开设专业")
    relation = SchoolMajor.chains
    ctx.insert_rows(
        relation.through,
        link_fields(relation),
        ((row.pk, chain.pk) for p in programmes for row in p.rows.values() for chain in p.chains),
        desc="开设专业对接产业链",
    )
    ctx.objects["programmes"] = programmes


def _designate(ctx: Context, programmes: list[Programme]) -> None:
    """2-3 省级高水平专业（群） per college and 1-2 优质专业（群） per 中职 school, from their big chain
    majors."""
    rng = ctx.rng
    years = list(ctx.major_years)
    by_school: dict[str, list[Programme]] = defaultdict(list)
    for p in programmes:
        by_school[p.school.code].append(p)
    for school in ctx.schools:
        if school.school_type in (SchoolType.ASSOCIATE, SchoolType.BACHELOR):
            flag, count = "is_provincial_high_level", rng.choice([2, 3])
        elif school.school_type == SchoolType.SECONDARY:
            flag, count = "is_quality", rng.choice([1, 2])
        else:
            continue
        candidates = [p for p in by_school[school.code] if p.chains and years[0] in p.rows] or [
            p for p in by_school[school.code] if years[0] in p.rows
        ]
        candidates.sort(key=lambda p: (-p.share, p.major.code))
        for n, p in enumerate(choose(rng, candidates[: count + 3], count)):
            since = years[0] if n < 2 else rng.choice(years[1:3])
            for year, row in p.rows.items():
                if year >= since:
                    setattr(row, flag, True)


# --- teachers --------------------------------------------------------------------------------------------


def _enterprises_by_place_and_chain(ctx: Context) -> tuple[dict, dict]:
    """Local enterprises (registered in the city) by (area pk, chain code) and by chain code."""
    chain_of = chain_of_enterprise(ctx)
    by_area: dict[tuple, list] = defaultdict(list)
    by_chain: dict[str, list] = defaultdict(list)
    for e in ctx.enterprises:
        if not e.registered_in_city:
            continue
        chain = chain_of.get(e.credit_code)
        code = chain.code if chain else ""
        by_area[(e.county_id, code)].append(e)
        by_chain[code].append(e)
    return by_area, by_chain


def make_teachers(ctx: Context) -> None:
    """Teachers of each school at 18-25 students per teacher: 兼职 (at most 30 %, T18), titles, “双师型” with
    date and evidence (55-85 % of full-time teachers, T20), a few 教学名师 (T21) and 特岗 teachers (T19);
    and their enterprise practice (企业实践) in local enterprises of the school's chains over the school
    years of the SchoolMajor rows. Hiring years count back from the current school year; a teacher is
    “双师型” from two years after hiring at the earliest, and never after ``as_of``."""
    rng = ctx.rng
    cat = catalog(ctx)
    names = NameMaker()
    sizes = ctx.objects.get("school_size", {})
    current = ctx.current_year
    years = list(ctx.major_years)
    programmes = ctx.objects.get("programmes", [])
    chains_of_school: dict[str, list] = defaultdict(list)
    for p in programmes:
        for chain in p.chains:
            if chain not in chains_of_school[p.school.code]:
                chains_of_school[p.school.code].append(chain)
    by_area, by_chain = _enterprises_by_place_and_chain(ctx)
    local = [e for e in ctx.enterprises if e.registered_in_city and in_city(ctx, e.county)]
    teachers: list[Teacher] = []
    practice_plan: list[tuple[int, list]] = []  # (teacher index, [(enterprise, year, days)])
    for school in ctx.schools:
        size = sizes.get(school.code, 1000)
        count = max(8, round(size / rng.uniform(*N.STUDENTS_PER_TEACHER)))
        part_time = round(count * rng.uniform(*N.PART_TIME))
        dual_share = rng.uniform(*N.DUAL_QUALIFIED)
        college = school.school_type in (SchoolType.ASSOCIATE, SchoolType.BACHELOR)
        county_school = (
            school.school_type == SchoolType.SECONDARY
            and not is_district(school.county)
            and not is_zone(school.county)
        )
        chains = chains_of_school.get(school.code) or list(ctx.chains[:3])
        certs = [c.name for chain in chains for c in cat.certs_of_chain.get(chain.code, [])] or ["电工"]
        serial: dict[str, int] = defaultdict(int)
        for n in range(count):
            part = n >= count - part_time
            hired = rng.randint(current - 33, current) if not part else rng.randint(current - 6, current)
            prefix = f"JZ{hired}" if part else str(hired)
            serial[prefix] += 1
            staff_no = f"{prefix}{serial[prefix]:03d}"
            gender = Gender.FEMALE if rng.random() < 0.52 else Gender.MALE
            titles = N.TITLES["part_time" if part else ("college" if college else "secondary")]
            title = weighted(rng, titles)
            if not part and hired >= current - 3:
                title = weighted(rng, (("junior", 70), ("none", 30)))
            dual = not part and rng.random() < dual_share
            dual_date = None
            evidence = ""
            if dual:
                start = dt.date(max(hired + 2, current - 12), 1, 1)
                end = ctx.as_of - dt.timedelta(days=30)
                dual_date = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
                evidence = rng.choice(N.DUAL_EVIDENCE).format(cert=rng.choice(certs))
                if start > end:  # hired too recently to be recognized yet (drawn all the same: same stream)
                    dual, dual_date, evidence = False, None, ""
            master = MasterLevel.NONE
            if not part and title in ("senior", "associate_senior", "intermediate"):
                roll = rng.random()
                threshold = 0.0
                for level, rate in N.MASTER_RATES:
                    threshold += rate * (3 if title != "intermediate" else 0.5)
                    if roll < threshold:
                        master = level
                        break
            special = (
                county_school
                and not part
                and hired >= current - 10
                and rng.random() < N.SPECIAL_POST_RATE * 4
                and title in ("junior", "none")
            )
            teachers.append(
                Teacher(
                    school=school,
                    staff_no=staff_no,
                    name=names(rng, gender),
                    employment=Employment.PART_TIME if part else Employment.FULL_TIME,
                    is_dual_qualified=dual,
                    dual_qualified_date=dual_date,
                    dual_qualified_evidence=evidence,
                    title=Title(title),
                    master_level=master,
                    is_special_post=special,
                    phone=mobile(rng),
                )
            )
            if not part and rng.random() < 0.4:
                visited = choose(rng, [y for y in years if y >= hired], rng.choice([1, 1, 2, 3]))
                visits = []
                for year in visited:
                    chain = rng.choice(chains)
                    pool = by_area.get((school.county_id, chain.code)) or by_chain.get(chain.code) or local
                    if not pool:
                        continue
                    days = rng.randint(7, 60) if rng.random() < 0.85 else rng.randint(61, 180)
                    visits.append((rng.choice(pool), year, days))
                if visits:
                    practice_plan.append((len(teachers) - 1, visits))
    for teacher in teachers:
        teacher.clean()
    ctx.bulk_create(Teacher, teachers, desc="教师")
    ctx.insert(
        TeacherPractice,
        (
            TeacherPractice(teacher=teachers[i], enterprise=enterprise, year=year, days=days)
            for i, visits in practice_plan
            for enterprise, year, days in visits
        ),
        desc="教师企业实践",
    )


# --- students --------------------------------------------------------------------------------------------


@dataclass
class StudentRow:
    """A generated student and what later steps need to know about them."""

    student: Student
    programme: Programme
    level: str  # EducationLevel of the major
    graduation: int  # calendar year of (expected) graduation
    final_year: bool  # in their final school year now (graduating in summer)
    graduated: bool
    outcome: str = ""  # Outcome value for graduates (decided with the status)
    counties: list = field(default_factory=list)


def _entry_age(rng, level: str, duration: str, school_type: str) -> int:
    if school_type == SchoolType.OPEN:
        return rng.randint(19, 38)
    if level == EducationLevel.SECONDARY or DURATION_YEARS[duration] == 5:
        return weighted(rng, ((15, 60), (16, 30), (17, 10)))
    return weighted(rng, ((18, 55), (19, 35), (20, 10)))


class Hometowns:
    """Where students come from: a 中职 student mostly from the school's own county, a college student from
    the whole city and the rest of the province."""

    def __init__(self, ctx: Context):
        self.city_counties = list(ctx.counties)
        self.city_pick = Picker(
            self.city_counties,
            [N.AREA_WEIGHTS.get(c.name, N.AREA_WEIGHT_DEFAULT) for c in self.city_counties],
        )
        city_pks = {c.pk for c in self.city_counties}
        self.province = [c for c in ctx.wide_counties if c.pk not in city_pks] or self.city_counties
        self.by_parent: dict[int, list] = defaultdict(list)
        for county in ctx.wide_counties:
            self.by_parent[county.parent_id].append(county)

    def __call__(self, rng, school):
        own = school.county if school.county.level == RegionLevel.COUNTY else None
        local = self.by_parent.get(school.county.parent_id) or self.city_counties
        roll = rng.random()
        if school.school_type in (SchoolType.SECONDARY, SchoolType.TECHNICIAN):
            if own is not None and roll < 0.72:
                return own
            if roll < 0.95:
                return (
                    rng.choice(local)
                    if school.county.parent_id != self.city_counties[0].parent_id
                    else (self.city_pick(rng))
                )
            return rng.choice(self.province)
        if roll < 0.55:
            return (
                self.city_pick(rng)
                if school.county.parent_id == self.city_counties[0].parent_id
                else (rng.choice(local))
            )
        return rng.choice(self.province)


def _outcome_kind(rng, row: StudentRow, further: float) -> str:
    shares = dict(N.OUTCOME_SHARES.get(row.level, N.OUTCOME_SHARES["associate"]))
    shares["further_study"] = further
    rest = 1 - sum(shares.values())
    shares["unemployed"] = max(0.02, rest)
    return weighted(rng, list(shares.items()))


def make_students(ctx: Context) -> None:
    """Students and graduates (``Scale.students``), with 学号, name, gender and birth year (statistics only),
    hometown, grade and dates, status, skills, job preferences, consent and phone; no ID card number. The
    ``demo-student`` account is linked to one final-year student of the demo school. Whoever's graduation
    day is on or before ``as_of`` has graduated; final-year students graduate next (``next_graduation``)."""
    rng = ctx.rng
    cat = catalog(ctx)
    names = NameMaker()
    hometowns = Hometowns(ctx)
    programmes: list[Programme] = ctx.objects["programmes"]
    total = ctx.scale.students
    graduates_total = round(total * 0.28)
    this_year = ctx.current_year
    # Current students by cohort size (in the summer holiday without the class that has just graduated);
    # graduates by the actual graduates of the school years that have ended.
    current = [
        (p, g)
        for p in programmes
        if this_year in p.rows
        for g in p.enrolled_cohorts(this_year)
        if g + p.years_of(g) >= ctx.next_graduation
    ]
    current_counts = apportion(rng, [p.remaining(g, this_year) for p, g in current], total - graduates_total)
    past = [
        (p, year, g)
        for p in programmes
        for year in ctx.major_years
        if ctx.graduated(year) and year in p.rows and p.rows[year].actual_graduates
        for g in p.final_cohorts(year)
        if p.remaining(g, year)
    ]
    past_counts = apportion(
        rng, [p.rows[year].actual_graduates or 0 for p, year, _g in past], graduates_total
    )

    further_by_school = {}
    for school in ctx.schools:
        if school.school_type == SchoolType.TECHNICIAN:
            spread = N.TECHNICIAN_FURTHER_STUDY
            further_by_school[school.code] = rng.uniform(spread - 0.1, spread + 0.1)
        else:  # 中职 schools: on either side of target T1 (40 %)
            further_by_school[school.code] = rng.uniform(*N.SECONDARY_FURTHER_STUDY)

    chain_pick = Picker(
        list(cat.chains),
        [N.CHAIN_WEIGHTS.get(cat.chain_key[c.code], N.CHAIN_WEIGHT_DEFAULT) for c in cat.chains],
    )
    district_names = ("北湖区", "苏仙区")
    favourites = [a for a in ctx.areas if a.name in district_names or "高新" in a.name]

    seq: dict[tuple, int] = defaultdict(int)
    rows: list[StudentRow] = []
    skills_of: list[list[tuple]] = []
    chains_of: list[list] = []

    def add(p: Programme, entry: int, row_year: int, graduated: bool) -> None:
        school = p.school
        major = p.major
        level = major.education_level
        duration = p.durations[entry]
        graduation = entry + DURATION_YEARS[duration]
        final_year = not graduated and graduation == ctx.next_graduation
        seq[(school.code, entry, p.index)] += 1
        female = rng.random() < FEMALE_SHARE.get(p.key, 0.5)
        gender = Gender.FEMALE if female else Gender.MALE
        status = StudentStatus.STUDYING
        row = StudentRow(None, p, level, graduation, final_year, graduated)
        if graduated:
            further = further_by_school[school.code] if level == EducationLevel.SECONDARY else None
            if further is None:
                further = N.OUTCOME_SHARES.get(level, N.OUTCOME_SHARES["associate"])["further_study"]
                further *= rng.uniform(0.7, 1.3)
            row.outcome = _outcome_kind(rng, row, further)
            status = (
                StudentStatus.FURTHER_STUDY
                if row.outcome == Outcome.FURTHER_STUDY
                else StudentStatus.GRADUATED
            )
        elif final_year:
            status = weighted(
                rng, ((StudentStatus.INTERNING, 70), (StudentStatus.STUDYING, 29), (StudentStatus.DROPPED, 1))
            )
        elif rng.random() < 0.015:
            status = StudentStatus.DROPPED
        hometown = hometowns(rng, school)
        years_in = (this_year - entry + 1) if not graduated else DURATION_YEARS[duration]
        salary = None
        if rng.random() < 0.8:
            low, high = {"secondary": (3000, 5000), "associate": (3500, 6500)}.get(level, (4500, 8000))
            salary = round_to(rng.uniform(low, high), 500)
        if final_year or graduated:
            types = [PositionType.FULL_TIME] + (
                [PositionType.INTERNSHIP] if final_year and rng.random() < 0.3 else []
            )
        else:
            types = weighted(
                rng,
                (
                    ([PositionType.INTERNSHIP], 55),
                    ([PositionType.INTERNSHIP, PositionType.APPRENTICESHIP], 25),
                    ([PositionType.ORDER_CLASS], 8),
                    ([], 12),
                ),
            )
        student = Student(
            school=school,
            school_major=p.rows[row_year],
            student_no=f"{entry}{p.index:03d}{seq[(school.code, entry, p.index)]:04d}",
            name=names(rng, gender),
            gender=gender,
            birth_year=entry - _entry_age(rng, level, duration, school.school_type),
            hometown=hometown,
            grade=entry,
            entry_date=min(dt.date(entry, 9, rng.randint(1, 10)), ctx.as_of),  # a new class still arriving
            expected_graduation=dt.date(graduation, *GRADUATION_DAY),
            phone=mobile(rng),
            consent=weighted(rng, ((Consent.FULL, 50), (Consent.DEIDENTIFIED, 30), (Consent.NONE, 20))),
            status=status,
            preferred_position_types=[str(t) for t in types],
            salary_expectation=salary,
        )
        row.student = student
        # Skills: 2-6 of those taught in the major's 专业类, better with every year of study.
        pool = cat.skills_for_major(major)
        chosen = choose(rng, pool, rng.randint(2, 6)) if pool else []
        expert = 0.05 + 0.05 * years_in
        skills_of.append(
            [
                (
                    s,
                    weighted(
                        rng,
                        ((SkillLevel.EXPERT, expert), (SkillLevel.PROFICIENT, 0.5), (SkillLevel.BASIC, 0.45)),
                    ),
                )
                for s in chosen
            ]
        )
        chains = []
        if rng.random() < 0.85:
            chains = choose(rng, p.chains, rng.choice([1, 1, 2])) if p.chains else [chain_pick(rng)]
        chains_of.append(chains)
        counties = []
        if rng.random() < 0.7:
            options = [school.county] + ([hometown] if hometown in ctx.areas else []) + favourites
            options = list(dict.fromkeys(options))
            counties = choose(rng, options, rng.randint(1, 3))
        row.counties = counties
        rows.append(row)

    for (p, g), count in zip(current, current_counts, strict=True):
        for _ in range(count):
            add(p, g, this_year, graduated=False)
    for (p, year, g), count in zip(past, past_counts, strict=True):
        for _ in range(count):
            add(p, g, year, graduated=True)

    _link_demo_student(ctx, rows)
    with ctx.timed("students: search text"):
        indexer = Indexer(Student, tokenizer(ctx))
        for row, skills, chains in zip(rows, skills_of, chains_of, strict=True):
            row.student.search_text = indexer.text(
                row.student, skills=[s for s, _ in skills], preferred_chains=chains
            )
    students = [r.student for r in rows]
    for s in students[:: max(1, len(students) // 200)]:
        s.clean()
    ctx.bulk_create(Student, students, desc="学生")
    ctx.insert_rows(
        StudentSkill,
        ("student", "skill", "level"),
        (
            (row.student.pk, skill.pk, str(level))
            for row, skills in zip(rows, skills_of, strict=True)
            for skill, level in skills
        ),
        desc="学生技能",
    )
    ctx.insert_rows(
        Student.preferred_chains.through,
        link_fields(Student.preferred_chains),
        ((row.student.pk, chain.pk) for row, chains in zip(rows, chains_of, strict=True) for chain in chains),
        desc="学生意向产业链",
    )
    ctx.insert_rows(
        Student.preferred_counties.through,
        link_fields(Student.preferred_counties),
        ((row.student.pk, county.pk) for row in rows for county in row.counties),
        desc="学生意向工作地",
    )
    ctx.objects["students"] = rows


def tokenizer(ctx: Context) -> MemoTokenizer:
    """The run's tokenizer (made by the enterprise step; anew when a run leaves that step out)."""
    if "tokenizer" not in ctx.objects:
        ctx.objects["tokenizer"] = MemoTokenizer(search.get_tokenizer())
    return ctx.objects["tokenizer"]


def _link_demo_student(ctx: Context, rows: list[StudentRow]) -> None:
    """The ``demo-student`` account becomes a final-year student of the demo school: of an equipment major if
    there is one, interning, profile fully visible to enterprises, named as the account."""
    spec = next((a for a in DEMO_ACCOUNTS if a.role == Role.STUDENT), None)
    user = next((u for u in ctx.accounts if spec and u.username == spec.username), None)
    if user is None:
        return
    candidates = [
        r
        for r in rows
        if r.final_year
        and r.student.school.code == ctx.anchors.get("school")
        and r.student.status != StudentStatus.DROPPED
    ]
    if not candidates:
        return
    candidates.sort(key=lambda r: (r.programme.key != N.ANCHOR_CHAIN, r.level != EducationLevel.ASSOCIATE))
    row = candidates[0]
    student = row.student
    student.name = spec.display_name
    student.user = user
    student.status = StudentStatus.INTERNING
    student.consent = Consent.FULL
    student.preferred_position_types = [PositionType.FULL_TIME, PositionType.INTERNSHIP]
    ctx.objects["demo_student"] = row
    ctx.anchors["student"] = f"{student.school.code}/{student.student_no}"


# --- positions -------------------------------------------------------------------------------------------


@dataclass
class PositionRow:
    """A generated posting and the sets the application step matches students against."""

    position: Position
    chain: object
    majors: list
    classes: list
    categories: list
    skills: list  # (skill, required)
    certificates: list  # (certificate, required)
    campaign: str  # "current" (around as_of), "past" (the last hiring season that is over) or "" (not public)
    taken: int = 0  # offers and hires

    @property
    def free(self) -> int:
        return self.position.headcount - self.taken


POSITION_SIZE_WEIGHT = {
    EnterpriseSize.LARGE: 22,
    EnterpriseSize.MEDIUM: 8,
    EnterpriseSize.SMALL: 2.6,
    EnterpriseSize.MICRO: 1,
}
HEADCOUNT = {  # full-time headcount by enterprise size
    EnterpriseSize.LARGE: (3, 20),
    EnterpriseSize.MEDIUM: (2, 8),
    EnterpriseSize.SMALL: (1, 4),
    EnterpriseSize.MICRO: (1, 2),
}
STATUS_WEIGHTS = (
    (PositionStatus.PUBLISHED, 60),
    (PositionStatus.EXPIRED, 13),
    (PositionStatus.CLOSED, 8),
    (PositionStatus.DRAFT, 6),
    (PositionStatus.SUBMITTED, 8),
    (PositionStatus.RETURNED, 5),
)
EDUCATION_LABEL = {
    Education.SECONDARY: "中职（中专、技校）",
    Education.ASSOCIATE: "高职专科",
    Education.VOCATIONAL_BACHELOR: "职业本科",
    Education.BACHELOR: "本科",
}


class WantedMajors:
    """The majors a posting wants: families of majors whose names hold one of the job's words, among the
    chain's 专业类 (all majors for general jobs), at the levels the minimum education admits."""

    def __init__(self, cat: Catalog):
        self.cat = cat
        self.cache: dict = {}

    def groups(self, job: P.Job, chain, education: str) -> list[list]:
        key = (id(job), chain.code if chain else "", education)
        if key in self.cache:
            return self.cache[key]
        levels = LEVELS_FOR_EDUCATION[education]
        classes = set(self.cat.chain_classes.get(chain.code, [])) if chain else None
        found: dict[object, list] = {}
        for major in self.cat.majors:
            if major.education_level not in levels or any(w in major.name for w in M.UNLIKELY):
                continue
            if classes is not None and major.major_class_id not in classes:
                continue
            if any(word in major.name for word in job.majors):
                group = major.family_id or f"m{major.pk}"
                found.setdefault(group, []).append(major)
        groups = list(found.values())
        if not groups and classes:  # nothing by name: the chain's majors at those levels
            for major in self.cat.majors:
                if major.education_level in levels and major.major_class_id in classes:
                    found.setdefault(major.family_id or f"m{major.pk}", []).append(major)
            groups = list(found.values())
        self.cache[key] = groups
        return groups


def _resolve(names_: tuple[str, ...], lookup: dict) -> list:
    return [lookup[n] for n in names_ if n in lookup]


def _certificate(rng, cat: Catalog, name: str, education: str):
    options = cat.certs_by_name.get(name)
    if not options:
        return None
    preferred = "junior" if education == Education.SECONDARY else "intermediate"
    same = [c for c in options if c.level == preferred]
    return rng.choice(same or options)


def _dates(ctx: Context, rng, status: str, past: bool) -> dict:
    """Publication, start and valid-until dates of a posting in a status. Past: the hiring season of the
    latest graduation (from mid-February of that year, over by ``as_of``); otherwise around ``as_of``:
    published ones valid on that day, expired ones not."""
    as_of = ctx.as_of
    if past:
        season = ctx.last_graduation
        published = dt.date(season, 2, 15) + dt.timedelta(days=rng.randint(0, 100))
        until = max(
            published + dt.timedelta(days=30),
            dt.date(season, 5, 31) + dt.timedelta(days=rng.randint(0, 120)),
        )
        until = min(until, as_of - dt.timedelta(days=1))  # seen in the summer holiday: closed by now
        start = min(until, dt.date(season, 7, 1) + dt.timedelta(days=rng.randint(0, 20)))
        start = max(start, published)
        return {"published": published, "start": start, "until": until}
    if status == PositionStatus.EXPIRED:
        until = as_of - dt.timedelta(days=rng.randint(1, 200))
        published = until - dt.timedelta(days=rng.randint(30, 150))
        return {
            "published": published,
            "start": published + dt.timedelta(days=rng.randint(7, 30)),
            "until": until,
        }
    if status in (PositionStatus.PUBLISHED, PositionStatus.CLOSED):
        published = as_of - dt.timedelta(days=rng.randint(2, 140))
    else:
        published = None
    if rng.random() < 0.25:  # 长期招聘
        until = as_of + dt.timedelta(days=rng.randint(240, 620))
    else:
        until = as_of + dt.timedelta(days=rng.randint(25, 180))
    created = published or (as_of - dt.timedelta(days=rng.randint(0, 30)))
    start = max(created + dt.timedelta(days=rng.randint(10, 60)), as_of)
    if rng.random() < 0.4:  # from the next graduation on
        start = max(start, dt.date(ctx.next_graduation, 7, 1))
    start = min(start, until)
    return {"published": published, "start": start, "until": until}


def make_positions(ctx: Context) -> None:
    """Postings (``Scale.positions``) spread over the enterprises by size: a job of the enterprise's chain (a
    general one now and then), with a text in the style of real postings (company, duties, requirements,
    schedule, benefits), wanted majors, required and bonus skills and certificates, minimum education,
    headcount, salary by type and place, dates and a status. The postings of the last hiring season that is
    over (closed or expired; the spring before the latest graduation) are those its graduates were hired
    through."""
    rng = ctx.rng
    cat = catalog(ctx)
    chain_of = chain_of_enterprise(ctx)
    wanted = WantedMajors(cat)
    city = city_short(ctx.city)
    programmes = ctx.objects.get("programmes", [])
    schools_of_chain: dict[str, list] = defaultdict(list)
    for p in programmes:
        for chain in p.chains:
            if p.school not in schools_of_chain[chain.code]:
                schools_of_chain[chain.code].append(p.school)
    anchor = ctx.anchors.get("enterprise")
    weights = []
    for e in ctx.enterprises:
        w = POSITION_SIZE_WEIGHT.get(e.size, 1) * rng.lognormvariate(0, 0.4)
        weights.append(w * 3 if e.credit_code == anchor else w)
    counts = apportion(rng, weights, ctx.scale.positions)
    reviewer_notes = P.RETURN_REASONS

    rows: list[PositionRow] = []
    keys: set[tuple] = set()
    for enterprise, count in zip(ctx.enterprises, counts, strict=True):
        chain = chain_of.get(enterprise.credit_code)
        key = cat.chain_key.get(chain.code, "") if chain else ""
        jobs = P.JOBS.get(key, [])
        county = enterprise.county
        district = is_district(county) or is_zone(county)
        products = industry_words(enterprise.industry)
        for _ in range(count):
            general = not jobs or rng.random() < P.GENERAL_SHARE
            job = rng.choice(P.GENERAL_JOBS if general else jobs)
            job_chain = None if general else chain
            status = weighted(rng, STATUS_WEIGHTS)
            past = status in (PositionStatus.EXPIRED, PositionStatus.CLOSED) and rng.random() < 0.7
            big = enterprise.size in (EnterpriseSize.LARGE, EnterpriseSize.MEDIUM)
            position_type = weighted(
                rng,
                (
                    (PositionType.FULL_TIME, 68),
                    (PositionType.INTERNSHIP, 16),
                    (PositionType.APPRENTICESHIP, 8),
                    (PositionType.ORDER_CLASS, 8 if big and not past else 0),
                ),
            )
            education = job.education
            if education == P.ASSOC and rng.random() < 0.12:
                education = Education.SECONDARY  # small firms take 中职 graduates too
            elif education == P.ASSOC and big and rng.random() < 0.05:
                education = Education.BACHELOR
            title = rng.choice(job.titles)
            if position_type in P.TYPE_TITLES:
                title = rng.choice(P.TYPE_TITLES[position_type]).format(title=title)
            dates = _dates(ctx, rng, status, past)
            # One posting per enterprise, title and valid-until day: move the day, away from as_of (an
            # expired posting stays expired, a published one stays valid).
            tries = 0
            step = dt.timedelta(days=-1 if dates["until"] < ctx.as_of else 1)
            while (enterprise.credit_code, title, dates["until"]) in keys and tries < 20:
                dates["until"] += step
                tries += 1
            dates["start"] = min(dates["start"], dates["until"])
            keys.add((enterprise.credit_code, title, dates["until"]))
            # Wanted majors: one to three families, the first one named like the job's first word
            # (数控 → 数控技术应用 / 数控技术) or exactly one of its words (市场营销) when the catalog has it.
            groups = wanted.groups(job, job_chain, education)
            exact = [g for g in groups if any(m.name in job.majors for m in g)] or sorted(
                (g for g in groups if any(job.majors[0] in m.name for m in g)),
                key=lambda g: min(len(m.name) for m in g),
            )[:2]  # the plainest names: 软件技术 before 工业软件开发技术
            first = [rng.choice(exact)] if exact else []
            others = [g for g in groups if not first or g is not first[0]]
            chosen = first + choose(rng, others, rng.choice([1, 1, 2, 3]) - len(first))
            majors = [m for group in chosen for m in group][:8]
            classes, categories = [], []
            if majors and rng.random() < 0.3:
                classes = list({m.major_class_id: cat.classes[m.major_class_id] for m in majors}.values())
            if majors and rng.random() < 0.05:
                categories = list(
                    {
                        c.category_id: c.category for c in (cat.classes[m.major_class_id] for m in majors)
                    }.values()
                )
            if not majors and job_chain is not None:
                classes = [
                    cat.classes[pk] for pk in choose(rng, cat.chain_classes.get(job_chain.code, []), 2)
                ]
            # Skills and certificates.
            skills = _resolve(job.skills, cat.skill_by_name)
            rng.shuffle(skills)
            required_n = min(len(skills), rng.randint(2, 3))
            skill_rows = [(s, i < required_n) for i, s in enumerate(skills[: required_n + rng.randint(0, 2)])]
            cert_rows = []
            for name in job.certificates:
                cert = _certificate(rng, cat, name, education)
                if cert is not None and rng.random() < 0.7 and all(c.name != cert.name for c, _ in cert_rows):
                    cert_rows.append((cert, rng.random() < 0.15))
            # Pay.
            if position_type == PositionType.FULL_TIME:
                low, high = job.salary
                factor = (1.08 if district else 0.94) * (1.08 if big else 1.0) * rng.uniform(0.92, 1.1)
                salary_min = round_to(low * factor, 100)
                salary_max = max(salary_min + 500, round_to(high * factor, 500))
            else:
                low, high = P.SALARY_BY_TYPE[position_type]
                salary_min = round_to(low * rng.uniform(0.95, 1.1), 100)
                salary_max = max(salary_min + 300, round_to(high * rng.uniform(0.95, 1.1), 100))
            if rng.random() < 0.06:
                salary_min = salary_max = None  # 面议
            if position_type == PositionType.FULL_TIME:
                lo, hi = HEADCOUNT.get(enterprise.size, (1, 3))
                headcount = rng.randint(lo, hi)
            elif position_type == PositionType.ORDER_CLASS:
                headcount = rng.randint(20, 45)
            else:
                headcount = rng.randint(2, 10) if big else rng.randint(1, 4)
            order_school = None
            if position_type == PositionType.ORDER_CLASS:
                options = schools_of_chain.get(job_chain.code if job_chain else "", []) or ctx.schools
                order_school = rng.choice(options)
            description = _describe(
                rng,
                job=job,
                enterprise=enterprise,
                chain_key=key,
                city=city,
                product=rng.choice(products),
                education=education,
                majors=majors,
                classes=classes,
                position_type=position_type,
                order_school=order_school,
                salary=(salary_min, salary_max),
            )
            published_at = None
            if dates["published"] is not None and status not in (
                PositionStatus.DRAFT,
                PositionStatus.SUBMITTED,
                PositionStatus.RETURNED,
            ):
                published_at = at(dates["published"], rng.randint(8, 17), rng.choice([0, 15, 30, 45]))
            created = (published_at or at(ctx.as_of, 9)) - dt.timedelta(
                days=rng.randint(1, 6), hours=rng.randint(0, 6)
            )
            if status in (PositionStatus.DRAFT, PositionStatus.SUBMITTED, PositionStatus.RETURNED):
                created = at(ctx.as_of - dt.timedelta(days=rng.randint(1, 30)), rng.randint(8, 17))
            position = Position(
                enterprise=enterprise,
                title=title,
                description=description,
                position_type=position_type,
                min_education=education,
                headcount=headcount,
                salary_min=salary_min,
                salary_max=salary_max,
                county=county,
                start_date=dates["start"],
                valid_until=dates["until"],
                status=status,
                review_note=rng.choice(reviewer_notes) if status == PositionStatus.RETURNED else "",
                published_at=published_at,
                created_at=created,
                updated_at=max(created, published_at or created),
            )
            position.clean()
            campaign = ""
            if status in (PositionStatus.PUBLISHED, PositionStatus.CLOSED, PositionStatus.EXPIRED):
                campaign = "past" if past else "current"
            rows.append(
                PositionRow(
                    position, job_chain or chain, majors, classes, categories, skill_rows, cert_rows, campaign
                )
            )
    with ctx.timed("positions: search text"):
        indexer = Indexer(Position, tokenizer(ctx))
        for r in rows:
            r.position.search_text = indexer.text(
                r.position,
                skills=[s for s, _ in r.skills],
                majors=r.majors,
                major_classes=r.classes,
                certificates=[c for c, _ in r.certificates],
            )
    ctx.bulk_create(
        Position, [r.position for r in rows], desc="岗位", keep_timestamps=("created_at", "updated_at")
    )
    for relation, attr in (
        (Position.majors, "majors"),
        (Position.major_classes, "classes"),
        (Position.major_categories, "categories"),
    ):
        ctx.insert_rows(
            relation.through,
            link_fields(relation),
            ((r.position.pk, obj.pk) for r in rows for obj in getattr(r, attr)),
            desc=f"岗位{relation.field.verbose_name}",
        )
    ctx.insert_rows(
        PositionSkill,
        ("position", "skill", "required"),
        ((r.position.pk, s.pk, req) for r in rows for s, req in r.skills),
        desc="岗位技能要求",
    )
    ctx.insert_rows(
        PositionCertificate,
        ("position", "certificate", "required"),
        ((r.position.pk, c.pk, req) for r in rows for c, req in r.certificates),
        desc="岗位证书要求",
    )
    ctx.objects["positions"] = rows


def _describe(
    rng,
    *,
    job: P.Job,
    enterprise,
    chain_key: str,
    city: str,
    product: str,
    education: str,
    majors: list,
    classes: list,
    position_type: str,
    order_school,
    salary: tuple,
) -> str:
    county = enterprise.county.name
    slots = {"county": county, "city": city, "product": product}
    industry = enterprise.industry.name.removeprefix("其他")
    intro = rng.choice(P.INTROS.get(chain_key) or P.INTROS[""]).format(
        enterprise=enterprise.name, industry=industry, county=county, city=city
    )
    duties = choose(rng, list(job.duties), min(len(job.duties), rng.randint(3, 4)))
    wanted = list(dict.fromkeys(m.name for m in majors))[:3] or [c.name for c in classes][:2]
    field_line = f"{EDUCATION_LABEL[education]}及以上学历"
    if wanted:
        field_line += f"，{'、'.join(wanted)}等相关专业"
    requirements = [field_line, *job.requirements]
    if position_type != PositionType.FULL_TIME:
        requirements.append("在校生、应届毕业生均可")
    lines = [f"公司简介：{intro}", "岗位职责："]
    lines += [f"{n}. {text.format(**slots)}；" for n, text in enumerate(duties, 1)]
    lines.append("任职要求：")
    lines += [f"{n}. {text.format(**slots)}；" for n, text in enumerate(requirements, 1)]
    if position_type in P.TYPE_LINES:
        school = order_school.name if order_school is not None else "合作院校"
        lines.append(
            rng.choice(P.TYPE_LINES[position_type]).format(months=rng.choice([3, 6, 6, 12]), school=school)
        )
    benefits = choose(rng, list(P.BENEFITS), rng.randint(3, 5)) + choose(
        rng, list(P.BENEFITS_BY_SCHEDULE.get(job.schedule, ())), 1
    )
    low, high = salary
    pay = f"{low}-{high}元/月" if low else "面议"
    kind = "实习补贴" if position_type == PositionType.INTERNSHIP else "薪资待遇"
    lines.append(f"{kind}：{pay}；{'、'.join(benefits)}。")
    lines.append(f"工作时间：{rng.choice(P.SCHEDULES[job.schedule])}。")
    lines.append(f"工作地点：{county}。")
    return "\n".join(lines)


# --- graduate outcomes -----------------------------------------------------------------------------------


class PositionIndex:
    """Postings of a campaign by what they want: a major, a major family, a 专业类, a chain."""

    def __init__(self, rows: list[PositionRow]):
        self.by_major: dict[int, list] = defaultdict(list)
        self.by_family: dict[int, list] = defaultdict(list)
        self.by_class: dict[int, list] = defaultdict(list)
        self.by_chain: dict[str, list] = defaultdict(list)
        for r in rows:
            for m in r.majors:
                self.by_major[m.pk].append(r)
                if m.family_id:
                    self.by_family[m.family_id].append(r)
            for c in r.classes:
                self.by_class[c.pk].append(r)
            if r.chain is not None:
                self.by_chain[r.chain.code].append(r)

    def fitting(self, row: StudentRow) -> tuple[list, bool]:
        """Postings that want the student's major (or its family or class), else of the major's chains;
        and whether they want the major (not just the chain)."""
        major = row.programme.major
        rank = RANK[EDUCATION_OF_LEVEL[row.level]]
        for bucket in (
            self.by_major.get(major.pk),
            self.by_family.get(major.family_id) if major.family_id else None,
            self.by_class.get(major.major_class_id),
        ):
            found = [r for r in bucket or [] if RANK[r.position.min_education] <= rank]
            if found:
                return found, True
        found = [
            r
            for chain in row.programme.chains
            for r in self.by_chain.get(chain.code, [])
            if RANK[r.position.min_education] <= rank
        ]
        return found, False


def related(row: StudentRow, pr: PositionRow) -> bool | None:
    """As ``enterprises.services`` decides it for a hire: the posting wants the major, its class or its
    category; unknown when it names none."""
    if not (pr.majors or pr.classes or pr.categories):
        return None
    major = row.programme.major
    return (
        any(m.pk == major.pk for m in pr.majors)
        or any(c.pk == major.major_class_id for c in pr.classes)
        or any(c.pk == major.major_class.category_id for c in pr.categories)
    )


def outside_employer(rng) -> str:
    city, words = rng.choice(P.OUTSIDE_EMPLOYERS)
    return f"{city}{trade_name(rng)}{rng.choice(words)}有限公司"


def make_outcomes(ctx: Context) -> None:
    """One outcome per graduate and graduation year: employed (in the city ~55-75 % per school, related to
    the major ~62-82 %), 升学 (most 中职 graduates who go on: target T1), 参军, 自主创业 or 待就业. Only
    those whose graduation day is on or before ``as_of`` have one. A third or so of the latest graduates
    (``last_graduation``) employed in the city were hired through a posting of that spring: their outcome
    names that enterprise (source: hire record) and the application step records the hire."""
    rng = ctx.rng
    rows: list[StudentRow] = [r for r in ctx.objects["students"] if r.graduated]
    positions: list[PositionRow] = ctx.objects["positions"]
    past = PositionIndex(
        [p for p in positions if p.campaign == "past" and p.position.position_type != PositionType.INTERNSHIP]
    )
    chain_of = chain_of_enterprise(ctx)
    local_by_chain: dict[str, list] = defaultdict(list)
    local = []
    for e in ctx.enterprises:
        if in_city(ctx, e.county):
            local.append(e)
            chain = chain_of.get(e.credit_code)
            local_by_chain[chain.code if chain else ""].append(e)
    in_city_share = {s.code: rng.uniform(*N.EMPLOYED_IN_CITY) for s in ctx.schools}
    related_share = {s.code: rng.uniform(*N.RELATED_TO_MAJOR) for s in ctx.schools}
    hires: list[tuple[StudentRow, PositionRow]] = []
    outcomes = []
    for row in rows:
        student = row.student
        values = {"student": student, "year": row.graduation, "outcome": row.outcome}
        school = student.school.code
        if row.outcome == Outcome.EMPLOYED:
            if rng.random() < in_city_share[school] and local:
                hired = None
                if row.graduation == ctx.last_graduation and rng.random() < 0.4:
                    fitting, _ = past.fitting(row)
                    fitting = [p for p in fitting if p.free > 0]
                    if fitting:
                        hired = rng.choice(fitting)
                if hired is not None:
                    hired.taken += 1
                    hires.append((row, hired))
                    values.update(
                        enterprise=hired.position.enterprise,
                        employer_name=hired.position.enterprise.name,
                        in_city=in_city(ctx, hired.position.county),
                        related_to_major=related(row, hired),
                        source=OutcomeSource.HIRE_RECORD,
                    )
                else:
                    # Related work: an enterprise of the major's chains (any, for majors outside the chains:
                    # an accountant works anywhere); unrelated: one of the other chains.
                    is_related = rng.random() < related_share[school]
                    own = [c.code for c in row.programme.chains]
                    if is_related:
                        pool = [e for code in own for e in local_by_chain.get(code, [])]
                    else:
                        pool = [e for code, es in local_by_chain.items() if code not in own for e in es]
                    enterprise = rng.choice(pool or local)
                    values.update(
                        enterprise=enterprise,
                        employer_name=enterprise.name,
                        in_city=True,
                        related_to_major=is_related,
                    )
            else:
                values.update(
                    employer_name=outside_employer(rng),
                    in_city=False,
                    related_to_major=rng.random() < related_share[school],
                )
        elif row.outcome == Outcome.FURTHER_STUDY:
            values["further_level"] = weighted(
                rng, N.FURTHER_LEVELS.get(row.level, N.FURTHER_LEVELS["associate"])
            )
        elif row.outcome == Outcome.ENTREPRENEURSHIP and rng.random() < 0.6:
            place = county_short(student.hometown) if student.hometown else city_short(ctx.city)
            kind = rng.choice(
                ["电子商务工作室", "农业专业合作社", "汽车维修服务部", "文化传媒工作室", "餐饮店", "家庭农场"]
            )
            values.update(employer_name=f"{place}{trade_name(rng)}{kind}", in_city=rng.random() < 0.7)
        outcome = GraduateOutcome(**values)
        outcome.clean()
        outcomes.append(outcome)
    ctx.bulk_create(GraduateOutcome, outcomes, desc="毕业去向")
    ctx.objects["hires"] = hires


# --- applications ----------------------------------------------------------------------------------------

PIPELINE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFERED,
    ApplicationStatus.ONBOARDED,
)
CURRENT_STATUS = (
    (ApplicationStatus.SUBMITTED, 28),
    (ApplicationStatus.SCREENING, 18),
    (ApplicationStatus.INTERVIEW, 18),
    (ApplicationStatus.OFFERED, 12),
    (ApplicationStatus.ONBOARDED, 4),
    (ApplicationStatus.REJECTED, 14),
    (ApplicationStatus.WITHDRAWN, 6),
)
EVENT_NOTES = {
    ApplicationStatus.INTERVIEW: (
        "请于{day}上午9:00到公司人力资源部参加面试。",
        "已安排线上视频面试，时间{day}。",
        "",
    ),
    ApplicationStatus.OFFERED: (
        "恭喜通过面试，请于{day}前确认录用意向。",
        "录用通知已发送，请按时报到。",
        "",
    ),
    ApplicationStatus.ONBOARDED: ("已办理入职手续。", "已报到，安排师傅带教。", ""),
    ApplicationStatus.REJECTED: (
        "岗位已招满，感谢关注。",
        "专业方向与岗位要求差距较大。",
        "综合评估后暂不匹配。",
        "",
    ),
    ApplicationStatus.WITHDRAWN: ("已接受其他单位录用。", "个人原因，放弃应聘。", ""),
    ApplicationStatus.SCREENING: ("", ""),
}


def _path(rng, final: str) -> list[str]:
    """The statuses an application went through to ``final``: the enterprise may skip screening or the
    interview (never the offer before onboarding)."""
    if final in PIPELINE:
        path = list(PIPELINE[: PIPELINE.index(final) + 1])
    else:
        stop = weighted(
            rng, ((1, 40), (2, 30), (3, 25), (4, 5 if final == ApplicationStatus.WITHDRAWN else 0))
        )
        path = [*PIPELINE[:stop], final]
    return [
        s
        for i, s in enumerate(path)
        if not (0 < i < len(path) - 1 and s == ApplicationStatus.SCREENING and rng.random() < 0.3)
        and not (0 < i < len(path) - 1 and s == ApplicationStatus.INTERVIEW and rng.random() < 0.1)
    ]


def make_applications(ctx: Context) -> None:
    """Applications with their timelines: the hires of the outcome step (onboarded after the latest
    graduation) and other latest graduates' unsuccessful applications in that spring; in the weeks before
    ``as_of``, final-year students applying to published postings that fit their major (one to four each),
    and some younger students to internships. Offers and hires never exceed a posting's headcount; nothing
    happens on ``as_of`` or later."""
    rng = ctx.rng
    positions: list[PositionRow] = ctx.objects["positions"]
    students: list[StudentRow] = ctx.objects["students"]
    hires: list[tuple] = ctx.objects.get("hires", [])
    users = {u.username: u for u in ctx.accounts}
    hr = next((users.get(a.username) for a in DEMO_ACCOUNTS if a.role == Role.ENTERPRISE_HR), None)
    student_user = next((users.get(a.username) for a in DEMO_ACCOUNTS if a.role == Role.STUDENT), None)
    anchor = ctx.anchors.get("enterprise")
    demo = ctx.objects.get("demo_student")
    past = PositionIndex([p for p in positions if p.campaign == "past"])
    current_rows = [
        p for p in positions if p.campaign == "current" and p.position.status == PositionStatus.PUBLISHED
    ]
    current = PositionIndex(current_rows)
    anchor_rows = [p for p in current_rows if p.position.enterprise.credit_code == anchor]
    if demo is not None:
        rank = RANK[EDUCATION_OF_LEVEL[demo.level]]
        anchor_rows = [p for p in anchor_rows if RANK[p.position.min_education] <= rank]

    applications: list[Application] = []
    timelines: list[list[tuple]] = []
    seen: set[tuple[str, str, int]] = set()

    def key(row, pr):
        s, p = row.student, pr.position
        return (s.school.code, s.student_no, id(p))

    def apply(
        row: StudentRow,
        pr: PositionRow,
        final: str,
        start: dt.date,
        end: dt.date,
        last_day: dt.date | None = None,
    ) -> None:
        k = key(row, pr)
        if k in seen:
            return
        seen.add(k)
        path = _path(rng, final)
        day = start
        events = []
        last = None
        closing = at(end, 23, 59)  # several steps on the last day: still on that day
        for status in path:
            when = at(day, rng.randint(8, 20), rng.randint(0, 59))
            if last is not None and when <= last:  # two steps on one day: in order
                when = min(last + dt.timedelta(minutes=rng.randint(20, 180)), closing)
            last = when
            note_options = EVENT_NOTES.get(status, ("",))
            then = day + dt.timedelta(days=rng.randint(2, 6))
            note = rng.choice(note_options).format(day=f"{then.month}月{then.day}日")
            events.append((status, when, note))
            day = min(end, day + dt.timedelta(days=rng.randint(1, 12)))
        if last_day is not None and events[-1][1].date() < last_day:  # onboarding after graduation
            events[-1] = (events[-1][0], at(last_day, rng.randint(8, 11)), events[-1][2])
        school = row.student.school.name
        note = rng.choice(P.NOTES).format(
            school=school, major=row.programme.major.name, title=pr.position.title
        )
        created, updated = events[0][1], events[-1][1]
        applications.append(
            Application(
                student=row.student,
                position=pr.position,
                status=final,
                note=note,
                created_at=created,
                updated_at=updated,
            )
        )
        timelines.append([(pr, row, *e) for e in events])

    # The spring of the latest graduation: the hires the outcomes name, and applications that led nowhere.
    season = ctx.last_graduation
    for row, pr in hires:
        start = (
            max(pr.position.published_at.date(), dt.date(season, 3, 1))
            if pr.position.published_at
            else dt.date(season, 3, 10)
        )
        onboard = min(dt.date(row.graduation, 7, rng.randint(1, 15)), ctx.as_of - dt.timedelta(days=1))
        apply(row, pr, ApplicationStatus.ONBOARDED, start, dt.date(row.graduation, 6, 20), last_day=onboard)
    for row in students:
        if row.graduated and row.graduation == season and rng.random() < 0.35:
            fitting, _ = past.fitting(row)
            for pr in choose(rng, fitting, rng.choice([1, 1, 2])):
                final = weighted(rng, ((ApplicationStatus.REJECTED, 70), (ApplicationStatus.WITHDRAWN, 30)))
                published = pr.position.published_at
                start = published.date() if published else dt.date(season, 3, 10)
                apply(row, pr, final, start, pr.position.valid_until)

    # The weeks before as_of, up to the day before: the data shows the morning of as_of (by default today,
    # so that nothing has happened later in the day yet).
    as_of = ctx.as_of
    eve = as_of - dt.timedelta(days=1)
    window_start = as_of - dt.timedelta(days=75)
    for row in students:
        student = row.student
        if row.graduated or student.status == StudentStatus.DROPPED:
            continue
        is_demo = demo is not None and row is demo
        if row.final_year:
            if not is_demo and rng.random() >= 0.65:
                continue
            fitting, _ = current.fitting(row)
            count = 3 if is_demo else weighted(rng, ((1, 40), (2, 30), (3, 20), (4, 10)))
            if is_demo and anchor_rows:
                fitting = anchor_rows[:2] + fitting
        elif ctx.current_year - student.grade >= 1 and rng.random() < 0.12:
            fitting, _ = current.fitting(row)
            fitting = [p for p in fitting if p.position.position_type != PositionType.FULL_TIME]
            count = 1
        else:
            continue
        if not fitting:
            continue
        if row.counties and rng.random() < 0.7:
            near = [p for p in fitting if p.position.county in row.counties]
            fitting = near or fitting
        chosen = (fitting[:count] if is_demo else []) or [rng.choice(fitting) for _ in range(count)]
        hired = False
        for pr in chosen:
            final = weighted(rng, CURRENT_STATUS)
            if is_demo:
                final = weighted(rng, ((ApplicationStatus.SUBMITTED, 1), (ApplicationStatus.INTERVIEW, 1)))
            if final == ApplicationStatus.ONBOARDED and pr.position.position_type == PositionType.FULL_TIME:
                final = ApplicationStatus.OFFERED  # full-time jobs start after graduation
            if final in (ApplicationStatus.OFFERED, ApplicationStatus.ONBOARDED):
                if hired or pr.free <= 0:
                    final = ApplicationStatus.INTERVIEW if pr.free > 0 else ApplicationStatus.REJECTED
                else:
                    pr.taken += 1
                    hired = True
            published = pr.position.published_at.date() if pr.position.published_at else window_start
            start = max(published, window_start) + dt.timedelta(days=rng.randint(0, 20))
            apply(row, pr, final, min(start, eve), eve)

    ctx.bulk_create(Application, applications, desc="求职申请", keep_timestamps=("created_at", "updated_at"))
    anchor_hr = hr if hr is not None and hr.enterprise_id else None
    ctx.insert_rows(
        ApplicationEvent,
        ("application", "time", "from_status", "to_status", "actor", "note"),
        (
            (
                application.pk,
                when,
                str(previous),
                str(status),
                _event_actor(
                    status, row, pr, demo=demo, student_user=student_user, hr=anchor_hr, anchor=anchor
                ),
                note,
            )
            for application, events in zip(applications, timelines, strict=True)
            for previous, (pr, row, status, when, note) in zip(
                [""] + [e[2] for e in events[:-1]], events, strict=True
            )
        ),
        desc="申请进展",
    )


def _event_actor(status, row, pr, *, demo, student_user, hr, anchor) -> int | None:
    """Who took a step: the demo student submits their own applications, the demo enterprise's HR account
    takes its enterprise's steps; other steps have no account (generated people have none)."""
    if status == ApplicationStatus.SUBMITTED:
        return student_user.pk if student_user is not None and demo is not None and row is demo else None
    if (
        hr is not None
        and status != ApplicationStatus.WITHDRAWN
        and pr.position.enterprise.credit_code == anchor
    ):
        return hr.pk
    return None
