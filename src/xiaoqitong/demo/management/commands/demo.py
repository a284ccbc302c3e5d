"""`xiaoqitong demo`: prepare the demo city if needed, then run the web server and a Celery worker
side by side until Ctrl-C. Used by `make demo`."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiaoqitong.demo.accounts import ensure_demo_accounts
from xiaoqitong.demo.context import DemoError
from xiaoqitong.demo.generator import generate
from xiaoqitong.demo.models import DemoRun
from xiaoqitong.orgs.services import departments_load


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
        parser.add_argument("--prepare-only", action="store_true", help="只准备数据，不启动服务")

    def handle(self, *args, host, port, scale, prepare_only, **options):
        if not settings.DEMO_MODE:
            raise CommandError("演示账号只在演示模式下可用：请设置 XQT_DEMO_MODE=1（make demo 会自动设置）。")
        departments_load()
        try:
            if not DemoRun.objects.exists():
                self.stdout.write(f"首次启动：生成演示城市数据（{scale} 规模）…")
                generate(scale, 2021, progress=True)
            accounts = ensure_demo_accounts()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if prepare_only:
            return
        if not _port_free(host, port):
            raise CommandError(
                f"端口 {port} 已被占用：请先停止占用它的程序，或用 XQT_DEMO_PORT=8001 make demo 换一个端口。"
            )
        bin_dir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bin_dir, "gunicorn"),
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
            os.path.join(bin_dir, "celery"),
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
        ]
        procs = [subprocess.Popen(web), subprocess.Popen(worker)]  # noqa: S603 (fixed argv, no shell)
        self._banner(host, port, accounts)
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = 0
        try:
            while not stopping:
                for proc in procs:
                    if proc.poll() is not None:
                        self.stderr.write(
                            f"进程 {proc.args[0]} 已退出（代码 {proc.returncode}），正在停止演示。"
                        )
                        code = proc.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("演示已停止。")
        if code:
            sys.exit(code)

    def _banner(self, host: str, port: int, accounts) -> None:
        lines = [
            "",
            "=" * 64,
            f"校企通演示已启动：http://{host}:{port}/",
            f"API 文档：http://{host}:{port}/api/v1/docs/    健康检查：http://{host}:{port}/healthz",
            f"演示账号（密码均为 {settings.DEMO_PASSWORD}，仅演示模式有效）：",
        ]
        lines += [
            f"  {u.username:<18}{u.get_role_display()}  {u.display_name}  {u.organization or ''}"
            for u in accounts
        ]
        lines += ["按 Ctrl-C 停止 Web 服务和后台任务进程。", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
