"""The load scenario of ``bench/bench_load.py`` (locust): students browse, search and apply, enterprise HR
review their candidates, officers read the dashboards. Run by ``bench_load.py``, which starts the server,
prepares the accounts and passes them here through the environment:

    XQT_LOAD_ACCOUNTS  JSON file written by ``bench_load.py --setup-only``: usernames per role, search words,
                       county codes
    XQT_LOAD_PASSWORD  the accounts' password
    XQT_LOAD_SAMPLES   where to write every request (group, name, ms, ok, time) and every failure at the end
    XQT_LOAD_WAIT      think time between two actions of one person, "min,max" seconds (default "2,8")

Every request is named ``<group>: <page>``; the group is the role (student, hr, officer) or ``login``.
A business refusal (a posting already applied to or full, a stage the service refuses) is not an error: the
server answers with a redirect and a message, as it does to a browser. Any other status is a failure.
"""

import itertools
import json
import os
import random
import re
import time

from locust import FastHttpUser, between, constant, events, task

ACCOUNTS = json.loads(open(os.environ["XQT_LOAD_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
PASSWORD = os.environ.get("XQT_LOAD_PASSWORD", "")
WAIT = tuple(float(x) for x in os.environ.get("XQT_LOAD_WAIT", "2,8").split(","))

_next = {role: itertools.cycle(ACCOUNTS[role]) for role in ("student", "hr", "officer")}
SAMPLES: list[tuple] = []
FAILURES: dict[str, int] = {}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
APPLY = re.compile(r'action="/enterprises/positions/(\d+)/apply/"')
POSITION = re.compile(r'href="/enterprises/positions/(\d+)/"')
CANDIDATES = re.compile(r'href="/matching/positions/(\d+)/candidates/"')
APPLICATION = re.compile(r'href="/enterprises/applications/(\d+)/"')
STEP = re.compile(r'<select id="to-status" name="to_status"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([a-z_]+)"')


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **kwargs):
    SAMPLES.append((name.split(":", 1)[0], name, response_time, exception is None, time.time()))
    if exception is not None:
        key = f"{request_type} {name}: {exception}"[:300]
        FAILURES[key] = FAILURES.get(key, 0) + 1


@events.quitting.add_listener
def _dump(environment, **kwargs):
    path = os.environ.get("XQT_LOAD_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"samples": SAMPLES, "failures": FAILURES}, f)


def _expect(response, *statuses: int, location: str = "") -> None:
    """Mark the response failed unless its status is one of ``statuses`` (and, for a redirect, its target
    starts with ``location``)."""
    if response.status_code not in statuses:
        response.failure(f"HTTP {response.status_code}")
    elif location and not (response.headers.get("Location") or "").startswith(location):
        response.failure(f"redirected to {response.headers.get('Location')!r}")
    else:
        response.success()


class Person(FastHttpUser):
    """Logs in once with a real account of its role (username/password through the login form)."""

    abstract = True
    role = ""
    wait_time = between(*WAIT)
    network_timeout = connection_timeout = 60.0  # a page that takes longer is a failure

    def on_start(self):
        self.username = next(_next[self.role])
        page = self.client.get("/accounts/login/", name="login: form")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token and token[1]},
            name="login: post",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            _expect(r, 302)

    def get(self, path: str, name: str, *statuses: int):
        with self.client.get(
            path, name=f"{self.role}: {name}", allow_redirects=False, catch_response=True
        ) as r:
            _expect(r, *(statuses or (200,)))
        return r

    def post(self, path: str, name: str, data: dict, location: str = ""):
        with self.client.post(
            path, name=f"{self.role}: {name}", data=data, allow_redirects=False, catch_response=True
        ) as r:
            _expect(r, 302, location=location)
        return r


class Student(Person):
    """A student between classes: the home page, the recommendations, the postings searched and filtered,
    a posting's page, and now and then an application to a posting not applied to yet."""

    weight = 85
    role = "student"

    def on_start(self):
        super().on_start()
        self.seen: list[int] = []

    @task(2)
    def home(self):
        self.get("/", "home")

    @task(3)
    def for_me(self):
        r = self.get("/matching/for-me/", "for-me")
        self.seen = [int(pk) for pk in APPLY.findall(r.text or "")] or self.seen

    @task(4)
    def positions(self):
        query = random.choice(
            [
                "?open=true",
                f"?q={random.choice(ACCOUNTS['words'])}",
                f"?q={random.choice(ACCOUNTS['words'])}&open=true",
                f"?county={random.choice(ACCOUNTS['counties'])}&open=true",
                f"?position_type={random.choice(['full_time', 'internship', 'apprenticeship'])}&open=true",
                f"?open=true&page={random.randint(2, 20)}",
            ]
        )
        r = self.get(f"/enterprises/positions/{query}", "positions (filters, search)")
        found = [int(pk) for pk in POSITION.findall(r.text or "")]
        if found:
            self.get(f"/enterprises/positions/{random.choice(found)}/", "position")

    @task(1)
    def apply(self):
        if not self.seen:
            return self.for_me()
        pk = self.seen.pop(random.randrange(len(self.seen)))
        page = self.get(f"/enterprises/positions/{pk}/", "position")
        token = CSRF.search(page.text or "")
        if f'action="/enterprises/positions/{pk}/apply/"' not in (page.text or "") or not token:
            return  # applied from another page meanwhile, or the posting closed: no button to press
        r = self.post(
            f"/enterprises/positions/{pk}/apply/",
            "apply",
            {"note": "您好，我对这个岗位很感兴趣。", "csrfmiddlewaretoken": token[1]},
        )
        target = r.headers.get("Location") or ""
        if target.startswith("/enterprises/applications/"):
            self.get(target, "application")  # the browser follows: the new application's page
        elif target:
            self.get(target, "position")  # refused (full, already applied): back on the posting with why


class HR(Person):
    """An enterprise's HR: its postings, the applications received, one application, a step along the
    pipeline (筛选, 面试, 录用 … whatever the page offers first), and the students recommended for one of its
    open postings (推荐人选)."""

    weight = 10
    role = "hr"

    @task(2)
    def positions(self):
        self.get("/enterprises/positions/", "positions")

    @task(3)
    def applications(self):
        status = random.choice(["submitted", "screening", "interview", ""])
        r = self.get(f"/enterprises/applications/?status={status}", "applications")
        self.applications_seen = [int(pk) for pk in APPLICATION.findall(r.text or "")]
        if self.applications_seen:
            self.get(f"/enterprises/applications/{random.choice(self.applications_seen)}/", "application")

    @task(1)
    def advance(self):
        seen = getattr(self, "applications_seen", None)
        if not seen:
            return self.applications()
        pk = random.choice(seen)
        page = self.get(f"/enterprises/applications/{pk}/", "application")
        select = STEP.search(page.text or "")
        token = CSRF.search(page.text or "")
        steps = [s for s in OPTION.findall(select[1]) if s not in ("rejected", "withdrawn")] if select else []
        if not steps or not token:
            seen.remove(pk)  # nothing left to do on it
            return
        self.post(
            f"/enterprises/applications/{pk}/advance/",
            "advance",
            {"to_status": steps[0], "note": "负载测试", "csrfmiddlewaretoken": token[1]},
            location=f"/enterprises/applications/{pk}/",
        )
        self.get(f"/enterprises/applications/{pk}/", "application")

    @task(1)
    def candidates(self):
        # 推荐人选: the enterprise's open postings, then the students recommended for one of them
        r = self.get("/matching/candidates/", "candidates home")
        found = CANDIDATES.findall(r.text or "")
        if found:
            self.get(f"/matching/positions/{random.choice(found)}/candidates/", "candidates")


class Officer(Person):
    """A government officer on the dashboards: supply and demand, industry chains, counties, targets."""

    weight = 5
    role = "officer"

    @task(3)
    def overview(self):
        self.get("/analytics/", "analytics overview")

    @task(1)
    def chains(self):
        self.get("/analytics/chains/", "analytics chains")

    @task(1)
    def counties(self):
        self.get("/analytics/counties/", "analytics counties")

    @task(2)
    def targets(self):
        self.get("/governance/targets/", "targets dashboard")


class Baseline(FastHttpUser):
    """The trivial page of the same server, with no think time: the server's ceiling for the baseline."""

    wait_time = constant(0)

    @task
    def healthz(self):
        with self.client.get("/healthz", name="baseline: /healthz", catch_response=True) as r:
            _expect(r, 200)
