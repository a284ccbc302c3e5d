"""Who may do what with positions, applications and graduate outcomes (DESIGN rule 3).

- **Position**: an enterprise's HR writes its own postings while they are drafts or returned, and submits
  them; a government officer (the reviewer) publishes or returns them; HR or the reviewer closes a published
  one. Published postings (and the record of closed and expired ones) are public to every role; drafts,
  submitted and returned postings only to their enterprise and the reviewers. A student also sees the
  postings they applied to, whatever became of them.
- **Application**: the student applies and withdraws; the enterprise (HR) moves the rest of the pipeline
  (``services.application_advance``); its mentors read. The student's school reads its students'
  applications. Government and researchers get no application rows (personal data; they read aggregates).
- **GraduateOutcome**: the student's school (its administrator) and the government keep them; teachers
  read their school's; the student reads their own; researchers read none of them, only analytics'
  de-identified aggregates with small cells suppressed (the pages and API still leave out names and 学号
  for any de-identified reader, ``outcomes_deidentified_for``).

The pipeline steps (submit, publish, return, close, advance, withdraw) are not generic CRUD actions: who
may take them is decided by :func:`position_may` and :func:`application_may`, which the services enforce and
the pages use to show buttons.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.selectors import extend_enterprise_visibility

from .choices import (
    ACTIVE_APPLICATION,
    APPLICATION_NEXT,
    EDITABLE_POSITION,
    PUBLIC_POSITION,
    ApplicationStatus,
    PositionStatus,
)
from .models import (
    Application,
    ApplicationEvent,
    GraduateOutcome,
    Position,
    PositionCertificate,
    PositionSkill,
)
from .selectors import applicants_q, open_positions

ENTERPRISE_ROLES = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}


# --- positions ---------------------------------------------------------------------------------------------
def public_positions(qs, user):
    return qs.filter(status__in=PUBLIC_POSITION)


def own_or_public_positions(qs, user):
    if not user.enterprise_id:
        return public_positions(qs, user)
    return qs.filter(Q(enterprise_id=user.enterprise_id) | Q(status__in=PUBLIC_POSITION))


def public_or_applied_positions(qs, user):
    applied = Application.objects.filter(student__user_id=user.pk).values("position_id")
    return qs.filter(Q(status__in=PUBLIC_POSITION) | Q(pk__in=applied))


def own_positions(qs, user):
    return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def own_editable_positions(qs, user):
    return own_positions(qs, user).filter(status__in=EDITABLE_POSITION)


@register(Position)
class PositionPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.ENTERPRISE_HR: own_or_public_positions,
            Role.ENTERPRISE_MENTOR: own_or_public_positions,
            Role.STUDENT: public_or_applied_positions,
            Role.SCHOOL_ADMIN: public_positions,
            Role.TEACHER: public_positions,
            Role.RESEARCHER: public_positions,
        },
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.RESEARCHER: public_positions,
            Role.SCHOOL_ADMIN: public_positions,
            Role.ENTERPRISE_HR: own_positions,
        },
        "add": {Role.ENTERPRISE_HR: own_positions},
        "change": {Role.ENTERPRISE_HR: own_editable_positions},
        "delete": {Role.ENTERPRISE_HR: own_editable_positions},
        "import": {Role.ENTERPRISE_HR: own_editable_positions},
    }
    # The enterprise of a posting and its review state are set by the services, never edited.
    locked = {Role.ENTERPRISE_HR: {"enterprise", "status", "review_note", "published_at"}}


# Each step: the states it starts from, and the roles that take it (superusers take every step).
POSITION_STEPS = {
    "submit": (EDITABLE_POSITION, {Role.ENTERPRISE_HR}),
    "publish": ({PositionStatus.SUBMITTED}, {Role.GOV_OFFICER}),
    "return": ({PositionStatus.SUBMITTED, PositionStatus.PUBLISHED}, {Role.GOV_OFFICER}),
    "close": ({PositionStatus.PUBLISHED}, {Role.ENTERPRISE_HR, Role.GOV_OFFICER}),
}
STEP_LABELS = {
    "submit": _("提交审核"),
    "publish": _("审核通过并发布"),
    "return": _("退回修改"),
    "close": _("关闭招聘"),
}


def position_may(user, step: str, position: Position) -> bool:
    """Whether the user may take ``step`` on this posting at all (whatever its state): the reviewer
    on every posting, HR on its own enterprise's."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    role = getattr(user, "role", None)
    if role not in POSITION_STEPS[step][1]:
        return False
    if role == Role.ENTERPRISE_HR:
        return bool(user.enterprise_id) and position.enterprise_id == user.enterprise_id
    return True


def position_insider(user, position: Position) -> bool:
    """Whether the user reviews or owns the posting (platform administrators, the government's reviewers,
    the posting enterprise's own users): they read its review note and the reviewer's hints (age, height)."""
    if user is None or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or getattr(user, "role", None) == Role.GOV_OFFICER
        or (bool(user.enterprise_id) and user.enterprise_id == position.enterprise_id)
    )


def position_steps(user, position: Position) -> list[str]:
    """The steps the user may take on the posting now (its state allows them): the buttons to show."""
    return [
        step
        for step, (states, _roles) in POSITION_STEPS.items()
        if position.status in states and position_may(user, step, position)
    ]


# --- applications ------------------------------------------------------------------------------------------
def applications_to_own_enterprise(qs, user):
    return qs.filter(position__enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def applications_of_own_school(qs, user):
    return qs.filter(student__school_id=user.school_id) if user.school_id else qs.none()


def own_applications(qs, user):
    return qs.filter(student__user_id=user.pk)


def own_active_applications(qs, user):
    return own_applications(qs, user).filter(status__in=ACTIVE_APPLICATION)


@register(Application)
class ApplicationPolicy(Policy):
    rules = {
        "view": {
            Role.ENTERPRISE_HR: applications_to_own_enterprise,
            Role.ENTERPRISE_MENTOR: applications_to_own_enterprise,
            Role.STUDENT: own_applications,
            Role.SCHOOL_ADMIN: applications_of_own_school,
            Role.TEACHER: applications_of_own_school,
        },
        "export": {
            Role.ENTERPRISE_HR: applications_to_own_enterprise,
            Role.SCHOOL_ADMIN: applications_of_own_school,
        },
        # A student applies (services.application_create) and keeps the note while the application is open.
        "add": {Role.STUDENT: own_applications},
        "change": {Role.STUDENT: own_active_applications},
    }
    locked = {Role.STUDENT: {"student", "position", "status"}}


def application_may(user, application: Application, to_status: str) -> bool:
    """Whether the user may move the application to ``to_status`` (whatever its state): the student
    withdraws their own; the enterprise's HR takes every other step."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    role = getattr(user, "role", None)
    if to_status == ApplicationStatus.WITHDRAWN:
        return role == Role.STUDENT and application.student.user_id == user.pk
    return (
        role == Role.ENTERPRISE_HR
        and bool(user.enterprise_id)
        and application.position.enterprise_id == user.enterprise_id
    )


def application_steps(user, application: Application) -> list[str]:
    """The statuses the user may move the application to now."""
    return [s for s in APPLICATION_NEXT[application.status] if application_may(user, application, s)]


def events_in_scope(qs, user):
    return qs.filter(application__in=Application.objects.restrict(user, "view").values("pk"))


@register(ApplicationEvent)
class ApplicationEventPolicy(Policy):
    """The timeline of an application: read with the application, written only by its services."""

    rules = {
        "view": {
            role: events_in_scope
            for role in (
                Role.ENTERPRISE_HR,
                Role.ENTERPRISE_MENTOR,
                Role.STUDENT,
                Role.SCHOOL_ADMIN,
                Role.TEACHER,
            )
        }
    }


def requirements_in_scope(qs, user):
    return qs.filter(position__in=Position.objects.restrict(user, "view").values("pk"))


POSITION_READERS = {
    role: requirements_in_scope
    for role in (
        Role.GOV_OFFICER,
        Role.ENTERPRISE_HR,
        Role.ENTERPRISE_MENTOR,
        Role.STUDENT,
        Role.SCHOOL_ADMIN,
        Role.TEACHER,
        Role.RESEARCHER,
    )
}


@register(PositionSkill)
class PositionSkillPolicy(Policy):
    """Read with the posting; written only as part of it (services.position_create/position_update)."""

    rules = {"view": POSITION_READERS}


@register(PositionCertificate)
class PositionCertificatePolicy(Policy):
    """Read with the posting; written only as part of it."""

    rules = {"view": POSITION_READERS}


# --- graduate outcomes -------------------------------------------------------------------------------------
def outcomes_of_own_school(qs, user):
    return qs.filter(student__school_id=user.school_id) if user.school_id else qs.none()


def own_outcomes(qs, user):
    return qs.filter(student__user_id=user.pk)


# Roles that read outcomes without names or 学号 (the pages and the API leave them out).
DEIDENTIFIED_OUTCOME_READERS = {Role.RESEARCHER}


def outcomes_deidentified_for(user) -> bool:
    return not user.is_superuser and getattr(user, "role", None) in DEIDENTIFIED_OUTCOME_READERS


@register(GraduateOutcome)
class GraduateOutcomePolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: outcomes_of_own_school,
            Role.TEACHER: outcomes_of_own_school,
            Role.STUDENT: own_outcomes,
        },
        # Researchers read no rows: only the de-identified, suppressed aggregates of analytics (a row of a
        # small major is one person, whatever its columns).
        "export": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: outcomes_of_own_school},
        "add": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: outcomes_of_own_school},
        "change": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: outcomes_of_own_school},
        "delete": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: outcomes_of_own_school},
        "import": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: outcomes_of_own_school},
    }
    # Whether an outcome came from the school or from a hire on the platform is recorded, not chosen.
    locked = {Role.SCHOOL_ADMIN: {"source"}, Role.GOV_OFFICER: {"source"}}


# An enterprise sees in full the students who applied to its positions (schools never imports this app).
extend_enterprise_visibility(applicants_q)


# --- menu and home page ------------------------------------------------------------------------------------
GROUP = "人才供需"
add_menu(MenuItem(GROUP, _("岗位"), "enterprises:position_list", Position, icon="megaphone", order=50))
add_menu(MenuItem(GROUP, _("求职申请"), "enterprises:application_list", Application, icon="send", order=60))
add_menu(
    MenuItem(
        GROUP, _("毕业去向"), "enterprises:graduateoutcome_list", GraduateOutcome, icon="signpost", order=70
    )
)


def _open_own_positions(user) -> int:
    return open_positions(Position.objects.restrict(user)).filter(enterprise_id=user.enterprise_id).count()


def _received_applications(user) -> int:
    return (
        Application.objects.restrict(user)
        .filter(position__enterprise_id=user.enterprise_id)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .count()
    )


def _positions_to_review(user) -> int:
    return Position.objects.restrict(user).filter(status=PositionStatus.SUBMITTED).count()


def _open_positions(user) -> int:
    return open_positions(Position.objects.restrict(user)).count()


def _my_applications(user) -> int:
    return Application.objects.restrict(user).filter(student__user_id=user.pk).count()


REVIEWERS = {Role.PLATFORM_ADMIN, Role.GOV_OFFICER}
add_counter(
    Counter(
        _("在招岗位"), _open_own_positions, ENTERPRISE_ROLES, "enterprises:position_list", "megaphone", 50
    )
)
add_counter(
    Counter(
        _("收到申请"), _received_applications, ENTERPRISE_ROLES, "enterprises:application_list", "inbox", 51
    )
)
add_counter(
    Counter(
        _("待审核岗位"),
        _positions_to_review,
        REVIEWERS,
        "enterprises:position_list",
        "hourglass-split",
        52,
        query="status=submitted",
    )
)
add_counter(
    Counter(
        _("全市在招岗位"),
        _open_positions,
        {
            Role.PLATFORM_ADMIN,
            Role.GOV_OFFICER,
            Role.RESEARCHER,
            Role.SCHOOL_ADMIN,
            Role.TEACHER,
            Role.STUDENT,
        },
        "enterprises:position_list",
        "megaphone",
        53,
    )
)
add_counter(
    Counter(_("我的申请"), _my_applications, {Role.STUDENT}, "enterprises:application_list", "send", 54)
)
