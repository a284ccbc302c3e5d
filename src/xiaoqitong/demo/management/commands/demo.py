"""`xiaoqitong demo`: prepare the demo city if needed, then run the web server and a Celery worker (with
its beat, so that postings expire at their valid-until date) side by side until Ctrl-C. Used by `make demo`.

The demo data is dated from the day it is generated (``--as-of``, by default today), so it stays current
for weeks; postings past their date expire at startup and every night after."""

import os
import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoqitong.core.processes import bin_path, supervise
from xiaoqitong.demo.accounts import ensure_demo_accounts
from xiaoqitong.demo.context import DemoError
from xiaoqitong.demo.generator import generate
from xiaoqitong.demo.models import DemoRun
from xiaoqitong.enterprises.services import positions_expire
from xiaoqitong.orgs.services import departments_load

from .demo_data import parse_as_of


def processes(host: str, port: int) -> tuple[list[str], list[str]]:
    """The argv of the web server and of the worker, which embeds beat: scheduled jobs (postings expiring at
    their valid-until date) run in the demo too."""
    web = [
        bin_path("gunicorn"),
        "xiaoqitong.wsgi",
        "--bind",
        f"{host}:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    worker = [
        bin_path("celery"),
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
        "--beat",
        "--schedule",
        str(settings.VAR_DIR / "celerybeat-schedule"),
    ]
    return web, worker


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "准备演示数据并启动 Web 服务和后台任务进程（Ctrl-C 停止）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("XQT_DEMO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("XQT_DEMO_PORT", "8000")))
        parser.add_argument("--scale", default="small", choices=["small", "city", "province"])
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="首次生成演示数据时的基准日期（默认今天）；已有演示数据时不重新生成",
        )
        parser.add_argument("--prepare-only", action="store_true", help="只准备数据，不启动服务")

    def handle(self, *args, host, port, scale, as_of, prepare_only, **options):
        if not settings.DEMO_MODE:
            raise CommandError("演示账号只在演示模式下可用：请设置 XQT_DEMO_MODE=1（make demo 会自动设置）。")
        wanted = parse_as_of(as_of)
        departments_load()
        try:
            run = DemoRun.objects.order_by("-created_at", "-id").first()
            if run is None:
                self.stdout.write(f"首次启动：生成演示城市数据（{scale} 规模，基准日期 {wanted:%Y-%m-%d}）…")
                run = generate(scale, 2021, as_of=wanted, progress=True)
            elif as_of is not None and run.as_of != wanted:
                self.stdout.write(
                    self.style.WARNING(
                        f"已有演示数据，未按 --as-of {wanted:%Y-%m-%d} 重新生成；如需重新生成，请运行 "
                        f"xiaoqitong demo_data --reset --as-of {wanted:%Y-%m-%d}。"
                    )
                )
            accounts = ensure_demo_accounts()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        # Postings past their valid-until date since the data was made expire now (beat: every night).
        expired = positions_expire(actor=None)
        if expired:
            self.stdout.write(f"已有 {expired} 个岗位过了有效期，已标记为已过期。")
        if prepare_only:
            return
        if not _port_free(host, port):
            raise CommandError(
                f"端口 {port} 已被占用：请先停止占用它的程序，或用 XQT_DEMO_PORT=8001 make demo 换一个端口。"
            )
        web, worker = processes(host, port)
        code = supervise(
            [web, worker], self.stderr.write, on_start=lambda: self._banner(host, port, accounts, run)
        )
        self.stdout.write("演示已停止。")
        if code:
            sys.exit(code)

    def _banner(self, host: str, port: int, accounts, run: DemoRun) -> None:
        lines = [
            "",
            "=" * 64,
            f"校企通演示已启动：http://{host}:{port}/",
            f"API 文档：http://{host}:{port}/api/v1/docs/    健康检查：http://{host}:{port}/healthz",
        ]
        if run.as_of is not None:
            age = (timezone.localdate() - run.as_of).days
            lines.append(
                f"演示数据基准日期：{run.as_of:%Y-%m-%d}"
                + (
                    f"（{age} 天前；以今天为准重新生成：xiaoqitong demo_data --reset --scale {run.scale}）"
                    if age > 30
                    else ""
                )
            )
        lines.append(f"演示账号（密码均为 {settings.DEMO_PASSWORD}，仅演示模式有效）：")
        lines += [
            f"  {u.username:<18}{u.get_role_display()}  {u.display_name}  {u.organization or ''}"
            for u in accounts
        ]
        lines += ["按 Ctrl-C 停止 Web 服务和后台任务进程。", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
