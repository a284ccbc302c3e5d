"""Every write of a 产教对话's minutes and commitments (DESIGN rule 2).

- ``event_minutes_update``: the organizer writes the minutes of an event whose type keeps them
  (``EventType.has_minutes``).
- ``commitment_create`` / ``_update`` / ``_delete``: the organizer records what was committed — the content,
  one owner (a school, an enterprise or a department), the person responsible and the due date (not before
  the event's day). Its status is never set here: it moves by follow-ups. A commitment with follow-ups is not
  deleted (drop it instead). Commitments also come in through the import
  (``resources.dialogues.CommitmentResource``: upsert on the event and the content).
- ``commitment_follow_up``: the owner organization's users and the organizer post a follow-up (status and
  note) while the commitment is open (未开始 / 推进中); 已完成 sets its ``done_at``; only the organizer drops
  it (已取消). A done or dropped commitment takes no more follow-ups.
- ``commitments_remind`` (the daily task ``events.commitments_remind``): tells each owner organization of its
  open commitments that fall due within :data:`REMIND_DAYS` days or are overdue.

Who hears: the owner organization's accounts that speak for it (a school's administrators, an enterprise's HR,
a department's officers) on a new commitment, on the organizer's follow-ups and in the reminders; the
organizing department's officers on the owner's follow-ups.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import day_text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.orgs.choices import Role

from ..choices import OPEN_COMMITMENT, CommitmentStatus, EventStatus
from ..models import Commitment, CommitmentUpdate, Event
from ..policies.dialogues import is_owner, may_drop, may_follow_up
from ..policies.registrations import is_organizer
from ..selectors.registrations import organizer_users

#: Reminders cover the open commitments due within this many days (and every overdue one). A working rhythm
#: of the platform, not a number of the policy.
REMIND_DAYS = 7
#: What the services set themselves: never taken from ``data``.
MANAGED = {"status", "done_at"}
NOTE_LENGTH = 2000


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _pk(value) -> int | None:
    return value.pk if hasattr(value, "pk") else value


def owner_users(commitments) -> dict[int, list]:
    """For each commitment, the active accounts that speak for its owner: the school's administrators, the
    enterprise's HR, the department's officers. One query."""
    commitments = list(commitments)
    schools = {c.owner_school_id for c in commitments if c.owner_school_id}
    enterprises = {c.owner_enterprise_id for c in commitments if c.owner_enterprise_id}
    departments = {c.owner_department_id for c in commitments if c.owner_department_id}
    q = Q(pk__in=[])
    if schools:
        q |= Q(role=Role.SCHOOL_ADMIN, school_id__in=schools)
    if enterprises:
        q |= Q(role=Role.ENTERPRISE_HR, enterprise_id__in=enterprises)
    if departments:
        q |= Q(role=Role.GOV_OFFICER, department_id__in=departments)
    users = (
        list(get_user_model().objects.filter(q, is_active=True))
        if schools or enterprises or departments
        else []
    )
    out = {}
    for c in commitments:
        if c.owner_school_id:
            out[c.pk] = [u for u in users if u.role == Role.SCHOOL_ADMIN and u.school_id == c.owner_school_id]
        elif c.owner_enterprise_id:
            out[c.pk] = [
                u for u in users if u.role == Role.ENTERPRISE_HR and u.enterprise_id == c.owner_enterprise_id
            ]
        else:
            out[c.pk] = [
                u for u in users if u.role == Role.GOV_OFFICER and u.department_id == c.owner_department_id
            ]
    return out


# --- minutes -----------------------------------------------------------------------------------------------
def _check_dialogue(actor, event: Event) -> Event:
    """The organizer, on an event whose type keeps minutes and commitments."""
    event = Event.objects.select_related("type").get(pk=_pk(event))
    if not is_organizer(actor, event):
        raise _denied(_("会议纪要和承诺事项由活动主办部门填写。"))
    if not event.type.has_minutes:
        raise ValidationError(
            _("“%(type)s”类活动不记录会议纪要和承诺事项（只有产教对话等类型记录）。")
            % {"type": event.type.name}
        )
    return event


@transaction.atomic
def event_minutes_update(*, actor, event: Event, minutes: str) -> Event:
    """The organizer writes (or rewrites) the minutes of a dialogue."""
    event = _check_dialogue(actor, event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，不能填写会议纪要。") % {"event": event})
    minutes = (minutes or "").strip()
    if minutes == event.minutes:
        return event
    before = audit.snapshot(event)
    event.minutes = minutes
    event.full_clean()
    event.save(update_fields=["minutes", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="event_minutes_update",
        instance=event,
        changes=audit.diff(before, audit.snapshot(event)),
    )
    return event


# --- commitments -------------------------------------------------------------------------------------------
def check_due_date(event: Event, due_date: dt.date | None) -> None:
    """A commitment falls due on or after the day of its event."""
    if due_date and due_date < timezone.localtime(event.starts_at).date():
        raise ValidationError(
            {
                "due_date": _("完成时限 %(due)s 早于活动日期 %(day)s。")
                % {"due": day_text(due_date), "day": day_text(timezone.localtime(event.starts_at).date())}
            }
        )


def owner_code(commitment: Commitment) -> str:
    """The owner's code: 学校代码, 统一社会信用代码 or 部门代码."""
    if commitment.owner_school_id:
        return commitment.owner_school.code
    if commitment.owner_enterprise_id:
        return commitment.owner_enterprise.credit_code
    return commitment.owner_department.code if commitment.owner_department_id else ""


@transaction.atomic
def commitment_create(*, actor, data: dict[str, Any]) -> Commitment:
    """Record a commitment of a dialogue the actor organizes (``data``: event, content, one of owner_school /
    owner_enterprise / owner_department, owner_person, due_date). The owner is told."""
    data = {k: v for k, v in data.items() if k not in MANAGED}
    if data.get("event") is None:
        raise ValidationError({"event": _("请选择活动。")})
    event = _check_dialogue(actor, data["event"])
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，不能登记承诺事项。") % {"event": event})
    data["event"] = event
    check_due_date(event, data.get("due_date"))
    commitment = core_services.object_create(
        actor=actor, model=Commitment, data=data, verb="commitment_create"
    )
    notify(
        owner_users([commitment])[commitment.pk],
        _("“%(event)s”登记了由贵单位负责的承诺事项：%(content)s（完成时限 %(due)s）。")
        % {"event": event.title, "content": commitment.content[:60], "due": day_text(commitment.due_date)},
        commitment.get_absolute_url(),
    )
    return commitment


@transaction.atomic
def commitment_update(*, actor, instance: Commitment, data: dict[str, Any]) -> Commitment:
    """Change a commitment's content, owner, person or due date (the organizer); the event stays, the status
    moves by follow-ups only."""
    commitment = Commitment.objects.select_related("event").get(pk=instance.pk)
    _check_dialogue(actor, commitment.event)
    data = {k: v for k, v in data.items() if k not in MANAGED}
    if "event" in data and _pk(data["event"]) != commitment.event_id:
        raise ValidationError({"event": _("承诺事项所属的活动不能修改；请在另一活动下新建。")})
    data.pop("event", None)
    check_due_date(commitment.event, data.get("due_date", commitment.due_date))
    return core_services.object_update(actor=actor, instance=commitment, data=data, verb="commitment_update")


@transaction.atomic
def commitment_delete(*, actor, instance: Commitment) -> None:
    """Delete a commitment entered by mistake; one with follow-ups is dropped instead (its history stays)."""
    commitment = Commitment.objects.select_related("event").get(pk=instance.pk)
    _check_dialogue(actor, commitment.event)
    updates = commitment.updates.count()
    if updates:
        raise ValidationError(
            _("该承诺事项已有 %(n)s 条进展记录，不能删除；如不再推进，请填报进展为“已取消”。")
            % {"n": updates}
        )
    core_services.object_delete(actor=actor, instance=commitment, verb="commitment_delete")


@transaction.atomic
def commitment_follow_up(*, actor, commitment: Commitment, status: str, note: str) -> CommitmentUpdate:
    """Post a follow-up of an open commitment: its new status and what was done. 已完成 sets ``done_at``;
    已取消 is the organizer's. The other side hears of it (the organizer's officers of an owner's follow-up,
    the owner of the organizer's)."""
    commitment = (
        Commitment.objects.select_for_update(of=("self",)).select_related("event").get(pk=_pk(commitment))
    )
    if not may_follow_up(actor, commitment):
        raise _denied(_("承诺事项的进展由责任单位或活动主办部门填报。"))
    if commitment.status not in OPEN_COMMITMENT:
        raise ValidationError(
            _("该承诺事项已“%(status)s”，不能再填报进展。") % {"status": commitment.get_status_display()}
        )
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": _("请选择进展状态。")})
    if status == CommitmentStatus.DROPPED and not may_drop(actor, commitment):
        raise ValidationError(
            {"status": _("只有活动主办部门可以取消承诺事项；责任单位如无法推进，请说明原因。")}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写进展说明。")})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("进展说明不能超过 %(n)s 字。") % {"n": NOTE_LENGTH}})
    update = CommitmentUpdate(commitment=commitment, status=status, note=note, by=actor)
    update.full_clean()
    update.save(force_insert=True)
    before = audit.snapshot(commitment)
    commitment.status = status
    commitment.done_at = timezone.now() if status == CommitmentStatus.DONE else None
    commitment.save(update_fields=["status", "done_at", "updated_at"])
    changes = audit.diff(before, audit.snapshot(commitment)) | {"note": note}
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="commitment_follow_up",
        instance=commitment,
        changes=changes,
    )
    text = _("承诺事项“%(content)s”进展：%(status)s。%(note)s") % {
        "content": commitment.content[:40],
        "status": commitment.get_status_display(),
        "note": note[:120],
    }
    if is_owner(actor, commitment) and not is_organizer(actor, commitment.event):
        recipients = organizer_users(commitment.event)
    else:
        recipients = owner_users([commitment])[commitment.pk]
    notify([u for u in recipients if u.pk != actor.pk], text, commitment.get_absolute_url())
    return update


# --- reminders ---------------------------------------------------------------------------------------------
def due_soon_q(today: dt.date, days: int = REMIND_DAYS) -> Q:
    """Open commitments due within ``days`` days from ``today`` or already overdue."""
    return Q(status__in=OPEN_COMMITMENT, due_date__lte=today + dt.timedelta(days=days))


def commitments_remind(*, today: dt.date | None = None) -> int:
    """Tell each owner organization's accounts, in one notification, of its open commitments due within
    :data:`REMIND_DAYS` days and those overdue (how many of each, and the first due); returns how many
    notifications were queued. Reads in two queries whatever the number of commitments; no audit record
    (nothing changes)."""
    today = today or timezone.localdate()
    commitments = list(
        Commitment.objects.filter(due_soon_q(today), event__status=EventStatus.PUBLISHED)
        .select_related("owner_school", "owner_enterprise", "owner_department")
        .order_by("due_date", "pk")
    )
    users = owner_users(commitments)
    by_owner: dict[tuple, list[Commitment]] = defaultdict(list)
    for c in commitments:
        by_owner[(c.owner_school_id, c.owner_enterprise_id, c.owner_department_id)].append(c)
    board = reverse("events:commitment_list")
    sent = 0
    for items in by_owner.values():
        recipients = users[items[0].pk]
        if not recipients:
            continue
        overdue = [c for c in items if c.due_date < today]
        soon = [c for c in items if c.due_date >= today]
        first = items[0]
        parts = []
        if overdue:
            parts.append(_("%(n)s 项已逾期") % {"n": len(overdue)})
        if soon:
            parts.append(_("%(n)s 项将在 %(days)s 天内到期") % {"n": len(soon), "days": REMIND_DAYS})
        text = _(
            "贵单位负责的产教对话承诺事项中，%(parts)s。最早的一项：“%(content)s”，完成时限 %(due)s。"
        ) % {
            "parts": "，".join(parts),
            "content": first.content[:40],
            "due": day_text(first.due_date),
        }
        url = f"{board}?{urlencode({'owner': owner_code(first), 'state': 'open'})}"
        notify(recipients, text, url)
        sent += 1
    return sent
