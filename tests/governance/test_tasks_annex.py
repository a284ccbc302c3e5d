"""The annex as data: the 15 tasks exactly as the policy file's table writes them (text, 牵头部门, 责任部门,
character for character), their parties resolved to departments, the school, and the two groups; the
seed is idempotent and resolves parties that appear later (departments loaded after the migrations, the
school imported later)."""

import re
from pathlib import Path

import pytest

from tests.orgs.factories import SchoolFactory
from xiaoqitong.governance.models import Task, TaskParty
from xiaoqitong.governance.services.tasks import ensure_parties, sync_parties

from . import factories_tasks
from .factories_tasks import seed

annex = factories_tasks.annex  # a fixture

# The policy text as published, kept in the repository (docs/policy/README.md).
POLICY = (
    Path(__file__).resolve().parents[2]
    / "docs"
    / "policy"
    / "chenzhou-2021-9-vocational-education-policy.txt"
)
ROW = re.compile(r"^\|\s*(\d+)\s*\|(.*)\|(.*)\|(.*)\|\s*$")


def policy_table() -> dict[int, tuple[str, str, str]]:
    """The annex's table parsed from the policy text: number -> (text, lead, responsible)."""
    text = POLICY.read_text(encoding="utf-8")
    annex = text[text.index("主要任务责任清单") :]
    rows = {}
    for line in annex.splitlines():
        m = ROW.match(line)
        if m:
            rows[int(m[1])] = (m[2].strip(), m[3].strip(), m[4].strip())
    return rows


def names(text: str, sep: str) -> list[str]:
    return [n for n in re.split(sep, text) if n]


pytestmark = pytest.mark.django_db


def test_every_task_is_written_as_in_the_annex(annex):
    table = policy_table()
    assert sorted(table) == list(range(1, 16))
    assert Task.objects.count() == 15
    for task in Task.objects.all():
        text, lead, responsible = table[task.number]
        assert task.text == text, task.number
        assert task.lead_text == lead, task.number
        assert task.responsible_text == responsible, task.number
        assert "郴政发〔2021〕9号" in task.source


def test_the_parties_match_the_annex(annex):
    table = policy_table()
    parties = list(TaskParty.objects.select_related("department", "school", "task"))
    for number, (_text, lead, responsible) in table.items():
        mine = [p for p in parties if p.task.number == number]
        leads = [str(p) for p in sorted(mine, key=lambda p: p.sort_order) if p.role == "lead"]
        assert leads == lead.split(), number
        expected = [n for n in names(responsible, r"[、，]") if n != "郴州技师学院"]  # no such school here
        got = [str(p) for p in sorted(mine, key=lambda p: p.sort_order) if p.role == "responsible"]
        assert got == expected, number
    # tasks 4 and 5 have two and three lead departments
    assert TaskParty.objects.filter(task__number=4, role="lead").count() == 2
    assert TaskParty.objects.filter(task__number=5, role="lead").count() == 3
    groups = TaskParty.objects.filter(task__number=1).exclude(group="").values_list("group", flat=True)
    assert sorted(groups) == ["all_counties", "all_schools"]
    codes = set(TaskParty.objects.filter(task__number=4).values_list("department__code", flat=True))
    assert {"CZ-GXQ", "CZ-JKQ", "CZ-RSJ", "CZ-JYJ"} <= codes


def test_the_seed_is_idempotent_and_resolves_the_school_once_it_exists(annex):
    before = TaskParty.objects.count()
    seed()
    assert TaskParty.objects.count() == before
    assert not TaskParty.objects.filter(school__isnull=False).exists()
    school = SchoolFactory(name="郴州技师学院")
    assert ensure_parties() == 1
    party = TaskParty.objects.get(school=school)
    assert (party.task.number, party.role) == (2, "responsible")
    assert sync_parties() == 0
    assert ensure_parties() == 0


def test_parties_of_departments_loaded_after_the_migration_are_resolved_on_read(reference_data, db):
    from xiaoqitong.orgs.models import Department
    from xiaoqitong.orgs.services import departments_load

    TaskParty.objects.all().delete()
    Department.objects.all().delete()
    seed_only = __import__("importlib").import_module("xiaoqitong.governance.migrations.0003_tasks")
    from django.apps import apps

    seed_only.seed(apps, None)  # no departments: only the groups resolve, nothing fails
    assert TaskParty.objects.filter(department__isnull=False).count() == 0
    assert TaskParty.objects.exclude(group="").count() == 28
    departments_load()
    assert ensure_parties() > 0
    assert TaskParty.objects.filter(task__number=8, role="lead", department__code="CZ-FGW").exists()
