"""Who sees and does what on the responsibility list (DESIGN rule 3).

- **Task**: every government officer and researcher reads the whole list (the annex is the city's plan);
  a school's administrators and teachers read the tasks their school is a party of (by name, or through
  市属各职业院校); enterprises and students see nothing. Nobody writes tasks: they are the annex.
- **Milestone**: read as the tasks; the lead parties' officers add, change, delete and import the
  milestones of the tasks their department leads (platform administrators any).
- **ProgressReport**: read as the tasks; added by any party's officer or school administrator (the
  service checks the task); nobody changes a filed report.
- **ProgressAttachment**: read with its report; added by the reporting organization (the service checks).
- Exports: officers and researchers.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ACTIONS, ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import Milestone, ProgressAttachment, ProgressReport, Task, TaskParty
from ..selectors import tasks as sel

GROUP = "治理与目标"
READ_ALL = {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL}


def member_tasks(qs, user):
    return qs.filter(pk__in=sel.member_task_ids(user))


def member_task_rows(qs, user):
    return qs.filter(task__in=sel.member_task_ids(user))


def member_report_rows(qs, user):
    return qs.filter(report__task__in=sel.member_task_ids(user))


def led_task_rows(qs, user):
    return qs.filter(task__in=sel.lead_task_ids(user))


def own_org_reports(qs, user):
    if sel.is_officer(user):
        return qs.filter(report__department_id=user.department_id)
    if getattr(user, "school_id", None):
        return qs.filter(report__school_id=user.school_id)
    return qs.none()


def leads_any(user) -> bool:
    """Whether the user's department leads at least one task."""
    return sel.is_officer(user) and Task.objects.filter(pk__in=sel.lead_task_ids(user)).exists()


@register(Task)
class TaskPolicy(Policy):
    rules = {
        "view": {**READ_ALL, Role.SCHOOL_ADMIN: member_tasks, Role.TEACHER: member_tasks},
        "export": READ_ALL,
    }


@register(TaskParty)
class TaskPartyPolicy(Policy):
    """The parties are part of their task (seeded from the annex, never edited): read as the tasks are."""

    rules = {"view": READ_ALL, "export": READ_ALL}


@register(Milestone)
class MilestonePolicy(Policy):
    lead_actions = ("add", "import")

    def rule(self, user, action):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        # The add button and the import page for the lead departments' officers only.
        if action in self.lead_actions and not user.is_superuser and not leads_any(user):
            return None
        return super().rule(user, action)

    rules = {
        "view": {**READ_ALL, Role.SCHOOL_ADMIN: member_task_rows, Role.TEACHER: member_task_rows},
        "add": {Role.GOV_OFFICER: led_task_rows},
        "change": {Role.GOV_OFFICER: led_task_rows},
        "delete": {Role.GOV_OFFICER: led_task_rows},
        "import": {Role.GOV_OFFICER: led_task_rows},
        "export": READ_ALL,
    }


@register(ProgressReport)
class ProgressReportPolicy(Policy):
    rules = {
        "view": {**READ_ALL, Role.SCHOOL_ADMIN: member_task_rows, Role.TEACHER: member_task_rows},
        "add": {Role.GOV_OFFICER: member_task_rows, Role.SCHOOL_ADMIN: member_task_rows},
        "export": READ_ALL,
    }


@register(ProgressAttachment)
class ProgressAttachmentPolicy(Policy):
    rules = {
        "view": {**READ_ALL, Role.SCHOOL_ADMIN: member_report_rows, Role.TEACHER: member_report_rows},
        "add": {Role.GOV_OFFICER: own_org_reports, Role.SCHOOL_ADMIN: own_org_reports},
    }


# --- menu and home counters -------------------------------------------------------------------------------
def _party_people(user) -> bool:
    return user.is_superuser or getattr(user, "role", "") in (
        Role.GOV_OFFICER,
        Role.SCHOOL_ADMIN,
        Role.TEACHER,
    )


def _mine_open(user):
    today = timezone.localdate()
    ids = Milestone.objects.filter(sel.my_milestones_q(user)).values("pk")
    return Milestone.objects.filter(pk__in=ids, status="open"), today


def my_overdue_count(user) -> int:
    qs, today = _mine_open(user)
    return qs.filter(due_date__lt=today).count()


def my_due_soon_count(user) -> int:
    import datetime as dt

    qs, today = _mine_open(user)
    return qs.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=sel.DUE_SOON_DAYS)).count()


add_menu(MenuItem(GROUP, _("责任清单"), "governance:task_list", Task, "list-task", 210))
add_menu(MenuItem(GROUP, _("我的任务"), "governance:task_mine", Task, "person-check", 211, _party_people))
add_menu(MenuItem(GROUP, _("任务节点"), "governance:milestone_list", Milestone, "flag", 212))
add_menu(
    MenuItem(GROUP, _("进展报告"), "governance:progressreport_list", ProgressReport, "journal-text", 213)
)
add_menu(MenuItem(GROUP, _("节点到期提醒"), "governance:task_deadlines", Task, "alarm", 214, _party_people))
PEOPLE = {Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER}
add_counter(
    Counter(
        _("我负责的逾期节点"),
        my_overdue_count,
        PEOPLE,
        "governance:task_deadlines",
        "exclamation-octagon",
        70,
    )
)
add_counter(
    Counter(_("14 天内到期的节点"), my_due_soon_count, PEOPLE, "governance:task_deadlines", "alarm", 71)
)
