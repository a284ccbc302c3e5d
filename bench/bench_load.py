"""Load test (issue 11): city-scale data on PostgreSQL behind gunicorn, students browsing, searching and
applying, enterprise HR reviewing, officers on dashboards; p50, p95, p99 and throughput, and in the same run
the throughput of a trivial page of the same server. Not run by ``make bench`` (it takes about 8 minutes);

    .venv/bin/python bench/bench_load.py                        # 5 minutes, 20 users
    .venv/bin/python bench/bench_load.py --duration 60          # a short check
    .venv/bin/python bench/bench_load.py --users 60 --wait 1,3
    .venv/bin/python bench/bench_load.py --rebuild              # regenerate the city first (~15 min)
    .venv/bin/python -m bench load                              # the same, through bench/__main__.py

Needs PostgreSQL and Redis (``--database-url``, ``--redis-url``) and the ``bench`` extra (locust).

1. The database (``xqt_load`` by default) is created, migrated and filled with ``demo_data --scale city``
   unless it already holds the city (``--rebuild`` regenerates it); migrations are applied on every run.
2. Accounts with a known password are opened with the project's services: school administrators and
   enterprise HR (``user_create``), students (``student_account_open`` by their school's administrator),
   officers of 市教育局 and 市人社局. Demo accounts are not used (demo mode is off). The matching index is
   built once (``build_match_index``) when its snapshot is missing.
3. gunicorn serves ``xiaoqitong.wsgi:application`` (gthread, ``--workers`` default 2 x cores + 1) on a free
   127.0.0.1 port, like production: DEBUG off, a secret key, Redis (database ``/5``) as cache, session store
   and Celery broker, and one Celery worker beside it (``--no-worker`` to leave it out).
4. The per-process caches are primed: more concurrent requests than the server has threads to 为我推荐 (the
   matching index) and 推荐人选 (every student's arrays), with the cold times printed.
5. locust (``bench/locustfile.py``) runs headless: ``--users`` people (students 85 : HR 10 : officers 5),
   ``--wait`` seconds of think time between two actions, for ``--warmup`` seconds (not counted: logins, the
   first load of the matching index in each worker) then ``--duration`` seconds measured. Then, on the same
   server with the same number of users and no think time, ``/healthz`` (one database question) for
   ``--baseline`` seconds: the server's ceiling.

Prints p50, p95, p99, requests/s and failures per group, per page and overall, then the baseline. Any failure
(a 5xx, an unexpected status or redirect, a connection error) or a traceback in the server's log makes it
exit non-zero after printing them. A business refusal (already applied, posting full) is not a failure.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/xqt_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
PASSWORD = "Load-bench-2026"  # noqa: S105  the load accounts' password: test data only, in a database of its own
SECRET_KEY = "bench-load-not-a-production-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
GROUPS = ("student", "hr", "officer")
BIN = Path(sys.executable).parent


def env_for(a, port: int = 0) -> dict[str, str]:
    env = dict(
        os.environ,
        DATABASE_URL=a.database_url,
        REDIS_URL=a.redis_url,
        XQT_SECRET_KEY=SECRET_KEY,
        XQT_DEBUG="0",
        XQT_DEMO_MODE="0",
        XQT_HTTPS="0",
        XQT_VAR_DIR=str(a.var_dir),
        XQT_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="xiaoqitong.settings",
        OPENBLAS_NUM_THREADS="1",
    )
    if port:
        env["XQT_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        env["XQT_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
    return env


def manage(a, *args: str, quiet: bool = False) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "xiaoqitong", *args],
        env=env_for(a),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- 1. the database --------------------------------------------------------------------------------------
def city_ready(url: str) -> bool:
    """Whether the database exists and its last demo run generated the city."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT scale, finished_at IS NOT NULL FROM demo_demorun ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == "city" and row[1]


def prepare_database(a) -> None:
    import psycopg

    if a.rebuild or not city_ready(a.database_url):
        name = a.database_url.rsplit("/", 1)[1]
        admin = a.database_url.rsplit("/", 1)[0] + "/postgres"
        t = time.perf_counter()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        shutil.rmtree(a.var_dir / "matching", ignore_errors=True)
        (a.var_dir / "load-accounts.json").unlink(missing_ok=True)
        manage(a, "migrate", "--noinput", "-v", "0")
        manage(a, "load_reference", quiet=True)
        manage(a, "load_departments", quiet=True)
        manage(a, "demo_data", "--scale", "city", "--no-progress")
        print(f"database {name} generated (city) in {time.perf_counter() - t:.0f} s", flush=True)
    else:
        manage(a, "migrate", "--noinput", "-v", "0")


# --- 2. the accounts (in a child process, with Django) ----------------------------------------------------
def setup_accounts(n_students: int, n_hr: int, n_officers: int, out: Path) -> None:
    """Open the load accounts that do not exist yet and write them, with search words and counties, to
    ``out``. Idempotent: a second run only reads them back."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from xiaoqitong.enterprises.models import Application, Position
    from xiaoqitong.orgs import services as org_services
    from xiaoqitong.orgs.choices import Role
    from xiaoqitong.orgs.models import Department, Enterprise, User
    from xiaoqitong.reference.models import Skill
    from xiaoqitong.schools import services as school_services
    from xiaoqitong.schools.choices import StudentStatus
    from xiaoqitong.schools.models import Student

    t = time.perf_counter()
    rng = random.Random(11)
    made = 0

    def user(username: str, **data) -> str:
        nonlocal made
        if not User.objects.filter(username=username).exists():
            org_services.user_create(actor=None, data={"username": username, "password": PASSWORD, **data})
            made += 1
        return username

    # officers: 市教育局 reads the targets and analytics, 市人社局 the supply and demand
    departments = list(Department.objects.filter(code__in=["CZ-JYJ", "CZ-RSJ"]).order_by("code"))
    officers = [
        user(f"load-gov-{i:03d}", role=Role.GOV_OFFICER, department=departments[i % len(departments)])
        for i in range(n_officers)
    ]
    # HR of the enterprises that receive the most applications
    busiest = (
        Application.objects.values("position__enterprise")
        .annotate(n=Count("id"))
        .order_by("-n", "position__enterprise")[:n_hr]
    )
    enterprises = Enterprise.objects.in_bulk([row["position__enterprise"] for row in busiest])
    hr = [
        user(f"load-hr-{i:03d}", role=Role.ENTERPRISE_HR, enterprise=enterprises[row["position__enterprise"]])
        for i, row in enumerate(busiest)
    ]
    # students of every school, opened by their school's administrator, then given the known password
    students = list(User.objects.filter(username__startswith="load-stu-").values_list("username", flat=True))
    if len(students) < n_students:
        pool = list(
            Student.objects.filter(
                user__isnull=True, status__in=[StudentStatus.STUDYING, StudentStatus.INTERNING]
            )
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        chosen = Student.objects.select_related("school").in_bulk(
            rng.sample(pool, n_students - len(students))
        )
        admins: dict[int, User] = {}
        opened = []
        for i, student in enumerate(chosen.values(), start=len(students)):
            if student.school_id not in admins:
                name = user(
                    f"load-admin-{student.school.code}", role=Role.SCHOOL_ADMIN, school=student.school
                )
                admins[student.school_id] = User.objects.get(username=name)
            account, _initial, _created = school_services.student_account_open(
                actor=admins[student.school_id], student=student, username=f"load-stu-{i:04d}"
            )
            opened.append(account.pk)
            students.append(account.username)
        # The initial passwords are random; the load needs one it knows. Hashing is the slow part (PBKDF2),
        # so one hash of the known password is given to every new account.
        User.objects.filter(pk__in=opened).update(password=make_password(PASSWORD))
        made += len(opened)
    words = sorted(set(Skill.objects.values_list("name", flat=True)))
    common = ["数控", "护理", "电子商务", "会计", "汽车", "软件", "物流"]
    words = [*rng.sample(words, min(60, len(words))), *common]
    counties = sorted(
        set(Position.objects.exclude(county=None).values_list("county__code", flat=True).distinct())
    )
    out.write_text(
        json.dumps(
            {
                "student": sorted(students),
                "hr": hr,
                "officer": officers,
                "words": words,
                "counties": counties,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(
        f"accounts: {len(students)} students, {len(hr)} HR, {len(officers)} officers "
        f"({made} opened now in {time.perf_counter() - t:.0f} s)",
        flush=True,
    )


# --- 3. the server ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as r:  # noqa: S310 (our own server)
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url}/healthz did not answer 200 within {timeout:.0f} s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's master and workers (the machine is shared: this is the part
    of its load that the web server itself made)."""
    import psutil

    try:
        master = psutil.Process(server.pid)
        procs = [master, *master.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def prime(a, url: str) -> None:
    """The first request of each kind in a worker process loads what that process keeps: the matching index
    (为我推荐), every student's arrays (推荐人选). Ask for them concurrently, more requests than the server
    has threads so that every worker gets some, and print how long the cold ones took."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    accounts = json.loads((a.var_dir / "load-accounts.json").read_text(encoding="utf-8"))

    def session(username: str) -> requests.Session:
        s = requests.Session()
        page = s.get(f"{url}/accounts/login/", timeout=300)
        token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        answer = s.post(
            f"{url}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=300,
        )
        if answer.status_code != 302:
            raise SystemExit(f"{username} could not log in (HTTP {answer.status_code})")
        return s

    student, hr = session(accounts["student"][0]), session(accounts["hr"][0])
    home = hr.get(f"{url}/matching/candidates/", timeout=300).text
    pk = home.split('href="/matching/positions/', 1)[1].split("/", 1)[0] if "/candidates/" in home else None
    jobs = [(student, "/matching/for-me/")] + ([(hr, f"/matching/positions/{pk}/candidates/")] if pk else [])
    n = 2 * a.workers * a.threads

    def timed(job) -> tuple[str, float, int]:
        s, path = job
        t = time.perf_counter()
        status = s.get(f"{url}{path}", timeout=600, allow_redirects=False).status_code
        return path, time.perf_counter() - t, status

    for who, path in jobs:
        with ThreadPoolExecutor(n) as pool:
            got = list(pool.map(timed, [(who, path)] * n))
        took = sorted(t for _p, t, _s in got)
        bad = [s for _p, _t, s in got if s != 200]
        print(
            f"priming {path.split('/')[2] if 'for-me' in path else 'candidates'}: {n} concurrent requests, "
            f"slowest {took[-1]:.1f} s, median {took[len(took) // 2]:.1f} s"
            + (f"; HTTP {bad}" if bad else ""),
            flush=True,
        )


# --- 4. locust ----------------------------------------------------------------------------------------------
def run_locust(a, url: str, users: int, seconds: int, classes: list[str], samples: Path, wait: str) -> None:
    env = dict(
        os.environ,
        XQT_LOAD_ACCOUNTS=str(a.var_dir / "load-accounts.json"),
        XQT_LOAD_PASSWORD=PASSWORD,
        XQT_LOAD_SAMPLES=str(samples),
        XQT_LOAD_WAIT=wait,
    )
    with open(a.var_dir / "locust.log", "a") as log:
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "--host",
                url,
                "--users",
                str(users),
                "--spawn-rate",
                str(a.spawn_rate),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "30",
                "--only-summary",
                "--loglevel",
                "WARNING",
                *classes,
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,  # locust exits 1 on any failure: ours are counted from the samples
        )


def pct(values, q) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def line(label: str, rows: list, seconds: float) -> str:
    ms = np.array([r[2] for r in rows], dtype=float)
    bad = sum(1 for r in rows if not r[3])
    return (
        f"{label:<44} {len(rows):>7} {len(rows) / seconds:>7.1f} {pct(ms, 50):>7.0f} {pct(ms, 95):>7.0f} "
        f"{pct(ms, 99):>7.0f} {bad:>6}"
    )


HEADER = f"{'':<44} {'requests':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'failed':>6}"


def report(
    path: Path, start: float, seconds: float, groups: tuple[str, ...], cpu: float
) -> tuple[list, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [r for r in data["samples"] if r[4] >= start]
    print(HEADER)
    for group in groups:
        mine = [r for r in rows if r[0] == group]
        if mine and len(groups) > 1:
            print(line(group, mine, seconds))
    counted = [r for r in rows if r[0] in groups]
    print(line("overall", counted, seconds))
    if counted:
        print(
            f"web server CPU (gunicorn master and workers): {cpu:.0f} s, {1000 * cpu / len(counted):.0f} ms "
            f"a request, {100 * cpu / seconds / (os.cpu_count() or 1):.0f}% of the machine's cores"
        )
    return data["samples"], data["failures"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_URL)
    ap.add_argument("--redis-url", default=DEFAULT_REDIS)
    ap.add_argument(
        "--var-dir", type=Path, default=ROOT / "var" / "bench-load", help="XQT_VAR_DIR of the run"
    )
    ap.add_argument(
        "--rebuild", action="store_true", help="regenerate the city even if the database holds it"
    )
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--spawn-rate", type=float, default=4, help="users started per second")
    ap.add_argument("--duration", type=int, default=300, help="seconds measured")
    ap.add_argument(
        "--warmup", type=int, default=30, help="seconds run before the measured ones (not counted)"
    )
    ap.add_argument("--baseline", type=int, default=60, help="seconds of the /healthz baseline")
    ap.add_argument("--wait", default="2,8", help="think time between two actions, min,max seconds")
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    ap.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    ap.add_argument("--no-worker", action="store_true", help="no Celery worker beside the web server")
    ap.add_argument("--accounts", default="300,20,10", help="students,hr,officers accounts to open")
    ap.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.var_dir = a.var_dir.resolve()
    a.var_dir.mkdir(parents=True, exist_ok=True)
    n_students, n_hr, n_officers = (int(x) for x in a.accounts.split(","))
    if a.setup_only:  # the child process of step 2
        setup_accounts(n_students, n_hr, n_officers, a.var_dir / "load-accounts.json")
        return 0
    if not a.database_url.startswith("postgres"):
        print("this benchmark runs on PostgreSQL: --database-url postgresql://…")
        return 1
    if shutil.which("locust", path=str(BIN)) is None:
        print("locust is not installed: .venv/bin/pip install -e '.[bench]'")
        return 1

    print(f"machine: {os.cpu_count()} cores; load average at start {load()}", flush=True)
    prepare_database(a)
    subprocess.run(  # noqa: S603 (this script)
        [sys.executable, __file__, "--setup-only", "--accounts", a.accounts, "--var-dir", str(a.var_dir)],
        env=env_for(a),
        check=True,
    )
    if not (a.var_dir / "matching" / "positions.npz").exists():
        t = time.perf_counter()
        manage(a, "build_match_index", quiet=True)
        print(f"matching index built in {time.perf_counter() - t:.0f} s", flush=True)
    import redis

    redis.Redis.from_url(a.redis_url).flushdb()  # its own Redis database: no sessions or cache of a last run

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = a.var_dir / "gunicorn.log"
    server_log.unlink(missing_ok=True)
    (a.var_dir / "locust.log").unlink(missing_ok=True)
    server = worker = None
    samples, baseline = a.var_dir / "samples.json", a.var_dir / "baseline.json"
    try:
        server = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "xiaoqitong.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(a.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(a.threads),
                "--log-level",
                "warning",
                "--error-logfile",
                str(server_log),
                "--capture-output",
            ],
            env=env_for(a, port),
        )
        if not a.no_worker:
            worker = subprocess.Popen(  # noqa: S603
                [
                    str(BIN / "celery"),
                    "-A",
                    "xiaoqitong",
                    "worker",
                    "--loglevel",
                    "WARNING",
                    "--concurrency",
                    "1",
                    "--pool",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env=env_for(a, port),
                stdout=subprocess.DEVNULL,
                stderr=open(a.var_dir / "celery.log", "w"),  # noqa: SIM115
            )
        wait_healthy(url, server)
        import django

        print(
            f"server: gunicorn {a.workers} workers x {a.threads} threads (gthread) at {url}, "
            f"{'one Celery worker' if worker else 'no Celery worker'}; Django {django.get_version()}, "
            "DEBUG off, "
            f"Redis {a.redis_url}; database {a.database_url.rsplit('/', 1)[1]} (city scale)",
            flush=True,
        )
        print(
            f"scenario: {a.users} users (student 85 : hr 10 : officer 5), think time {a.wait} s, "
            f"{a.warmup} s warm-up then {a.duration} s measured",
            flush=True,
        )
        prime(a, url)
        started = time.time()
        cpu = {}
        timer = threading.Timer(a.warmup, lambda: cpu.setdefault("start", server_cpu(server)))
        timer.start()
        run_locust(a, url, a.users, a.warmup + a.duration, ["Student", "HR", "Officer"], samples, a.wait)
        timer.join()
        cpu["end"] = server_cpu(server)
        measured_from = started + a.warmup
        rows, failures = report(samples, measured_from, a.duration, GROUPS, cpu["end"] - cpu["start"])
        logins = [r for r in rows if r[0] == "login"]
        print(line("login (during the warm-up)", logins, a.warmup + a.duration))
        print("per page (measured):")
        for name in sorted({r[1] for r in rows if r[0] in GROUPS}):
            mine = [r for r in rows if r[1] == name and r[4] >= measured_from]
            if mine:
                print(line(f"  {name}", mine, a.duration))
        print(f"load average after the scenario: {load()}", flush=True)

        cpu_start = server_cpu(server)
        run_locust(a, url, a.users, a.baseline, ["Baseline"], baseline, "0,0")
        cpu_used = server_cpu(server) - cpu_start
        print(f"baseline, same server: /healthz, {a.users} users, no think time, {a.baseline} s")
        _rows, base_failures = report(baseline, 0, a.baseline, ("baseline",), cpu_used)
        failures.update(base_failures)
    finally:
        stop(worker)
        stop(server)
    log = server_log.read_text(encoding="utf-8", errors="replace") if server_log.exists() else ""
    tracebacks = log.count("Traceback")
    print(f"load average at end: {load()}")
    if failures or tracebacks:
        print(f"FAILED: {sum(failures.values())} failed requests, {tracebacks} tracebacks in {server_log}")
        for what, n in sorted(failures.items(), key=lambda kv: -kv[1]):
            print(f"  {n:>5} x {what}")
        if tracebacks:
            print(log[-6000:])
        return 1
    print("no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
