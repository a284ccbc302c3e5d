"""Reads of the responsibility list (责任清单, the annex of 郴政发〔2021〕9号).

- The annex as data (``data/tasks.csv``: number, text, 牵头部门 and 责任部门 as written) and its party names
  (:func:`party_names`: the lead text split on spaces, the responsible text on 、 and ，).
- Membership: a user belongs to a task when their department is a party, when they are school staff and
  their school is a party or the task names 市属各职业院校, or when their department is a county government
  and the task names 各县市区人民政府 (:func:`member_task_ids`). The lead parties' officers manage the task's
  milestones (:func:`lead_task_ids`).
- States (:class:`State`): a milestone is done, cancelled, overdue (past its due date, not done), due soon
  (within :data:`DUE_SOON_DAYS` days), not started (no progress yet) or on track; a task is overdue when any
  of its milestones is, done when all of them are, and so on (:func:`with_task_state`, computed by the
  database so that lists filter on it and never run a query per row).
- The people's views: my tasks (:func:`my_tasks`), my milestones (:func:`my_milestones_q`), the deadlines
  page (:func:`deadlines`).

Every read a person triggers goes through ``Model.objects.restrict`` (``policies.tasks``); these selectors
narrow or annotate the rows that scoping already allows.
"""

import csv
import datetime as dt
import functools
import re
from pathlib import Path

from django.db.models import Avg, Case, CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.orgs.choices import DepartmentKind, Role

from ..choices import MilestoneStatus, PartyGroup, PartyRole

ANNEX_CSV = Path(__file__).resolve().parent.parent / "data" / "tasks.csv"
#: A milestone is "due soon" this many days (or fewer) before its due date (an operating choice of the
#: notification centre, not a policy figure: the first reminder goes out on the same day).
DUE_SOON_DAYS = 14
#: The reminders of the daily tick, in days before the due date (each sent once), and the overdue warning.
REMINDER_DAYS = (14, 3, 1)
OVERDUE_KEY = "overdue"
#: The annex's collective parties, by the words it uses.
GROUP_NAMES = {"市属各职业院校": PartyGroup.ALL_SCHOOLS, "各县市区人民政府": PartyGroup.ALL_COUNTIES}
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
#: Who files progress reports for a party: its officers, and its administrators for a school.
REPORTERS = {Role.GOV_OFFICER, Role.SCHOOL_ADMIN}


class State:
    """The state of a milestone or a task (computed, never stored)."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"
    CANCELLED = "cancelled"

    choices = [
        (NOT_STARTED, _("未开始")),
        (ON_TRACK, _("正常推进")),
        (DUE_SOON, _("即将到期")),
        (OVERDUE, _("已逾期")),
        (DONE, _("已完成")),
        (CANCELLED, _("已取消")),
    ]
    css = {
        NOT_STARTED: "secondary",
        ON_TRACK: "primary",
        DUE_SOON: "warning",
        OVERDUE: "danger",
        DONE: "success",
        CANCELLED: "light",
    }

    @classmethod
    def label(cls, value: str) -> str:
        return str(dict(cls.choices).get(value, value))


TASK_STATES = [c for c in State.choices if c[0] != State.CANCELLED]


def today() -> dt.date:
    return timezone.localdate()


# --- the annex -------------------------------------------------------------------------------------------
@functools.cache
def annex_rows() -> tuple[dict, ...]:
    """The annex's 15 tasks as written: ``{"number", "text", "lead", "responsible"}``."""
    with ANNEX_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(
            {
                "number": int(row["number"]),
                "text": row["text"],
                "lead": row["lead"],
                "responsible": row["responsible"],
            }
            for row in csv.DictReader(fh)
        )


def party_names(lead_text: str, responsible_text: str) -> list[tuple[str, str]]:
    """``[(role, name), …]`` in the annex's order: the lead departments (separated by spaces, as in tasks 4
    and 5), then the responsible ones (separated by 、 and ，)."""
    leads = [(PartyRole.LEAD, n) for n in lead_text.split()]
    responsible = [(PartyRole.RESPONSIBLE, n) for n in re.split(r"[、，,；;\s]+", responsible_text) if n]
    return leads + responsible


@functools.cache
def expected_party_count() -> int:
    """How many parties the annex names in all (each becomes a TaskParty once it resolves)."""
    return sum(len(party_names(r["lead"], r["responsible"])) for r in annex_rows())


# --- membership -----------------------------------------------------------------------------------------
def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def is_officer(user) -> bool:
    return _active(user) and _role(user) == Role.GOV_OFFICER and bool(user.department_id)


def is_school_staff(user) -> bool:
    return _active(user) and _role(user) in SCHOOL_STAFF and bool(user.school_id)


def party_q(user, prefix: str = "") -> Q | None:
    """The TaskParty rows (``prefix`` leads to them from another model) that stand for the user's
    organization; None for a user who belongs to no party."""
    if is_officer(user):
        q = Q(**{f"{prefix}department_id": user.department_id})
        if user.department.kind == DepartmentKind.COUNTY:
            q |= Q(**{f"{prefix}group": PartyGroup.ALL_COUNTIES})
        return q
    if is_school_staff(user):
        return Q(**{f"{prefix}school_id": user.school_id}) | Q(**{f"{prefix}group": PartyGroup.ALL_SCHOOLS})
    return None


def member_task_ids(user, role: str | None = None):
    """The ids of the tasks the user's organization is a party of (``role``: only as lead or responsible),
    as a subquery."""
    from ..models import TaskParty
    from ..services.tasks import ensure_parties

    ensure_parties(user)
    q = party_q(user)
    if q is None:
        return TaskParty.objects.none().values("task_id")
    qs = TaskParty.objects.filter(q)
    if role:
        qs = qs.filter(role=role)
    return qs.values("task_id")


def lead_task_ids(user):
    """The tasks whose milestones the user manages: those their department leads (all for a platform
    administrator), as a subquery or None for all."""
    from ..models import Task

    if _active(user) and user.is_superuser:
        return Task.objects.values("pk")
    if not is_officer(user):
        return Task.objects.none().values("pk")
    return member_task_ids(user, PartyRole.LEAD)


def is_member(user, task) -> bool:
    from ..models import Task

    if _active(user) and user.is_superuser:
        return True
    return Task.objects.filter(pk=task.pk, pk__in=member_task_ids(user)).exists()


def is_lead(user, task) -> bool:
    from ..models import Task

    return Task.objects.filter(pk=task.pk, pk__in=lead_task_ids(user)).exists()


def may_report(user, task) -> bool:
    """Whether the user files progress reports on the task: a party's officer or school administrator (a
    platform administrator too)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return _role(user) in REPORTERS and is_member(user, task)


# --- states ---------------------------------------------------------------------------------------------
def milestone_state(on: dt.date | None = None, prefix: str = "") -> Case:
    """The state of a milestone as a database expression (``prefix`` leads to it from another model)."""
    on = on or today()
    p = prefix
    return Case(
        When(**{f"{p}status": MilestoneStatus.DONE}, then=Value(State.DONE)),
        When(**{f"{p}status": MilestoneStatus.CANCELLED}, then=Value(State.CANCELLED)),
        When(**{f"{p}due_date__lt": on}, then=Value(State.OVERDUE)),
        When(**{f"{p}due_date__lte": on + dt.timedelta(days=DUE_SOON_DAYS)}, then=Value(State.DUE_SOON)),
        When(**{f"{p}percent": 0}, then=Value(State.NOT_STARTED)),
        default=Value(State.ON_TRACK),
        output_field=CharField(),
    )


def state_of(milestone, on: dt.date | None = None) -> str:
    """The same state computed in Python (for one milestone already loaded)."""
    on = on or today()
    if milestone.status == MilestoneStatus.DONE:
        return State.DONE
    if milestone.status == MilestoneStatus.CANCELLED:
        return State.CANCELLED
    if milestone.due_date < on:
        return State.OVERDUE
    if milestone.due_date <= on + dt.timedelta(days=DUE_SOON_DAYS):
        return State.DUE_SOON
    return State.NOT_STARTED if not milestone.percent else State.ON_TRACK


def with_milestone_state(qs, on: dt.date | None = None):
    """Milestones annotated with ``state`` (and their days left, ``days_left`` in Python via the page)."""
    return qs.annotate(state=milestone_state(on))


def _milestone_count(q: Q):
    from ..models import Milestone

    rows = Milestone.objects.filter(q, task=OuterRef("pk")).order_by().values("task").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), Value(0))


def with_task_state(qs, on: dt.date | None = None):
    """Tasks annotated with their milestones' counts (``ms_total`` not cancelled, ``ms_done``,
    ``ms_overdue``, ``ms_due_soon``), ``progress`` (the mean percent of the milestones not cancelled, a
    done one counting 100) and ``state``: one query for the whole list (subqueries, no join that would
    multiply rows)."""
    from ..models import Milestone

    on = on or today()
    open_ = Q(status=MilestoneStatus.OPEN)
    progress = (
        Milestone.objects.filter(task=OuterRef("pk"))
        .exclude(status=MilestoneStatus.CANCELLED)
        .order_by()
        .values("task")
        .annotate(
            p=Avg(
                Case(
                    When(status=MilestoneStatus.DONE, then=Value(100)),
                    default="percent",
                    output_field=IntegerField(),
                )
            )
        )
        .values("p")
    )
    qs = qs.annotate(
        ms_total=_milestone_count(~Q(status=MilestoneStatus.CANCELLED)),
        ms_done=_milestone_count(Q(status=MilestoneStatus.DONE)),
        ms_overdue=_milestone_count(open_ & Q(due_date__lt=on)),
        ms_due_soon=_milestone_count(
            open_ & Q(due_date__gte=on, due_date__lte=on + dt.timedelta(days=DUE_SOON_DAYS))
        ),
        ms_started=_milestone_count(open_ & Q(percent__gt=0)),
        progress_raw=Subquery(progress),
    )
    return qs.annotate(
        state=Case(
            When(ms_overdue__gt=0, then=Value(State.OVERDUE)),
            When(Q(ms_total__gt=0) & Q(ms_done=F("ms_total")), then=Value(State.DONE)),
            When(ms_due_soon__gt=0, then=Value(State.DUE_SOON)),
            When(Q(ms_done=0) & Q(ms_started=0), then=Value(State.NOT_STARTED)),
            default=Value(State.ON_TRACK),
            output_field=CharField(),
        )
    )


def progress_of(task) -> int:
    """A task's progress in whole percent (0 without milestones), from ``with_task_state``."""
    value = getattr(task, "progress_raw", None)
    return round(value) if value is not None else 0


# --- the people's views ---------------------------------------------------------------------------------
def my_milestones_q(user, prefix: str = "") -> Q:
    """The milestones that are the user's own: they own them, or their department or school is the one
    responsible for them."""
    q = Q(**{f"{prefix}owners": user})
    if is_officer(user):
        q |= Q(**{f"{prefix}department_id": user.department_id})
    if is_school_staff(user):
        q |= Q(**{f"{prefix}school_id": user.school_id})
    return q


def my_milestones(user, on: dt.date | None = None):
    """The user's own milestones (:func:`my_milestones_q`) among those they may see, with their state."""
    from ..models import Milestone

    ids = Milestone.objects.filter(my_milestones_q(user)).values("pk")
    return with_milestone_state(
        Milestone.objects.restrict(user, "view")
        .filter(pk__in=ids)
        .select_related("task", "department", "school"),
        on,
    ).order_by("due_date", "task__number", "pk")


def my_tasks(user, on: dt.date | None = None):
    """The tasks the user's department or school is a party of, with their state and the user's role
    (``my_role``: lead or responsible)."""
    from ..models import Task

    on = on or today()
    leads = member_task_ids(user, PartyRole.LEAD)
    qs = Task.objects.restrict(user, "view").filter(pk__in=member_task_ids(user))
    qs = qs.annotate(
        my_role=Case(
            When(pk__in=leads, then=Value(PartyRole.LEAD)),
            default=Value(PartyRole.RESPONSIBLE),
            output_field=CharField(),
        )
    )
    return with_task_state(qs, on).order_by("number")


def deadlines(user, on: dt.date | None = None, horizon: int = 30) -> dict:
    """The deadlines page: the user's own open milestones that are overdue or due within ``horizon``
    days, and (for a lead department's officers) those of the tasks their department leads."""
    from ..models import Milestone

    on = on or today()
    window = Q(status=MilestoneStatus.OPEN, due_date__lte=on + dt.timedelta(days=horizon))
    mine = list(my_milestones(user, on).filter(window))
    mine_ids = {m.pk for m in mine}
    led = []
    if is_officer(user) or (_active(user) and user.is_superuser):
        led_qs = with_milestone_state(
            Milestone.objects.restrict(user, "view")
            .filter(window, task__in=lead_task_ids(user))
            .exclude(pk__in=mine_ids)
            .select_related("task", "department", "school"),
            on,
        ).order_by("due_date", "task__number", "pk")
        led = list(led_qs)
    for m in [*mine, *led]:
        mark_days(m, on)
    return {
        "mine": mine,
        "led": led,
        "overdue": sum(1 for m in mine if m.state == State.OVERDUE),
        "due_soon": sum(1 for m in mine if m.state == State.DUE_SOON),
    }


def mark_days(milestone, on: dt.date | None = None):
    """Set ``days_left`` (negative once past) and ``days_over`` on a loaded milestone, for the pages."""
    milestone.days_left = (milestone.due_date - (on or today())).days
    milestone.days_over = max(0, -milestone.days_left)
    return milestone


def parties_by_task(task_ids) -> dict[int, list]:
    """The parties of these tasks in the annex's order, each task's list: one query."""
    from ..models import TaskParty

    out: dict[int, list] = {}
    for party in TaskParty.objects.filter(task_id__in=list(task_ids)).select_related("department", "school"):
        out.setdefault(party.task_id, []).append(party)
    return out


def party_users(task):
    """The people of the task's parties that may own its milestones: the party departments' officers and
    the party schools' administrators and teachers (any school's when the task names 市属各职业院校, any
    county government's officers when it names 各县市区人民政府)."""
    from django.contrib.auth import get_user_model

    from ..models import TaskParty

    parties = list(TaskParty.objects.filter(task=task))
    depts = [p.department_id for p in parties if p.department_id]
    schools = [p.school_id for p in parties if p.school_id]
    groups = {p.group for p in parties if p.group}
    q = Q(role=Role.GOV_OFFICER, department_id__in=depts) | Q(role__in=SCHOOL_STAFF, school_id__in=schools)
    if PartyGroup.ALL_COUNTIES in groups:
        q |= Q(role=Role.GOV_OFFICER, department__kind=DepartmentKind.COUNTY)
    if PartyGroup.ALL_SCHOOLS in groups:
        q |= Q(role__in=SCHOOL_STAFF, school__isnull=False)
    return get_user_model().objects.filter(q, is_active=True)


# --- who leads a task -----------------------------------------------------------------------------------
def lead_department(task_number: int, fallback_code: str):
    """The lead department of an annex task as the responsibility list names it (the first lead party that
    is a department), else the department with ``fallback_code``; ``(department or None, from_list)``."""
    from xiaoqitong.orgs.models import Department

    from ..models import TaskParty

    party = (
        TaskParty.objects.filter(task__number=task_number, role=PartyRole.LEAD, department__isnull=False)
        .select_related("department")
        .order_by("sort_order", "pk")
        .first()
    )
    if party is not None:
        return party.department, True
    return Department.objects.filter(code=fallback_code).first(), False


def lead_department_id(task_number: int, fallback_code: str) -> int | None:
    department, _from_list = lead_department(task_number, fallback_code)
    return department.pk if department is not None else None
