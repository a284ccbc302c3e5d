"""The matching engine on small hand-made data: each component, hard filters, ranking, updates, snapshots.

Expectations come from the definitions (docs/design/matching.md), computed here in plain Python by
``reference``, independently of the engine's factorized scoring.
"""

import dataclasses
import itertools
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from xiaoqitong.matching import engine
from xiaoqitong.matching.engine import (
    COMPONENTS,
    NO_POSITION,
    Catalog,
    MatchIndex,
    PositionArrays,
    SnapshotError,
    StudentArrays,
    Weights,
    set_matrix,
)

# --- a tiny catalog -----------------------------------------------------------------------------------------
# major: (专业类, family) ; 专业类 -> 大类: 0 -> 0, 1 -> 0, 2 -> 1
MAJORS = [(0, 0), (0, 1), (1, 0), (2, -1), (1, -1), (2, 2)]
CLASS_CATEGORY = [0, 0, 1]
MAJOR_LINKS = [[0], [], [], [1], [], []]
MAJOR_TOKENS = [[10, 11], [12, 11], [10, 13], [14], [15], [16]]
SKILL_TOKENS = [[20], [21], [22, 11], [23], [24]]
CERT_TOKENS = [[30], [31], [32]]
N_EDU, N_COUNTIES, N_TYPES, N_CHAINS, N_SALARY = 3, 3, 2, 2, 3


def make_catalog(**changes) -> Catalog:
    kw = dict(
        major_class=[m[0] for m in MAJORS],
        class_category=CLASS_CATEGORY,
        major_family=[m[1] for m in MAJORS],
        major_links=set_matrix(MAJOR_LINKS, 2),
        major_tokens=MAJOR_TOKENS,
        skill_tokens=SKILL_TOKENS,
        cert_tokens=CERT_TOKENS,
        n_categories=2,
        n_families=3,
        n_chains=N_CHAINS,
        n_counties=N_COUNTIES,
        n_position_types=N_TYPES,
        n_salary_buckets=N_SALARY,
        n_education_levels=N_EDU,
    )
    kw.update(changes)
    return Catalog(**kw)


CATALOG = make_catalog()
POSITION_DEFAULTS = dict(
    tokens=[100, 101],
    req=[],
    bonus=[],
    rcert=[],
    bcert=[],
    majors=[],
    classes=None,  # 专业类 wanted as a whole (None: the field is left out)
    cats=None,  # 大类 wanted as a whole
    min_edu=0,
    start=0,
    county=-1,
    ptype=-1,
    chain=-1,
    link=-1,
    salary=-1,
    in_city=False,
)
STUDENT_DEFAULTS = dict(
    major=3,
    edu=2,
    avail=0,
    county=-1,
    stay=False,
    sal=-1,
    skills=[],
    certs=[],
    chains=[],
    counties=[],
    types=[],
)


def P(id, **kw) -> dict:  # a position spec
    return {"id": id, **POSITION_DEFAULTS, **kw}


def S(id=1, **kw) -> dict:  # a student spec
    return {"id": id, **STUDENT_DEFAULTS, **kw}


def positions_of(specs: list[dict]) -> PositionArrays:
    col = lambda k: [s[k] for s in specs]  # noqa: E731

    def wanted(key: str, width: int):
        if all(s[key] is None for s in specs):
            return None
        return set_matrix([s[key] or [] for s in specs], width)

    return PositionArrays(
        ids=col("id"),
        min_edu=col("min_edu"),
        start_day=col("start"),
        county=col("county"),
        ptype=col("ptype"),
        chain=col("chain"),
        link=col("link"),
        salary_bucket=col("salary"),
        in_city=col("in_city"),
        wanted_majors=set_matrix(col("majors"), len(MAJORS)),
        req_skills=set_matrix(col("req"), len(SKILL_TOKENS)),
        bonus_skills=set_matrix(col("bonus"), len(SKILL_TOKENS)),
        req_certs=set_matrix(col("rcert"), len(CERT_TOKENS)),
        bonus_certs=set_matrix(col("bcert"), len(CERT_TOKENS)),
        tokens=col("tokens"),
        wanted_classes=wanted("classes", len(CLASS_CATEGORY)),
        wanted_categories=wanted("cats", 2),
    )


def students_of(specs: list[dict]) -> StudentArrays:
    col = lambda k: [s[k] for s in specs]  # noqa: E731
    return StudentArrays(
        ids=col("id"),
        major=col("major"),
        edu=col("edu"),
        avail_day=col("avail"),
        county=col("county"),
        stay=col("stay"),
        min_salary_bucket=col("sal"),
        skills=set_matrix(col("skills"), len(SKILL_TOKENS)),
        certs=set_matrix(col("certs"), len(CERT_TOKENS)),
        pref_chains=set_matrix(col("chains"), N_CHAINS),
        pref_counties=set_matrix(col("counties"), N_COUNTIES),
        pref_types=set_matrix(col("types"), N_TYPES),
    )


def only(**weights) -> Weights:
    """Every component off except the given ones."""
    return Weights(**{**{name: 0.0 for name in COMPONENTS}, **weights})


def one_score(weights: Weights, position: dict, student: dict, others=()) -> float:
    index = MatchIndex.build(CATALOG, positions_of([position, *others]), weights)
    ids, scores = index.top_k(students_of([student]), 0, k=1 + len(others))
    got = dict(zip(ids[0].tolist(), scores[0].tolist(), strict=True))
    return got.get(position["id"])


# --- the reference: the definitions, in plain Python -------------------------------------------------------
def query_of(student: dict) -> list[int]:
    toks = list(MAJOR_TOKENS[student["major"]])
    for s in sorted(set(student["skills"])):
        toks += SKILL_TOKENS[s]
    for c in sorted(set(student["certs"])):
        toks += CERT_TOKENS[c]
    return toks


def bm25(docs: list[list[int]], k1=1.5, b=0.75):
    """(idf(token), score(doc index, token)) of Lucene BM25 over docs."""
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    df = {}
    for d in docs:
        for t in set(d):
            df[t] = df.get(t, 0) + 1

    def idf(t):
        return math.log(1 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5))

    def score(i, t):
        tf = docs[i].count(t)
        return idf(t) * tf / (tf + k1 * (1 - b + b * len(docs[i]) / avgdl))

    return idf, score


def reference(w: Weights, specs: list[dict], i: int, st: dict, stats=None) -> tuple[dict, bool]:
    """Components of position specs[i] for student st, and whether it passes the hard filters."""
    p = specs[i]
    idf, score = stats or bm25([s["tokens"] for s in specs], w.bm25_k1, w.bm25_b)
    q = query_of(st)
    norm = sum(idf(t) for t in q)
    frac = lambda need, have: len(set(need) & set(have)) / len(set(need)) if need else 0.0  # noqa: E731
    cls = lambda m: MAJORS[m][0]  # noqa: E731
    fam = lambda m: MAJORS[m][1]  # noqa: E731
    cat = lambda m: CLASS_CATEGORY[cls(m)]  # noqa: E731
    m = st["major"]
    c = {
        "text": w.text * sum(score(i, t) for t in q) / norm if norm else 0.0,
        "req_skill": w.req_skill * frac(p["req"], st["skills"]),
        "bonus_skill": w.bonus_skill * frac(p["bonus"], st["skills"]),
        "req_cert": w.req_cert * frac(p["rcert"], st["certs"]),
        "bonus_cert": w.bonus_cert * frac(p["bcert"], st["certs"]),
        "major": w.major * (m in p["majors"]),
        "major_family": w.major_family * (fam(m) >= 0 and fam(m) in {fam(x) for x in p["majors"]}),
        "major_class": w.major_class * (cls(m) in {cls(x) for x in p["majors"]} | set(p["classes"] or [])),
        "major_category": w.major_category
        * (
            cat(m)
            in {cat(x) for x in p["majors"]}
            | {CLASS_CATEGORY[c] for c in p["classes"] or []}
            | set(p["cats"] or [])
        ),
        "chain_link": w.chain_link * (p["link"] >= 0 and p["link"] in MAJOR_LINKS[m]),
        "pref_chain": w.pref_chain * (p["chain"] >= 0 and p["chain"] in st["chains"]),
        "home_county": w.home_county * (st["county"] >= 0 and st["county"] == p["county"]),
        "pref_county": w.pref_county * (p["county"] >= 0 and p["county"] in st["counties"]),
        "pref_type": w.pref_type * (p["ptype"] >= 0 and p["ptype"] in st["types"]),
        "salary": w.salary * (st["sal"] >= 0 and p["salary"] >= st["sal"]),
        "stay": w.stay * (st["stay"] and p["in_city"]),
    }
    eligible = st["edu"] >= p["min_edu"] and p["start"] >= st["avail"]
    return {k: float(v) for k, v in c.items()}, eligible


def assert_ranking(ids, scores, expected: dict[int, float], k: int) -> None:
    """ids/scores (one row) are a top-k of expected {id: score}: right scores, nothing better left out,
    order (-score, id). Scores closer than 1e-5 count as tied (float32 sums in another order)."""
    valid = ids >= 0
    assert valid.sum() == min(k, len(expected))
    assert np.all(np.isneginf(scores[~valid]))
    got = dict(zip(ids[valid].tolist(), scores[valid].tolist(), strict=True))
    for pid, s in got.items():
        assert s == pytest.approx(expected[pid], abs=1e-5)
    if valid.any():
        kth = scores[valid][-1]
        better = {pid for pid, s in expected.items() if s > kth + 1e-5}
        assert better <= set(got)
    s, i = scores[valid], ids[valid]
    assert np.all(np.diff(s) <= 0)
    assert all(i[j] < i[j + 1] for j in range(len(i) - 1) if s[j] == s[j + 1])


# --- components ------------------------------------------------------------------------------------------
def test_default_weights_sum_to_one_and_are_documented():
    w = Weights()
    assert w.max_score == pytest.approx(1.0)
    source = Path(engine.__file__).read_text()
    block = source[
        source.index("class Weights") : source.index("def __post_init__", source.index("class Weights"))
    ]
    for field in dataclasses.fields(Weights):
        line = next(
            i for i, text in enumerate(block.splitlines()) if text.strip().startswith(f"{field.name}:")
        )
        assert block.splitlines()[line - 1].strip().startswith("#"), f"{field.name} has no documented reason"


def test_text_component_is_normalized_bm25():
    student = S(major=3, skills=[0])  # query: 14 (major 3) + 20 (skill 0)
    specs = [P(1, tokens=[14, 20, 100]), P(2, tokens=[14, 101, 102, 103]), P(3, tokens=[100, 101])]
    w = only(text=1.0)
    index = MatchIndex.build(CATALOG, positions_of(specs), w)
    ids, scores = index.top_k(students_of([student]), 0, k=3)
    expected = {s["id"]: reference(w, specs, i, student)[0]["text"] for i, s in enumerate(specs)}
    assert ids[0].tolist() == [1, 2, 3]
    assert scores[0] == pytest.approx([expected[1], expected[2], expected[3]], abs=1e-6)
    assert 0 < expected[2] < expected[1] < 1 and expected[3] == 0


def test_skills_covered_and_missing():
    student = S(skills=[0, 1, 4])
    position = P(1, req=[0, 1, 2, 3], bonus=[3, 4])
    assert one_score(only(req_skill=1.0), position, student) == pytest.approx(0.5)
    assert one_score(only(bonus_skill=1.0), position, student) == pytest.approx(0.5)
    index = MatchIndex.build(CATALOG, positions_of([position]))
    (e,) = index.explain(students_of([student]), 0, [1])
    assert e.missing_required_skills == [2, 3]
    assert e.missing_bonus_skills == [3]
    assert e.components["req_skill"] == pytest.approx(Weights().req_skill / 2)


def test_certificates_covered_and_missing():
    student = S(certs=[1])
    position = P(1, rcert=[0, 1], bcert=[1, 2])
    assert one_score(only(req_cert=1.0), position, student) == pytest.approx(0.5)
    assert one_score(only(bonus_cert=1.0), position, student) == pytest.approx(0.5)
    (e,) = MatchIndex.build(CATALOG, positions_of([position])).explain(students_of([student]), 0, [1])
    assert e.missing_required_certs == [0]
    assert e.missing_bonus_certs == [2]


@pytest.mark.parametrize(
    ("wanted", "link", "level", "score"),
    [
        ([0], -1, "major", 0.5 + 0.25 + 0.125 + 0.0625),  # the same major: every level matches
        ([2], -1, "family", 0.25 + 0.0625),  # major 2: family 0 (as major 0), another 专业类, same 大类
        ([1], -1, "class", 0.125 + 0.0625),  # major 1: same 专业类 0, another family
        ([4], -1, "category", 0.0625),  # major 4: 专业类 1 of 大类 0, no family
        ([3], 0, "link", 0.03125),  # 大类 1, but the position's chain link 0 is supplied by major 0
        ([5], 1, "none", 0.0),  # nothing in common (link 1 is supplied by major 3 only)
        ([], -1, "none", 0.0),
    ],
)
def test_major_levels(wanted, link, level, score):
    w = only(major=0.5, major_family=0.25, major_class=0.125, major_category=0.0625, chain_link=0.03125)
    student, position = S(major=0), P(1, majors=wanted, link=link)
    assert one_score(w, position, student) == pytest.approx(score)
    (e,) = MatchIndex.build(CATALOG, positions_of([position]), w).explain(students_of([student]), 0, [1])
    assert e.major_level == level


def test_wanted_majors_count_as_sets():
    # two wanted majors of one 专业类 and 大类 count once, not twice
    w = only(major_class=1.0, major_category=1.0)
    assert one_score(w, P(1, majors=[2, 4]), S(major=4)) == pytest.approx(2.0)


def test_a_whole_class_or_category_wanted_is_not_an_exact_major():
    w = only(major=0.5, major_family=0.1, major_class=0.2, major_category=0.05)
    student = S(major=0)  # 专业类 0, 大类 0
    by_class = P(1, classes=[0])
    by_category = P(2, cats=[0])
    by_major = P(3, majors=[0])
    other_class = P(4, classes=[2])  # 大类 1
    assert one_score(w, by_class, student) == pytest.approx(0.25)  # class and its category, not the major
    assert one_score(w, by_category, student) == pytest.approx(0.05)
    assert one_score(w, by_major, student) == pytest.approx(0.85)
    assert one_score(w, other_class, student) == pytest.approx(0.0)
    index = MatchIndex.build(CATALOG, positions_of([by_class, by_category, by_major]), w)
    levels = [e.major_level for e in index.explain(students_of([student]), 0, [1, 2, 3])]
    assert levels == ["class", "category", "major"]
    with pytest.raises(ValueError, match="wanted_classes has 2 columns, expected 3"):
        MatchIndex.build(
            CATALOG,
            dataclasses.replace(positions_of([by_class]), wanted_classes=set_matrix([[0]], 2)),
        )


@pytest.mark.parametrize(
    ("weights", "position", "student", "score"),
    [
        ({"pref_chain": 1}, {"chain": 1}, {"chains": [1]}, 1),
        ({"pref_chain": 1}, {"chain": 0}, {"chains": [1]}, 0),
        ({"home_county": 1}, {"county": 2}, {"county": 2}, 1),
        ({"home_county": 1}, {"county": 1}, {"county": 2}, 0),
        ({"pref_county": 1}, {"county": 0}, {"counties": [0, 2]}, 1),
        ({"home_county": 1, "pref_county": 0.5}, {"county": 0}, {"county": 0, "counties": [0]}, 1.5),
        ({"pref_type": 1}, {"ptype": 1}, {"types": [1]}, 1),
        ({"pref_type": 1}, {"ptype": -1}, {"types": [0, 1]}, 0),
        ({"salary": 1}, {"salary": 2}, {"sal": 1}, 1),
        ({"salary": 1}, {"salary": 1}, {"sal": 1}, 1),
        ({"salary": 1}, {"salary": 0}, {"sal": 1}, 0),
        ({"salary": 1}, {"salary": -1}, {"sal": 0}, 0),  # pay not stated
        ({"salary": 1}, {"salary": 2}, {"sal": -1}, 0),  # no expectation
        ({"stay": 1}, {"in_city": True}, {"stay": True}, 1),
        ({"stay": 1}, {"in_city": False}, {"stay": True}, 0),
        ({"stay": 1}, {"in_city": True}, {"stay": False}, 0),
    ],
)
def test_preferences_and_stay_bonus(weights, position, student, score):
    assert one_score(only(**weights), P(1, **position), S(**student)) == pytest.approx(score)


# --- hard filters -------------------------------------------------------------------------------------------
def test_minimum_education_is_a_hard_filter():
    specs = [P(1, min_edu=2), P(2, min_edu=1), P(3, min_edu=0)]
    index = MatchIndex.build(CATALOG, positions_of(specs))
    students = students_of([S(1, edu=1), S(2, edu=2)])
    ids, scores = index.top_k(students, [0, 1], k=3)
    assert ids[0].tolist() == [2, 3, NO_POSITION] and np.isneginf(scores[0, 2])
    assert sorted(ids[1].tolist()) == [1, 2, 3]
    (e,) = index.explain(students, 0, [1])
    assert e.hard_filters == ("education",) and not e.eligible


def test_start_date_is_a_hard_filter_exact_to_the_day():
    specs = [P(1, start=9), P(2, start=10), P(3, start=11)]
    index = MatchIndex.build(CATALOG, positions_of(specs))
    students = students_of([S(avail=10)])
    ids, _ = index.top_k(students, 0, k=3)
    assert ids[0].tolist() == [2, 3, NO_POSITION]
    assert [e.hard_filters for e in index.explain(students, 0, [1, 2])] == [("start_date",), ()]


def test_min_score_threshold_drops_weak_results():
    specs = [P(1, req=[0]), P(2, req=[0, 1])]
    student = students_of([S(skills=[0])])
    ids, _ = MatchIndex.build(CATALOG, positions_of(specs), only(req_skill=1)).top_k(student, 0, k=2)
    assert ids[0].tolist() == [1, 2]
    ids, _ = MatchIndex.build(CATALOG, positions_of(specs), only(req_skill=1, min_score=0.6)).top_k(
        student, 0, 2
    )
    assert ids[0].tolist() == [1, NO_POSITION]


# --- ranking against brute force --------------------------------------------------------------------------
def random_city(seed: int, n_positions: int, n_students: int, first_id: int = 1):
    rng = np.random.default_rng(seed)
    words = [10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 30, 31, 32, *range(100, 130)]
    pick = lambda n, lo, hi: sorted(set(rng.integers(0, n, rng.integers(lo, hi + 1)).tolist()))  # noqa: E731
    ps = [
        P(
            first_id + i,
            tokens=rng.choice(words, rng.integers(3, 15)).tolist(),
            req=pick(5, 0, 3),
            bonus=pick(5, 0, 2),
            rcert=pick(3, 0, 2),
            bcert=pick(3, 0, 1),
            majors=pick(6, 0, 3),
            classes=pick(3, 0, 1) if rng.random() < 0.3 else None,
            cats=pick(2, 0, 1) if rng.random() < 0.2 else None,
            min_edu=int(rng.integers(0, N_EDU)),
            start=int(rng.integers(0, 20)),
            county=int(rng.integers(-1, N_COUNTIES)),
            ptype=int(rng.integers(-1, N_TYPES)),
            chain=int(rng.integers(-1, N_CHAINS)),
            link=int(rng.integers(-1, 2)),
            salary=int(rng.integers(-1, N_SALARY)),
            in_city=bool(rng.random() < 0.7),
        )
        for i in range(n_positions)
    ]
    ss = [
        S(
            100 + i,
            major=int(rng.integers(0, 6)),
            edu=int(rng.integers(0, N_EDU)),
            avail=int(rng.integers(0, 12)),
            county=int(rng.integers(-1, N_COUNTIES)),
            stay=bool(rng.random() < 0.5),
            sal=int(rng.integers(-1, N_SALARY)),
            skills=pick(5, 0, 4),
            certs=pick(3, 0, 2),
            chains=pick(N_CHAINS, 0, 1),
            counties=pick(N_COUNTIES, 0, 2),
            types=pick(N_TYPES, 0, 1),
        )
        for i in range(n_students)
    ]
    return ps, ss


@pytest.fixture(scope="module")
def city():
    ps, ss = random_city(1, 60, 30)
    return ps, ss, MatchIndex.build(CATALOG, positions_of(ps)), students_of(ss)


def expected_scores(w: Weights, ps: list[dict], st: dict) -> dict[int, float]:
    stats = bm25([p["tokens"] for p in ps], w.bm25_k1, w.bm25_b)
    out = {}
    for i, p in enumerate(ps):
        comps, eligible = reference(w, ps, i, st, stats)
        if eligible:
            out[p["id"]] = sum(comps.values())
    return out


@pytest.mark.parametrize("k", [1, 5, 20, 70])
def test_top_k_equals_brute_force(city, k):
    ps, ss, index, students = city
    ids, scores = index.top_k(students, np.arange(len(ss)), k=k)
    assert ids.shape == scores.shape == (len(ss), k)
    for r, st in enumerate(ss):
        assert_ranking(ids[r], scores[r], expected_scores(index.weights, ps, st), k)


def progress(calls: list[int]):
    return lambda done, total: calls.append(done)


def test_top_k_all_equals_top_k_per_student(city):
    _, ss, index, students = city
    single = [index.top_k(students, r, k=10) for r in range(len(ss))]
    for block, threads in ((1000, 1), (4, 1), (3, 2)):
        calls: list[int] = []
        ids, scores = index.top_k_all(students, k=10, block=block, threads=threads, progress=progress(calls))
        assert calls[-1] == len(ss) and calls == sorted(calls)
        for r in range(len(ss)):
            assert np.array_equal(ids[r], single[r][0][0])
            assert np.array_equal(
                scores[r], single[r][1][0]
            )  # bitwise: a row is summed the same way anywhere


def test_blocks_bound_students_and_distinct_majors():
    majors = np.sort(np.random.default_rng(3).integers(0, 40, 500))
    spans = MatchIndex._blocks(majors, block=60, max_majors=5)
    assert spans[0][0] == 0 and spans[-1][1] == 500
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert all(0 < e - s <= 60 and len(set(majors[s:e])) <= 5 for s, e in spans)


def test_explain_components_sum_to_score_and_match_the_definitions(city):
    ps, ss, index, students = city
    w = index.weights
    stats = bm25([p["tokens"] for p in ps], w.bm25_k1, w.bm25_b)
    for r in (0, 7, 19):
        ids, scores = index.top_k(students, r, k=10)
        got = index.explain(students, r, ids[0][ids[0] >= 0])
        for e, s in zip(got, scores[0], strict=False):
            assert sum(e.components.values()) == pytest.approx(e.score, abs=1e-12)
            assert e.score == pytest.approx(float(s), abs=1e-5)
            assert e.eligible
        for e in index.explain(students, r, [p["id"] for p in ps]):
            i = next(j for j, p in enumerate(ps) if p["id"] == e.position_id)
            comps, eligible = reference(w, ps, i, ss[r], stats)
            assert e.components == pytest.approx(comps, abs=1e-6)
            assert e.eligible == eligible


def test_score_pairs_equal_the_reference_with_filters_as_minus_inf(city):
    ps, ss, index, students = city
    w = index.weights
    stats = bm25([p["tokens"] for p in ps], w.bm25_k1, w.bm25_b)
    wanted = [p["id"] for p in ps[::7]]
    got = index.score_pairs(students, wanted)
    assert got.shape == (len(ss), len(wanted)) and got.dtype == np.float32
    eligible_pairs = 0
    for r, st in enumerate(ss):
        for j, pid in enumerate(wanted):
            i = next(n for n, p in enumerate(ps) if p["id"] == pid)
            comps, eligible = reference(w, ps, i, st, stats)
            if eligible:
                eligible_pairs += 1
                assert got[r, j] == pytest.approx(sum(comps.values()), abs=1e-5)
            else:
                assert got[r, j] == -np.inf
    assert 0 < eligible_pairs < got.size  # both branches were exercised
    rows = [5, 2, 2]
    assert np.array_equal(index.score_pairs(students, wanted, rows), got[rows])
    assert index.score_pairs(students, [], rows).shape == (3, 0)
    with pytest.raises(KeyError, match="not in the index"):
        index.score_pairs(students, [987654])
    with pytest.raises(IndexError, match="unknown student row"):
        index.score_pairs(students, wanted, [len(ss)])


def test_student_arrays_take_and_concat_keep_rows(city):
    _, ss, index, students = city
    parts = [students.take([3, 1]), students.take([0]), students.take(np.arange(4, len(ss)))]
    joined = StudentArrays.concat(parts)
    order = [3, 1, 0, *range(4, len(ss))]
    assert joined.ids.tolist() == students.ids[order].tolist()
    assert np.array_equal(
        index.score_pairs(joined, [ps["id"] for ps in city[0][:9]]),
        index.score_pairs(students, [ps["id"] for ps in city[0][:9]], order),
    )
    assert engine.query_tokens(CATALOG, students, range(len(ss))) == [query_of(st) for st in ss]
    assert engine.query_tokens(CATALOG, joined, [0]) == engine.query_tokens(CATALOG, students, [3])
    with pytest.raises(ValueError, match="at least one part"):
        StudentArrays.concat([])


def test_ties_go_to_the_lowest_position_id_across_chunks():
    # 700 identical positions (six chunks of 128 columns), stored by start day, so ids are scattered
    rng = np.random.default_rng(5)
    ids = rng.permutation(np.arange(1000, 1700))
    specs = [P(int(i), req=[0], start=int(rng.integers(0, 50))) for i in ids]
    index = MatchIndex.build(CATALOG, positions_of(specs))
    students = students_of([S(skills=[0])])
    for k in (1, 2, 5, 200):
        got, scores = index.top_k(students, 0, k=k)
        assert got[0].tolist() == list(range(1000, 1000 + k))
        assert len(set(scores[0].tolist())) == 1


def test_fallback_without_csr_matvecs_gives_the_same_ranking(city, monkeypatch):
    ps, ss, index, students = city
    fast = index.top_k_all(students, k=10)
    monkeypatch.setattr(engine, "_csr_matvecs", None)
    slow = index.top_k_all(students, k=10)
    assert np.allclose(fast[1], slow[1], atol=1e-6)
    for r in range(len(ss)):
        assert_ranking(slow[0][r], slow[1][r], expected_scores(index.weights, ps, ss[r]), 10)


def test_bm25_top_k_is_plain_bm25():
    specs = [P(1, tokens=[20, 20, 100]), P(2, tokens=[20, 21, 101, 102]), P(3, tokens=[999, 100])]
    index = MatchIndex.build(CATALOG, positions_of(specs))
    ids, scores = index.bm25_top_k([[20, 21], [21, 999]], k=3)
    _, score = bm25([s["tokens"] for s in specs])
    expect = {1: score(0, 20) + score(0, 21), 2: score(1, 20) + score(1, 21)}
    assert ids[0].tolist() == [2, 1, 3] and scores[0][:2] == pytest.approx([expect[2], expect[1]], rel=1e-5)
    # 999 is not a catalog word: no query of a student has it, so it does not count
    assert ids[1].tolist() == [2, 1, 3] and scores[1][0] == pytest.approx(score(1, 21), rel=1e-5)


# --- incremental updates and snapshots ---------------------------------------------------------------------
def test_delta_and_tombstones_equal_a_rebuild():
    w = dataclasses.replace(
        Weights(), text=0.0
    )  # a rebuild recomputes the BM25 statistics; the rest is exact
    ps, ss = random_city(2, 50, 20)
    extra, _ = random_city(3, 15, 0, first_id=500)
    changed = [dict(p, req=[4], majors=[5], start=0) for p in ps[:5]]
    index = MatchIndex.build(CATALOG, positions_of(ps), w)
    index.add_positions(positions_of(extra))
    index.add_positions(positions_of(changed))  # replaces positions 1..5
    assert index.remove_positions([ps[10]["id"], extra[0]["id"], 123456]) == 2
    final = changed + ps[5:10] + ps[11:] + extra[1:]
    assert index.position_ids.tolist() == sorted(p["id"] for p in final)
    assert index.delta_fraction == pytest.approx((len(extra) - 1 + 5 + 6) / len(ps))
    rebuilt = MatchIndex.build(CATALOG, positions_of(final), w)
    students = students_of(ss)
    a, b = index.top_k_all(students, k=12), rebuilt.top_k_all(students, k=12)
    assert np.allclose(a[1], b[1], atol=1e-6)
    for r, st in enumerate(ss):
        assert_ranking(a[0][r], a[1][r], expected_scores(w, final, st), 12)
    mixed = [extra[3], ps[20], changed[2], extra[1]]  # delta and main positions, in the order asked
    got = index.explain(students, 0, [p["id"] for p in mixed])
    assert [e.position_id for e in got] == [p["id"] for p in mixed]
    for e, p in zip(got, mixed, strict=True):
        assert e.components == pytest.approx(reference(w, final, final.index(p), ss[0])[0], abs=1e-6)
    with pytest.raises(KeyError, match="not in the index"):
        index.explain(students, 0, [ps[10]["id"]])


def test_delta_positions_use_the_frozen_text_statistics(city):
    ps, ss, _, students = city
    index = MatchIndex.build(CATALOG, positions_of(ps))
    before = index.top_k_all(students, k=8)
    gone = ps[3:9]
    index.remove_positions([p["id"] for p in gone])
    index.add_positions(positions_of(gone))  # back through the delta, scored with the build's statistics
    after = index.top_k_all(students, k=8)
    assert np.allclose(before[1], after[1], atol=1e-6)
    for r, st in enumerate(ss):
        assert_ranking(after[0][r], after[1][r], expected_scores(index.weights, ps, st), 8)


def test_snapshot_round_trip(tmp_path, city):
    ps, ss, _, students = city
    index = MatchIndex.build(CATALOG, positions_of(ps))
    index.remove_positions([ps[0]["id"]])
    index.add_positions(positions_of([dict(ps[1], id=999, start=0)]))
    path = index.save(tmp_path / "match.npz")
    assert not list(tmp_path.glob("*.tmp"))
    loaded = MatchIndex.load(path, weights=Weights(), catalog=make_catalog())
    assert loaded.version == index.version and loaded.version.startswith(engine.FORMAT)
    for a, b in zip(index.top_k_all(students, k=15), loaded.top_k_all(students, k=15), strict=True):
        assert np.array_equal(a, b)
    assert loaded.position_ids.tolist() == index.position_ids.tolist()
    light = MatchIndex.load(path, dense_items=False)  # web workers: token by token, same scores
    _, scores = light.top_k(students, np.arange(len(ss)), k=15)
    assert np.allclose(scores, index.top_k(students, np.arange(len(ss)), k=15)[1], atol=1e-6)
    with pytest.raises(ValueError, match="dense_items=True"):
        light.top_k_all(students)


# --- refusals -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"txt": 0.3}, "unknown weight.*txt"),
        ({"text": -0.1}, "'text' must be a finite number >= 0"),
        ({"salary": float("nan")}, "'salary' must be a finite number"),
        ({"stay": True}, "'stay' must be a number"),
        ({"major": "0.1"}, "'major' must be a number"),
        ({"bm25_b": 1.5}, r"'bm25_b' must lie in \[0, 1\]"),
    ],
)
def test_bad_weights_are_refused(mapping, message):
    with pytest.raises(ValueError, match=message):
        Weights.from_mapping(mapping)


def test_weights_from_mapping_keep_defaults_and_change_the_version():
    w = Weights.from_mapping({"text": 0.5, "min_score": 0.1})
    assert w.text == 0.5 and w.min_score == 0.1 and w.req_skill == Weights().req_skill
    assert w.fingerprint != Weights().fingerprint
    assert Weights.from_mapping(w.to_mapping()) == w


def test_incompatible_snapshots_are_refused(tmp_path, city):
    ps, *_ = city
    index = MatchIndex.build(CATALOG, positions_of(ps))
    path = index.save(tmp_path / "match.npz")
    with pytest.raises(SnapshotError, match="built with weights"):
        MatchIndex.load(path, weights=Weights(text=0.4))
    with pytest.raises(SnapshotError, match="built with catalog"):
        MatchIndex.load(path, catalog=make_catalog(n_counties=4))
    with np.load(path) as z:
        arrays = {name: z[name] for name in z.files}
    arrays["format"] = np.array("xqt-match-0")
    old = tmp_path / "old.npz"
    np.savez(old, **arrays)
    with pytest.raises(SnapshotError, match=r"format 'xqt-match-0'.*rebuild"):
        MatchIndex.load(old)
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(SnapshotError, match="not a matching-engine snapshot"):
        MatchIndex.load(tmp_path / "other.npz")
    with pytest.raises(SnapshotError, match="cannot read"):
        MatchIndex.load(tmp_path / "missing.npz")


def test_bad_queries_are_refused(city):
    _, ss, index, students = city
    for k in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            index.top_k(students, 0, k=k)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        index.top_k_all(students, k=0)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        index.bm25_top_k([[20]], k=0)
    for row in (len(ss), -1):
        with pytest.raises(IndexError, match=f"unknown student row {row}"):
            index.top_k(students, row)
        with pytest.raises(IndexError, match="unknown student row"):
            index.explain(students, row, [1])
    with pytest.raises(ValueError, match="student rows must be integers"):
        index.top_k(students, [0.5])
    with pytest.raises(KeyError, match="position 424242 is not in the index"):
        index.explain(students, 0, [424242])
    wrong = students_of([S(major=6)])
    with pytest.raises(ValueError, match=r"students.major: 6 is out of range \(0..5\)"):
        index.top_k(wrong, 0)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match=r"positions\.county: 3 is out of range"):
        MatchIndex.build(CATALOG, positions_of([P(1, county=3)]))
    with pytest.raises(ValueError, match="no positions to index"):
        MatchIndex.build(CATALOG, positions_of([]))
    with pytest.raises(ValueError, match="position ids must be unique"):
        positions_of([P(1), P(1)])
    with pytest.raises(ValueError, match="major_family has 5 values, expected 6"):
        make_catalog(major_family=[0, 1, 0, -1, -1])
    with pytest.raises(ValueError, match="major_class: 7 is out of range"):
        make_catalog(major_class=[0, 7, 1, 2, 1, 2])
    with pytest.raises(ValueError, match="Ragged: values must be >= 0"):
        positions_of([P(1, tokens=[-2])])


def test_inputs_are_copied_not_aliased():
    # scipy sorts and compacts CSR arrays in place; the engine must never touch the caller's arrays
    import scipy.sparse as sp

    indices = np.array([3, 1, 1], np.int32)
    m = sp.csr_matrix((np.ones(3, np.float32), indices, np.array([0, 3])), shape=(1, 5))
    PositionArrays(**{**positions_of([P(1)]).__dict__, "req_skills": m})
    assert indices.tolist() == [3, 1, 1]


def test_engine_imports_no_django():
    src = Path(engine.__file__).resolve().parents[2]
    code = textwrap.dedent(f"""
        import sys, types
        package = types.ModuleType("xiaoqitong")  # skip xiaoqitong/__init__ (Celery, Django settings)
        package.__path__ = [{str(src / "xiaoqitong")!r}]
        sys.modules["xiaoqitong"] = package
        import xiaoqitong.matching.engine
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("django", "celery", "rest_framework"))
        assert not loaded, loaded
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
