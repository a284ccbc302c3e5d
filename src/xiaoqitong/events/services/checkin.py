"""Check-in on site (三（四）): the organizer scans a registration's QR code and confirms it.

``registration_check_in`` marks a registration checked in, once: by an officer of the organizing department
(or a platform administrator), for an approved registration of a published event, while check-in is open
(from :data:`OPENS_BEFORE` before the start to the end of the event, every day of a multi-day event). A
second scan of the same code is no error: it answers when the first one was (two officers scanning at once
both see it checked in, one audit record).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.models import AuditAction

from ..choices import EventStatus, RegistrationStatus
from ..models import Event, Registration
from ..policies.checkin import is_organizer

#: Check-in opens this long before the event starts (people queue at the door before the opening). An
#: operating choice of the platform, not a policy number of the city: not a ``Rule``.
OPENS_BEFORE = dt.timedelta(hours=2)


def checkin_window(event: Event) -> tuple[dt.datetime, dt.datetime]:
    """When check-in is open: from :data:`OPENS_BEFORE` before the start to the end."""
    return event.starts_at - OPENS_BEFORE, event.ends_at


def checkin_open(event: Event, now: dt.datetime | None = None) -> bool:
    opens, closes = checkin_window(event)
    now = now or timezone.now()
    return opens <= now <= closes


def checkin_refusal(registration: Registration, now: dt.datetime | None = None) -> str:
    """Why ``registration`` cannot be checked in now ("" when it can, or is already checked in): the same
    reasons the service refuses with, for the page to say before the button is pressed."""
    if registration.checked_in_at:
        return ""
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        return _("活动“%(event)s”已取消，不能签到。") % {"event": event}
    if event.status != EventStatus.PUBLISHED:
        return _("活动“%(event)s”尚未发布，不能签到。") % {"event": event}
    if registration.status != RegistrationStatus.APPROVED:
        return _("该报名状态为“%(status)s”，只有已通过的报名才能签到。") % {
            "status": registration.get_status_display()
        }
    opens, closes = checkin_window(event)
    now = now or timezone.now()
    if now < opens:
        return _("签到时间为 %(opens)s 至 %(closes)s（活动开始前 %(hours)s 小时起），现在还未开始签到。") % {
            "opens": when_text(opens),
            "closes": when_text(closes),
            "hours": int(OPENS_BEFORE.total_seconds() // 3600),
        }
    if now > closes:
        return _("活动已于 %(closes)s 结束，不能再签到。") % {"closes": when_text(closes)}
    return ""


def already_text(registration: Registration) -> str:
    """“已于 HH:MM 签到” (with the day when it was another day)."""
    at = timezone.localtime(registration.checked_in_at)
    if at.date() == timezone.localdate():
        return _("已于 %(time)s 签到") % {"time": at.strftime("%H:%M")}
    return _("已于 %(time)s 签到") % {"time": at.strftime("%Y-%m-%d %H:%M")}


@transaction.atomic
def registration_check_in(*, actor, registration: Registration) -> tuple[Registration, bool]:
    """Check ``registration`` in; returns ``(registration, True)`` the first time and ``(registration,
    False)`` when it was already checked in (its ``checked_in_at`` says when). Refused (PermissionDenied) to
    anyone but the organizer; refused (ValidationError, naming why) for a pending, declined or cancelled
    registration, an event not published, and outside the check-in window."""
    # The row lock makes a second, simultaneous scan wait and then find the first one's check-in.
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "student")
        .get(pk=registration.pk)
    )
    if not is_organizer(actor, registration.event):
        raise PermissionDenied(_("只有主办部门的工作人员可以确认签到。"))
    if registration.checked_in_at:
        return registration, False
    refusal = checkin_refusal(registration)
    if refusal:
        raise ValidationError(refusal)
    before = audit.snapshot(registration)
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = actor if getattr(actor, "pk", None) else None
    registration.full_clean()
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="registration_check_in",
        instance=registration,
        changes=audit.diff(before, audit.snapshot(registration)),
    )
    return registration, True
