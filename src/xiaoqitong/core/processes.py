"""Running the platform's processes side by side (``xiaoqitong serve`` and ``xiaoqitong demo``): start them,
stop them all when one exits or on Ctrl-C / SIGTERM, and return the exit code."""

import os
import signal
import subprocess
import sys
import time


def bin_path(name: str) -> str:
    """A console script installed beside this Python (gunicorn, celery)."""
    return os.path.join(os.path.dirname(sys.executable), name)


def supervise(argvs: list[list[str]], say, *, on_start=None, grace: float = 30.0) -> int:
    """Run every argv until one exits (its code is returned) or a stop signal arrives (0)."""
    procs = [subprocess.Popen(argv) for argv in argvs]  # noqa: S603 (fixed argv, no shell)
    if on_start is not None:
        on_start()
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
                    name = os.path.basename(proc.args[0])
                    say(f"进程 {name} 已退出（代码 {proc.returncode}），正在停止其余进程。")
                    code = proc.returncode or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
    return code
