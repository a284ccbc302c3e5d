"""The API of the responsibility list: tasks (read, with state and parties), milestones (CRUD and steps by
the lead department, refused to others), progress reports (created by a party), attachments (upload by the
reporting unit); query counts on the lists."""

import pytest

from tests.orgs.factories import EnterpriseFactory, user_with_role
from xiaoqitong.core.testing import login_clients
from xiaoqitong.governance.models import Milestone
from xiaoqitong.orgs.choices import Role

from . import factories_tasks
from .factories_tasks import milestone, officer, pdf, set_today

annex = factories_tasks.annex  # a fixture
media_root = factories_tasks.media_root  # a fixture

pytestmark = pytest.mark.django_db
BASE = "/api/v1/governance/"


@pytest.fixture
def clock(monkeypatch):
    return set_today(monkeypatch)


def test_tasks_read_with_state_and_parties(annex, clock, django_assert_max_num_queries):
    ndrc = officer("CZ-FGW")
    milestone(annex[8], ndrc, -2)
    api = login_clients(ndrc)[1]
    api.get(BASE + "tasks/")
    with django_assert_max_num_queries(12):
        data = api.get(BASE + "tasks/").json()
    assert data["count"] == 15
    task8 = next(t for t in data["results"] if t["number"] == 8)
    assert task8["state"] == "overdue" and task8["ms_overdue"] == 1 and task8["lead_text"] == "市发改委"
    assert task8["parties"][0] == {
        "role": "lead",
        "department": "CZ-FGW",
        "school": None,
        "group": "",
        "name": "市发改委",
    }
    assert api.post(BASE + "tasks/", {}, format="json").status_code in (403, 405)
    hr_api = login_clients(user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory()))[1]
    assert hr_api.get(BASE + "tasks/").status_code == 403


def test_milestones_crud_and_steps_by_the_lead(annex, clock):
    ndrc, edu = officer("CZ-FGW"), officer("CZ-JYJ")
    api = login_clients(ndrc)[1]
    body = {
        "task": 9,
        "title": "征求意见",
        "due_date": "2026-04-30",
        "department": "CZ-JYJ",
        "owners": [edu.username],
    }
    response = api.post(BASE + "milestones/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "not_started"
    assert api.patch(f"{BASE}milestones/{pk}/", {"title": "公开征求意见"}, format="json").status_code == 200
    bad = api.post(BASE + "milestones/", body | {"title": "x", "department": "CZ-WJW"}, format="json")
    assert bad.status_code == 400 and "department" in bad.json()
    edu_api = login_clients(edu)[1]
    assert edu_api.post(BASE + "milestones/", body | {"title": "y"}, format="json").status_code == 403
    assert edu_api.patch(f"{BASE}milestones/{pk}/", {"title": "z"}, format="json").status_code == 403
    assert edu_api.post(f"{BASE}milestones/{pk}/complete/").status_code == 403
    done = api.post(f"{BASE}milestones/{pk}/complete/")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["state"] == "done"
    assert api.post(f"{BASE}milestones/{pk}/cancel/", {"reason": "x"}, format="json").status_code == 400
    assert api.post(f"{BASE}milestones/{pk}/reopen/").json()["status"] == "open"
    assert api.delete(f"{BASE}milestones/{pk}/").status_code == 204
    assert not Milestone.objects.exists()


def test_reports_and_attachments(annex, clock, media_root, django_assert_max_num_queries):
    ndrc, edu = officer("CZ-FGW"), officer("CZ-JYJ")
    m = milestone(annex[8], ndrc)
    api = login_clients(edu)[1]
    body = {
        "task": 8,
        "milestone": m.pk,
        "period_end": "2026-03-01",
        "text": "已遴选基地 3 个",
        "percent": 30,
    }
    response = api.post(BASE + "progress-reports/", body, format="json")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["department"] == "CZ-JYJ" and report["author"] == edu.username
    other = milestone(annex[9], ndrc)
    bad = api.post(BASE + "progress-reports/", body | {"milestone": other.pk}, format="json")
    assert bad.status_code == 400 and "milestone" in bad.json()
    outsider = login_clients(officer("CZ-WJW"))[1]
    assert (
        outsider.post(
            BASE + "progress-reports/", body | {"task": 9, "milestone": None}, format="json"
        ).status_code
        == 403
    )
    upload = api.post(
        BASE + "progress-attachments/",
        {"report": report["id"], "file": pdf(), "title": "名单"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert upload.json()["download"].endswith("/download/")
    refused = login_clients(ndrc)[1].post(
        BASE + "progress-attachments/", {"report": report["id"], "file": pdf()}, format="multipart"
    )
    assert refused.status_code == 403
    for i in range(5):
        api.post(
            BASE + "progress-reports/",
            body | {"text": f"第{i}次", "milestone": None, "percent": None},
            format="json",
        )
    with django_assert_max_num_queries(12):
        data = api.get(BASE + "progress-reports/").json()
    assert data["count"] == 6 and data["results"][-1]["attachments"][0]["title"] == "名单"
    assert api.patch(f"{BASE}progress-reports/{report['id']}/", {"text": "x"}, format="json").status_code in (
        403,
        405,
    )
