"""Background jobs that survive faults (core.jobs): tasks kept while the broker is down and sent when it is
back, runs recorded, lost runs found and their imports made rerunnable; the 后台任务 page and API; the cache
that degrades; the 503 page when the database does not answer. Real processes: test_faults.py."""

import socket
import subprocess
import sys
import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.utils import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from xiaoqitong.core import jobs, services
from xiaoqitong.core.models import ImportJob, PendingTask, TaskRun
from xiaoqitong.core.tasks import import_job_run, notification_mail

from ..orgs.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


def refused(*_args, **_kwargs):
    raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_task_the_broker_refuses_is_kept_and_sent_when_it_is_back(broker):
    with mock.patch.object(notification_mail, "apply_async", side_effect=refused):
        assert jobs.dispatch(notification_mail, [1, 2], "你好", "/x/", "") is None
    kept = PendingTask.objects.get()
    assert kept.name == "core.notification_mail" and kept.args == [[1, 2], "你好", "/x/", ""]
    assert "Connection refused" in kept.last_error

    with mock.patch.object(notification_mail, "apply_async", side_effect=refused):
        assert jobs.flush_pending() == 0  # still down: kept, one more attempt counted
    assert PendingTask.objects.get().attempts == 2

    sent = []
    with mock.patch.object(notification_mail, "apply_async", side_effect=lambda *a, **k: sent.append(a)):
        assert jobs.flush_pending() == 1
    assert sent == [([[1, 2], "你好", "/x/", ""], {})]
    assert not PendingTask.objects.exists()


def test_kept_tasks_are_sent_in_order_and_an_unknown_one_is_dropped(broker):
    PendingTask.objects.create(name="core.notification_mail", args=[[1], "a", "", ""])
    PendingTask.objects.create(name="no.such_task", args=[])
    PendingTask.objects.create(name="core.notification_mail", args=[[2], "b", "", ""])
    sent = []
    with mock.patch.object(notification_mail, "apply_async", side_effect=lambda a, k, **o: sent.append(a[1])):
        assert jobs.flush_pending() == 2
    assert sent == ["a", "b"] and not PendingTask.objects.exists()


def test_an_import_queued_while_the_broker_is_down_waits_and_the_upload_succeeds(
    broker, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiaoqitong.orgs.models import School

    admin = UserFactory(is_superuser=True)
    with (
        mock.patch.object(import_job_run, "apply_async", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.import_job_create(
            actor=admin, model=School, upload=SimpleUploadedFile("s.csv", "学校代码,学校名称\n".encode())
        )
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.PENDING
    kept = PendingTask.objects.get()
    assert kept.name == "core.import_job_run" and kept.args == [job.pk] and kept.kwargs == {"commit": False}


def fake_task(name="core.import_job_run", task_id="t-1", hostname=None):
    request = SimpleNamespace(
        is_eager=False, hostname=hostname or f"celery@{socket.gethostname()}", headers=None, id=task_id
    )
    return SimpleNamespace(name=name, request=request)


def test_runs_are_recorded_from_start_to_end():
    task = fake_task()
    jobs._run_started(task_id="t-1", task=task, args=[7])
    run = TaskRun.objects.get(task_id="t-1")
    assert run.state == TaskRun.State.STARTED and run.args == [7] and run.worker.startswith("celery@")
    jobs._run_finished(task_id="t-1", task=task, retval="valid", state="SUCCESS")
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCESS and run.result == "valid" and run.finished_at is not None

    other = fake_task(task_id="t-2")
    jobs._run_started(task_id="t-2", task=other, args=[object()])  # not JSON: not kept
    assert TaskRun.objects.get(task_id="t-2").args is None
    jobs._run_failed(sender=other, task_id="t-2", exception=ValueError("坏数据"), einfo=None)
    failed = TaskRun.objects.get(task_id="t-2")
    assert failed.state == TaskRun.State.FAILURE and failed.error.startswith("ValueError: 坏数据")


def test_eager_runs_and_housekeeping_are_not_recorded():
    eager = fake_task(task_id="e")
    eager.request.is_eager = True
    jobs._run_started(task_id="e", task=eager, args=[])
    jobs._run_started(task_id="p", task=fake_task(name="core.flush_pending", task_id="p"), args=[])
    assert not TaskRun.objects.exists()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def running(name="core.import_job_run", args=None, worker=None, pid=None, beat_minutes_ago=0):
    now = timezone.now() - timedelta(minutes=beat_minutes_ago)
    return TaskRun.objects.create(
        task_id=f"r-{TaskRun.objects.count()}",
        name=name,
        args=args,
        worker=worker or f"celery@{socket.gethostname()}",
        pid=pid,
        started_at=now,
        heartbeat_at=now,
    )


def import_job(status=ImportJob.Status.IMPORTING, owner=None):
    job = ImportJob(
        created_by=owner or UserFactory(is_superuser=True), target="orgs.School", original_name="a.csv"
    )
    job.file.save("a.csv", ContentFile("学校代码,学校名称\n".encode()), save=False)
    job.status = status
    job.save()
    return job


def test_a_run_whose_process_died_here_is_lost_and_its_import_failed_with_the_reason_and_rerunnable():
    job = import_job()
    run = running(args=[job.pk, True], pid=dead_pid())
    alive = running(args=[job.pk], pid=None)  # no process id recorded: not judged
    lost = jobs.reap_lost()
    assert [r.pk for r in lost] == [run.pk]
    run.refresh_from_db()
    assert run.state == TaskRun.State.LOST and "终止" in run.error
    assert TaskRun.objects.get(pk=alive.pk).state == TaskRun.State.STARTED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.can_rerun
    assert "中断" in job.errors[0]["message"] and "重新运行" in job.errors[0]["message"]
    assert jobs.reap_lost() == []  # once


def test_a_run_elsewhere_is_lost_only_when_its_worker_does_not_answer_and_it_is_stale(settings):
    settings.XQT_JOB_STALE_MINUTES = 30
    fresh = running(name="analytics.snapshots_refresh", args=[], worker="celery@other", beat_minutes_ago=5)
    stale = running(name="analytics.snapshots_refresh", args=[], worker="celery@other", beat_minutes_ago=45)
    with mock.patch.object(jobs, "_answering", return_value={"celery@other"}):
        assert jobs.reap_lost() == []  # it answers: a long run, not a dead one
    with mock.patch.object(jobs, "_answering", return_value=set()):
        assert [r.pk for r in jobs.reap_lost()] == [stale.pk]
    assert TaskRun.objects.get(pk=fresh.pk).state == TaskRun.State.STARTED
    assert "无响应" in TaskRun.objects.get(pk=stale.pk).error


def test_a_lost_report_build_fails_instead_of_blocking_the_next_request():
    from xiaoqitong.governance.choices import ReportStatus
    from xiaoqitong.governance.models import QualityReport

    report = QualityReport.objects.create(year=2025, status=ReportStatus.RUNNING)
    running(name="governance.report_build", args=[report.pk], pid=dead_pid())
    jobs.reap_lost()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "重新生成" in report.error


def test_rerun_of_an_import_and_its_refusals(django_capture_on_commit_callbacks, broker):
    owner = UserFactory(is_superuser=True)
    job = import_job(ImportJob.Status.FAILED, owner=owner)
    with pytest.raises(ValidationError, match="只有提交人"):
        services.import_job_rerun(actor=UserFactory(is_superuser=True), job=job)
    with (
        mock.patch.object(import_job_run, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.import_job_rerun(actor=owner, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and job.errors == [] and send.call_args.args[0] == (job.pk,)
    with pytest.raises(ValidationError, match="只有后台进程中断"):
        services.import_job_rerun(actor=owner, job=job)  # not failed
    gone = import_job(ImportJob.Status.FAILED, owner=owner)
    gone.file.delete(save=True)
    with pytest.raises(ValidationError, match="请重新上传"):
        services.import_job_rerun(actor=owner, job=gone)


def test_progress_is_readable_while_the_import_transaction_is_open(settings, tmp_path):
    from xiaoqitong.core import progress

    settings.VAR_DIR = tmp_path
    job = import_job(ImportJob.Status.IMPORTING)
    progress.report(job.progress_key, 1200)
    assert job.read_progress().processed_rows == 1200
    progress.clear(job.progress_key)
    job.processed_rows = 0
    assert job.read_progress().processed_rows == 0


def test_the_jobs_page_api_and_export_are_for_platform_administrators(client):
    lost = running(name="analytics.snapshots_refresh", args=[], pid=dead_pid())
    jobs.reap_lost()
    PendingTask.objects.create(name="core.notification_mail", args=[], last_error="ConnectionError: refused")
    client.force_login(UserFactory(role="gov_officer"))
    assert client.get("/core/jobs/").status_code == 403
    assert client.get("/api/v1/core/task-runs/").status_code == 403
    assert client.post(f"/core/jobs/{lost.pk}/rerun/").status_code == 403

    client.force_login(UserFactory(is_superuser=True))
    page = client.get("/core/jobs/?state=lost").content.decode()
    assert "后台任务" in page and "分析快照刷新" in page and "进程中断" in page and "ConnectionError" in page
    assert "终止" in client.get(f"/core/jobs/{lost.pk}/").content.decode()
    api = client.get("/api/v1/core/task-runs/?state=lost").json()
    assert api["count"] == 1 and api["results"][0]["label"] == "分析快照刷新"
    export = client.get("/core/jobs/export/?format=csv").content.decode("utf-8-sig")
    assert "分析快照刷新" in export and "进程中断" in export
    with mock.patch.object(jobs, "dispatch", return_value=object()) as send:
        assert client.post(f"/core/jobs/{lost.pk}/rerun/").status_code == 302
    assert send.call_args.args[0].name == "analytics.snapshots_refresh"
    import_run = running(args=[1], pid=dead_pid())
    jobs.reap_lost()
    response = client.post(f"/api/v1/core/task-runs/{import_run.pk}/rerun/")
    assert response.status_code == 400  # an import runs again from its own page


def test_the_redis_cache_degrades_when_redis_is_down():
    from xiaoqitong.core.cache import ResilientRedisCache

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens
    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    )
    started = time.monotonic()
    assert cache.get("k") is None and cache.get("k", "默认") == "默认"
    cache.set("k", 1)
    assert cache.get_many(["a", "b"]) == {} and cache.add("k", 1) is False and cache.delete("k") is False
    assert cache.has_key("k") is False
    assert time.monotonic() - started < 10


def test_sessions_survive_redis_down(client, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "xiaoqitong.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = UserFactory(role="gov_officer")
    client.force_login(user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("path", "kind"), [("/", "html"), ("/orgs/schools/", "html"), ("/api/v1/orgs/schools/", "json")]
)
def test_database_down_answers_503_not_a_trace(path, kind):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True))
    down = OperationalError('connection to server at "10.0.0.5", port 5432 failed: Connection refused')
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=down):
        response = client.get(path, HTTP_X_REQUEST_ID="req-0000-5555")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    body = response.content.decode()
    assert "10.0.0.5" not in body and "Traceback" not in body
    if kind == "json":
        assert "数据库" in response.json()["detail"]
    else:
        assert "服务暂时不可用" in body and "req-0000-5555" in body


def test_other_server_errors_stay_500():
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True))
    with mock.patch("xiaoqitong.core.pages.counters_for", side_effect=RuntimeError("bug")):
        assert client.get("/").status_code == 500
