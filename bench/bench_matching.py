"""The matching engine at city scale (issue 4), and bm25s on the same texts in the same run.

    .venv/bin/python bench/bench_matching.py          # city scale: 100,000 students x 50,000 positions
    .venv/bin/python bench/bench_matching.py --students 10000 --positions 5000

Needs the ``bench`` extra (``pip install -e ".[bench]"``, which ``make bench`` does) for bm25s.

Synthetic data shaped like the city's (as in docs/design/matching.md): 1,349 majors in 专业类 and 大类 with
families and industry-chain links, 400 skills, 300 certificates; a position has ~190 Zipf-distributed tokens
over 30,000 words, 3-7 required and 1-4 bonus skills, 1-3 wanted majors (40% widened to a whole 专业类 or
大类); a student has 4-8 skills, 0-3 certificates and preferences, and its query is the names of its major,
skills and certificates (~22 tokens).

Prints the index build time, every student's top 20 (1 and 2 threads), single-query latency with a warm index
(with and without the dense item rows), the reverse direction (one position scored for every
student), explanation time, delta-segment and tombstone costs, snapshot size
and times, peak memory, and bm25s's index build and retrieval on the same tokens with an allclose check of
the text scores. Goals (issue 4) are printed as met / NOT met.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # 2 Python threads share 2 cores; BLAS must not add more

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xiaoqitong.matching import engine  # noqa: E402

GOALS = {"build": 60.0, "all": 120.0, "p95_ms": 20.0, "peak_mib": 2048.0}
V = 30_000  # token vocabulary
N_SKILL, N_CERT, N_MAJOR, N_FAMILY, N_CLASS, N_CAT, N_LINK, N_CHAIN = 400, 300, 1349, 600, 100, 19, 80, 10
N_COUNTY, N_TYPE, N_SAL, N_EDU = 15, 4, 10, 5


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def goal(label: str, value: float, limit: float, unit: str) -> None:
    state = "met" if value < limit else "NOT met"
    print(f"GOAL {label}: {value:.2f} {unit} (< {limit:g} {unit}) {state}", flush=True)


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


# --- synthetic city ---------------------------------------------------------------------------------------
def sets(rng, n, lo, hi, universe, pool=None) -> sp.csr_matrix:
    """n rows of lo..hi ids (70% drawn from the row's pool when given), as a 0/1 matrix."""
    counts = rng.integers(lo, hi + 1, n)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    ids = rng.integers(0, universe, indptr[-1])
    if pool is not None:
        row = np.repeat(np.arange(n), counts)
        favoured = rng.random(indptr[-1]) < 0.7
        ids = np.where(favoured, pool[row, rng.integers(0, pool.shape[1], indptr[-1])], ids)
    m = sp.csr_matrix((np.ones(len(ids), np.float32), ids, indptr), shape=(n, universe), copy=True)
    m.sum_duplicates()
    m.data[:] = 1
    return m


def names(table: np.ndarray) -> "engine.Ragged":
    """Token table (items x width, -1 = none) -> Ragged."""
    keep = table >= 0
    return engine.Ragged(np.concatenate([[0], np.cumsum(keep.sum(axis=1))]), table[keep])


def item_tokens(ragged, items: sp.csr_matrix):
    """Per row, the concatenated name tokens of its items: (row, token) arrays."""
    lens = ragged.lengths()[items.indices]
    row = np.repeat(np.repeat(np.arange(items.shape[0]), np.diff(items.indptr)), lens)
    return row, ragged.take(items.indices).values


def to_ragged(n: int, parts) -> "engine.Ragged":
    row = np.concatenate([p[0] for p in parts])
    tok = np.concatenate([p[1] for p in parts])
    order = np.argsort(row, kind="stable")
    return engine.Ragged(np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))]), tok[order])


def make_catalog(rng):
    major_class = np.sort(rng.integers(0, N_CLASS, N_MAJOR))
    class_cat = np.sort(rng.integers(0, N_CAT, N_CLASS))
    # names: domain words plus, often, a very frequent word (技术, 应用, 管理 ...): realistic high-df terms
    major_tok = rng.integers(100, 8000, (N_MAJOR, 4))
    major_tok[:, 3] = np.where(rng.random(N_MAJOR) < 0.6, rng.integers(30, 100, N_MAJOR), -1)
    skill_tok = rng.integers(200, 5000, (N_SKILL, 3))
    skill_tok[:, 2] = np.where(rng.random(N_SKILL) < 0.5, rng.integers(30, 300, N_SKILL), -1)
    cert_tok = rng.integers(100, 6000, (N_CERT, 4))
    cert_tok[:, 3] = np.where(rng.random(N_CERT) < 0.5, rng.integers(30, 100, N_CERT), -1)
    catalog = engine.Catalog(
        major_class=major_class,
        class_category=class_cat,
        major_family=np.where(rng.random(N_MAJOR) < 0.9, rng.integers(0, N_FAMILY, N_MAJOR), -1),
        major_links=sets(rng, N_MAJOR, 0, 2, N_LINK),
        major_tokens=names(major_tok),
        skill_tokens=names(skill_tok),
        cert_tokens=names(cert_tok),
        n_categories=N_CAT,
        n_families=N_FAMILY,
        n_chains=N_CHAIN,
        n_counties=N_COUNTY,
        n_position_types=N_TYPE,
        n_salary_buckets=N_SAL,
        n_education_levels=N_EDU,
    )
    link_chain = np.sort(rng.integers(0, N_CHAIN, N_LINK))
    major_skills = rng.integers(0, N_SKILL, (N_MAJOR, 20))  # typical skills of each major
    return catalog, link_chain, major_skills


def make_positions(rng, catalog, link_chain, major_skills, n: int, first_id: int = 1):
    wanted = sets(rng, n, 1, 3, N_MAJOR)
    major_cat = catalog.class_category[catalog.major_class]
    class_members = [np.flatnonzero(catalog.major_class == c) for c in range(N_CLASS)]
    cat_members = [np.flatnonzero(major_cat == g) for g in range(N_CAT)]
    r = rng.random(n)
    first = wanted.indices[wanted.indptr[:-1]]
    widen = np.flatnonzero(r < 0.4)  # 30%: the whole 专业类 of the first major, 10%: its whole 大类
    extra = [
        cat_members[major_cat[first[i]]] if r[i] < 0.1 else class_members[catalog.major_class[first[i]]]
        for i in widen
    ]
    rows = np.repeat(widen, [len(e) for e in extra])
    cols = np.concatenate(extra) if extra else np.zeros(0, np.int64)
    wanted = wanted + sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=wanted.shape)
    req = sets(rng, n, 3, 7, N_SKILL, pool=major_skills[first])
    bonus = sets(rng, n, 1, 4, N_SKILL, pool=major_skills[first])
    title = item_tokens(catalog.major_tokens, sp.csr_matrix(
        (np.ones(n, np.float32), first, np.arange(n + 1)), shape=(n, N_MAJOR)))  # fmt: skip
    lengths = rng.integers(150, 190, n)
    ranks = np.arange(V - 30, dtype=np.float64)
    p = 1 / (ranks + 2.7) ** 1.07
    desc = (np.repeat(np.arange(n), lengths), rng.choice(V - 30, int(lengths.sum()), p=p / p.sum()) + 30)
    tokens = to_ragged(
        n, [title, desc, item_tokens(catalog.skill_tokens, req), item_tokens(catalog.skill_tokens, bonus)]
    )
    link = rng.integers(0, N_LINK, n)
    return engine.PositionArrays(
        ids=np.arange(first_id, first_id + n),
        min_edu=rng.integers(0, N_EDU, n),
        start_day=rng.integers(0, 400, n),
        county=rng.integers(0, N_COUNTY, n),
        ptype=rng.integers(0, N_TYPE, n),
        chain=link_chain[link],
        link=link,
        salary_bucket=rng.integers(-1, N_SAL, n),
        in_city=rng.random(n) < 0.9,
        wanted_majors=wanted,
        req_skills=req,
        bonus_skills=bonus,
        req_certs=sets(rng, n, 0, 2, N_CERT),
        bonus_certs=sets(rng, n, 0, 2, N_CERT),
        tokens=tokens,
    )


def make_students(rng, major_skills, n: int):
    major = rng.permutation(N_MAJOR)[rng.zipf(1.3, n) % N_MAJOR]  # skewed major popularity
    return engine.StudentArrays(
        ids=np.arange(1, n + 1),
        major=major,
        edu=rng.integers(1, N_EDU, n),
        avail_day=rng.integers(0, 365, n),
        county=rng.integers(-1, N_COUNTY, n),
        stay=rng.random(n) < 0.6,
        min_salary_bucket=rng.integers(-1, N_SAL, n),
        skills=sets(rng, n, 4, 8, N_SKILL, pool=major_skills[major]),
        certs=sets(rng, n, 0, 3, N_CERT),
        pref_chains=sets(rng, n, 0, 2, N_CHAIN),
        pref_counties=sets(rng, n, 0, 2, N_COUNTY),
        pref_types=sets(rng, n, 1, 2, N_TYPE),
    )


# --- the benchmark ----------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--positions", type=int, default=50_000)
    ap.add_argument("--block", type=int, default=1000)
    ap.add_argument("--bm25s-sample", type=int, default=2000, help="queries timed with bm25s")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    print(f"load average at start: {load()}; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"scale: {a.students:,} students x {a.positions:,} positions; numpy {np.__version__}", flush=True)

    rng = np.random.default_rng(a.seed)
    t = time.perf_counter()
    catalog, link_chain, major_skills = make_catalog(rng)
    positions = make_positions(rng, catalog, link_chain, major_skills, a.positions)
    students = make_students(rng, major_skills, a.students)
    data_peak = peak_mib()
    print(
        f"synthetic data {time.perf_counter() - t:.1f} s: {len(positions.tokens.values) / a.positions:.0f} "
        f"tokens per position; peak so far {data_peak:.0f} MiB",
        flush=True,
    )

    t = time.perf_counter()
    index = engine.MatchIndex.build(catalog, positions)
    build_s = time.perf_counter() - t
    print(f"index build {build_s:.2f} s ({index.version}); peak {peak_mib():.0f} MiB", flush=True)
    goal("index build", build_s, GOALS["build"], "s")

    qs = rng.integers(0, a.students, 300)
    for s in qs[:20]:
        index.top_k(students, int(s))
    lat = []
    for s in qs:
        t = time.perf_counter()
        index.top_k(students, int(s))
        lat.append(time.perf_counter() - t)
    print(
        f"single query (dense item rows) p50 {pct(lat, 50):.2f} ms, p95 {pct(lat, 95):.2f} ms, "
        f"max {max(lat) * 1000:.1f} ms"
    )
    goal("single query p95", pct(lat, 95), GOALS["p95_ms"], "ms")

    s0 = int(qs[0])
    ids0, scores0 = index.top_k(students, s0)
    lat = []
    for s in qs[:50]:
        ids, _ = index.top_k(students, int(s))
        t = time.perf_counter()
        index.explain(students, int(s), ids[0][ids[0] >= 0])
        lat.append(time.perf_counter() - t)
    ex = index.explain(students, s0, ids0[0])
    same = np.allclose([e.score for e in ex], scores0[0], atol=1e-5)
    print(
        f"explain k=20: p50 {pct(lat, 50):.2f} ms, p95 {pct(lat, 95):.2f} ms; "
        f"components sum to the score: {same}"
    )

    all_s = {}
    for threads in (1, 2):
        t = time.perf_counter()
        bulk_ids, bulk_scores = index.top_k_all(students, 20, block=a.block, threads=threads)
        all_s[threads] = time.perf_counter() - t
        print(
            f"every student's top 20, {threads} thread(s): {all_s[threads]:.1f} s; peak {peak_mib():.0f} MiB",
            flush=True,
        )
    goal("all students top 20 (2 threads)", all_s[2], GOALS["all"], "s")
    same = all(np.array_equal(index.top_k(students, int(s))[0][0], bulk_ids[s]) for s in qs[:50])
    print(f"bulk == single query (50 students): {same}; students with < 20 results: "
          f"{(bulk_ids[:, -1] < 0).mean():.2%}")  # fmt: skip
    del bulk_ids, bulk_scores

    # incremental updates: 1,000 new positions in the delta segment, then tombstones
    new = make_positions(np.random.default_rng(7), catalog, link_chain, major_skills, 1000, first_id=10**9)
    t = time.perf_counter()
    index.add_positions(new)
    add_ms = (time.perf_counter() - t) * 1000
    lat = []
    for s in qs[:100]:
        t = time.perf_counter()
        index.top_k(students, int(s))
        lat.append(time.perf_counter() - t)
    block_rows = np.arange(min(a.block, a.students))
    t = time.perf_counter()
    index.top_k(students, block_rows)
    with_delta = time.perf_counter() - t
    removed = index.remove_positions(new.ids)
    t = time.perf_counter()
    index.top_k(students, block_rows)
    without = time.perf_counter() - t
    print(
        f"delta segment of 1,000 positions: add {add_ms:.0f} ms; single query with it "
        f"p50 {pct(lat, 50):.2f} ms p95 {pct(lat, 95):.2f} ms; a block of {len(block_rows)} students "
        f"{with_delta:.2f} s vs {without:.2f} s without; removed {removed}"
    )
    t = time.perf_counter()
    index.remove_positions(ids0[0][:5])
    tomb_ms = (time.perf_counter() - t) * 1000
    gone = not np.isin(ids0[0][:5], index.top_k(students, s0)[0]).any()
    # put them back (through the delta segment, with the frozen statistics): the same results as before
    index.add_positions(positions.take(np.flatnonzero(np.isin(positions.ids, ids0[0][:5]))))
    back = np.array_equal(index.top_k(students, s0)[0], ids0)
    print(
        f"tombstones for 5 positions: {tomb_ms:.1f} ms; gone from results: {gone}; re-added through the "
        f"delta: "
        f"same results as before: {back}; delta fraction {index.delta_fraction:.4f}"
    )

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "index.npz"
        t = time.perf_counter()
        index.save(path)
        save_s = time.perf_counter() - t
        t = time.perf_counter()
        loaded = engine.MatchIndex.load(path, weights=index.weights, catalog=catalog)
        load_s = time.perf_counter() - t
        same = np.array_equal(loaded.top_k(students, s0)[0], index.top_k(students, s0)[0])
        print(
            f"snapshot: {path.stat().st_size / 2**20:.0f} MiB, save {save_s:.2f} s, load with dense item "
            f"rows {load_s:.2f} s; same results after load: {same}"
        )
        del loaded
        t = time.perf_counter()
        light = engine.MatchIndex.load(path, dense_items=False)
        light_s = time.perf_counter() - t
    lat = []
    for s in qs[:100]:
        t = time.perf_counter()
        light.top_k(students, int(s))
        lat.append(time.perf_counter() - t)
    close = all(
        np.allclose(light.top_k(students, int(s))[1], index.top_k(students, int(s))[1], atol=1e-5)
        for s in qs[:20]
    )
    print(
        f"web-worker mode (load without dense item rows {light_s:.2f} s): single query "
        f"p50 {pct(lat, 50):.2f} ms, p95 {pct(lat, 95):.2f} ms; scores equal the item path: {close}"
    )
    # the reverse direction (推荐人选): one position scored for every student, then its top 20
    pids = light.position_ids[:: max(1, len(light.position_ids) // 20)][:20]
    rev = []
    for pid in pids:
        t = time.perf_counter()
        col = light.score_pairs(students, [int(pid)])[:, 0]
        np.argpartition(-col, 20)[:20]
        rev.append(time.perf_counter() - t)
    print(
        f"students for one position ({len(students):,} students, score_pairs + top 20): "
        f"p50 {pct(rev, 50):.0f} ms, p95 {pct(rev, 95):.0f} ms over {len(pids)} positions"
    )
    del light
    engine_peak = peak_mib()
    print(
        f"peak RSS of the engine part: {engine_peak:.0f} MiB (the synthetic data alone: {data_peak:.0f} MiB)"
    )
    goal("peak memory", engine_peak, GOALS["peak_mib"], "MiB")

    # --- text relevance alone: bm25s on the same tokens -----------------------------------------------------
    try:
        import bm25s
    except ImportError:
        print("bm25s is not installed: pip install -e '.[bench]' (make bench does it)")
        return 1
    nq = min(a.bm25s_sample, a.students)
    queries = engine.query_tokens(catalog, students, range(nq))
    index.bm25_top_k(queries[:20], 20)  # warm
    t = time.perf_counter()
    ours_ids, ours = [], []
    for b0 in range(0, nq, 1000):
        i, s = index.bm25_top_k(queries[b0 : b0 + 1000], 20)
        ours_ids.append(i)
        ours.append(s)
    ours_s = time.perf_counter() - t
    ours = np.vstack(ours)
    corpus = [positions.tokens.row(i).tolist() for i in range(a.positions)]
    t = time.perf_counter()
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retriever.index((corpus, {str(i): i for i in range(V)}), show_progress=False)
    bm_build = time.perf_counter() - t
    del corpus
    t = time.perf_counter()
    _, theirs = retriever.retrieve(queries, k=20, show_progress=False, n_threads=0)
    bm_s = time.perf_counter() - t
    lat = []
    for q in queries[:200]:
        t = time.perf_counter()
        retriever.retrieve([q], k=20, show_progress=False)
        lat.append(time.perf_counter() - t)
    ok = np.allclose(theirs, ours, rtol=1e-4, atol=1e-4)
    print(f"bm25s index build {bm_build:.1f} s (from token ids, text only)")
    print(
        f"bm25s retrieve: {bm_s / nq * 1000:.3f} ms/query over {nq} queries -> all {a.students:,} students "
        f"~{bm_s / nq * a.students:.0f} s (text only, no filters, 1 process); single query p50 "
        f"{pct(lat, 50):.2f} ms p95 {pct(lat, 95):.2f} ms"
    )
    print(
        f"ours, text only (bm25_top_k, blocks of 1,000): {ours_s / nq * 1000:.3f} ms/query; "
        f"full score with filters (top_k_all, 2 threads): {all_s[2] / a.students * 1000:.3f} ms/student"
    )
    print(f"ratio, all students: engine with every component {all_s[2]:.0f} s vs bm25s text only "
          f"~{bm_s / nq * a.students:.0f} s")  # fmt: skip
    print(f"bm25s top-20 scores == ours (allclose): {ok}; max difference {np.abs(theirs - ours).max():.2e}")
    print(f"peak RSS overall {peak_mib():.0f} MiB; load average at end: {load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
