"""Province scale (issue 11, "Beyond one machine"): the demo generation on PostgreSQL, the dashboards' cold
queries and the matching index build, each with its time and peak memory. Not run by ``make bench`` (it
takes an hour or more and ~25 M rows of disk); name it: ``python -m bench province``.

    .venv/bin/python bench/bench_province.py                           # every part below, in turn
    .venv/bin/python bench/bench_province.py --only matching           # synthetic index, no database
    .venv/bin/python bench/bench_province.py --only generate --time-limit 1800 --memory-limit 12
    .venv/bin/python bench/bench_province.py --only dashboards         # on a complete province database

- **matching**: the matching engine's index over 750,000 synthetic positions shaped like the city's
  (``bench_matching.py``'s generator), built in a child process: build time, peak memory, snapshot size,
  save and load, one student's top 20. Baseline in the same run: the city's 50,000 positions.
- **generate**: ``demo_data --scale city`` then ``--scale province`` on a fresh PostgreSQL database
  (``xqt_province`` by default), each in a child process watched every second: time of every step, peak
  memory. The province run stops at ``--time-limit`` seconds or ``--memory-limit`` GiB (the generator works in
  one transaction, so a stopped run leaves nothing); the remaining steps are then extrapolated from the
  city's times and the ratio seen on the steps that finished, and printed as an estimate.
- **dashboards**: on a database holding the whole province, ``bench_analytics.py --reuse`` (cold and warm
  dashboards, baseline ``/healthz``) and ``build_match_index`` (time, peak memory).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/xqt_province"
STEP_DONE = re.compile(r"^(?P<label>.+)：完成（(?P<seconds>[0-9.]+) 秒）$")


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def watched(cmd: list[str], env: dict, *, time_limit: float = 0, memory_limit_mib: float = 0, on_line=None):
    """Run ``cmd``, polling its memory every second; stop it at either limit. Returns (seconds, peak MiB,
    exit code or the reason it was stopped, output lines)."""
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 (our own commands)
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    lines: list[str] = []
    peak = 0.0

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if on_line:
                on_line(lines[-1], time.perf_counter() - started, peak)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    stopped, cpu = None, 0.0
    while proc.poll() is None:
        peak = max(peak, rss_mib(proc.pid))
        cpu = cpu_seconds(proc.pid) or cpu
        elapsed = time.perf_counter() - started
        if time_limit and elapsed > time_limit:
            stopped = f"stopped at the time limit ({time_limit:.0f} s)"
        elif memory_limit_mib and peak > memory_limit_mib:
            stopped = f"stopped at the memory limit ({memory_limit_mib / 1024:.1f} GiB)"
        if stopped:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            break
        time.sleep(1)
    reader.join(timeout=10)
    watched.cpu = cpu  # CPU seconds of the child, as last seen (the machine may be shared)
    return time.perf_counter() - started, peak, stopped or proc.returncode, lines


def env_for(url: str, var_dir: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=url,
        XQT_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="xiaoqitong.settings",
        OPENBLAS_NUM_THREADS="1",
    )


def manage(url: str, var_dir: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "xiaoqitong", *args],
        env=env_for(url, var_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def recreate(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- generate -------------------------------------------------------------------------------------------
def generate(url: str, var_dir: Path, scale: str, time_limit: float, memory_limit_mib: float) -> dict:
    recreate(url)
    t = time.perf_counter()
    manage(url, var_dir, "migrate", "--noinput", "-v", "0")
    manage(url, var_dir, "load_reference")
    manage(url, var_dir, "load_departments")
    print(
        f"{scale}: fresh database migrated with the catalogs in {time.perf_counter() - t:.0f} s", flush=True
    )
    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def on_line(line: str, elapsed: float, peak: float) -> None:
        m = STEP_DONE.match(line.strip())
        if m:
            steps[m["label"]] = float(m["seconds"])
            peaks[m["label"]] = peak
            took = float(m["seconds"])
            print(
                f"  {scale} {m['label']:<14} {took:8.1f} s  (at {elapsed:6.0f} s, peak {peak:6.0f} MiB)",
                flush=True,
            )

    seconds, peak, status, lines = watched(
        [sys.executable, "-m", "xiaoqitong", "demo_data", "--scale", scale, "--no-progress", "-v", "2"],
        env_for(url, var_dir),
        time_limit=time_limit,
        memory_limit_mib=memory_limit_mib,
        on_line=on_line,
    )
    done = status == 0
    summary = next((line for line in lines if "演示数据已生成" in line), "")
    if status not in (0, None) and not isinstance(status, str):
        print("\n".join(lines[-30:]))
    print(
        f"{scale}: {'done' if done else status} in {seconds:.0f} s, peak {peak:.0f} MiB; {summary}",
        flush=True,
    )
    return {
        "scale": scale,
        "seconds": seconds,
        "peak_mib": peak,
        "done": done,
        "steps": steps,
        "peaks": peaks,
    }


def extrapolate(city: dict, province: dict) -> None:
    """The whole province from the steps it finished: their share of the city's step time, and the city's
    memory growth after them. Shares, not ratios of times: the two runs may see different machine loads."""
    both = [label for label in province["steps"] if label in city["steps"]]
    if not both:
        print("no finished step to extrapolate from")
        return
    done = sum(province["steps"][label] for label in both)
    share = sum(city["steps"][label] for label in both) / max(sum(city["steps"].values()), 1e-9)
    grow = city["peak_mib"] / max(city["peaks"][both[-1]], 1e-9)
    print(
        f"extrapolation: the {len(both)} finished steps took {done:.0f} s and were {share:.0%} of the city's "
        f"step time: the province's steps ~{done / share / 60:.0f} min, plus the analytics snapshots at the "
        "end "
        f"({city['seconds'] - sum(city['steps'].values()):.0f} s for the city); memory after them grew "
        f"{grow - 1:.0%} in the city: peak ~{province['peak_mib'] * grow / 1024:.0f} GiB "
        "(estimates, not measurements)"
    )


# --- matching (synthetic) ---------------------------------------------------------------------------------
def matching_child(n_positions: int, n_students: int) -> None:
    import resource
    import tempfile

    import numpy as np

    sys.path.insert(0, str(HERE))
    import bench_matching as bm

    from xiaoqitong.matching import engine

    rng = np.random.default_rng(42)
    catalog, link_chain, major_skills = bm.make_catalog(rng)
    positions = bm.make_positions(rng, catalog, link_chain, major_skills, n_positions)
    students = bm.make_students(rng, major_skills, n_students)
    data_rss = rss_mib(os.getpid())
    t, cpu = time.perf_counter(), time.process_time()
    index = engine.MatchIndex.build(catalog, positions)
    build, build_cpu = time.perf_counter() - t, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index_rss = rss_mib(os.getpid())
    del positions
    lat = []
    for s in rng.integers(0, n_students, 220):
        t = time.perf_counter()
        index.top_k(students, int(s))
        lat.append(time.perf_counter() - t)
    lat = np.asarray(lat[20:]) * 1000
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "index.npz"
        t = time.perf_counter()
        index.save(path)
        save = time.perf_counter() - t
        size = path.stat().st_size / 2**20
        del index
        t = time.perf_counter()
        light = engine.MatchIndex.load(path, dense_items=False)
        load_s = time.perf_counter() - t
        web = []
        for s in rng.integers(0, n_students, 120):
            t = time.perf_counter()
            light.top_k(students, int(s))
            web.append(time.perf_counter() - t)
    web = np.asarray(web[20:]) * 1000
    print(
        json.dumps(
            {
                "positions": n_positions,
                "build_s": build,
                "build_cpu_s": build_cpu,
                "data_rss_mib": data_rss,
                "index_rss_mib": index_rss,
                "peak_mib": peak,
                "query_p50_ms": float(np.percentile(lat, 50)),
                "query_p95_ms": float(np.percentile(lat, 95)),
                "snapshot_mib": size,
                "save_s": save,
                "web_load_s": load_s,
                "web_p50_ms": float(np.percentile(web, 50)),
                "web_p95_ms": float(np.percentile(web, 95)),
            }
        )
    )


def matching(students: int) -> None:
    print(
        f"matching index, synthetic positions (bench_matching.py's generator), {students:,} students' queries"
    )
    for n in (50_000, 750_000):
        out = subprocess.run(  # noqa: S603 (this script)
            [sys.executable, __file__, "--matching-child", str(n), "--students", str(students)],
            env=env_for("", ROOT / "var"),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"  {'city' if n == 50_000 else 'province'} {n:>9,} positions: build {r['build_s']:6.1f} s "
            f"({r['build_cpu_s']:.1f} s of CPU); RSS "
            f"{r['data_rss_mib']:.0f} MiB with the synthetic data, {r['index_rss_mib']:.0f} MiB with the "
            "index, "
            f"peak {r['peak_mib']:.0f} MiB; one student's top 20 p50 {r['query_p50_ms']:.1f} ms p95 "
            f"{r['query_p95_ms']:.1f} ms; snapshot {r['snapshot_mib']:.0f} MiB (save {r['save_s']:.1f} s), "
            f"loaded by a web worker in {r['web_load_s']:.2f} s, then top 20 p95 {r['web_p95_ms']:.1f} ms",
            flush=True,
        )


# --- dashboards and the index build on the generated province ---------------------------------------------
def province_ready(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT scale FROM demo_demorun ORDER BY id DESC LIMIT 1").fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == "province"


def dashboards(url: str, var_dir: Path) -> int:
    if not province_ready(url):
        print(f"dashboards: {url.rsplit('/', 1)[1]} does not hold the province (run --only generate first)")
        return 1
    seconds, peak, status, lines = watched(
        [sys.executable, "-m", "xiaoqitong", "build_match_index"], env_for(url, var_dir)
    )
    print(
        f"build_match_index: {seconds:.0f} s ({watched.cpu:.0f} s of CPU), peak {peak:.0f} MiB "
        f"(exit {status})"
    )
    print("\n".join("  " + line for line in lines[-6:]), flush=True)
    return subprocess.call(  # noqa: S603
        [sys.executable, str(HERE / "bench_analytics.py"), "--reuse", "--database-url", url, "--repeat", "5"],
        env=env_for(url, var_dir),
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_URL)
    ap.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench-province")
    ap.add_argument("--only", choices=["matching", "generate", "dashboards"], action="append")
    ap.add_argument("--time-limit", type=float, default=0, help="seconds the province generation may take")
    ap.add_argument("--memory-limit", type=float, default=16, help="GiB the province generation may use")
    ap.add_argument("--no-baseline", action="store_true", help="skip the city generation (the baseline)")
    ap.add_argument("--students", type=int, default=20_000, help="synthetic students queried (matching)")
    ap.add_argument("--matching-child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.matching_child:
        matching_child(a.matching_child, a.students)
        return 0
    a.var_dir.mkdir(parents=True, exist_ok=True)
    parts = a.only or ["matching", "generate", "dashboards"]
    print(f"machine: {os.cpu_count()} cores; load average at start {load()}", flush=True)
    status = 0
    if "matching" in parts:
        matching(a.students)
    if "generate" in parts:
        city = None
        if not a.no_baseline:
            city = generate(a.database_url, a.var_dir, "city", 0, 0)
        province = generate(a.database_url, a.var_dir, "province", a.time_limit, a.memory_limit * 1024)
        if not province["done"]:
            status = 1
            if city:
                extrapolate(city, province)
    if "dashboards" in parts and status == 0:
        status = dashboards(a.database_url, a.var_dir)
    print(f"load average at end: {load()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
