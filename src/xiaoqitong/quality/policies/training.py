"""Who may do what with social training (DESIGN rule 3).

- **TrainingProgramme**: a programme's provider reads it (a school's administrators and teachers the
  programmes their school provides; an enterprise's HR and mentors their enterprise's); government officers
  read every programme, those of training centres (``provider_centre``) included. Writers: the school
  administrator for the programmes of their school, enterprise HR for their enterprise's, government
  officers for all. A writer other than an officer keeps the provider as it is (``locked``). Researchers read
  only the aggregates (the person-times page and its API), never a programme's rows; students nothing.
- **TrainingSession** and **TrainingParticipant** (the roster) follow their programme. The roster is written
  by the import (``resources.training.TrainingParticipantResource``) and cleared by
  ``services.training.session_roster_clear``; its phone numbers are shown masked everywhere.
- The person-times page (T4, T6) is for every signed-in role but students: the city's figures and the
  breakdowns are aggregates; the school lines are every school's for officers, researchers and platform
  administrators, the user's own school's for school staff.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import TrainingParticipant, TrainingProgramme, TrainingSession

GROUP = "培养质量"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
WRITER_ROLES = {Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR}
PROVIDER_FIELDS = {"provider_school", "provider_enterprise", "provider_centre"}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def provider_org(user) -> tuple[int | None, int | None]:
    """``(school_id, enterprise_id)`` whose programmes the user reads as their provider's staff."""
    if user is None or not user.is_authenticated:
        return None, None
    role = _role(user)
    if role in SCHOOL_STAFF and user.school_id:
        return user.school_id, None
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return None, user.enterprise_id
    return None, None


def provider_q(user, prefix: str = "") -> Q:
    """The programmes (``prefix`` leads from another model to its programme) the user's school or
    enterprise provides; nothing for users of neither."""
    school_id, enterprise_id = provider_org(user)
    if school_id:
        return Q(**{f"{prefix}provider_school_id": school_id})
    if enterprise_id:
        return Q(**{f"{prefix}provider_enterprise_id": enterprise_id})
    return Q(pk__in=[])


def _own(prefix: str):
    def scope(qs, user):
        return qs.filter(provider_q(user, prefix))

    scope.__name__ = f"own_provider_{prefix or 'programme'}"
    return scope


def _rules(prefix: str) -> dict:
    own = _own(prefix)
    readers = {role: own for role in SCHOOL_STAFF | ENTERPRISE_STAFF}
    writers = {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own, Role.ENTERPRISE_HR: own}
    return {
        "view": {Role.GOV_OFFICER: ALL, **readers},
        "export": writers,
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }


@register(TrainingProgramme)
class TrainingProgrammePolicy(Policy):
    rules = _rules("")
    locked = {Role.SCHOOL_ADMIN: PROVIDER_FIELDS, Role.ENTERPRISE_HR: PROVIDER_FIELDS}


@register(TrainingSession)
class TrainingSessionPolicy(Policy):
    rules = _rules("programme__")


@register(TrainingParticipant)
class TrainingParticipantPolicy(Policy):
    rules = _rules("session__programme__")


def may_view_person_times(user) -> bool:
    """The person-times page: every signed-in role but students (it shows aggregates only)."""
    return bool(user and user.is_authenticated and (user.is_superuser or _role(user) != Role.STUDENT))


def sees_every_school(user) -> bool:
    """Officers, researchers and platform administrators read every school's line; school staff their own."""
    return user.is_superuser or _role(user) in {Role.GOV_OFFICER, Role.RESEARCHER}


add_menu(
    MenuItem(
        GROUP, _("社会培训项目"), "quality:trainingprogramme_list", TrainingProgramme, "mortarboard", 150
    )
)
add_menu(MenuItem(GROUP, _("培训班次"), "quality:trainingsession_list", TrainingSession, "people", 151))
add_menu(
    MenuItem(
        GROUP,
        _("培训人次（T4/T6）"),
        "quality:training_person_times",
        None,
        "graph-up",
        152,
        may_view_person_times,
    )
)
