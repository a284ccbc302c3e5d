"""End-to-end journeys in a real browser (issue 12): Debian's Chromium driven by Playwright, headless,
against the demo as `make demo` runs it (gunicorn and a Celery worker on a free port, over a fresh SQLite
database in a temporary folder), started once for the session.

Every page a journey opens is watched: a request to any host but 127.0.0.1 is blocked and fails the test
(government intranets are offline: nothing may load from outside), and so does an error in the browser
console (a journey that expects one, such as a refused page, says so with ``journey.allow_console``).
``journey.shot(name)`` saves a full-page screenshot under ``var/e2e/<viewport>/``; the README shows the best
of them (copied to ``docs/screenshots/``).

Run with `make test-e2e` (not part of `make test`). ``XQT_CHROMIUM`` names another Chromium binary.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHOTS = ROOT / "var" / "e2e"
CHROMIUM = os.environ.get("XQT_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "xqt-demo-2026"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the demo server stopped (exit {proc.returncode}):\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the demo server did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> str:
    """The demo (``xiaoqitong demo``: web and worker) on a free port over a fresh database; its address."""
    var = tmp_path_factory.mktemp("e2e-var")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {"XQT_VAR_DIR": str(var), "XQT_DEMO_MODE": "1"}
    manage = str(BIN / "xiaoqitong")
    for args in (["migrate", "--noinput", "-v", "0"], ["load_reference"], ["load_departments"]):
        subprocess.run([manage, *args], env=env, check=True, capture_output=True)  # noqa: S603 (fixed argv)
    port = free_port()
    log = var / "demo.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            [manage, "demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@dataclass
class Journey:
    """One browser page of one journey, with the server's address and what the watch found."""

    page: object
    base: str
    viewport: str
    outside: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.page.wait_for_load_state("networkidle")
        return response

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.press("#id_password", "Enter")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self.page.wait_for_load_state("networkidle")

    def menu(self, group: str, item: str) -> None:
        """Open ``group`` → ``item`` in the navigation bar, through the toggler on a phone."""
        page = self.page
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        nav = page.locator("#xqt-nav")
        nav.get_by_role("button", name=group, exact=True).click()
        nav.locator(".dropdown-menu.show").get_by_role("link", name=item, exact=True).click()
        page.wait_for_load_state("networkidle")

    def open_filters(self) -> None:
        """A list's filters are behind the 筛选 button on a phone."""
        button = self.page.locator("button[data-bs-target='#xqt-filter-body']")
        if button.is_visible():
            button.click()
            self.page.locator("#xqt-filter-body").wait_for(state="visible")

    def search(self, text: str) -> None:
        """Type ``text`` into a list's 搜索 box (behind 筛选 on a phone) and press 查询."""
        self.open_filters()
        self.page.fill("#id_q", text)
        self.page.get_by_role("button", name="查询").click()
        self.page.wait_for_load_state("networkidle")

    def detail(self, label: str):
        """The value (<dd>) beside ``label`` (<dt>) on a record's page."""
        return self.page.locator("dt", has_text=re.compile(f"^{re.escape(label)}$")).locator(
            "xpath=following-sibling::dd[1]"
        )

    def allow_console(self, text: str) -> None:
        """A console error containing ``text`` is expected (e.g. the 403 of a page the role may not open)."""
        self.allowed.append(text)

    def shot(self, name: str) -> Path:
        folder = SHOTS / self.viewport
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def problems(self) -> list[str]:
        errors = [e for e in self.console if not any(a in e for a in self.allowed)]
        return [f"request left 127.0.0.1: {u}" for u in self.outside] + [
            f"console error: {e}" for e in errors
        ]


@pytest.fixture(params=list(VIEWPORTS))
def journey(request, server, browser):
    """A fresh browser context (no cookies) in each viewport: desktop and phone."""
    context = browser.new_context(**VIEWPORTS[request.param], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    trip = Journey(page=page, base=server, viewport=request.param)

    def guard(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            trip.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda message: trip.console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: trip.console.append(str(error)))
    yield trip
    context.close()
    problems = trip.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
