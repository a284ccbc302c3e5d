"""Every write on practice bases and their bookings (DESIGN rule 2).

Bases: ``practice_base_create`` / ``practice_base_update`` / ``practice_base_delete``. A base of a shared
kind (``choices.SHARED_BASE_KINDS``: 县域共享性实训基地, 市级共享性智能实训基地) is always shared: the
services set it, whatever the form says.

Bookings: ``booking_create`` books a span of a base for the booker's school or enterprise. It locks the
base's row, so that two bookings of the last places made at the same moment are decided one after the
other, and refuses a booking that would hold more people at some moment than the base's capacity, naming
each clashing booking and the places left. ``booking_cancel`` frees the places.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.policy import policy_for
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School

from ..choices import SHARED_BASE_KINDS, BookingStatus
from ..models import BaseBooking, PracticeBase
from ..policies.bases import booker_org, booking_may_cancel, owns_base
from ..selectors.bases import booker_name, overlapping, peak_occupancy

MAX_SPAN = dt.timedelta(days=31)


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def span_text(start: dt.datetime, end: dt.datetime) -> str:
    """``2026-05-11 08:00–12:00`` within a day, ``2026-05-11 08:00 至 2026-05-12 17:00`` across days."""
    if timezone.localdate(start) == timezone.localdate(end):
        return f"{when_text(start)}–{timezone.localtime(end):%H:%M}"
    return _("%(start)s 至 %(end)s") % {"start": when_text(start), "end": when_text(end)}


# --- practice bases ----------------------------------------------------------------------------------------
def _base_data(actor, data: dict[str, Any], instance: PracticeBase | None) -> dict[str, Any]:
    """The data with the actor's own side of the ownership filled in on creation and ``shared`` set for the
    shared kinds; refuses (PermissionDenied) a base the actor's organization would not own."""
    data = dict(data)
    role = getattr(actor, "role", "")
    if instance is None and not actor.is_superuser:
        if role == Role.SCHOOL_ADMIN and data.get("owner_school") is None:
            data["owner_school"] = actor.school
        if role == Role.ENTERPRISE_HR and data.get("owner_enterprise") is None:
            data["owner_enterprise"] = actor.enterprise
    kind = data.get("kind", instance.kind if instance else None)
    if kind in SHARED_BASE_KINDS:
        data["shared"] = True
    if not actor.is_superuser and role in {Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR}:
        owner_school = data.get("owner_school", instance.owner_school if instance else None)
        owner_enterprise = data.get("owner_enterprise", instance.owner_enterprise if instance else None)
        school_id = owner_school.pk if isinstance(owner_school, School) else owner_school
        enterprise_id = owner_enterprise.pk if isinstance(owner_enterprise, Enterprise) else owner_enterprise
        mine = (role == Role.SCHOOL_ADMIN and school_id == actor.school_id) or (
            role == Role.ENTERPRISE_HR and enterprise_id == actor.enterprise_id
        )
        if not mine:
            raise _denied(_("您只能登记和维护本单位所属（或共建）的基地。"))
    return data


@transaction.atomic
def practice_base_create(*, actor, data: dict[str, Any]) -> PracticeBase:
    """Register a base. ``data``: the base's fields and ``majors`` (a list). A school administrator's base
    is owned by their school, an HR's by their enterprise (filled in when not given)."""
    if not policy_for(PracticeBase).allows(actor, "add"):
        raise _denied()
    data = _base_data(actor, data, None)
    return core_services.object_create(
        actor=actor, model=PracticeBase, data=data, verb="practice_base_create"
    )


@transaction.atomic
def practice_base_update(*, actor, instance: PracticeBase, data: dict[str, Any]) -> PracticeBase:
    """Change a base the actor may change; a base of a shared kind stays shared."""
    if not PracticeBase.objects.restrict(actor, "change").filter(pk=instance.pk).exists():
        raise _denied()
    data = _base_data(actor, data, instance)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="practice_base_update")


@transaction.atomic
def practice_base_delete(*, actor, instance: PracticeBase) -> None:
    """Delete a base that has no booking still to come (those would vanish with it: deactivate it instead);
    refused while internships name it."""
    if not PracticeBase.objects.restrict(actor, "delete").filter(pk=instance.pk).exists():
        raise _denied()
    pending = instance.bookings.filter(status=BookingStatus.CONFIRMED, end__gt=timezone.now()).count()
    if pending:
        raise ValidationError(
            _("基地“%(base)s”还有 %(n)s 个未结束的预约，不能删除；可先取消预约，或把基地改为停用。")
            % {"base": instance, "n": pending}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="practice_base_delete")


# --- bookings ----------------------------------------------------------------------------------------------
def _check_span(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise ValidationError({"end": _("结束时间应晚于开始时间。")})
    if start < timezone.now():
        raise ValidationError(
            {"start": _("开始时间 %(start)s 已过，不能预约过去的时间。") % {"start": when_text(start)}}
        )
    if end - start > MAX_SPAN:
        raise ValidationError(
            {"end": _("一次预约最长 %(days)s 天，请分成几次预约。") % {"days": MAX_SPAN.days}}
        )


def capacity_message(base: PracticeBase, start, end, headcount: int, clashes: list, peak: int) -> str:
    """Why a booking does not fit: the capacity, the places left in the span, and each clashing booking
    (time span, organization, headcount)."""
    left = max(base.capacity - peak, 0)
    head = _(
        "容量不足：基地“%(base)s”最多容纳 %(capacity)s 人，%(span)s 期间最多只剩 %(left)s 个名额，"
        "本次预约 %(headcount)s 人。"
    ) % {
        "base": base,
        "capacity": base.capacity,
        "span": span_text(start, end),
        "left": left,
        "headcount": headcount,
    }
    if not clashes:
        return head
    lines = "；".join(
        _("%(span)s %(org)s %(n)s 人")
        % {"span": span_text(b.start, b.end), "org": booker_name(b), "n": b.headcount}
        for b in clashes
    )
    return head + _("与以下预约冲突：%(lines)s。") % {"lines": lines}


@transaction.atomic
def booking_create(
    *, actor, base: PracticeBase, start: dt.datetime, end: dt.datetime, headcount: int, purpose: str
) -> BaseBooking:
    """Book ``[start, end)`` of a base for ``headcount`` people, for the actor's school (administrators and
    teachers) or enterprise (HR and mentors). Only active bases that are shared, or the booker's own base.
    Refused: a start in the past, an end not after the start, a span over 31 days, and a booking that
    would hold more people at some moment than the capacity (the message lists the clashing bookings and
    the places left). The base's row is locked while deciding."""
    school_id, enterprise_id = booker_org(actor)
    if not (school_id or enterprise_id):
        raise _denied(_("只有学校管理员、教师或企业人事、导师可以为本单位预约基地。"))
    if not policy_for(BaseBooking).allows(actor, "add"):
        raise _denied()
    if not PracticeBase.objects.restrict(actor, "view").filter(pk=base.pk).exists():
        raise _denied()
    if start is None or end is None:
        raise ValidationError({"start" if start is None else "end": _("请填写预约的开始和结束时间。")})
    _check_span(start, end)
    # Concurrent bookings of the same base wait here for each other: the check below sees the others.
    base = PracticeBase.objects.select_for_update().get(pk=base.pk)
    if not base.active:
        raise ValidationError(_("基地“%(base)s”已停用，不能预约。") % {"base": base})
    if not base.shared and not owns_base(actor, base):
        raise ValidationError(
            _("基地“%(base)s”不对外共享，只有其所属学校或共建企业可以预约。") % {"base": base}
        )
    purpose = (purpose or "").strip()
    booking = BaseBooking(
        base=base,
        school_id=school_id,
        enterprise_id=enterprise_id,
        booked_by=actor,
        start=start,
        end=end,
        headcount=headcount,
        purpose=purpose,
        status=BookingStatus.CONFIRMED,
    )
    booking.full_clean()
    clashes = list(overlapping(base, start, end))
    peak = peak_occupancy(clashes, start, end)
    if peak + headcount > base.capacity:
        raise ValidationError(
            {"headcount": capacity_message(base, start, end, headcount, clashes, peak)}, code="capacity"
        )
    booking.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="booking_create",
        instance=booking,
        changes=audit.diff({}, audit.snapshot(booking)),
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: BaseBooking, reason: str) -> BaseBooking:
    """Cancel a confirmed booking that has not ended, with a reason (kept in the audit record, shown on the
    booking's page): by the booker's organization or the base's owner."""
    booking = BaseBooking.objects.select_for_update().select_related("base").get(pk=booking.pk)
    if not booking_may_cancel(actor, booking):
        raise _denied(_("只有预约单位或基地所属单位可以取消预约。"))
    if booking.status != BookingStatus.CONFIRMED:
        raise ValidationError(
            _("预约当前状态为“%(status)s”，不能再取消。") % {"status": booking.get_status_display()}
        )
    if booking.end <= timezone.now():
        raise ValidationError(_("预约已结束，不能取消。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    before = audit.snapshot(booking)
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="booking_cancel",
        instance=booking,
        changes=audit.diff(before, audit.snapshot(booking)) | {"reason": [None, reason[:500]]},
    )
    return booking
