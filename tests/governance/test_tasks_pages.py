"""The pages of the responsibility list: list (15 rows, warnings, filters, export, query count), task,
milestone and report pages, 我的任务, the deadlines page, the POST steps (file a report with a file, add a
milestone from the task page, complete, cancel), who is refused."""

import csv
import io

import pytest
from django.urls import reverse

from tests.orgs.factories import EnterpriseFactory, user_with_role
from xiaoqitong.core.testing import login_clients
from xiaoqitong.governance.models import Milestone, ProgressReport
from xiaoqitong.governance.services import tasks as services
from xiaoqitong.orgs.choices import Role

from . import factories_tasks
from .factories_tasks import department, milestone, officer, pdf, school_admin, set_today

annex = factories_tasks.annex  # a fixture
media_root = factories_tasks.media_root  # a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(annex, monkeypatch, media_root):
    clock = set_today(monkeypatch)
    ndrc = officer("CZ-FGW")
    overdue = milestone(annex[8], ndrc, -5, owners=[ndrc])
    soon = milestone(annex[9], ndrc, 4, owners=[ndrc])
    later = milestone(annex[10], ndrc, 90, department=department("CZ-JYJ"))
    report = services.report_create(
        actor=ndrc,
        task=annex[8],
        data={"milestone": overdue, "period_end": clock.today, "text": "推进中", "percent": 40},
        attachments=[pdf()],
    )
    return {
        "ndrc": ndrc,
        "overdue": overdue,
        "soon": soon,
        "later": later,
        "report": report,
        "clock": clock,
        **annex,
    }


def get(user, url, status=200):
    response = login_clients(user)[0].get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def test_task_list_shows_15_rows_with_warnings_without_a_query_per_row(scene, django_assert_max_num_queries):
    page = login_clients(scene["ndrc"])[0]
    url = reverse("governance:task_list")
    page.get(url)
    with django_assert_max_num_queries(25):
        response = page.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-overdue") >= 2 and "涉及任务 8" in body
    assert "市人社局 市教育局" in body  # task 4's two leads as written
    assert "本单位负责的节点：逾期 1 个" in body
    rows = get(scene["ndrc"], url + "?state=overdue").content.decode()
    assert "建立产教融合型企业和职业院校实习实训基地" in rows and "支持郴州技师学院" not in rows
    health = department("CZ-WJW")
    rows = get(scene["ndrc"], f"{url}?department={health.pk}").content.decode()
    assert "共 1 条记录" in rows  # 市卫生健康委 is a party of task 5 only
    export = get(scene["ndrc"], url + "?export=csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(export)))
    assert table[0][:4] == ["序号", "主要任务内容", "牵头部门", "责任部门"] and len(table) == 16
    assert table[8][-1] == "已逾期"


def test_task_page_milestones_reports_and_forms(scene):
    body = get(scene["ndrc"], scene[8].get_absolute_url()).content.decode()
    assert "data-overdue-warning" in body and scene["overdue"].title in body
    assert "data-report-form" in body and "data-milestone-form" in body
    assert "进展材料" in body  # the attachment in the timeline
    body = get(officer("CZ-JYJ"), scene[8].get_absolute_url()).content.decode()
    assert "data-report-form" in body and "data-milestone-form" not in body
    body = get(user_with_role(Role.RESEARCHER), scene[8].get_absolute_url()).content.decode()
    assert "data-report-form" not in body
    get(user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory()), scene[8].get_absolute_url(), 404)
    get(
        user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory()),
        reverse("governance:task_list"),
        403,
    )


def test_milestone_report_and_attachment_pages(scene):
    get(scene["ndrc"], scene["overdue"].get_absolute_url())
    get(scene["ndrc"], scene["report"].get_absolute_url())
    attachment = scene["report"].attachments.get()
    response = get(officer("CZ-JYJ"), reverse("governance:attachment_download", args=[attachment.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    get(user_with_role(Role.STUDENT), reverse("governance:attachment_download", args=[attachment.pk]), 404)


@pytest.mark.parametrize("name", ["milestone_list", "progressreport_list"])
def test_list_pages_have_no_query_per_row(scene, name, django_assert_max_num_queries):
    ndrc = scene["ndrc"]
    for i in range(8):
        milestone(scene[8], ndrc, 20 + i, owners=[ndrc])
        services.report_create(
            actor=ndrc, task=scene[8], data={"period_end": scene["clock"].today, "text": f"第{i}次"}
        )
    page = login_clients(ndrc)[0]
    page.get(reverse(f"governance:{name}"))
    with django_assert_max_num_queries(25):
        assert page.get(reverse(f"governance:{name}")).status_code == 200
    assert page.get(reverse(f"governance:{name}") + "?export=xlsx").status_code == 200


def test_my_tasks_and_deadlines(scene):
    body = get(scene["ndrc"], reverse("governance:task_mine")).content.decode()
    assert body.index('data-task="8"') < body.index('data-task="1"')  # tasks with my milestones first
    assert "本单位参与" in body and "data-overdue-warning" in body
    body = get(scene["ndrc"], reverse("governance:task_deadlines")).content.decode()
    assert scene["overdue"].title in body and scene["soon"].title in body
    assert reverse("core:notification_list") in body
    assert scene["later"].title not in body  # 90 days away
    body = get(school_admin(), reverse("governance:task_mine")).content.decode()
    assert 'data-task="2"' not in body and 'data-task="1"' in body
    get(user_with_role(Role.RESEARCHER), reverse("governance:task_mine"), 403)


def test_post_steps(scene):
    ndrc = scene["ndrc"]
    page = login_clients(ndrc)[0]
    url = reverse("governance:task_report", args=[scene[9].pk])
    response = page.post(
        url,
        {
            "milestone": scene["soon"].pk,
            "period_end": "2026-03-01",
            "percent": "80",
            "text": "征求意见稿已形成",
            "attachment": pdf(),
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=scene[9])
    assert report.attachments.count() == 1 and Milestone.objects.get(pk=scene["soon"].pk).percent == 80
    response = page.post(url, {"period_end": "2026-03-01", "percent": "80", "text": "x"}, follow=True)
    assert "填写完成进度须选择对应的节点" in response.content.decode()
    page.post(
        reverse("governance:milestone_add"),
        {"task": scene[9].pk, "title": "印发考核办法", "due_date": "2026-06-30", "owners": [ndrc.pk]},
    )
    added = Milestone.objects.get(title="印发考核办法")
    page.post(reverse("governance:milestone_complete", args=[added.pk]))
    assert Milestone.objects.get(pk=added.pk).status == "done"
    other = login_clients(officer("CZ-JYJ"))[0]
    response = other.post(
        reverse("governance:milestone_cancel", args=[scene["soon"].pk]), {"reason": "x"}, follow=True
    )
    assert "只有任务9的牵头部门" in response.content.decode()
    assert Milestone.objects.get(pk=scene["soon"].pk).status == "open"
