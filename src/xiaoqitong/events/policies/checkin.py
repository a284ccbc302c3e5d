"""Who may do what with check-in, passes and the on-site booth lists (DESIGN rule 3). Who sees an event or a
registration is the registrations area's rule (``policies.registrations``); this module adds what is
particular to check-in.

- **Pass** (a registration's QR code): whoever reads the registration (``Registration.objects.restrict``):
  the registrant's side (the enterprise's HR and mentors for its booth; the school's administrators and
  teachers for its delegation and its students' registrations; the student for their own) and the organizer
  (officers of the organizing department; platform administrators). Anybody else gets a 404: a registration
  is never shown to, nor its existence told to, a stranger.
- **Check-in** (confirming a scanned code, the scanning page, “现场签到”): the organizer only.
- **Booth candidates** (the students registered for the event ranked for each position a booth brings): the
  booth's enterprise (HR and mentors) and the organizer. Which students appear follows the matching app's
  rule (``matching.selectors._visible_candidates``): students who did not consent to being seen by
  enterprises never appear.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.orgs.choices import Role

from ..choices import ParticipantKind
from .registrations import ENTERPRISE_STAFF, GROUP, is_organizer, is_own_registration, may_view_event

__all__ = [
    "is_booth_staff",
    "is_organizer",
    "is_own_registration",
    "may_checkin",
    "may_see_booth_candidates",
    "may_view_event",
]


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_checkin(user) -> bool:
    """The “现场签到” page: government officers of a department (for their department's events) and platform
    administrators."""
    return _active(user) and (
        user.is_superuser or (getattr(user, "role", "") == Role.GOV_OFFICER and bool(user.department_id))
    )


def is_booth_staff(user, booth) -> bool:
    """HR and mentors of the booth's enterprise."""
    return (
        _active(user)
        and getattr(user, "role", "") in ENTERPRISE_STAFF
        and bool(user.enterprise_id)
        and booth.kind == ParticipantKind.ENTERPRISE
        and booth.enterprise_id == user.enterprise_id
    )


def may_see_booth_candidates(user, booth) -> bool:
    """The booth's enterprise and the event's organizer (reads ``booth.event``)."""
    return is_booth_staff(user, booth) or is_organizer(user, booth.event)


add_menu(MenuItem(GROUP, _("现场签到"), "events:checkin_home", None, "qr-code-scan", 164, may_checkin))
