"""Who sees what of the responsibility list: government officers and researchers the whole list, a
school's staff the tasks their school is a party of (through 市属各职业院校, or by name), enterprises and
students nothing; the lead parties' officers (alone) add and change milestones; reports are added by the
parties; the menu and the home counters."""

import pytest

from tests.orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from xiaoqitong.core.navigation import counters_for, menu_for
from xiaoqitong.core.policy import can
from xiaoqitong.governance.models import Milestone, ProgressReport, Task
from xiaoqitong.governance.selectors import tasks as sel
from xiaoqitong.orgs.choices import Role

from . import factories_tasks
from .factories_tasks import milestone, officer, school_admin, set_today

annex = factories_tasks.annex  # a fixture

pytestmark = pytest.mark.django_db


def visible(user) -> set[int]:
    return set(Task.objects.restrict(user, "view").values_list("number", flat=True))


def test_government_and_researchers_read_the_whole_list(annex):
    assert visible(officer("CZ-WJW")) == set(range(1, 16))
    assert visible(user_with_role(Role.RESEARCHER)) == set(range(1, 16))
    assert visible(user_with_role(Role.PLATFORM_ADMIN)) == set(range(1, 16))


def test_schools_read_their_tasks_and_enterprises_students_nothing(annex):
    school = SchoolFactory()
    assert visible(school_admin(school)) == set(range(1, 16)) - {2}
    assert visible(user_with_role(Role.TEACHER, school=school)) == set(range(1, 16)) - {2}
    technician = SchoolFactory(name="郴州技师学院")
    assert 2 in visible(school_admin(technician))
    for role in (Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR):
        assert visible(user_with_role(role, enterprise=EnterpriseFactory())) == set()
    assert visible(user_with_role(Role.STUDENT, school=school)) == set()


def test_milestones_are_managed_by_the_lead_departments(annex, monkeypatch):
    set_today(monkeypatch)
    ndrc, edu = officer("CZ-FGW"), officer("CZ-JYJ")
    m8 = milestone(annex[8], ndrc)
    m1 = milestone(annex[1], edu)
    assert can(ndrc, "change", m8) and not can(ndrc, "change", m1)
    assert can(edu, "change", m1) and not can(edu, "change", m8)
    assert can(edu, "view", m8)  # everyone in government reads
    health = officer("CZ-WJW")  # leads nothing
    assert not can(health, "add", Milestone) and not can(health, "import", Milestone)
    assert can(ndrc, "add", Milestone) and can(ndrc, "import", Milestone)
    school = SchoolFactory()
    assert not can(school_admin(school), "add", Milestone)
    assert set(Milestone.objects.restrict(school_admin(school), "view")) == {m8, m1}
    assert not Milestone.objects.restrict(user_with_role(Role.ENTERPRISE_HR), "view").exists()
    county = officer("CZ-BHQ")  # through 各县市区人民政府
    assert sel.is_member(county, annex[8]) and not sel.is_lead(county, annex[8])


def test_reports_add_scope_and_policies(annex):
    assert can(officer("CZ-WJW"), "add", ProgressReport)
    assert not can(user_with_role(Role.TEACHER, school=SchoolFactory()), "add", ProgressReport)
    assert not can(user_with_role(Role.RESEARCHER), "add", ProgressReport)
    assert can(user_with_role(Role.RESEARCHER), "export", Task)


def test_menu_and_counters(annex, monkeypatch):
    clock = set_today(monkeypatch)
    ndrc = officer("CZ-FGW")
    milestone(annex[8], ndrc, -3, owners=[ndrc])
    milestone(annex[9], ndrc, 5, owners=[ndrc])
    milestone(annex[10], ndrc, 60, owners=[ndrc])
    counters = {c["label"]: c["value"] for c in counters_for(ndrc)}
    assert counters["我负责的逾期节点"] == 1
    assert counters["14 天内到期的节点"] == 1
    labels = [i["label"] for _g, items in menu_for(ndrc) for i in items]
    assert {"责任清单", "我的任务", "节点到期提醒", "任务节点", "进展报告"} <= set(labels)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory())
    assert "责任清单" not in [i["label"] for _g, items in menu_for(hr) for i in items]
    assert clock.today
