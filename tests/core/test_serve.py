"""``xiaoqitong serve`` (make serve): refuses an unsafe start, and on PostgreSQL and Redis runs gunicorn, a
Celery worker and beat that answer, then stops them all on SIGTERM."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from xiaoqitong.core.management.commands.serve import beat_argv, web_argv, worker_argv


def test_an_unsafe_start_is_refused_with_every_reason(settings, monkeypatch):
    settings.DEBUG = True
    settings.DEMO_MODE = True
    settings.REDIS_URL = ""
    monkeypatch.delenv("XQT_SECRET_KEY", raising=False)
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}  # what a missing DATABASE_URL gives
    with mock.patch.dict(settings.DATABASES["default"], sqlite), pytest.raises(CommandError) as refused:
        call_command("serve", "--check-only")
    text = str(refused.value)
    for reason in ("DATABASE_URL", "REDIS_URL", "XQT_DEBUG", "XQT_DEMO_MODE", "XQT_SECRET_KEY"):
        assert reason in text
    assert text.startswith("不能以生产模式启动")


def test_the_processes_it_runs():
    web = web_argv("0.0.0.0", 8000, 5, 4)  # noqa: S104
    assert web[1] == "xiaoqitong.wsgi" and "--forwarded-allow-ips" in web and "gthread" in web
    assert any("request_id=%({x-request-id}o)s" in arg for arg in web)  # access log lines carry the id
    worker = worker_argv(2, "celery")
    assert worker[3] == "worker" and "--max-tasks-per-child" in worker
    assert beat_argv()[3] == "beat"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db
def test_serve_runs_web_worker_and_beat_on_postgresql_and_redis(tmp_path):
    db = connection.settings_dict
    db_host, db_port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgresql://{db['USER'] or 'postgres'}@{db_host}:{db_port}/{db['NAME']}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "XQT_TASKS_EAGER"}
    env.update(
        DATABASE_URL=url,
        REDIS_URL="redis://127.0.0.1:6379/7",
        XQT_SECRET_KEY="serve-test-key-" + "".join(chr(65 + i % 26) + str(i) for i in range(40)),
        XQT_VAR_DIR=str(tmp_path),
        XQT_ALLOWED_HOSTS="127.0.0.1",
        XQT_LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="xiaoqitong.settings",
    )
    argv = [str(Path(sys.executable).parent / "xiaoqitong"), "serve", "--no-migrate", "--port", str(port)]
    argv += ["--host", "127.0.0.1", "--web-workers", "1", "--concurrency", "1"]
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(argv, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 180
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                # the first request waits for the gunicorn worker to load the application
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
                if health.status_code == 200:
                    break
            time.sleep(0.5)
        assert health is not None and health.status_code == 200, log.read_text()[-3000:]
        body = health.json()
        assert body["database"] == {"ok": True, "detail": "postgresql"} and body["broker"]["ok"] is True
        assert health.headers["X-Request-ID"]
        time.sleep(3)
        assert proc.poll() is None, log.read_text()[-3000:]  # web, worker and beat all still up
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "celery@" in text and "beat" in text.lower()
    assert f"request_id={health.headers['X-Request-ID']}" in text  # gunicorn's access line
