"""Import/export of the responsibility list: milestones imported by a lead department (every row validated
first, nothing written when one is bad, the same file twice changes nothing, rows of tasks it does not
lead refused), the exports of tasks, milestones and reports, the export-only formats refusing to import."""

import csv
import io

import pytest
import tablib
from django.urls import reverse

from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload, login_clients
from xiaoqitong.governance.models import Milestone, ProgressReport, Task

from . import factories_tasks
from .factories_tasks import milestone, officer, set_today

annex = factories_tasks.annex  # a fixture

pytestmark = pytest.mark.django_db


def rows(owner) -> list[dict]:
    return [
        {
            "任务序号": "8",
            "节点名称": "基地遴选",
            "说明": "",
            "完成时限": "2026-06-30",
            "负责部门代码": "CZ-JYJ",
            "负责学校代码": "",
            "责任人账号": owner.username,
            "办理状态": "进行中",
        },
        {
            "任务序号": "9",
            "节点名称": "考核办法印发",
            "说明": "征求意见后印发",
            "完成时限": "2026年9月30日",
            "负责部门代码": "",
            "负责学校代码": "",
            "责任人账号": "",
            "办理状态": "已完成",
        },
    ]


def dataset(items: list[dict]) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(items[0]))
    for item in items:
        data.append(list(item.values()))
    return data


def run(actor, items, dry_run=False):
    resource = resource_for(Milestone)()
    resource.actor = actor
    return run_import(resource, dataset(items), dry_run=dry_run)


def test_import_through_the_page_then_again_changes_nothing(annex, django_capture_on_commit_callbacks):
    ndrc, edu = officer("CZ-FGW"), officer("CZ-JYJ")
    page = login_clients(ndrc)[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            page.post(reverse("governance:milestone_import"), {"file": csv_upload(rows(edu))}).status_code
            == 302
        )
    job = ImportJob.objects.latest("pk")
    assert job.status == "valid", job.errors
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert Milestone.objects.count() == 2
    done = Milestone.objects.get(title="考核办法印发")
    assert done.status == "done" and done.percent == 100
    assert list(Milestone.objects.get(title="基地遴选").owners.all()) == [edu]
    with django_capture_on_commit_callbacks(execute=True):
        page.post(reverse("governance:milestone_import"), {"file": csv_upload(rows(edu), encoding="gb18030")})
    again = ImportJob.objects.latest("pk")
    assert again.summary == {"new": 0, "update": 0, "skip": 2}, again.errors


def test_every_bad_row_is_reported_and_nothing_written(annex):
    ndrc = officer("CZ-FGW")
    bad = rows(officer("CZ-JYJ"))
    bad[0] |= {"负责部门代码": "CZ-WJW"}  # not a party of task 8
    bad[1] |= {"任务序号": "1"}  # led by 市教育局
    bad.append(bad[0] | {"节点名称": "另一节点", "负责部门代码": "CZ-JYJ", "完成时限": "明年"})  # a bad date
    errors, _totals = run(ndrc, bad)
    cells = {(e["row"], e["column"]) for e in errors}
    assert (2, "负责部门代码") in cells and (3, "任务序号") in cells
    assert (4, "完成时限") in cells
    assert not Milestone.objects.exists()


def test_the_exports(annex, monkeypatch):
    set_today(monkeypatch)
    ndrc = officer("CZ-FGW")
    m = milestone(annex[8], ndrc, -1, owners=[ndrc])
    from xiaoqitong.governance.services import tasks as services

    services.report_create(
        actor=ndrc, task=annex[8], data={"milestone": m, "period_end": m.due_date, "text": "=1+1"}
    )
    page = login_clients(ndrc)[0]

    def read(name):
        response = page.get(reverse(f"governance:{name}") + "?export=csv")
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    milestones = read("milestone_list")
    assert milestones[0][-2:] == ["负责单位", "进度状态"] and milestones[1][-1] == "已逾期"
    reports = read("progressreport_list")
    assert reports[1][6] == "'=1+1"  # formulas escaped
    assert len(read("task_list")) == 16
    # an exported milestone file imports again unchanged
    data = tablib.Dataset(headers=milestones[0])
    for row in milestones[1:]:
        data.append(row)
    resource = resource_for(Milestone)()
    resource.actor = ndrc
    errors, totals = run_import(resource, data, dry_run=True)
    assert not errors and totals == {"new": 0, "update": 0, "skip": 1}


@pytest.mark.parametrize("model", [Task, ProgressReport])
def test_export_only_formats_refuse_to_import(annex, model):
    resource = resource_for(model)()
    resource.actor = officer("CZ-FGW")
    errors, _totals = run_import(resource, tablib.Dataset(headers=["序号"]), dry_run=True)
    assert errors and "不能导入" in errors[0]["message"]
