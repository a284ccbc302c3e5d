"""Analytics dashboards at city scale on PostgreSQL (issue 5): warm p95 and cold time of each page.

    .venv/bin/python bench/bench_analytics.py                      # fresh database, city scale
    .venv/bin/python bench/bench_analytics.py --reuse              # keep the database of the last run
    .venv/bin/python bench/bench_analytics.py --scale small

Creates the PostgreSQL database ``xqt_bench_analytics`` (``--database-url`` to change; PostgreSQL runs on the
project's machines), migrates it, loads the catalogs and generates the demo city, then renders each dashboard
page in this process through Django's test client as the demo government officer: **cold** (no snapshot
kept: the page computes the figures it shows, then keeps them) and **warm** (``--repeat`` renders after a
full ``snapshots_refresh``, p50 and p95). The baseline of the same run is a trivial page of the same server
(``/healthz``, which asks the database one question). Goals: warm p95 < 500 ms, cold < 3 s.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

GOALS = {"warm_p95_ms": 500.0, "cold_s": 3.0}
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/xqt_bench_analytics"


def manage(url: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="xiaoqitong.settings")
    subprocess.run([sys.executable, "-m", "xiaoqitong", *args], env=env, check=True)  # noqa: S603


def recreate(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_URL)
    ap.add_argument("--scale", default="city", choices=["small", "city", "province"])
    ap.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    ap.add_argument("--repeat", type=int, default=20, help="warm renders of each page")
    a = ap.parse_args()
    url = a.database_url
    if not url.startswith("postgres"):
        print("this benchmark runs on PostgreSQL: --database-url postgresql://…")
        return 1
    if not a.reuse:
        t = time.perf_counter()
        recreate(url)
        manage(url, "migrate", "--noinput", "-v", "0")
        manage(url, "load_reference")
        manage(url, "demo_data", "--scale", a.scale)
        print(f"database prepared ({a.scale}) in {time.perf_counter() - t:.0f} s")

    os.environ["DATABASE_URL"] = url
    os.environ["XQT_DEMO_MODE"] = "1"  # the demo accounts sign in only in demo mode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaoqitong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    from xiaoqitong.analytics import services
    from xiaoqitong.analytics.models import Snapshot
    from xiaoqitong.orgs.models import User

    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    gov = User.objects.get(username="demo-gov")
    school = User.objects.get(username="demo-school").school_id
    client.force_login(gov)
    pages = [
        ("供需总览", "/analytics/"),
        ("产业链", "/analytics/chains/"),
        ("县市区对比", "/analytics/counties/"),
        ("一校一产业链", f"/analytics/school/{school}/"),
        ("研究数据", "/analytics/aggregates/?dimension=major_class"),
    ]
    from django.db import connection

    print(f"PostgreSQL {connection.pg_version}; {Snapshot.objects.count()} snapshots before")

    def render(path: str) -> float:
        t = time.perf_counter()
        response = client.get(path)
        took = time.perf_counter() - t
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return took

    base = [render("/healthz") for _ in range(a.repeat)]
    print(f"baseline /healthz: p50 {pct(base, 50):.1f} ms, p95 {pct(base, 95):.1f} ms")

    failed = False
    cold = {}
    for _label, path in pages:
        Snapshot.objects.all().delete()
        cache.clear()
        cold[path] = render(path)
    t = time.perf_counter()
    result = services.snapshots_refresh()
    print(f"snapshots_refresh: {result['snapshots']} snapshots in {time.perf_counter() - t:.1f} s")
    for label, path in pages:
        render(path)  # warm-up
        warm = [render(path) for _ in range(a.repeat)]
        ok_warm, ok_cold = pct(warm, 95) < GOALS["warm_p95_ms"], cold[path] < GOALS["cold_s"]
        failed |= not (ok_warm and ok_cold)
        print(
            f"{label:<8} {path:<48} warm p50 {pct(warm, 50):6.1f} ms p95 {pct(warm, 95):6.1f} ms "
            f"({pct(warm, 95) / max(pct(base, 95), 1e-6):.0f}x baseline) {'met' if ok_warm else 'NOT met'}; "
            f"cold {cold[path]:.2f} s {'met' if ok_cold else 'NOT met'}"
        )
    print(f"goals: warm p95 < {GOALS['warm_p95_ms']:.0f} ms, cold < {GOALS['cold_s']:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
