"""``xiaoqitong serve``: the platform in production mode (``make serve``).

Runs gunicorn (web), Celery workers and Celery beat against ``DATABASE_URL`` and ``REDIS_URL``. With no role
option this machine runs all three; ``--web``, ``--worker`` and ``--beat`` choose (for several machines: web
processes on any number of machines, workers on any number, beat on exactly one). With one role the process
replaces this command (exec), so a process manager (systemd, supervisor) watches gunicorn or celery itself.

Before the web starts: ``migrate`` (unless ``--no-migrate``), ``collectstatic`` and ``check --deploy``; any
deployment warning is printed and, with ``--strict``, stops the start."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from xiaoqitong.core.processes import bin_path, supervise

# gunicorn's access log with the request id the platform gives every request (core.middleware)
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'


def web_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        bin_path("gunicorn"),
        "xiaoqitong.wsgi",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        os.environ.get("XQT_WEB_TIMEOUT", "120"),
        "--graceful-timeout",
        "30",
        "--keep-alive",
        "5",
        # a worker is replaced after this many requests (bounded memory growth)
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        # the addresses of the reverse proxy whose X-Forwarded-* headers are trusted
        "--forwarded-allow-ips",
        os.environ.get("XQT_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
    ]


def worker_argv(concurrency: int, queues: str) -> list[str]:
    return [
        bin_path("celery"),
        "-A",
        "xiaoqitong",
        "worker",
        "--loglevel",
        os.environ.get("XQT_LOG_LEVEL", "INFO"),
        "--concurrency",
        str(concurrency),
        "--queues",
        queues,
        "--optimization",
        "fair",
        # a pool process is replaced after this many tasks (bounded memory growth)
        "--max-tasks-per-child",
        "100",
    ]


def beat_argv() -> list[str]:
    return [
        bin_path("celery"),
        "-A",
        "xiaoqitong",
        "beat",
        "--loglevel",
        os.environ.get("XQT_LOG_LEVEL", "INFO"),
        "--schedule",
        str(settings.VAR_DIR / "celerybeat-schedule"),
    ]


class Command(BaseCommand):
    help = "以生产模式运行平台：Web 服务、后台任务进程和定时任务（需要 DATABASE_URL 和 REDIS_URL）。"

    def add_arguments(self, parser):
        cpus = os.cpu_count() or 1
        parser.add_argument("--web", action="store_true", help="运行 Web 服务（gunicorn）")
        parser.add_argument("--worker", action="store_true", help="运行后台任务进程（Celery worker）")
        parser.add_argument(
            "--beat", action="store_true", help="运行定时任务（Celery beat；全部署只能有一个）"
        )
        parser.add_argument("--host", default=os.environ.get("XQT_HOST", "0.0.0.0"))  # noqa: S104
        parser.add_argument("--port", type=int, default=int(os.environ.get("XQT_PORT", "8000")))
        parser.add_argument(
            "--web-workers",
            type=int,
            default=int(os.environ.get("XQT_WEB_WORKERS", str(2 * cpus + 1))),
            help="gunicorn 进程数（默认 2×CPU+1）",
        )
        parser.add_argument("--web-threads", type=int, default=int(os.environ.get("XQT_WEB_THREADS", "4")))
        parser.add_argument(
            "--concurrency",
            type=int,
            default=int(os.environ.get("XQT_WORKER_CONCURRENCY", str(cpus))),
            help="每个后台任务进程的并发数（默认 CPU 数）",
        )
        parser.add_argument("--queues", default=os.environ.get("XQT_WORKER_QUEUES", "celery"))
        parser.add_argument("--no-migrate", action="store_true", help="启动前不执行数据库迁移")
        parser.add_argument("--strict", action="store_true", help="部署检查有警告时不启动")
        parser.add_argument("--check-only", action="store_true", help="只做启动前的检查和准备，不启动进程")

    def handle(self, *args, **o):
        self._refuse_unsafe()
        roles = [r for r in ("web", "worker", "beat") if o[r]] or ["web", "worker", "beat"]
        if "web" in roles:
            self._prepare(migrate=not o["no_migrate"], strict=o["strict"])
        if o["check_only"]:
            self.stdout.write(self.style.SUCCESS("检查通过，可以启动：" + "、".join(roles)))
            return
        argvs = []
        if "web" in roles:
            argvs.append(web_argv(o["host"], o["port"], o["web_workers"], o["web_threads"]))
        if "worker" in roles:
            argvs.append(worker_argv(o["concurrency"], o["queues"]))
        if "beat" in roles:
            argvs.append(beat_argv())
        if len(argvs) == 1:  # let the process manager watch gunicorn / celery itself
            sys.stdout.flush()
            os.execv(argvs[0][0], argvs[0])  # noqa: S606 (fixed argv)
        self.stdout.write(f"校企通生产模式：{'、'.join(roles)}；Web 地址 http://{o['host']}:{o['port']}/")
        code = supervise(argvs, self.stderr.write)
        if code:
            sys.exit(code)

    def _refuse_unsafe(self) -> None:
        problems = []
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            problems.append(
                "未设置 DATABASE_URL（生产模式需要 PostgreSQL，例如 postgresql://xqt@db:5432/xqt）"
            )
        if not settings.REDIS_URL:
            problems.append(
                "未设置 REDIS_URL（生产模式的任务队列和缓存需要 Redis，例如 redis://redis:6379/0）"
            )
        if settings.DEBUG:
            problems.append("XQT_DEBUG 已开启（生产环境必须关闭）")
        if settings.DEMO_MODE:
            problems.append("XQT_DEMO_MODE 已开启（演示账号的公开密码可以登录）")
        if not os.environ.get("XQT_SECRET_KEY"):
            problems.append("未设置 XQT_SECRET_KEY（多台机器必须使用同一个密钥）")
        if problems:
            raise CommandError(
                "不能以生产模式启动：\n  - " + "\n  - ".join(problems) + "\n详见 README 的部署一节。"
            )

    def _prepare(self, *, migrate: bool, strict: bool) -> None:
        if migrate:
            self.stdout.write("数据库迁移…")
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("收集静态文件…")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("部署检查（check --deploy）…")
        try:
            call_command("check", deploy=True, fail_level="WARNING" if strict else "ERROR")
        except CommandError as exc:
            raise CommandError(f"部署检查未通过：\n{exc}") from exc
