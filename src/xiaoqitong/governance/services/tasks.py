"""Every write of the responsibility list (责任清单; DESIGN rule 2).

- The annex: ``tasks_seed`` (run by migration 0003 and again by tests after a flush) writes the 15 tasks
  exactly as written, and ``sync_parties`` their parties: each named department by its short name,
  郴州技师学院 as a school when it exists, 市属各职业院校 and 各县市区人民政府 as groups.
  Departments and schools are loaded after the migrations (``load_departments``, the schools' import),
  so a party that cannot be resolved yet is left out and resolved on a later read (``ensure_parties``,
  idempotent: the tasks are locked while it adds).
- Milestones, managed by the lead parties' officers: ``milestone_create`` / ``_update`` / ``_delete``
  (owners and the responsible department or school must be of the task's parties), ``milestone_complete``,
  ``milestone_cancel`` (with a reason), ``milestone_reopen``.
- Progress, filed by any party's officer or school administrator: ``report_create`` (text, period end, the
  percent reached on one of the task's milestones, problems, next steps, attachments checked like every
  upload of the platform) and ``attachment_add``.
- ``tasks_tick`` (daily, ``governance.tasks``): reminders to the milestones' owners (or, when there are none,
  to the responsible party's people) 14, 3 and 1 days before the due date and once when it has passed, each
  once (``Milestone.reminded``).
"""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.core.uploads import check_upload
from xiaoqitong.orgs.choices import DepartmentKind, Role

from ..choices import MilestoneStatus, PartyGroup, PartyRole
from ..models import Milestone, ProgressAttachment, ProgressReport, Task, TaskParty
from ..selectors import tasks as sel

MILESTONE_FIELDS = ("task", "title", "description", "due_date", "department", "school", "owners")
REPORT_FIELDS = ("milestone", "period_end", "text", "percent", "problems", "next_steps")


def denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


# --- the annex ------------------------------------------------------------------------------------------
def tasks_seed(apps=None) -> dict[str, int]:
    """Write the annex's 15 tasks as written (upsert on the number) and the parties that resolve now.
    ``apps``: the migration's app registry (the real models when None). Idempotent."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    task_model = apps.get_model("governance", "Task")
    created = updated = 0
    existing = {t.number: t for t in task_model.objects.all()}
    for row in sel.annex_rows():
        values = {"text": row["text"], "lead_text": row["lead"], "responsible_text": row["responsible"]}
        task = existing.get(row["number"])
        if task is None:
            task_model.objects.create(number=row["number"], **values)
            created += 1
            continue
        changed = [k for k, v in values.items() if getattr(task, k) != v]
        if changed:
            for k in changed:
                setattr(task, k, values[k])
            task.save(update_fields=changed)
            updated += 1
    parties = sync_parties(apps)
    return {"created": created, "updated": updated, "parties": parties}


def sync_parties(apps=None) -> int:
    """Add the parties the annex names that resolve now and are not stored yet; returns how many were
    added. Names that do not resolve (a department not loaded, 郴州技师学院 before the schools) are left for a
    later call."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    task_model = apps.get_model("governance", "Task")
    party_model = apps.get_model("governance", "TaskParty")
    department_model = apps.get_model("orgs", "Department")
    school_model = apps.get_model("orgs", "School")
    with transaction.atomic():
        # Two readers resolving at once: the second waits here and then finds the first one's rows.
        tasks = list(task_model.objects.select_for_update().order_by("number"))
        if not tasks:
            return 0
        names = {name for t in tasks for _role, name in sel.party_names(t.lead_text, t.responsible_text)}
        departments = {
            d.short_name: d.pk for d in department_model.objects.filter(short_name__in=names).order_by("pk")
        }
        rest = names - set(departments) - set(sel.GROUP_NAMES)
        schools = {s.name: s.pk for s in school_model.objects.filter(name__in=rest)} if rest else {}
        stored = {
            (p.task_id, p.role, p.department_id, p.school_id, p.group)
            for p in party_model.objects.filter(task__in=[t.pk for t in tasks])
        }
        new = []
        for task in tasks:
            for order, (role, name) in enumerate(sel.party_names(task.lead_text, task.responsible_text)):
                if name in sel.GROUP_NAMES:
                    key = (task.pk, role, None, None, sel.GROUP_NAMES[name])
                elif name in departments:
                    key = (task.pk, role, departments[name], None, "")
                elif name in schools:
                    key = (task.pk, role, None, schools[name], "")
                else:
                    continue  # kept as text in the task; resolved once it exists
                if key not in stored:
                    stored.add(key)
                    new.append(
                        party_model(
                            task_id=task.pk,
                            role=role,
                            department_id=key[2],
                            school_id=key[3],
                            group=key[4],
                            sort_order=order,
                        )
                    )
        party_model.objects.bulk_create(new)
    return len(new)


def ensure_parties(user=None) -> int:
    """Resolve the parties still missing (one count query when none is). ``user``: remember on the
    request's user that it was done, so that one request checks once."""
    if user is not None and getattr(user, "_xqt_task_parties", False):
        return 0
    added = 0
    if TaskParty.objects.count() < sel.expected_party_count():
        added = sync_parties()
    if user is not None:
        user._xqt_task_parties = True
    return added


# --- helpers ---------------------------------------------------------------------------------------------
def _officers(department_ids) -> list:
    ids = [d for d in department_ids if d]
    if not ids:
        return []
    return list(get_user_model().objects.filter(role=Role.GOV_OFFICER, department_id__in=ids, is_active=True))


def _school_admins(school_ids) -> list:
    ids = [s for s in school_ids if s]
    if not ids:
        return []
    return list(get_user_model().objects.filter(role=Role.SCHOOL_ADMIN, school_id__in=ids, is_active=True))


def lead_officers(task) -> list:
    ids = TaskParty.objects.filter(task=task, role=PartyRole.LEAD, department__isnull=False).values_list(
        "department_id", flat=True
    )
    return _officers(list(ids))


def milestone_recipients(milestone) -> list:
    """Who hears of a milestone's deadline: its owners, else the people of its responsible department or
    school, else the task's lead officers."""
    owners = [u for u in milestone.owners.all() if u.is_active]
    if owners:
        return owners
    if milestone.department_id:
        return _officers([milestone.department_id])
    if milestone.school_id:
        return _school_admins([milestone.school_id])
    return lead_officers(milestone.task)


def _check_lead(actor, task) -> None:
    if not sel.is_lead(actor, task):
        raise denied(_("只有任务%(n)s的牵头部门可以管理其工作节点。") % {"n": task.number})


def _check_parties(task, department, school, owners) -> None:
    """The responsible department or school and the owners must belong to the task's parties."""
    errors: dict[str, list] = {}
    if department is not None and school is not None:
        errors["school"] = [_("负责单位填写一个部门或一所学校，不能同时填写。")]
    parties = list(TaskParty.objects.filter(task=task))
    depts = {p.department_id for p in parties if p.department_id}
    schools = {p.school_id for p in parties if p.school_id}
    groups = {p.group for p in parties if p.group}
    county_ok = PartyGroup.ALL_COUNTIES in groups and getattr(department, "kind", "") == DepartmentKind.COUNTY
    if department is not None and department.pk not in depts and not county_ok:
        errors.setdefault("department", []).append(
            _("“%(d)s”不是任务%(n)s的牵头或责任部门。") % {"d": department, "n": task.number}
        )
    if school is not None and school.pk not in schools and PartyGroup.ALL_SCHOOLS not in groups:
        errors.setdefault("school", []).append(
            _("“%(s)s”不是任务%(n)s的责任单位。") % {"s": school, "n": task.number}
        )
    owners = list(owners or [])
    if owners:
        allowed = set(
            sel.party_users(task).filter(pk__in=[u.pk for u in owners]).values_list("pk", flat=True)
        )
        outsiders = [u for u in owners if u.pk not in allowed]
        if outsiders:
            errors["owners"] = [
                _("责任人须是本任务责任单位的人员：%(names)s 不是。")
                % {"names": "、".join(u.display_name or u.username for u in outsiders)}
            ]
    if errors:
        raise ValidationError(errors)


def _milestone_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in MILESTONE_FIELDS}


# --- milestones ------------------------------------------------------------------------------------------
@transaction.atomic
def milestone_create(*, actor, data: dict[str, Any]) -> Milestone:
    """A lead party's officer adds a milestone to their task: title, due date, the responsible department
    or school and owners from the task's parties. The owners are told."""
    data = _milestone_data(data)
    task = data.get("task")
    if task is None:
        raise ValidationError({"task": _("请选择任务。")})
    _check_lead(actor, task)
    _check_parties(task, data.get("department"), data.get("school"), data.get("owners"))
    milestone = core_services.object_create(actor=actor, model=Milestone, data=data, verb="milestone_create")
    _tell_owners(milestone, [u for u in data.get("owners") or [] if u.pk != actor.pk])
    return milestone


@transaction.atomic
def milestone_update(*, actor, instance: Milestone, data: dict[str, Any]) -> Milestone:
    """Change a milestone (its task stays). A new due date sends its reminders again."""
    _check_lead(actor, instance.task)
    data = _milestone_data(data)
    task = data.pop("task", None)
    if task is not None and task.pk != instance.task_id:
        raise ValidationError({"task": _("节点不能移到其他任务。")})
    department = data.get("department", instance.department)
    school = data.get("school", instance.school)
    owners = data.get("owners")
    _check_parties(instance.task, department, school, owners)
    if "due_date" in data and data["due_date"] != instance.due_date:
        data["reminded"] = []
    before = set(instance.owners.values_list("pk", flat=True))
    milestone = core_services.object_update(
        actor=actor, instance=instance, data=data, verb="milestone_update"
    )
    if owners is not None:
        _tell_owners(milestone, [u for u in owners if u.pk not in before and u.pk != actor.pk])
    return milestone


@transaction.atomic
def milestone_delete(*, actor, instance: Milestone) -> None:
    """Delete a milestone entered by mistake; one with progress reports is cancelled instead."""
    _check_lead(actor, instance.task)
    if ProgressReport.objects.filter(milestone=instance).exists():
        raise ValidationError(
            _("已有进展报告填报了“%(t)s”，请取消该节点而不是删除。") % {"t": instance.title}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="milestone_delete")


def _tell_owners(milestone: Milestone, users) -> None:
    if users:
        notify(
            users,
            _("您被指定为任务%(n)s“%(t)s”节点的责任人，完成时限 %(d)s。")
            % {"n": milestone.task.number, "t": milestone.title, "d": milestone.due_date},
            milestone.get_absolute_url(),
        )


def _transition(
    *, actor, milestone: Milestone, fields: dict, verb: str, extra: dict | None = None
) -> Milestone:
    before = audit.snapshot(milestone)
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    milestone.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=milestone,
        changes=audit.diff(before, audit.snapshot(milestone)) | (extra or {}),
    )
    return milestone


def _locked(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("task").get(pk=milestone.pk)


@transaction.atomic
def milestone_complete(*, actor, milestone: Milestone) -> Milestone:
    """The lead party confirms a milestone done (100%)."""
    milestone = _locked(milestone)
    _check_lead(actor, milestone.task)
    if milestone.status != MilestoneStatus.OPEN:
        raise ValidationError(_("只有进行中的节点可以确认完成。"))
    milestone = _transition(
        actor=actor,
        milestone=milestone,
        fields={"status": MilestoneStatus.DONE, "percent": 100, "done_at": timezone.now(), "done_by": actor},
        verb="milestone_complete",
    )
    users = [u for u in milestone.owners.all() if u.pk != actor.pk]
    if users:
        notify(
            users,
            _("任务%(n)s“%(t)s”节点已确认完成。") % {"n": milestone.task.number, "t": milestone.title},
            milestone.get_absolute_url(),
        )
    return milestone


@transaction.atomic
def milestone_cancel(*, actor, milestone: Milestone, reason: str) -> Milestone:
    """The lead party cancels a milestone no longer needed, with the reason (kept in the audit log)."""
    milestone = _locked(milestone)
    _check_lead(actor, milestone.task)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    if milestone.status != MilestoneStatus.OPEN:
        raise ValidationError(_("只有进行中的节点可以取消。"))
    return _transition(
        actor=actor,
        milestone=milestone,
        fields={"status": MilestoneStatus.CANCELLED},
        verb="milestone_cancel",
        extra={"reason": [None, reason]},
    )


@transaction.atomic
def milestone_reopen(*, actor, milestone: Milestone) -> Milestone:
    """Open a completed or cancelled milestone again (its reminders start over)."""
    milestone = _locked(milestone)
    _check_lead(actor, milestone.task)
    if milestone.status == MilestoneStatus.OPEN:
        raise ValidationError(_("该节点正在进行中。"))
    fields = {"status": MilestoneStatus.OPEN, "done_at": None, "done_by": None, "reminded": []}
    if milestone.status == MilestoneStatus.DONE:
        fields["percent"] = min(milestone.percent, 90)
    return _transition(actor=actor, milestone=milestone, fields=fields, verb="milestone_reopen")


# --- progress reports ------------------------------------------------------------------------------------
def _reporter_org(actor, task) -> dict[str, Any]:
    """The department or school the actor reports for; refused when it is not a party of the task."""
    if not sel.may_report(actor, task):
        raise denied(
            _("进展报告由任务%(n)s的牵头或责任单位（政府部门工作人员、学校管理员）报送。")
            % {"n": task.number}
        )
    if sel.is_officer(actor):
        return {"department": actor.department, "school": None}
    if getattr(actor, "school_id", None):
        return {"department": None, "school": actor.school}
    return {"department": None, "school": None}  # a platform administrator


@transaction.atomic
def report_create(*, actor, task: Task, data: dict[str, Any], attachments=()) -> ProgressReport:
    """A party files a progress report on its task: text, the period it covers up to, optionally the
    percent reached on one of the task's open milestones (which updates the milestone), problems, next
    steps, and files (each checked before anything is written). The lead parties' officers are told."""
    org = _reporter_org(actor, task)
    data = {k: v for k, v in data.items() if k in REPORT_FIELDS}
    milestone = data.get("milestone")
    if milestone is not None:  # as stored now, not as the form loaded it
        milestone = data["milestone"] = Milestone.objects.get(pk=milestone.pk)
    percent = data.get("percent")
    errors: dict[str, list] = {}
    if milestone is not None and milestone.task_id != task.pk:
        errors["milestone"] = [_("所选节点不属于任务%(n)s。") % {"n": task.number}]
    elif milestone is not None and milestone.status != MilestoneStatus.OPEN and percent is not None:
        errors["percent"] = [
            _("节点“%(t)s”已%(s)s，不再填报进度。")
            % {"t": milestone.title, "s": milestone.get_status_display()}
        ]
    if percent is not None:
        if milestone is None:
            errors.setdefault("percent", []).append(_("填写完成进度须选择对应的节点。"))
        elif not 0 <= percent <= 100:
            errors.setdefault("percent", []).append(_("完成进度应在 0 到 100 之间。"))
    period_end = data.get("period_end")
    if period_end and period_end > sel.today():
        errors["period_end"] = [_("截至日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    files = [f for f in attachments if f]
    for upload in files:
        check_upload(upload)
    report = ProgressReport(task=task, author=actor, **org, **data)
    report.full_clean()
    report.save(force_insert=True)
    names = [_attach(actor, report, upload, "").title for upload in files]
    if milestone is not None and percent is not None and percent != milestone.percent:
        locked = _locked(milestone)
        locked.percent = percent
        locked.save(update_fields=["percent", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="report_create",
        instance=report,
        changes=audit.diff({}, audit.snapshot(report)) | ({"attachments": [None, names]} if names else {}),
    )
    who = org["department"] or org["school"] or actor.get_username()
    recipients = [u for u in lead_officers(task) if u.pk != actor.pk]
    if recipients:
        notify(
            recipients,
            _("%(who)s 报送了任务%(n)s的进展（截至 %(d)s）。")
            % {"who": who, "n": task.number, "d": report.period_end},
            report.get_absolute_url(),
        )
    return report


def _attach(actor, report: ProgressReport, upload, title: str) -> ProgressAttachment:
    from pathlib import Path

    title = (title or "").strip() or Path(upload.name or "").stem or _("附件")
    attachment = ProgressAttachment(
        report=report, title=title[:100], file_size=upload.size, uploaded_by=actor
    )
    attachment.file.save(Path(upload.name).name, upload, save=False)
    attachment.full_clean()
    attachment.save(force_insert=True)
    return attachment


def may_attach(actor, report: ProgressReport) -> bool:
    """The reporting organization's people (and platform administrators) add files to its report."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser or report.author_id == actor.pk:
        return True
    if report.department_id:
        return sel.is_officer(actor) and actor.department_id == report.department_id
    if report.school_id:
        return getattr(actor, "role", "") == Role.SCHOOL_ADMIN and actor.school_id == report.school_id
    return False


@transaction.atomic
def attachment_add(*, actor, report: ProgressReport, upload, title: str = "") -> ProgressAttachment:
    """Add a file (checked like every upload: type, size, content) to a progress report of the actor's
    organization."""
    if not may_attach(actor, report):
        raise denied(_("只有报送单位可以为该进展报告添加附件。"))
    check_upload(upload)
    attachment = _attach(actor, report, upload, title)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="attachment_add",
        instance=attachment,
        changes={"title": [None, attachment.title], "file": [None, attachment.file.name]},
    )
    return attachment


# --- the daily tick --------------------------------------------------------------------------------------
def reminder_key(days_left: int) -> str | None:
    """Which reminder is due with ``days_left`` days to go: the smallest of 14, 3, 1 that is not below it
    (a milestone added 5 days before its date gets the 14-day one at once, the 3-day one later), the
    overdue warning once past the date."""
    if days_left < 0:
        return sel.OVERDUE_KEY
    for days in sorted(sel.REMINDER_DAYS):
        if days_left <= days:
            return f"d{days}"
    return None


@transaction.atomic
def tasks_tick(on: dt.date | None = None) -> dict[str, int]:
    """The daily run: for every open milestone that falls due within 14 days or has passed its date, send
    the reminder due today unless it was sent (``Milestone.reminded``). Returns the counts."""
    on = on or sel.today()
    ensure_parties()
    counts = {"reminders": 0, "overdue": 0, "recipients": 0}
    milestones = (
        Milestone.objects.filter(
            status=MilestoneStatus.OPEN, due_date__lte=on + dt.timedelta(days=max(sel.REMINDER_DAYS))
        )
        .select_related("task")
        .prefetch_related("owners")
        .order_by("due_date", "pk")
    )
    for milestone in milestones:
        left = (milestone.due_date - on).days
        key = reminder_key(left)
        if key is None or key in milestone.reminded:
            continue
        users = milestone_recipients(milestone)
        values = {"n": milestone.task.number, "t": milestone.title, "d": milestone.due_date, "left": left}
        if key == sel.OVERDUE_KEY:
            text = _("任务%(n)s“%(t)s”节点已逾期（完成时限 %(d)s），请尽快推进并报送进展。") % values
            counts["overdue"] += 1
        else:
            text = _("提醒：任务%(n)s“%(t)s”节点将于 %(d)s 到期（还有 %(left)s 天）。") % values
            counts["reminders"] += 1
        notify(users, text, milestone.get_absolute_url())
        counts["recipients"] += len(users)
        milestone.reminded = [*milestone.reminded, key]
        Milestone.objects.filter(pk=milestone.pk).update(reminded=milestone.reminded)
    return counts
