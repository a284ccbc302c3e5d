"""Faults with real processes (issue 11): a Celery worker killed in the middle of an import, Redis down under
a running web server, the database unreachable. Each test starts the platform's own processes (gunicorn, a
Celery worker, redis-server) over a fresh SQLite database in a temporary folder, as a deployment runs them."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.processes  # the same on any DATABASE_URL: .ci/run runs it once
BIN = Path(sys.executable).parent
ADMIN, PASSWORD = "fault-admin", "Fault-test-2026!"
ROWS = 3000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "XQT_TASKS_EAGER"}}
    env.update(
        XQT_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="xiaoqitong.settings",
        XQT_SECRET_KEY="fault-tests-" + "x" * 50,
        XQT_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(var_dir: Path, *args: str, **extra) -> str:
    out = subprocess.run(  # noqa: S603
        [str(BIN / "xiaoqitong"), *args],
        env=env_for(var_dir, **extra),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def shell(var_dir: Path, code: str, **extra) -> str:
    return manage(var_dir, "shell", "-c", code, **extra).strip()


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        argv, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def worker(var_dir: Path, log: Path, **extra) -> subprocess.Popen:
    argv = [str(BIN / "celery"), "-A", "xiaoqitong", "worker", "--pool", "solo", "--loglevel", "INFO"]
    argv += ["--without-gossip", "--without-mingle", "--hostname", "fault@%h"]
    return start(argv, env_for(var_dir, **extra), log)


def web(var_dir: Path, port: int, log: Path, **extra) -> subprocess.Popen:
    argv = [str(BIN / "gunicorn"), "xiaoqitong.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    argv += ["--threads", "4", "--timeout", "60"]
    proc = start(argv, env_for(var_dir, **extra), log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/static/xqt/app.css", timeout=5)
            return proc
        assert proc.poll() is None, log.read_text()[-3000:]
        time.sleep(0.3)
    stop(proc)
    raise AssertionError("gunicorn did not start: " + log.read_text()[-3000:])


def wait_for(predicate, timeout: float, what: str, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite database with a platform administrator, made once; each test copies it."""
    var_dir = tmp_path_factory.mktemp("faults-base")
    manage(var_dir, "migrate", "-v", "0")
    shell(
        var_dir,
        "from xiaoqitong.orgs.models import User; "
        f"User.objects.create_superuser({ADMIN!r}, password={PASSWORD!r})",
    )
    return var_dir


@pytest.fixture
def var_dir(migrated, tmp_path):
    target = tmp_path / "var"
    shutil.copytree(migrated, target)
    (target / "logs").mkdir()
    return target


def query(var_dir: Path, sql: str, *params):
    with contextlib.closing(sqlite3.connect(var_dir / "xiaoqitong.sqlite3", timeout=30)) as db:
        return db.execute(sql, params).fetchall()


def job_state(var_dir: Path, job_id: int) -> tuple[str, int, str]:
    status, processed, errors = query(
        var_dir, "SELECT status, processed_rows, errors FROM core_importjob WHERE id = ?", job_id
    )[0]
    return status, processed, " ".join(e["message"] for e in json.loads(errors or "[]"))


def skills_csv(rows: int) -> str:
    head = "技能,同义词,类别,产业链编号,专业类代码,平台初始词表\n"
    return head + "".join(f"故障测试技能{i:05d},,测试,,,否\n" for i in range(rows))


def create_skill_import(var_dir: Path) -> int:
    """An import of ROWS new skills by the administrator, queued the way the upload page queues it."""
    body = skills_csv(ROWS)
    source = var_dir / "skills.csv"
    source.write_text(body, encoding="utf-8")
    code = (
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from django.db import transaction\n"
        "from xiaoqitong.core import services\n"
        "from xiaoqitong.orgs.models import User\n"
        "from xiaoqitong.reference.models import Skill\n"
        f"admin = User.objects.get(username={ADMIN!r})\n"
        f"upload = SimpleUploadedFile('skills.csv', open({str(source)!r}, 'rb').read())\n"
        "with transaction.atomic():\n"
        "    job = services.import_job_create(actor=admin, model=Skill, upload=upload)\n"
        "print(job.pk)\n"
    )
    return int(shell(var_dir, code).splitlines()[-1])


def confirm(var_dir: Path, job_id: int, service: str = "import_job_confirm") -> None:
    shell(
        var_dir,
        "from django.db import transaction\n"
        "from xiaoqitong.core import services\n"
        "from xiaoqitong.core.models import ImportJob\n"
        "with transaction.atomic():\n"
        f"    job = ImportJob.objects.get(pk={job_id})\n"
        f"    services.{service}(actor=job.created_by, job=job)\n",
    )


def skills(var_dir: Path) -> int:
    return query(var_dir, "SELECT count(*) FROM reference_skill WHERE name LIKE '故障测试技能%'")[0][0]


def test_a_worker_killed_mid_import_leaves_no_data_and_the_job_failed_and_rerunnable(var_dir):
    log = var_dir / "logs" / "worker.log"
    first = worker(var_dir, log)
    try:
        job = create_skill_import(var_dir)
        wait_for(lambda: job_state(var_dir, job)[0] == "valid", 120, "validation")
        confirm(var_dir, job)
        # the commit is under way: some rows written inside its transaction, not all (core.progress)
        progress = var_dir / "progress" / f"import-{job}"
        wait_for(
            lambda: progress.exists() and 0 < int(progress.read_text() or 0) < ROWS,
            120,
            "the commit to start",
            step=0.05,
        )
        assert job_state(var_dir, job)[0] == "importing"
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its task die mid-write
        first.wait(timeout=15)
    finally:
        stop(first, signal.SIGKILL)
    assert skills(var_dir) == 0  # the transaction died with the process: no partial data
    assert job_state(var_dir, job)[0] == "importing"  # nobody has noticed yet

    # A worker starting (again) settles what the dead one left: the run lost, the job failed with the reason.
    second = worker(var_dir, log)
    try:
        _status, _processed, errors = wait_for(
            lambda: (lambda s: s if s[0] == "failed" else None)(job_state(var_dir, job)), 60, "the reaper"
        )
        assert "后台进程" in errors and "在运行中终止" in errors and "重新运行" in errors
        run_state, run_error = query(
            var_dir, "SELECT state, error FROM core_taskrun WHERE name = 'core.import_job_run' ORDER BY id"
        )[-1]
        assert run_state == "lost" and "终止" in run_error
        assert skills(var_dir) == 0

        # Run again: validation starts over, then the commit, now to the end.
        confirm(var_dir, job, service="import_job_rerun")
        wait_for(lambda: job_state(var_dir, job)[0] == "valid", 120, "validation of the rerun")
        confirm(var_dir, job)
        wait_for(lambda: job_state(var_dir, job)[0] == "done", 180, "the commit of the rerun")
    finally:
        stop(second)
    assert skills(var_dir) == ROWS
    states = [
        s for (s,) in query(var_dir, "SELECT state FROM core_taskrun WHERE name = 'core.import_job_run'")
    ]
    assert states.count("lost") == 1 and states.count("success") == 3  # check, check again, commit


def login(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        f"{base}/accounts/login/",
        data={"username": ADMIN, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    assert done.status_code == 200 and "退出" in done.text, done.text[:2000]
    return session


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_redis_down_pages_serve_and_jobs_wait_until_it_returns(var_dir):
    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"  # nothing listens there yet: Redis is down
    logs = var_dir / "logs"
    server = web(var_dir, web_port, logs / "web.log", REDIS_URL=redis_url)
    redis = None
    try:
        base = f"http://127.0.0.1:{web_port}"
        session = login(base)  # sessions fall back to the database
        for path in ("/", "/orgs/schools/", "/reference/skills/", "/core/jobs/", "/healthz"):
            started = time.monotonic()
            response = session.get(base + path, timeout=30)
            assert response.status_code == 200, (path, response.status_code)
            assert time.monotonic() - started < 10, path
        assert session.get(f"{base}/healthz", timeout=30).json()["broker"]["ok"] is False
        # An import asked for while Redis is down: accepted, kept in the database, the page says it waits.
        job = create_skill_import_over_http(session, base)
        assert job["status"] == "pending"
        assert query(var_dir, "SELECT name FROM core_pendingtask") == [("core.import_job_run",)]
        page = session.get(f"{base}/core/jobs/", timeout=30).text
        assert "等待发送" in page and "暂时连接不上" in page

        # Redis comes back, a worker starts: the kept task is sent and the job runs.
        redis = start(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            env_for(var_dir),
            logs / "redis.log",
        )
        wait_for(lambda: _redis_up(redis_port), 30, "redis-server")
        consumer = worker(var_dir, logs / "worker.log", REDIS_URL=redis_url)
        try:
            wait_for(lambda: job_state(var_dir, job["id"])[0] == "valid", 120, "the kept import to run")
        finally:
            stop(consumer)
        assert query(var_dir, "SELECT count(*) FROM core_pendingtask") == [(0,)]
        assert session.get(f"{base}/healthz", timeout=30).json()["broker"]["ok"] is True
    finally:
        stop(server)
        if redis is not None:
            stop(redis)


def _redis_up(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
    return False


def create_skill_import_over_http(session: requests.Session, base: str) -> dict:
    body = skills_csv(50)
    response = session.post(
        f"{base}/api/v1/core/import-jobs/",
        data={"target": "reference.Skill"},
        files={"file": ("skills.csv", body.encode(), "text/csv")},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": base + "/"},
        timeout=30,
    )
    assert response.status_code == 201, response.text[:2000]
    return response.json()


def test_database_unreachable_answers_503_never_a_trace(tmp_path):
    port = free_port()
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"  # a closed port: refused at once
    server = web(tmp_path, port, tmp_path / "web.log", DATABASE_URL=dead)
    try:
        base = f"http://127.0.0.1:{port}"
        # a signed-in user's request: its session is in the database
        page = requests.get(
            f"{base}/",
            timeout=30,
            headers={"X-Request-ID": "fault-test-0001"},
            cookies={"sessionid": "x" * 32},
            allow_redirects=False,
        )
        assert page.status_code == 503 and page.headers["Retry-After"] == "60"
        assert "服务暂时不可用" in page.text and "fault-test-0001" in page.text
        assert "Traceback" not in page.text and "psycopg" not in page.text and "5432" not in page.text
        api = requests.get(f"{base}/api/v1/orgs/schools/", timeout=30, headers={"Authorization": "Token abc"})
        assert api.status_code == 503 and "数据库" in api.json()["detail"]
        health = requests.get(f"{base}/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["database"]["ok"] is False
        login_page = requests.get(f"{base}/accounts/login/", timeout=30)  # needs no database
        assert login_page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
        signing_in = requests.post(
            f"{base}/accounts/login/",
            data={"username": ADMIN, "password": PASSWORD, "csrfmiddlewaretoken": token},
            cookies=login_page.cookies,
            timeout=30,
        )
        assert signing_in.status_code == 503 and "服务暂时不可用" in signing_in.text
        assert "Traceback" not in signing_in.text
    finally:
        stop(server)
    assert "Traceback" in (tmp_path / "web.log").read_text()  # the trace goes to the log, not to the user
