"""Time the demo generator on fresh SQLite databases.

    .venv/bin/python bench/bench_demo.py                  # small and city
    .venv/bin/python bench/bench_demo.py --scales small city province

Prepares one database in a temporary folder (``migrate`` + ``load_reference``), copies it for every
scale so that each run starts from the same fresh state, and runs ``demo_data`` in a child process with
``XQT_VAR_DIR`` pointing at the copy. Prints seconds and rows per second for each scale and each step,
the inserts that took longest, the time spent computing ``search_text`` (tokenizing with the registered
builders: enterprises, students, postings) and the peak memory; and, as a baseline from the same run, a
plain ``bulk_create`` of as many enterprises.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DB_NAME = "xiaoqitong.sqlite3"


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ, XQT_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="xiaoqitong.settings")
    env.pop("DATABASE_URL", None)  # always SQLite here
    return env


def _manage(var_dir: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "xiaoqitong", *args], env=_env(var_dir), check=True, stdout=subprocess.DEVNULL
    )


def prepare(var_dir: Path, reference_db: Path | None) -> float:
    """A migrated database with the reference catalogs; returns the seconds it took."""
    started = time.perf_counter()
    var_dir.mkdir(parents=True, exist_ok=True)
    if reference_db is not None:
        shutil.copy(reference_db, var_dir / DB_NAME)
        _manage(var_dir, "migrate", "--noinput", "-v", "0")
    else:
        _manage(var_dir, "migrate", "--noinput", "-v", "0")
        _manage(var_dir, "load_reference")
    return time.perf_counter() - started


def baseline(n: int) -> float:
    """Seconds for a plain ``bulk_create`` of ``n`` enterprises with fixed values: the floor the
    generator's enterprise step can be compared with on this machine, measured in the same run."""
    from django.db import transaction

    from xiaoqitong.orgs.models import Enterprise
    from xiaoqitong.orgs.validators import make_credit_code
    from xiaoqitong.reference.models import Industry, Region

    industry = Industry.objects.filter(level=4).order_by("code").first()
    county = Region.objects.filter(level="county", parent__code="431000").order_by("code").first()
    started = time.perf_counter()
    with transaction.atomic():
        rows = [
            Enterprise(
                credit_code=make_credit_code("431002", 10_000_000 + i),
                name=f"基准企业{i}有限公司",
                size="small",
                industry=industry,
                county=county,
                employees=50,
            )
            for i in range(n)
        ]
        Enterprise.objects.bulk_create(rows, batch_size=2000)
    seconds = time.perf_counter() - started
    Enterprise.objects.filter(name__startswith="基准企业").delete()
    return seconds


def worker(scale: str, seed: int) -> None:
    """Runs in the child process: generate one scale and print the figures as JSON."""
    import django

    django.setup()
    from xiaoqitong.demo.generator import delete_generated, generate

    started = time.perf_counter()
    run = generate(scale, seed, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - started
    rows = sum(run.counts.values())
    started = time.perf_counter()
    delete_generated()
    delete_seconds = time.perf_counter() - started
    enterprises = run.counts.get("orgs.Enterprise", 0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(
        json.dumps(
            {
                "scale": scale,
                "seconds": seconds,
                "rows": rows,
                "counts": run.counts,
                "steps": {k: v for k, v in run.timings.items() if not k.startswith("[")},
                "parts": {k[1:-1]: v for k, v in run.timings.items() if k.startswith("[")},
                "delete_seconds": delete_seconds,
                "peak_mb": peak,
                "enterprises": enterprises,
                "baseline_seconds": baseline(enterprises),
            }
        )
    )


def measure(base: Path, scale: str, seed: int) -> dict:
    var_dir = base / scale
    var_dir.mkdir()
    shutil.copy(base / "reference" / DB_NAME, var_dir / DB_NAME)
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--worker", scale, "--seed", str(seed)],
        env=_env(var_dir),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales", nargs="+", default=["small", "city"], choices=["small", "city", "province"]
    )
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--reference-db", type=Path, help="a SQLite file that already holds the reference data"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.seed)
        return
    with tempfile.TemporaryDirectory(prefix="xqt-bench-demo-") as tmp:
        base = Path(tmp)
        seconds = prepare(base / "reference", args.reference_db)
        print(f"prepare (migrate + load_reference): {seconds:.1f} s")
        print(f"{'scale':<10}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'reset s':>10}{'peak MB':>10}")
        results = []
        for scale in args.scales:
            r = measure(base, scale, args.seed)
            results.append(r)
            print(
                f"{scale:<10}{r['rows']:>10}{r['seconds']:>10.2f}{r['rows'] / r['seconds']:>10.0f}"
                f"{r['delete_seconds']:>10.2f}{r['peak_mb']:>10.0f}",
                flush=True,
            )
        for r in results:
            print(f"{r['scale']} steps (s): " + ", ".join(f"{k} {v:.2f}" for k, v in r["steps"].items()))
        for r in results:
            inserts = sorted(
                ((k.removeprefix("insert "), v) for k, v in r["parts"].items() if k.startswith("insert ")),
                key=lambda kv: -kv[1],
            )[:6]
            print(
                f"{r['scale']} longest inserts: "
                + ", ".join(f"{label} {r['counts'][label]} in {v:.2f} s" for label, v in inserts)
            )
        print("search text (tokenized with the registered builders, before the insert):")
        for r in results:
            parts = []
            total_n = total_s = 0
            for key, label in (
                ("enterprises", "orgs.Enterprise"),
                ("students", "schools.Student"),
                ("positions", "enterprises.Position"),
            ):
                seconds = r["parts"].get(f"{key}: search text", 0)
                n = r["counts"].get(label, 0)
                total_n, total_s = total_n + n, total_s + seconds
                parts.append(f"{key} {n} in {seconds:.2f} s")
            per = 1e6 * total_s / total_n if total_n else 0
            dictionary = r["parts"].get("search dictionary", 0)
            print(
                f"{r['scale']:<10}{', '.join(parts)}; {total_n} texts in {total_s:.2f} s ({per:.0f} µs each);"
                f" dictionary built in {dictionary:.2f} s"
            )
        print(
            "baseline, same run: plain bulk_create of as many enterprises (fixed values, nothing generated)"
        )
        for r in results:
            n, step, base_seconds = r["enterprises"], r["steps"].get("enterprises", 0), r["baseline_seconds"]
            print(
                f"{r['scale']:<10}{n:>8} enterprises: generator step {step:.2f} s, "
                f"plain insert {base_seconds:.2f} s ({n / base_seconds:.0f} rows/s)"
            )


if __name__ == "__main__":
    main()
