"""Every write of event types, events and registrations (DESIGN rule 2).

Event types: ``eventtype_create`` / ``_update`` / ``_delete`` by platform administrators; the three types the
policy names (产教对话, 供需见面会, 大湾区推介会: ``SEEDED_TYPES``) keep their code and rule and are never
deleted.

Events: ``event_create`` / ``_update`` / ``_delete`` / ``_publish`` / ``_cancel`` by the organizer (officers
of the organizing department; an officer's event is always their department's, a platform administrator
chooses). An event starts as a draft, seen by its department only; published, everybody signed in sees it and
may register inside its window; cancelled (with a reason), every side holding a place is told. A draft may
be deleted; a published event is cancelled instead.

Registrations: ``registration_create`` registers the actor's side (enterprise HR its enterprise's booth with
its own published positions, a school administrator its school's delegation with its own majors — or one of
its students, the import's way —, a student themself), refusing in Chinese with the numbers: outside the
window, an event not published or cancelled, no place left (students against ``capacity``, booths approved
and pending against ``booths``), a duplicate, positions or majors not the registrant's own. The event row is
locked while places are counted, so that two registrations for the last place cannot both succeed. A booth
waits for ``registration_approve`` (with its booth number) or ``registration_decline`` (with a reason) by the
organizer, both told to the enterprise's HR; a delegation and a student are approved on registering.
``registration_cancel`` by the registrant's side or the organizer frees the place (and the slots the
registration had booked). A cancelled or declined side registering again reuses its row (one row per side
and event: the model's unique constraints) with a new check-in code.
"""

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.core.policy import policy_for
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import ACTIVE_REGISTRATION, EventStatus, ParticipantKind, RegistrationStatus
from ..models import Event, EventType, Registration, Slot
from ..policies.registrations import is_organizer, may_cancel_registration, registrant_kind
from ..selectors.registrations import (
    all_own_majors,
    organizer_users,
    own_positions,
    registrant_users,
)

#: The event types the policy names (seeded by migration 0002): kept with their code and rule.
SEEDED_TYPES = {"dialogue", "fair", "gba"}
LOCKED_TYPE_FIELDS = ("code", "rule_key")
EVENT_FIELDS = (
    "type",
    "title",
    "organizer",
    "venue",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "booths",
    "slot_minutes",
    "description",
    "minutes",
)


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _pk(value) -> int | None:
    return value.pk if hasattr(value, "pk") else value


def _now():
    return timezone.now()


# --- event types -------------------------------------------------------------------------------------------
@transaction.atomic
def eventtype_create(*, actor, data: dict[str, Any]) -> EventType:
    """Add an event type (platform administrators)."""
    if not policy_for(EventType).allows(actor, "add"):
        raise _denied(_("只有平台管理员可以维护活动类型。"))
    return core_services.object_create(actor=actor, model=EventType, data=data, verb="eventtype_create")


@transaction.atomic
def eventtype_update(*, actor, instance: EventType, data: dict[str, Any]) -> EventType:
    """Change an event type; a seeded type keeps its code and its rule (the targets T7-T9 count by them)."""
    if not policy_for(EventType).allows(actor, "change"):
        raise _denied(_("只有平台管理员可以维护活动类型。"))
    if instance.code in SEEDED_TYPES:
        changed = [
            name for name in LOCKED_TYPE_FIELDS if name in data and data[name] != getattr(instance, name)
        ]
        if changed:
            raise ValidationError(
                {
                    name: _("“%(type)s”是政策规定的活动类型，其代码和对应指标不能修改。")
                    % {"type": instance.name}
                    for name in changed
                }
            )
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="eventtype_update")


@transaction.atomic
def eventtype_delete(*, actor, instance: EventType) -> None:
    """Delete an event type that no event uses; the seeded types are never deleted."""
    if not policy_for(EventType).allows(actor, "delete"):
        raise _denied(_("只有平台管理员可以维护活动类型。"))
    if instance.code in SEEDED_TYPES:
        raise ValidationError(
            _("“%(type)s”是政策规定的活动类型（对应指标：%(rule)s），不能删除。")
            % {"type": instance.name, "rule": instance.get_rule_key_display() or "—"}
        )
    used = instance.events.count()
    if used:
        raise ValidationError(
            _("活动类型“%(type)s”已有 %(n)s 场活动使用，不能删除。") % {"type": instance.name, "n": used}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="eventtype_delete")


# --- events ------------------------------------------------------------------------------------------------
def _event_data(actor, data: dict[str, Any], instance: Event | None) -> dict[str, Any]:
    """Only the event's own fields; an officer's event is organized by their department."""
    data = {k: v for k, v in data.items() if k in EVENT_FIELDS}
    if actor.is_superuser:
        return data
    if getattr(actor, "role", "") != Role.GOV_OFFICER or not actor.department_id:
        raise _denied(_("只有政府部门工作人员可以组织活动。"))
    if instance is None:
        data["organizer"] = actor.department
    else:
        data.pop("organizer", None)
    return data


def _check_room(event: Event, data: dict[str, Any]) -> None:
    """A capacity or booth count lowered below the places already taken is refused, with the numbers."""
    from ..selectors.registrations import place_counts

    taken = place_counts(event)
    capacity = data.get("capacity", event.capacity)
    booths = data.get("booths", event.booths)
    errors = {}
    if capacity is not None and capacity < taken["students"]:
        errors["capacity"] = _("已有 %(n)s 名学生报名，学生名额不能少于 %(n)s 人。") % {
            "n": taken["students"]
        }
    if booths is not None and booths < taken["booths"]:
        errors["booths"] = _("已有 %(n)s 个企业展位（已通过和待审核），展位数不能少于 %(n)s 个。") % {
            "n": taken["booths"]
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(*, actor, data: dict[str, Any]) -> Event:
    """Create an event as a draft: an officer's is organized by their department (whatever ``data`` says);
    a platform administrator names the organizer."""
    if not policy_for(Event).allows(actor, "add"):
        raise _denied(_("只有政府部门工作人员可以组织活动。"))
    data = _event_data(actor, data, None) | {"status": EventStatus.DRAFT, "created_by": actor}
    return core_services.object_create(actor=actor, model=Event, data=data, verb="event_create")


@transaction.atomic
def event_update(*, actor, instance: Event, data: dict[str, Any]) -> Event:
    """Change an event the actor organizes (not a cancelled one); its organizer stays for an officer, and
    its capacity and booths never drop below the places already taken."""
    event = Event.objects.select_for_update().get(pk=instance.pk)
    if not is_organizer(actor, event):
        raise _denied(_("只有主办部门可以修改活动。"))
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，不能修改。") % {"event": event})
    data = _event_data(actor, data, event)
    _check_room(event, data)
    return core_services.object_update(actor=actor, instance=event, data=data, verb="event_update")


@transaction.atomic
def event_delete(*, actor, instance: Event) -> None:
    """Delete a draft; a published event is cancelled instead (its registrants are told)."""
    if not is_organizer(actor, instance):
        raise _denied(_("只有主办部门可以删除活动。"))
    if instance.status != EventStatus.DRAFT:
        raise ValidationError(
            _(
                "活动“%(event)s”已%(status)s，不能删除；不再举办请使用“取消活动”，已报名的单位和学生会收到通知。"
            )
            % {"event": instance, "status": instance.get_status_display().removeprefix("已")}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="event_delete")


def _set_status(actor, event: Event, status: str, verb: str, **extra_changes) -> Event:
    before = audit.snapshot(event)
    event.status = status
    event.full_clean()
    event.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=event,
        changes=audit.diff(before, audit.snapshot(event)) | extra_changes,
    )
    return event


@transaction.atomic
def event_publish(*, actor, event: Event) -> Event:
    """Publish a draft: every signed-in user sees it and may register inside its registration window."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not is_organizer(actor, event):
        raise _denied(_("只有主办部门可以发布活动。"))
    if event.status != EventStatus.DRAFT:
        raise ValidationError(
            _("只有草稿状态的活动可以发布（当前状态：%(status)s）。") % {"status": event.get_status_display()}
        )
    return _set_status(actor, event, EventStatus.PUBLISHED, "event_publish")


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str) -> Event:
    """Cancel a published event that has not ended, with a reason (kept in the audit record); every user who
    speaks for a registration holding a place (pending or approved) is told, with the reason. The
    registrations stay as they were (the record of who had registered)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not is_organizer(actor, event):
        raise _denied(_("只有主办部门可以取消活动。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因，报名方会收到这条说明。")})
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已经取消。") % {"event": event})
    if event.status == EventStatus.DRAFT:
        raise ValidationError(_("草稿活动尚未发布，无需取消，可直接删除。"))
    if event.ends_at <= _now():
        raise ValidationError(_("活动已于 %(end)s 结束，不能取消。") % {"end": when_text(event.ends_at)})
    event = _set_status(actor, event, EventStatus.CANCELLED, "event_cancel", reason=[None, reason[:500]])
    active = list(event.registrations.filter(status__in=ACTIVE_REGISTRATION))
    users = [u for found in registrant_users(active).values() for u in found]
    notify(
        users,
        _("活动“%(event)s”（%(when)s）已取消。原因：%(reason)s")
        % {"event": event.title, "when": when_text(event.starts_at), "reason": reason},
        event.get_absolute_url(),
    )
    return event


# --- registrations -----------------------------------------------------------------------------------------
def _refuse_event(event: Event, now) -> None:
    if event.status == EventStatus.DRAFT:
        raise ValidationError(_("活动“%(event)s”尚未发布，不能报名。") % {"event": event})
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，不能报名。") % {"event": event})
    if not event.registration_opens_at <= now <= event.registration_closes_at:
        window = {
            "opens": when_text(event.registration_opens_at),
            "closes": when_text(event.registration_closes_at),
        }
        if now < event.registration_opens_at:
            raise ValidationError(_("报名尚未开始：报名时间为 %(opens)s 至 %(closes)s。") % window)
        raise ValidationError(_("报名已截止：报名时间为 %(opens)s 至 %(closes)s。") % window)


def _party(actor, kind: str, student: Student | None) -> dict[str, Any]:
    """The registering side as the Registration's fields; a school administrator may name a student of
    their school (the import); a student registers only themself."""
    if kind == ParticipantKind.ENTERPRISE:
        return {"kind": kind, "enterprise": actor.enterprise}
    if kind == ParticipantKind.SCHOOL and student is None:
        return {"kind": kind, "school": actor.school}
    if kind == ParticipantKind.SCHOOL:
        if student.school_id != actor.school_id:
            raise _denied(_("学生“%(student)s”不是本校学生，不能代为报名。") % {"student": student.name})
        return {"kind": ParticipantKind.STUDENT, "student": student}
    own = Student.objects.filter(user_id=actor.pk).first()
    if own is None:
        raise ValidationError(_("您的账号还没有关联学生档案，不能报名；请联系学校管理员。"))
    if student is not None and student.pk != own.pk:
        raise _denied(_("学生只能为自己报名。"))
    return {"kind": ParticipantKind.STUDENT, "student": own}


def _check_room_for(event: Event, kind: str) -> None:
    """Refuse when no place is left for ``kind`` (under the event's lock), with the numbers."""
    if kind == ParticipantKind.STUDENT and event.capacity is not None:
        taken = event.registrations.filter(kind=kind, status__in=ACTIVE_REGISTRATION).count()
        if taken >= event.capacity:
            raise ValidationError(
                _("学生名额已满：本活动限 %(capacity)s 人，已报名 %(taken)s 人。")
                % {"capacity": event.capacity, "taken": taken}
            )
    if kind == ParticipantKind.ENTERPRISE and event.booths is not None:
        rows = dict(
            event.registrations.filter(kind=kind, status__in=ACTIVE_REGISTRATION)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        approved = rows.get(RegistrationStatus.APPROVED, 0)
        pending = rows.get(RegistrationStatus.PENDING, 0)
        if approved + pending >= event.booths:
            raise ValidationError(
                _("企业展位已满：本活动共 %(booths)s 个展位，已通过 %(approved)s 个、待审核 %(pending)s 个。")
                % {"booths": event.booths, "approved": approved, "pending": pending}
            )


def _check_positions(kind: str, enterprise_id: int | None, positions: list) -> list[Position]:
    if not positions:
        return []
    if kind != ParticipantKind.ENTERPRISE:
        raise ValidationError({"positions": _("只有企业展位可以携带岗位。")})
    ids = {_pk(p) for p in positions}
    found = list(own_positions(enterprise_id).filter(pk__in=ids))
    bad = ids - {p.pk for p in found}
    if bad:
        names = "、".join(
            f"“{p.title}”" for p in Position.objects.filter(pk__in=bad).order_by("title", "pk")
        ) or "、".join(str(pk) for pk in sorted(bad))
        raise ValidationError(
            {"positions": _("岗位 %(names)s 不是本企业已发布的岗位，不能带到展位。") % {"names": names}}
        )
    return found


def _check_majors(kind: str, school_id: int | None, majors: list) -> list[SchoolMajor]:
    if not majors:
        return []
    if kind != ParticipantKind.SCHOOL:
        raise ValidationError({"majors": _("只有学校代表团可以推介专业。")})
    ids = {_pk(m) for m in majors}
    found = list(all_own_majors(school_id).filter(pk__in=ids))
    bad = ids - {m.pk for m in found}
    if bad:
        names = "、".join(
            f"“{m.major.name}（{m.school.name}）”"
            for m in SchoolMajor.objects.filter(pk__in=bad).select_related("major", "school")
        ) or "、".join(str(pk) for pk in sorted(bad))
        raise ValidationError({"majors": _("专业 %(names)s 不是本校开设的专业。") % {"names": names}})
    return found


def _duplicate_message(existing: Registration) -> str:
    what = {
        ParticipantKind.ENTERPRISE: _("本企业已报名本活动"),
        ParticipantKind.SCHOOL: _("本校已报名本活动"),
        ParticipantKind.STUDENT: _("该学生已报名本活动"),
    }[existing.kind]
    return _("%(what)s（状态：%(status)s），不能重复报名。") % {
        "what": what,
        "status": existing.get_status_display(),
    }


@transaction.atomic
def registration_create(
    *,
    actor,
    event: Event,
    positions: Iterable = (),
    majors: Iterable = (),
    delegation_size: int | None = None,
    note: str = "",
    student: Student | None = None,
) -> Registration:
    """Register the actor's side for ``event``: enterprise HR its enterprise's booth (``positions``: its own
    published positions; pending until the organizer decides), a school administrator its school's
    delegation (``majors``: its own majors, ``delegation_size`` people; approved at once) or, naming
    ``student``, one of its students, a student themself (approved at once). Refusals in Chinese (see the
    module). A cancelled or declined registration of the same side is reused (new check-in code)."""
    kind = registrant_kind(actor)
    if kind is None:
        raise _denied(_("只有企业人事、学校管理员和学生可以报名活动。"))
    if student is not None and getattr(actor, "role", "") == Role.ENTERPRISE_HR:
        raise _denied(_("企业人事只能为本企业报名展位。"))
    now = _now()
    # Locking the event serializes the registrations of one event: places are counted, then taken.
    event = Event.objects.select_for_update().get(pk=event.pk)
    _refuse_event(event, now)
    party = _party(actor, kind, student)
    kind = party["kind"]
    positions = _check_positions(kind, getattr(party.get("enterprise"), "pk", None), list(positions or []))
    majors = _check_majors(kind, getattr(party.get("school"), "pk", None), list(majors or []))
    lookup = {k: v for k, v in party.items() if k != "kind"}
    existing = Registration.objects.select_for_update().filter(event=event, kind=kind, **lookup).first()
    if existing is not None and existing.status in ACTIVE_REGISTRATION:
        raise ValidationError(_duplicate_message(existing))
    _check_room_for(event, kind)

    registration = existing or Registration(event=event, **party)
    before = audit.snapshot(registration) if existing is not None else {}
    registration.status = (
        RegistrationStatus.PENDING if kind == ParticipantKind.ENTERPRISE else RegistrationStatus.APPROVED
    )
    registration.delegation_size = delegation_size or 1 if kind == ParticipantKind.SCHOOL else 1
    registration.note = note or ""
    registration.booth_no = ""
    registration.decline_reason = ""
    registration.registered_by = actor
    registration.decided_by = None
    registration.decided_at = now if kind != ParticipantKind.ENTERPRISE else None
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.checkin_code = secrets.token_urlsafe(16)
    registration.full_clean()
    if existing is None:
        registration.save(force_insert=True)
    else:
        registration.save(
            update_fields=[
                "status",
                "delegation_size",
                "note",
                "booth_no",
                "decline_reason",
                "registered_by",
                "decided_by",
                "decided_at",
                "checked_in_at",
                "checked_in_by",
                "checkin_code",
                "updated_at",
            ]
        )
    registration.positions.set(positions)
    registration.majors.set(majors)
    changes = audit.diff(before, audit.snapshot(registration))
    changes.pop("checkin_code", None)  # a pass's secret: not copied to the log
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if existing is None else AuditAction.UPDATE,
        verb="registration_create",
        instance=registration,
        changes=changes
        | {"positions": [None, [p.pk for p in positions]], "majors": [None, [m.pk for m in majors]]},
    )
    if kind == ParticipantKind.ENTERPRISE:
        notify(
            organizer_users(event),
            _("%(enterprise)s 申请了活动“%(event)s”的企业展位，请审核。")
            % {"enterprise": registration.enterprise.name, "event": event.title},
            event.get_absolute_url() + "#booths",
        )
    return registration


def _decision(actor, registration: Registration) -> Registration:
    """The pending booth, locked, if the actor organizes its event; refuses otherwise."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise")
        .get(pk=registration.pk)
    )
    if not is_organizer(actor, registration.event):
        raise _denied(_("只有主办部门可以审核企业展位。"))
    if registration.kind != ParticipantKind.ENTERPRISE:
        raise ValidationError(_("只有企业展位需要审核；学校代表团和学生报名后即通过。"))
    if registration.event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动已取消，不能再审核展位。"))
    if registration.status != RegistrationStatus.PENDING:
        raise ValidationError(
            _("只能审核待审核的展位申请（当前状态：%(status)s）。")
            % {"status": registration.get_status_display()}
        )
    return registration


def _decide(actor, registration: Registration, verb: str, **values) -> Registration:
    before = audit.snapshot(registration)
    for name, value in values.items():
        setattr(registration, name, value)
    registration.decided_by = actor
    registration.decided_at = _now()
    registration.full_clean()
    registration.save(update_fields=[*values, "decided_by", "decided_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=registration,
        changes=audit.diff(before, audit.snapshot(registration)),
    )
    return registration


@transaction.atomic
def registration_approve(*, actor, registration: Registration, booth_no: str) -> Registration:
    """Approve a pending enterprise booth with its booth number (unique among the event's approved booths);
    the enterprise's HR users are told the number."""
    registration = _decision(actor, registration)
    booth_no = (booth_no or "").strip()
    if not booth_no:
        raise ValidationError({"booth_no": _("请填写展位号。")})
    taken = (
        Registration.objects.filter(
            event_id=registration.event_id,
            kind=ParticipantKind.ENTERPRISE,
            status=RegistrationStatus.APPROVED,
            booth_no=booth_no,
        )
        .select_related("enterprise")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "booth_no": _("展位号“%(no)s”已分配给“%(enterprise)s”。")
                % {"no": booth_no, "enterprise": taken.enterprise.name}
            }
        )
    registration = _decide(
        actor,
        registration,
        "registration_approve",
        status=RegistrationStatus.APPROVED,
        booth_no=booth_no,
        decline_reason="",
    )
    event = registration.event
    notify(
        registrant_users([registration])[registration.pk],
        _("贵企业在活动“%(event)s”的展位申请已通过，展位号 %(no)s。活动时间 %(when)s，地点 %(venue)s。")
        % {"event": event.title, "no": booth_no, "when": when_text(event.starts_at), "venue": event.venue},
        event.get_absolute_url(),
    )
    return registration


@transaction.atomic
def registration_decline(*, actor, registration: Registration, reason: str) -> Registration:
    """Decline a pending enterprise booth with a reason (frees its place); the enterprise's HR users are
    told the reason."""
    registration = _decision(actor, registration)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": _("请填写未通过的原因，企业会收到这条说明。")})
    registration = _decide(
        actor,
        registration,
        "registration_decline",
        status=RegistrationStatus.DECLINED,
        decline_reason=reason[:200],
        booth_no="",
    )
    notify(
        registrant_users([registration])[registration.pk],
        _("贵企业在活动“%(event)s”的展位申请未通过。原因：%(reason)s")
        % {"event": registration.event.title, "reason": reason},
        registration.event.get_absolute_url(),
    )
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration, reason: str = "") -> Registration:
    """Cancel a registration that holds a place (pending or approved) before its event ends: the
    registrant's side or the organizer. The place is freed, and so are the 1:1 slots it had booked; a
    booth's own slots are removed and whoever had booked one is told. The
    users who speak for the registration are told (the actor excepted), and the organizer's officers when an
    enterprise withdraws its booth."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "school", "student")
        .get(pk=registration.pk)
    )
    event = registration.event
    if not may_cancel_registration(actor, registration):
        raise _denied(_("只有报名方本人（单位）或主办部门可以取消报名。"))
    if registration.status not in ACTIVE_REGISTRATION:
        raise ValidationError(
            _("该报名当前状态为“%(status)s”，无需取消。") % {"status": registration.get_status_display()}
        )
    if event.ends_at <= _now():
        raise ValidationError(_("活动已于 %(end)s 结束，不能取消报名。") % {"end": when_text(event.ends_at)})
    if registration.checked_in_at is not None:
        raise ValidationError(
            _("该报名已于 %(at)s 签到，不能取消。") % {"at": when_text(registration.checked_in_at)}
        )
    before = audit.snapshot(registration)
    registration.status = RegistrationStatus.CANCELLED
    registration.full_clean()
    registration.save(update_fields=["status", "updated_at"])
    freed = Slot.objects.filter(booked_by=registration).update(booked_by=None, booked_at=None)
    # a withdrawn booth takes its 1:1 slots with it; those who had booked one are told
    booth_slots = Slot.objects.filter(booth=registration)
    bookers = list(
        Registration.objects.filter(
            pk__in=booth_slots.exclude(booked_by=None).values("booked_by")
        ).select_related("school", "student", "enterprise")
    )
    removed, _detail = booth_slots.delete()
    changes = audit.diff(before, audit.snapshot(registration))
    if reason:
        changes["reason"] = [None, reason[:500]]
    if freed:
        changes["slots_freed"] = [freed, 0]
    if removed:
        changes["slots_removed"] = [removed, 0]
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="registration_cancel",
        instance=registration,
        changes=changes,
    )
    said = _("原因：%(reason)s") % {"reason": reason} if reason else ""
    notify(
        [u for u in registrant_users([registration])[registration.pk] if u.pk != actor.pk],
        _("%(who)s在活动“%(event)s”的报名已取消。%(said)s")
        % {"who": registration.participant_name, "event": event.title, "said": said},
        event.get_absolute_url(),
    )
    if bookers:
        users = registrant_users(bookers)
        notify(
            [u for b in bookers for u in users[b.pk] if u.pk != actor.pk],
            _("%(enterprise)s 已取消活动“%(event)s”的展位，您在该展位预约的洽谈时段随之取消。")
            % {"enterprise": registration.participant_name, "event": event.title},
            event.get_absolute_url(),
        )
    if registration.kind == ParticipantKind.ENTERPRISE and not is_organizer(actor, event):
        notify(
            organizer_users(event),
            _("%(enterprise)s 取消了活动“%(event)s”的企业展位。%(said)s")
            % {"enterprise": registration.participant_name, "event": event.title, "said": said},
            event.get_absolute_url() + "#booths",
        )
    return registration


@transaction.atomic
def registration_students_create(*, actor, event: Event, student_numbers: list[str]) -> dict[str, int]:
    """Register students of the actor's school for ``event`` by 学号 (a school administrator; the batch
    page's way). The whole list is checked first and nothing is written if any 学号 is not the school's
    or the places left do not hold the new ones (the numbers named); students already registered are
    skipped, so the same list twice changes nothing. Returns ``{"created": n, "skipped": n}``; each
    registration has its own audit record and its student is told."""
    if getattr(actor, "role", "") != Role.SCHOOL_ADMIN or not actor.school_id:
        raise _denied(_("只有学校管理员可以为本校学生批量报名。"))
    now = _now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    _refuse_event(event, now)
    numbers = list(dict.fromkeys(n.strip() for n in student_numbers if n and n.strip()))
    if not numbers:
        raise ValidationError(_("请填写至少一个学号。"))
    students = {
        s.student_no: s
        for s in Student.objects.filter(school_id=actor.school_id, student_no__in=numbers).only(
            "pk", "student_no", "name", "school_id", "user_id"
        )
    }
    unknown = [n for n in numbers if n not in students]
    if unknown:
        shown = "、".join(unknown[:20]) + (_(" 等") if len(unknown) > 20 else "")
        raise ValidationError(
            _("以下 %(n)s 个学号不是本校学生：%(numbers)s。请核对后重新提交（本次未报名任何学生）。")
            % {"n": len(unknown), "numbers": shown}
        )
    existing = {
        r.student_id: r
        for r in Registration.objects.select_for_update().filter(
            event=event, kind=ParticipantKind.STUDENT, student_id__in=[s.pk for s in students.values()]
        )
    }
    todo = [
        s for s in students.values() if getattr(existing.get(s.pk), "status", None) not in ACTIVE_REGISTRATION
    ]
    skipped = len(students) - len(todo)
    if todo and event.capacity is not None:
        taken = event.registrations.filter(
            kind=ParticipantKind.STUDENT, status__in=ACTIVE_REGISTRATION
        ).count()
        if taken + len(todo) > event.capacity:
            raise ValidationError(
                _(
                    "学生名额不足：本活动限 %(capacity)s 人，已报名 %(taken)s 人，尚余 %(left)s 个名额，"
                    "本次需报名 %(n)s 人（本次未报名任何学生）。"
                )
                % {
                    "capacity": event.capacity,
                    "taken": taken,
                    "left": max(event.capacity - taken, 0),
                    "n": len(todo),
                }
            )
    new, reused, entries = [], [], []
    for student in todo:
        registration = existing.get(student.pk) or Registration(
            event=event, kind=ParticipantKind.STUDENT, student=student
        )
        before = audit.snapshot(registration) if registration.pk else {}
        registration.status = RegistrationStatus.APPROVED
        registration.registered_by = actor
        registration.decided_by = None
        registration.decided_at = now
        registration.decline_reason = ""
        registration.booth_no = ""
        registration.delegation_size = 1
        registration.checked_in_at = None
        registration.checked_in_by = None
        registration.checkin_code = secrets.token_urlsafe(16)
        registration.updated_at = now  # bulk_update does not set ``auto_now``
        (reused if registration.pk else new).append((registration, before))
    if new:
        Registration.objects.bulk_create([r for r, _b in new])
    if reused:
        Registration.objects.bulk_update(
            [r for r, _b in reused],
            [
                "status",
                "registered_by",
                "decided_by",
                "decided_at",
                "decline_reason",
                "booth_no",
                "delegation_size",
                "checked_in_at",
                "checked_in_by",
                "checkin_code",
                "updated_at",
            ],
        )
    for registration, before in new + reused:
        changes = audit.diff(before, audit.snapshot(registration))
        changes.pop("checkin_code", None)
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.UPDATE if before else AuditAction.CREATE,
                verb="registration_students_create",
                instance=registration,
                changes=changes,
            )
        )
    from xiaoqitong.core.models import AuditLog

    AuditLog.objects.bulk_create(entries)
    users = registrant_users([r for r, _b in new + reused])
    notify(
        [u for found in users.values() for u in found],
        _("学校已为您报名活动“%(event)s”（%(when)s，%(venue)s）。")
        % {"event": event.title, "when": when_text(event.starts_at), "venue": event.venue},
        event.get_absolute_url(),
    )
    return {"created": len(new) + len(reused), "skipped": skipped}


@transaction.atomic
def registration_update(
    *,
    actor,
    registration: Registration,
    positions: Iterable | None = None,
    majors: Iterable | None = None,
    delegation_size: int | None = None,
    note: str | None = None,
) -> Registration:
    """Change what a registration brings while registration is open: a booth's positions (its enterprise's
    published ones), a delegation's majors (its school's) and size, the note. The registering side only
    (enterprise HR, the school administrator, the student); a booth keeps its decision and number."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "school", "student")
        .get(pk=registration.pk)
    )
    event = registration.event
    kind = registrant_kind(actor)
    own = kind is not None and may_cancel_registration(actor, registration) and not is_organizer(actor, event)
    if not own or kind != registration.kind:
        raise _denied(_("只有报名方本人（单位）可以修改报名内容。"))
    if registration.status not in ACTIVE_REGISTRATION:
        raise ValidationError(
            _("该报名当前状态为“%(status)s”，不能修改；请重新报名。")
            % {"status": registration.get_status_display()}
        )
    _refuse_event(event, _now())
    before = audit.snapshot(registration)
    changes: dict[str, list] = {}
    if positions is not None:
        found = _check_positions(registration.kind, registration.enterprise_id, list(positions))
        old = sorted(registration.positions.values_list("pk", flat=True))
        if old != sorted(p.pk for p in found):
            registration.positions.set(found)
            changes["positions"] = [old, sorted(p.pk for p in found)]
    if majors is not None:
        found = _check_majors(registration.kind, registration.school_id, list(majors))
        old = sorted(registration.majors.values_list("pk", flat=True))
        if old != sorted(m.pk for m in found):
            registration.majors.set(found)
            changes["majors"] = [old, sorted(m.pk for m in found)]
    if delegation_size is not None and registration.kind == ParticipantKind.SCHOOL:
        registration.delegation_size = delegation_size
    if note is not None:
        registration.note = note
    registration.full_clean()
    changes = audit.diff(before, audit.snapshot(registration)) | changes
    registration.save(update_fields=["delegation_size", "note", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="registration_update",
        instance=registration,
        changes=changes,
    )
    return registration
