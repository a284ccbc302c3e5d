"""Who sees and does what with the minutes and commitments of a 产教对话 (event types with ``has_minutes``)
(DESIGN rule 3).

- **Minutes** (``Event.minutes``): written by the organizer (officers of the organizing department; platform
  administrators); read by the organizer, the sides with an approved registration at the event and the users
  of the organizations that own one of its commitments (``may_read_minutes``).
- **Commitment**: the organizer adds, changes, deletes, imports and exports the commitments of its dialogues;
  the owner organization's users read theirs (a school's administrators and teachers, an enterprise's HR and
  mentors, a department's officers); everyone else reads none (the targets page counts them).
- **Follow-ups** (``CommitmentUpdate``): the owner organization's users and the organizer post one (status +
  note) while the commitment is open; only the organizer drops a commitment (已取消). Each follow-up is read
  with its commitment.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import RegistrationStatus
from ..models import Commitment, CommitmentUpdate, Registration
from .registrations import is_organizer, organized_events_q, own_registrations_q

GROUP = "产教活动"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def owned_q(user, prefix: str = "") -> Q:
    """The commitments (``prefix`` leads to one) whose owner is the user's organization."""
    if not _active(user):
        return NOTHING
    role = _role(user)
    if role in SCHOOL_STAFF and user.school_id:
        return Q(**{f"{prefix}owner_school_id": user.school_id})
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return Q(**{f"{prefix}owner_enterprise_id": user.enterprise_id})
    if role == Role.GOV_OFFICER and user.department_id:
        return Q(**{f"{prefix}owner_department_id": user.department_id})
    return NOTHING


def commitments_q(user, prefix: str = "") -> Q:
    """Every commitment the user may read: those of the events it organizes and those its organization
    owns."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    return owned_q(user, prefix) | organized_events_q(user, f"{prefix}event__")


def is_owner(user, commitment: Commitment) -> bool:
    """Whether the user belongs to the commitment's owner organization (no query)."""
    if not _active(user):
        return False
    role = _role(user)
    if role in SCHOOL_STAFF:
        return bool(user.school_id) and commitment.owner_school_id == user.school_id
    if role in ENTERPRISE_STAFF:
        return bool(user.enterprise_id) and commitment.owner_enterprise_id == user.enterprise_id
    if role == Role.GOV_OFFICER:
        return bool(user.department_id) and commitment.owner_department_id == user.department_id
    return False


def may_follow_up(user, commitment: Commitment) -> bool:
    """Post a follow-up: the owner organization's users and the organizer (reads ``commitment.event``)."""
    return is_owner(user, commitment) or is_organizer(user, commitment.event)


def may_drop(user, commitment: Commitment) -> bool:
    """Drop a commitment (已取消): the organizer only."""
    return is_organizer(user, commitment.event)


def may_write_minutes(user, event) -> bool:
    return is_organizer(user, event)


def may_read_minutes(user, event) -> bool:
    """The organizer, the sides with an approved registration at ``event`` and the owners of its commitments
    (one query for those who are not the organizer)."""
    if is_organizer(user, event):
        return True
    if not _active(user):
        return False
    if Registration.objects.filter(
        own_registrations_q(user), event_id=event.pk, status=RegistrationStatus.APPROVED
    ).exists():
        return True
    return Commitment.objects.filter(owned_q(user), event_id=event.pk).exists()


def may_view_board(user) -> bool:
    """The commitments board: officers, school and enterprise staff (each reads what its scope allows) and
    platform administrators."""
    return _active(user) and (
        user.is_superuser or _role(user) in SCHOOL_STAFF | ENTERPRISE_STAFF | {Role.GOV_OFFICER}
    )


# --- policies ----------------------------------------------------------------------------------------------
def _organized(qs, user):
    return qs.filter(organized_events_q(user, "event__"))


def _visible(qs, user):
    return qs.filter(commitments_q(user))


def _owned(qs, user):
    return qs.filter(owned_q(user))


@register(Commitment)
class CommitmentPolicy(Policy):
    """Officers read what they organize and what their department owns; they write only what they organize.
    The status moves by follow-ups (``services.dialogues.commitment_follow_up``), never a generic change."""

    rules = {
        "view": {
            Role.GOV_OFFICER: _visible,
            **{role: _owned for role in SCHOOL_STAFF | ENTERPRISE_STAFF},
        },
        "export": {
            Role.GOV_OFFICER: _visible,
            Role.SCHOOL_ADMIN: _owned,
            Role.ENTERPRISE_HR: _owned,
        },
        "add": {Role.GOV_OFFICER: _organized},
        "change": {Role.GOV_OFFICER: _organized},
        "delete": {Role.GOV_OFFICER: _organized},
        "import": {Role.GOV_OFFICER: _organized},
    }
    locked = {Role.GOV_OFFICER: {"status", "done_at"}}


def _visible_updates(qs, user):
    return qs.filter(commitments_q(user, "commitment__"))


@register(CommitmentUpdate)
class CommitmentUpdatePolicy(Policy):
    rules = {
        "view": {role: _visible_updates for role in SCHOOL_STAFF | ENTERPRISE_STAFF | {Role.GOV_OFFICER}}
    }


add_menu(MenuItem(GROUP, _("承诺事项"), "events:commitment_list", None, "list-check", 165, may_view_board))
