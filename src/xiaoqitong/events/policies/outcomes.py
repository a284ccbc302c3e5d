"""Who sees and does what with the outcomes of an event: intentions signed there and the survey afterwards
(DESIGN rule 3).

- **Intention**: the organizer (officers of the organizing department; platform administrators) reads every
  intention of its events and exports them; the parties read their own: an enterprise's HR and mentors the
  intentions of their enterprise, a school's administrators and teachers the cooperation intentions on their
  school's majors and the job intentions of their students, a student their own job intentions. Researchers
  and other officers read none (the targets page gives them the counts).
  Proposing, signing, declining and withdrawing are services with their own checks
  (``services.outcomes``): who proposes is ``proposer_side``; the other side signs or declines
  (``may_sign``), the proposer's side withdraws (``may_withdraw``).
- **SurveyResponse**: the organizer reads every answer of its events (and the summary); the side that answered
  reads its own answer. A side answers for its own approved registration (enterprise staff for its booth,
  school staff for its delegation, a student for themself), once, after the event has ended.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import IntentionKind, ParticipantKind
from ..models import Intention, SurveyResponse
from .registrations import is_organizer, organized_events_q, own_registrations_q

GROUP = "产教活动"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
NOTHING = Q(pk__in=[])
#: The side of an intention: who proposed it, who signs it.
ENTERPRISE, SCHOOL, STUDENT = ParticipantKind.ENTERPRISE, ParticipantKind.SCHOOL, ParticipantKind.STUDENT


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _role(user) -> str:
    return getattr(user, "role", "") or ""


# --- intentions --------------------------------------------------------------------------------------------
def own_intentions_q(user, prefix: str = "") -> Q:
    """The intentions (``prefix`` leads from another model to one) the user's side is a party to: its
    enterprise's; its school's cooperation intentions and its students' job intentions; a student's own."""
    if not _active(user):
        return NOTHING
    role = _role(user)
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return Q(**{f"{prefix}enterprise_id": user.enterprise_id})
    if role in SCHOOL_STAFF and user.school_id:
        return Q(**{f"{prefix}school_major__school_id": user.school_id}) | Q(
            **{f"{prefix}kind": IntentionKind.JOB, f"{prefix}student__school_id": user.school_id}
        )
    if role == Role.STUDENT:
        return Q(**{f"{prefix}kind": IntentionKind.JOB, f"{prefix}student__user_id": user.pk})
    return NOTHING


def intentions_q(user, prefix: str = "") -> Q:
    """Every intention the user may read: its own side's and those of the events it organizes."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    return own_intentions_q(user, prefix) | organized_events_q(user, f"{prefix}event__")


def proposer_side(intention: Intention) -> str | None:
    """Which side proposed ``intention`` (``enterprise``, ``school`` or ``student``), read from the proposing
    user's role (reads ``intention.proposed_by``); ``None`` if that account is gone."""
    user = intention.proposed_by
    if user is None:
        return None
    role = _role(user)
    if role == Role.STUDENT:
        return STUDENT
    if role in SCHOOL_STAFF:
        return SCHOOL
    if role in ENTERPRISE_STAFF:
        return ENTERPRISE
    return None


def signer_side(intention: Intention) -> str | None:
    """The side that signs: the student or the enterprise of a job intention, the school or the enterprise of
    a cooperation intention — whichever did not propose."""
    proposer = proposer_side(intention)
    if intention.kind == IntentionKind.JOB:
        return {ENTERPRISE: STUDENT, STUDENT: ENTERPRISE}.get(proposer)
    return {ENTERPRISE: SCHOOL, SCHOOL: ENTERPRISE}.get(proposer)


def speaks_for(user, intention: Intention, side: str | None) -> bool:
    """Whether ``user`` signs for ``side`` of ``intention``: the enterprise's HR, the school's administrator
    (reads ``intention.school_major``), the student themself (reads ``intention.student``)."""
    if not _active(user) or side is None:
        return False
    role = _role(user)
    if side == ENTERPRISE:
        return (
            role == Role.ENTERPRISE_HR
            and bool(user.enterprise_id)
            and user.enterprise_id == intention.enterprise_id
        )
    if side == SCHOOL:
        return (
            role == Role.SCHOOL_ADMIN
            and bool(user.school_id)
            and intention.school_major_id is not None
            and intention.school_major.school_id == user.school_id
        )
    if side == STUDENT:
        return (
            role == Role.STUDENT and intention.student_id is not None and intention.student.user_id == user.pk
        )
    return False


def may_sign(user, intention: Intention) -> bool:
    """The other side signs (and declines) an intention proposed to it."""
    return speaks_for(user, intention, signer_side(intention))


def may_withdraw(user, intention: Intention) -> bool:
    """The proposing side withdraws its proposal (the proposer, or another HR or administrator of the same
    enterprise or school)."""
    return speaks_for(user, intention, proposer_side(intention))


def proposing_side(user) -> str | None:
    """The side ``user`` proposes for: ``enterprise`` (HR), ``school`` (administrators), ``student``; ``None``
    for every other role (mentors, teachers, officers, researchers, platform administrators)."""
    if not _active(user):
        return None
    role = _role(user)
    if role == Role.ENTERPRISE_HR and user.enterprise_id:
        return ENTERPRISE
    if role == Role.SCHOOL_ADMIN and user.school_id:
        return SCHOOL
    if role == Role.STUDENT:
        return STUDENT
    return None


def may_view_my_intentions(user) -> bool:
    """The 我的意向 page: enterprise staff, school staff and students."""
    return _active(user) and _role(user) in ENTERPRISE_STAFF | SCHOOL_STAFF | {Role.STUDENT}


def may_view_event_intentions(user, event) -> bool:
    """An event's intentions page (counts, conversion, the list, export): its organizer."""
    return is_organizer(user, event)


# --- the survey --------------------------------------------------------------------------------------------
def answers_for(user, registration) -> bool:
    """Whether ``user`` answers the survey for ``registration``: enterprise staff for their enterprise's
    booth, school staff for their school's delegation, a student for their own registration (reads
    ``registration.student``)."""
    if not _active(user) or registration is None:
        return False
    role = _role(user)
    if registration.kind == ParticipantKind.ENTERPRISE:
        return role in ENTERPRISE_STAFF and registration.enterprise_id == user.enterprise_id
    if registration.kind == ParticipantKind.SCHOOL:
        return role in SCHOOL_STAFF and registration.school_id == user.school_id
    return role == Role.STUDENT and registration.student.user_id == user.pk


def may_view_survey_summary(user, event) -> bool:
    """An event's survey summary and the export of its answers: its organizer."""
    return is_organizer(user, event)


# --- policies ----------------------------------------------------------------------------------------------
def _organized_intentions(qs, user):
    return qs.filter(organized_events_q(user, "event__"))


def _own_intentions(qs, user):
    return qs.filter(own_intentions_q(user))


@register(Intention)
class IntentionPolicy(Policy):
    """Reads and exports (each party its own rows; the organizer its events'); the writes are the services'
    steps (propose, sign, decline, withdraw), never a generic change."""

    rules = {
        "view": {
            Role.GOV_OFFICER: _organized_intentions,
            **{role: _own_intentions for role in ENTERPRISE_STAFF | SCHOOL_STAFF | {Role.STUDENT}},
        },
        "export": {
            Role.GOV_OFFICER: _organized_intentions,
            Role.ENTERPRISE_HR: _own_intentions,
            Role.SCHOOL_ADMIN: _own_intentions,
        },
        "add": {
            Role.ENTERPRISE_HR: _own_intentions,
            Role.SCHOOL_ADMIN: _own_intentions,
            Role.STUDENT: _own_intentions,
        },
    }


def survey_q(user, prefix: str = "") -> Q:
    """The survey answers (``prefix`` leads to one) the user may read: those of the events it organizes and
    its own side's."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    return own_registrations_q(user, f"{prefix}registration__") | organized_events_q(user, f"{prefix}event__")


def _organized_answers(qs, user):
    return qs.filter(organized_events_q(user, "event__"))


def _own_answers(qs, user):
    return qs.filter(own_registrations_q(user, "registration__"))


@register(SurveyResponse)
class SurveyResponsePolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: _organized_answers,
            **{role: _own_answers for role in ENTERPRISE_STAFF | SCHOOL_STAFF | {Role.STUDENT}},
        },
        "export": {Role.GOV_OFFICER: _organized_answers},
        "add": {role: _own_answers for role in ENTERPRISE_STAFF | SCHOOL_STAFF | {Role.STUDENT}},
    }


add_menu(MenuItem(GROUP, _("我的意向"), "events:intentions_mine", None, "pen", 162, may_view_my_intentions))
