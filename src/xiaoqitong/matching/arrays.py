"""The matching engine's input arrays, read from the database.

:func:`build_catalog` turns the reference catalogs into the engine's :class:`~.engine.Catalog` and keeps the
dense id of every record (:class:`IdMap`, on the returned :class:`CatalogData`), so that results and
explanations map back to primary keys. :func:`position_arrays` and :func:`student_arrays` then read
positions and students with those ids. The engine itself (``engine.py``) knows nothing of Django.

Choices made here (docs/design/matching.md explains what each engine field means):

* **Dense ids** follow a stable order: majors, 专业类, 专业大类, certificates and county-level units by code,
  major families by key, industry chains by code, skills by primary key (they have no code).
* **Counties** are the city's county-level units and parks (regions of level 县级 or 园区 whose code starts
  with that of ``settings.XQT_CITY_CODE``): each is a dense row over all positions in the engine, so the
  country's ~3,000 would cost 12 KB per position (600 MB at 50,000 positions) for nothing. A workplace or
  home county outside the city has no id (-1): no county bonus; 留郴 still knows it is outside.
* **Industry-chain links**: the catalogs link chains to 专业类 (``chain_major_classes``), with no finer
  “link” inside a chain, so the engine's links are the chains themselves: a major supplies every chain its
  专业类 is linked to. A position's chain (and link) is the chain of its enterprise's industry: the chain
  whose industry code is the longest prefix of it (ties: the chain's sort order, then its code).
* **Text**: one vocabulary of token strings from ``core.search.get_tokenizer()``. The tokens of catalog
  item names (majors; skills with their synonyms, so that “PLC编程” finds “可编程控制器”; certificates) get
  ids ``0..V-1`` in sorted order, which depends only on the catalog and the dictionary, so the catalog
  fingerprint is stable across processes. A position's text is its title, description and skill names;
  its tokens outside the vocabulary all get the id ``V``: they cannot be in a query and only count for the
  document length.
* **Education**: the scale is the positions' ``Education`` choices in order (中职 0, 高职专科 1, 职业本科 2,
  本科 3). A student's level is that of its major in the catalog (中职, 高职专科 or 职业本科).
* **Salary buckets**: 1,000-yuan steps of monthly pay: bucket 0 below 3,000 yuan (2,000-2,999 and less),
  bucket ``b`` from ``2,000 + 1,000·b`` yuan, bucket 13 at 15,000 and more (14 buckets). A position's
  bucket is that of its upper pay (its lower pay when it gives no upper one), a student's that of its
  expectation: a position in the same bucket or higher meets it.
* **Days** count from 1970-01-01 (:func:`day_number`).
* **Availability and start dates**: the date filter only concerns full-time positions. A full-time
  position starts on its start date, or today when it has none or has already started. Internships,
  apprenticeships and 订单班 are meant for students still in school, so they get :data:`OPEN_DAY` (the
  last day there is) and no student is filtered out by date. A student who has graduated is available
  today; one in school (在读, 实习) from its expected graduation date, or when none is recorded from June 30
  of its entry year plus the length of its programme (学制), and at the earliest today.
* **Who is matched by default**: positions open to students on the given day (published, valid until that
  day or later); students in school (在读, 实习) and graduates (毕业) who have no recorded outcome other than
  待就业 (those employed, studying further, in the army or self-employed are not looking).
* **Home county and 留郴**: the home county is the student's 生源地 (a township counts as its county). A
  student wants to stay in the city (留郴) when every preferred workplace lies in the city
  (``settings.XQT_CITY_CODE``), or when it named none. A position is in the city when its workplace is.
* Students have no certificates in the database yet: their certificate matrix is empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiaoqitong.core.search import Tokenizer, get_tokenizer
from xiaoqitong.enterprises.choices import EDUCATION_ORDER, Education, Outcome, PositionStatus
from xiaoqitong.enterprises.models import GraduateOutcome, Position, PositionCertificate, PositionSkill
from xiaoqitong.reference.choices import EducationLevel, RegionLevel
from xiaoqitong.reference.models import (
    Certificate,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
    city_prefix,
)
from xiaoqitong.schools.choices import Duration, PositionType, StudentStatus
from xiaoqitong.schools.models import SchoolMajor, Student, StudentSkill

from .engine import Catalog, PositionArrays, Ragged, StudentArrays, set_matrix

__all__ = [
    "EDUCATION_LEVELS",
    "N_SALARY_BUCKETS",
    "OPEN_DAY",
    "POSITION_TYPES",
    "CatalogData",
    "IdMap",
    "build_catalog",
    "day_number",
    "matchable_students",
    "open_positions_on",
    "position_arrays",
    "salary_bucket",
    "school_major_arrays",
    "student_arrays",
]

EPOCH = dt.date(1970, 1, 1)
#: The education scale of positions and students, lowest first.
EDUCATION_LEVELS: tuple[str, ...] = tuple(str(level) for level in EDUCATION_ORDER)
#: A student's education: the level of its major in the catalog, on the positions' scale.
STUDENT_EDUCATION = {
    EducationLevel.SECONDARY: EDUCATION_LEVELS.index(Education.SECONDARY),
    EducationLevel.ASSOCIATE: EDUCATION_LEVELS.index(Education.ASSOCIATE),
    EducationLevel.BACHELOR: EDUCATION_LEVELS.index(Education.VOCATIONAL_BACHELOR),
}
POSITION_TYPES: tuple[str, ...] = tuple(PositionType.values)
#: Position types open to students still in school: no date filter.
IN_SCHOOL_TYPES = frozenset({PositionType.INTERNSHIP, PositionType.APPRENTICESHIP, PositionType.ORDER_CLASS})
SALARY_FLOOR = 2_000
SALARY_STEP = 1_000
N_SALARY_BUCKETS = 14  # up to 15,000 yuan and more
#: Years of study of each 学制 (for students without an expected graduation date).
DURATION_YEARS = {
    Duration.THREE_YEAR: 3,
    Duration.FIVE_YEAR: 5,
    Duration.THREE_PLUS_TWO: 5,
    Duration.FIVE_PLUS_ZERO: 5,
    Duration.TWO_YEAR: 2,
    Duration.FOUR_YEAR: 4,
}
IN_SCHOOL = (StudentStatus.STUDYING, StudentStatus.INTERNING)
#: Outcomes of graduates who are no longer looking for a position.
SETTLED_OUTCOMES = (Outcome.EMPLOYED, Outcome.FURTHER_STUDY, Outcome.MILITARY, Outcome.ENTREPRENEURSHIP)
BATCH = 1000  # rows per query of related records (SQLite accepts far more parameters)


def _batched(items: Sequence, size: int):
    """Consecutive slices of ``items`` of at most ``size`` (itertools.batched is Python 3.12+)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the engine's ``start_day`` and ``avail_day``."""
    return day.toordinal() - EPOCH.toordinal()


#: The start day of positions open to everyone whatever their availability (the last day there is).
OPEN_DAY = day_number(dt.date.max)


def salary_bucket(yuan: int | None) -> int:
    """The salary bucket of a monthly pay in yuan (-1 for none): 1,000-yuan steps from 2,000 to 15,000+."""
    if yuan is None:
        return -1
    return int(min(max((yuan - SALARY_FLOOR) // SALARY_STEP, 0), N_SALARY_BUCKETS - 1))


class IdMap:
    """Dense ids ``0..n-1`` for database keys (primary keys or choice values), in a fixed order."""

    __slots__ = ("_index", "keys")

    def __init__(self, keys: Iterable) -> None:
        self.keys = tuple(keys)
        self._index = {key: i for i, key in enumerate(self.keys)}
        if len(self._index) != len(self.keys):
            raise ValueError("IdMap keys must be unique")

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key) -> bool:
        return key in self._index

    def id(self, key) -> int:
        """The dense id of ``key``, -1 when it has none."""
        return self._index.get(key, -1)

    def ids(self, keys: Iterable) -> list[int]:
        """The dense ids of the known ``keys``, in order (unknown keys are left out)."""
        index = self._index
        return [index[key] for key in keys if key in index]

    def key(self, i: int):
        return self.keys[int(i)]

    def keys_of(self, ids: Iterable[int]) -> list:
        return [self.keys[int(i)] for i in ids]


@dataclasses.dataclass(frozen=True, eq=False)
class CatalogData:
    """The engine's catalog and the maps between its dense ids and the database."""

    catalog: Catalog
    majors: IdMap  # Major pks, by code
    major_classes: IdMap  # MajorClass pks, by code
    major_categories: IdMap  # MajorCategory pks, by code
    families: IdMap  # MajorFamily pks, by key
    chains: IdMap  # IndustryChain pks, by code; also the engine's links
    skills: IdMap  # Skill pks, by pk
    certificates: IdMap  # Certificate pks, by code
    counties: IdMap  # Region pks of the city's county-level units and parks, by code
    education: IdMap  # Education values, lowest first
    position_types: IdMap  # PositionType values
    vocabulary: dict[str, int]  # catalog-name token -> id; every other token is len(vocabulary)
    skill_names: tuple[str, ...]  # by dense skill id
    chain_industries: tuple[tuple[str, int, int, str], ...]  # (industry code, chain id, sort order, code)
    tokenizer: Tokenizer = dataclasses.field(repr=False)

    def token_ids(self, text: str) -> list[int]:
        """Token ids of a text: the vocabulary's, and ``len(vocabulary)`` for any other token."""
        other = len(self.vocabulary)
        vocabulary = self.vocabulary
        return [vocabulary.get(token, other) for token in self.tokenizer.tokens(text)]

    def chain_of_industry(self, code: str | None) -> int:
        """The dense chain id of an industry code (GB/T 4754 with its section letter), -1 for none."""
        if not code:
            return -1
        best = None
        for prefix, chain, order, chain_code in self.chain_industries:
            if code.startswith(prefix):
                rank = (-len(prefix), order, chain_code)
                if best is None or rank < best[0]:
                    best = (rank, chain)
        return -1 if best is None else best[1]


def _item_tokens(tokenizer: Tokenizer, names: Sequence[Sequence[str]]) -> list[list[str]]:
    """The distinct tokens of each item's names, in order of appearance."""
    out = []
    for item in names:
        tokens: dict[str, None] = {}
        for name in item:
            tokens.update(dict.fromkeys(tokenizer.tokens(name or "")))
        out.append(list(tokens))
    return out


def build_catalog(tokenizer: Tokenizer | None = None) -> CatalogData:
    """Read the reference catalogs into the engine's :class:`Catalog`, with the id maps."""
    tokenizer = tokenizer or get_tokenizer()
    majors_rows = list(
        Major.objects.order_by("code").values_list("pk", "name", "major_class_id", "family_id")
    )
    class_rows = list(MajorClass.objects.order_by("code").values_list("pk", "category_id"))
    majors = IdMap(row[0] for row in majors_rows)
    classes = IdMap(row[0] for row in class_rows)
    categories = IdMap(MajorCategory.objects.order_by("code").values_list("pk", flat=True))
    families = IdMap(MajorFamily.objects.order_by("key").values_list("pk", flat=True))
    chain_rows = list(IndustryChain.objects.order_by("code").values_list("pk", "sort_order", "code"))
    chains = IdMap(row[0] for row in chain_rows)
    skill_rows = list(Skill.objects.order_by("pk").values_list("pk", "name", "synonyms"))
    skills = IdMap(row[0] for row in skill_rows)
    cert_rows = list(Certificate.objects.order_by("code").values_list("pk", "name"))
    certificates = IdMap(row[0] for row in cert_rows)
    counties = IdMap(
        Region.objects.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.PARK], code__startswith=city_prefix()
        )
        .order_by("code")
        .values_list("pk", flat=True)
    )

    major_class = np.array([classes.id(row[2]) for row in majors_rows], np.int64)
    class_category = np.array([categories.id(row[1]) for row in class_rows], np.int64)
    major_family = np.array([families.id(row[3]) for row in majors_rows], np.int64)

    chains_of_class: dict[int, list[int]] = defaultdict(list)
    for chain_pk, class_pk in IndustryChain.major_classes.through.objects.values_list(
        "industrychain_id", "majorclass_id"
    ):
        chains_of_class[classes.id(class_pk)].append(chains.id(chain_pk))
    major_links = set_matrix((chains_of_class.get(c, ()) for c in major_class.tolist()), len(chains))

    sort_order = {row[0]: (row[1], row[2]) for row in chain_rows}
    chain_industries = tuple(
        sorted(
            (code, chains.id(chain_pk), *sort_order[chain_pk])
            for chain_pk, code in IndustryChain.industries.through.objects.values_list(
                "industrychain_id", "industry__code"
            )
        )
    )

    major_words = _item_tokens(tokenizer, [[row[1]] for row in majors_rows])
    skill_words = _item_tokens(tokenizer, [[row[1], *(row[2] or [])] for row in skill_rows])
    cert_words = _item_tokens(tokenizer, [[row[1]] for row in cert_rows])
    words = sorted({w for items in (major_words, skill_words, cert_words) for item in items for w in item})
    vocabulary = {word: i for i, word in enumerate(words)}

    def ids(items):
        return [[vocabulary[w] for w in item] for item in items]

    catalog = Catalog(
        major_class=major_class,
        class_category=class_category,
        major_family=major_family,
        major_links=major_links,
        major_tokens=Ragged.from_lists(ids(major_words)),
        skill_tokens=Ragged.from_lists(ids(skill_words)),
        cert_tokens=Ragged.from_lists(ids(cert_words)),
        n_categories=len(categories),
        n_families=len(families),
        n_chains=len(chains),
        n_counties=len(counties),
        n_position_types=len(POSITION_TYPES),
        n_salary_buckets=N_SALARY_BUCKETS,
        n_education_levels=len(EDUCATION_LEVELS),
    )
    return CatalogData(
        catalog=catalog,
        majors=majors,
        major_classes=classes,
        major_categories=categories,
        families=families,
        chains=chains,
        skills=skills,
        certificates=certificates,
        counties=counties,
        education=IdMap(EDUCATION_LEVELS),
        position_types=IdMap(POSITION_TYPES),
        vocabulary=vocabulary,
        skill_names=tuple(row[1] for row in skill_rows),
        chain_industries=chain_industries,
        tokenizer=tokenizer,
    )


# ----------------------------------------------------------------------------------------------------------
# Who is matched
# ----------------------------------------------------------------------------------------------------------
def open_positions_on(day: dt.date | None = None) -> QuerySet:
    """Positions open to students on ``day`` (default today): published and valid until that day or later."""
    day = day or timezone.localdate()
    return Position.objects.filter(status=PositionStatus.PUBLISHED, valid_until__gte=day)


def matchable_students() -> QuerySet:
    """Students looking for a position: in school (在读, 实习), or graduated (毕业) without an outcome
    other than 待就业."""
    settled = GraduateOutcome.objects.filter(outcome__in=SETTLED_OUTCOMES).values("student_id")
    return Student.objects.filter(
        Q(status__in=IN_SCHOOL) | (Q(status=StudentStatus.GRADUATED) & ~Q(pk__in=settled))
    )


def _pairs(rows: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for owner, item in rows:
        out[owner].append(item)
    return out


# ----------------------------------------------------------------------------------------------------------
# Positions
# ----------------------------------------------------------------------------------------------------------
def position_arrays(
    data: CatalogData,
    positions: QuerySet | None = None,
    *,
    on: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PositionArrays:
    """The engine's arrays of ``positions`` (default: those open on ``on``, default today), ordered by pk.

    ``ids`` are the primary keys. ``progress(done, total)`` is called after each batch of positions.
    """
    on = on or timezone.localdate()
    qs = open_positions_on(on) if positions is None else positions
    pks = list(qs.order_by("pk").values_list("pk", flat=True))
    today, prefix = day_number(on), city_prefix()
    columns: dict[str, list] = defaultdict(list)
    wanted, req_skills, bonus_skills, req_certs, bonus_certs, tokens = [], [], [], [], [], []
    wanted_classes, wanted_categories = [], []
    major_through = Position.majors.through.objects
    class_through = Position.major_classes.through.objects
    category_through = Position.major_categories.through.objects
    done = 0
    for chunk in _batched(pks, BATCH):
        rows = Position.objects.filter(pk__in=chunk).order_by("pk")
        rows = rows.values_list(
            "pk",
            "title",
            "description",
            "position_type",
            "min_education",
            "salary_min",
            "salary_max",
            "county_id",
            "county__code",
            "start_date",
            "enterprise__industry__code",
        )
        majors = _pairs(major_through.filter(position_id__in=chunk).values_list("position_id", "major_id"))
        classes = _pairs(
            class_through.filter(position_id__in=chunk).values_list("position_id", "majorclass_id")
        )
        categories = _pairs(
            category_through.filter(position_id__in=chunk).values_list("position_id", "majorcategory_id")
        )
        skills: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for pk, skill, required in PositionSkill.objects.filter(position_id__in=chunk).values_list(
            "position_id", "skill_id", "required"
        ):
            skills[pk].append((skill, required))
        certs: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for pk, cert, required in PositionCertificate.objects.filter(position_id__in=chunk).values_list(
            "position_id", "certificate_id", "required"
        ):
            certs[pk].append((cert, required))
        for pk, title, description, ptype, min_edu, s_min, s_max, county, code, start, industry in rows:
            columns["ids"].append(pk)
            columns["min_edu"].append(max(data.education.id(min_edu), 0))
            if ptype in IN_SCHOOL_TYPES:
                columns["start_day"].append(OPEN_DAY)
            else:
                columns["start_day"].append(max(day_number(start), today) if start else today)
            columns["county"].append(data.counties.id(county))
            columns["ptype"].append(data.position_types.id(ptype))
            chain = data.chain_of_industry(industry)
            columns["chain"].append(chain)
            columns["link"].append(chain)
            columns["salary_bucket"].append(salary_bucket(s_max if s_max is not None else s_min))
            columns["in_city"].append(bool(code) and code.startswith(prefix))
            wanted.append(data.majors.ids(majors.get(pk, ())))
            wanted_classes.append(data.major_classes.ids(classes.get(pk, ())))
            wanted_categories.append(data.major_categories.ids(categories.get(pk, ())))
            own_skills = skills.get(pk, [])
            req_skills.append(data.skills.ids(s for s, required in own_skills if required))
            bonus_skills.append(data.skills.ids(s for s, required in own_skills if not required))
            own_certs = certs.get(pk, [])
            req_certs.append(data.certificates.ids(c for c, required in own_certs if required))
            bonus_certs.append(data.certificates.ids(c for c, required in own_certs if not required))
            text = data.token_ids(title) + data.token_ids(description)
            for s in sorted(data.skills.ids(s for s, _ in own_skills)):
                text += data.token_ids(data.skill_names[s])
            tokens.append(text)
        done += len(chunk)
        if progress is not None:
            progress(done, len(pks))
    c = data.catalog
    return PositionArrays(
        ids=np.array(columns["ids"], np.int64),
        min_edu=np.array(columns["min_edu"], np.int64),
        start_day=np.array(columns["start_day"], np.int64),
        county=np.array(columns["county"], np.int64),
        ptype=np.array(columns["ptype"], np.int64),
        chain=np.array(columns["chain"], np.int64),
        link=np.array(columns["link"], np.int64),
        salary_bucket=np.array(columns["salary_bucket"], np.int64),
        in_city=np.array(columns["in_city"], bool),
        wanted_majors=set_matrix(wanted, c.n_majors),
        wanted_classes=set_matrix(wanted_classes, c.n_classes),
        wanted_categories=set_matrix(wanted_categories, c.n_categories),
        req_skills=set_matrix(req_skills, c.n_skills),
        bonus_skills=set_matrix(bonus_skills, c.n_skills),
        req_certs=set_matrix(req_certs, c.n_certs),
        bonus_certs=set_matrix(bonus_certs, c.n_certs),
        tokens=Ragged.from_lists(tokens),
    )


# ----------------------------------------------------------------------------------------------------------
# Students
# ----------------------------------------------------------------------------------------------------------
def available_from(
    status: str, expected_graduation: dt.date | None, grade: int, duration: str, on: dt.date
) -> dt.date:
    """The first day a student can start a full-time position (see the module docstring)."""
    if status not in IN_SCHOOL:
        return on
    graduation = expected_graduation or dt.date(grade + DURATION_YEARS.get(duration, 3), 6, 30)
    return max(graduation, on)


def student_arrays(
    data: CatalogData,
    students: QuerySet | None = None,
    *,
    on: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StudentArrays:
    """The engine's arrays of ``students`` (default: :func:`matchable_students`), ordered by pk.

    ``ids`` are the primary keys; ``on`` (default today) is the day availability is computed for.
    """
    on = on or timezone.localdate()
    qs = matchable_students() if students is None else students
    pks = list(qs.order_by("pk").values_list("pk", flat=True))
    prefix = city_prefix()
    columns: dict[str, list] = defaultdict(list)
    skills, chains, counties, types = [], [], [], []
    chain_through = Student.preferred_chains.through.objects
    county_through = Student.preferred_counties.through.objects
    done = 0
    for chunk in _batched(pks, BATCH):
        rows = Student.objects.filter(pk__in=chunk).order_by("pk")
        rows = rows.values_list(
            "pk",
            "school_major__major_id",
            "school_major__major__education_level",
            "school_major__duration",
            "grade",
            "expected_graduation",
            "status",
            "hometown_id",
            "hometown__level",
            "hometown__parent_id",
            "preferred_position_types",
            "salary_expectation",
        )
        own_skills = _pairs(
            StudentSkill.objects.filter(student_id__in=chunk).values_list("student_id", "skill_id")
        )
        own_chains = _pairs(
            chain_through.filter(student_id__in=chunk).values_list("student_id", "industrychain_id")
        )
        own_counties: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pk, region, code in county_through.filter(student_id__in=chunk).values_list(
            "student_id", "region_id", "region__code"
        ):
            own_counties[pk].append((region, code))
        for (
            pk,
            major,
            level,
            duration,
            grade,
            graduation,
            status,
            home,
            home_level,
            home_parent,
            ptypes,
            pay,
        ) in rows:
            columns["ids"].append(pk)
            columns["major"].append(data.majors.id(major))
            columns["edu"].append(STUDENT_EDUCATION.get(level, 0))
            columns["avail_day"].append(day_number(available_from(status, graduation, grade, duration, on)))
            columns["county"].append(
                data.counties.id(home_parent if home_level == RegionLevel.TOWNSHIP else home)
            )
            columns["min_salary_bucket"].append(salary_bucket(pay))
            preferred = own_counties.get(pk, [])
            columns["stay"].append(all(code.startswith(prefix) for _, code in preferred))
            skills.append(data.skills.ids(own_skills.get(pk, ())))
            chains.append(data.chains.ids(own_chains.get(pk, ())))
            counties.append(data.counties.ids(region for region, _ in preferred))
            types.append(data.position_types.ids(ptypes or ()))
        done += len(chunk)
        if progress is not None:
            progress(done, len(pks))
    c = data.catalog
    return StudentArrays(
        ids=np.array(columns["ids"], np.int64),
        major=np.array(columns["major"], np.int64),
        edu=np.array(columns["edu"], np.int64),
        avail_day=np.array(columns["avail_day"], np.int64),
        county=np.array(columns["county"], np.int64),
        stay=np.array(columns["stay"], bool),
        min_salary_bucket=np.array(columns["min_salary_bucket"], np.int64),
        skills=set_matrix(skills, c.n_skills),
        certs=set_matrix([[] for _ in pks], c.n_certs),
        pref_chains=set_matrix(chains, c.n_chains),
        pref_counties=set_matrix(counties, c.n_counties),
        pref_types=set_matrix(types, c.n_position_types),
    )


# ----------------------------------------------------------------------------------------------------------
# School majors as typical students (partners of a major, suppliers of an enterprise)
# ----------------------------------------------------------------------------------------------------------
#: Skills of a major's typical student: those held by its students most often, at most this many.
PROFILE_SKILLS = 10


def school_major_arrays(
    data: CatalogData, school_majors: Sequence, *, on: dt.date | None = None
) -> StudentArrays:
    """One row per school major (``ids``: SchoolMajor pks, in the given order): the typical student of the
    major, who stands for what the school supplies. Its major and level are the major's; its skills the
    :data:`PROFILE_SKILLS` skills held most often by the school's students of that major, in any year (ties:
    lower skill pk), none when they have no skills; no certificates. It is available from ``on`` (a
    graduate), wants to stay in the city (留郴: the partners of a local school are local enterprises first)
    and has no other preference."""
    on = on or timezone.localdate()
    pks = [sm.pk if hasattr(sm, "pk") else int(sm) for sm in school_majors]
    rows = {
        pk: (school, major)
        for pk, school, major in SchoolMajor.objects.filter(pk__in=pks).values_list(
            "pk", "school_id", "major_id"
        )
    }
    levels = dict(
        Major.objects.filter(pk__in={m for _s, m in rows.values()}).values_list("pk", "education_level")
    )
    # the students of the same major at the same school in any year: graduates keep the row of their last
    # school year, and they are the ones looking
    counts: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    schools = sorted({school for school, _m in rows.values()})
    for chunk in _batched(schools, BATCH):
        for school, major, skill, n in (
            StudentSkill.objects.filter(student__school_id__in=chunk)
            .values_list("student__school_id", "student__school_major__major_id", "skill_id")
            .annotate(n=Count("id"))
            .values_list("student__school_id", "student__school_major__major_id", "skill_id", "n")
        ):
            counts[(school, major)].append((-n, skill))
    today = day_number(on)
    skills = [
        data.skills.ids(s for _, s in sorted(counts.get(rows.get(pk), []))[:PROFILE_SKILLS]) for pk in pks
    ]
    c = data.catalog
    n = len(pks)
    return StudentArrays(
        ids=np.array(pks, np.int64),
        major=np.array([data.majors.id(rows[pk][1]) for pk in pks], np.int64),
        edu=np.array([STUDENT_EDUCATION.get(levels.get(rows[pk][1]), 0) for pk in pks], np.int64),
        avail_day=np.full(n, today, np.int64),
        county=np.full(n, -1, np.int64),
        stay=np.ones(n, bool),
        min_salary_bucket=np.full(n, -1, np.int64),
        skills=set_matrix(skills, c.n_skills),
        certs=set_matrix([[] for _ in pks], c.n_certs),
        pref_chains=set_matrix([[] for _ in pks], c.n_chains),
        pref_counties=set_matrix([[] for _ in pks], c.n_counties),
        pref_types=set_matrix([[] for _ in pks], c.n_position_types),
    )
