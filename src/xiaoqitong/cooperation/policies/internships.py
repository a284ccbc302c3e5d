"""Who may do what with internships (DESIGN rule 3).

- **InternshipPlan** and **Placement**: the school's administrator writes its own school's (plans, then
  placements of its students); its teachers read all of their school's; the government reads every school's.
  An enterprise's HR reads the placements in its enterprise, its mentors those they mentor; a student reads
  their own; researchers read no rows (the compliance figures are aggregates).
- **InternshipLog**, **CheckIn**, **LeaveRequest**, **InternshipSubsidy**, **Evaluation** follow their
  placement: whoever reads the placement reads them. The student writes their logs, check-ins and leave
  requests; the enterprise HR or the school administrator records subsidies; each mentor writes their own
  side of the closing evaluation.

Steps beyond CRUD (start/complete/terminate a placement, submit/countersign/return a log, decide/cancel a
leave request) are decided by the ``*_may`` functions, which the services enforce and the pages use for
their buttons. Countersigning is the enterprise mentor's personal act: no other user takes it, not the
enterprise's HR and not a platform administrator.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.selectors import extend_enterprise_visibility

from ..choices import LeaveStatus, LogStatus, MentorSide, PlacementStatus
from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)

SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_ROLES = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _role(user) -> str | None:
    return getattr(user, "role", None)


# --- plans --------------------------------------------------------------------------------------------------
def plans_of_own_school(qs, user):
    return qs.filter(school_id=user.school_id) if user.school_id else qs.none()


def plans_of_own_enterprise(qs, user):
    if not user.enterprise_id:
        return qs.none()
    return qs.filter(pk__in=Placement.objects.filter(enterprise_id=user.enterprise_id).values("plan_id"))


def plans_of_own_placements(qs, user):
    return qs.filter(pk__in=Placement.objects.filter(student__user_id=user.pk).values("plan_id"))


@register(InternshipPlan)
class InternshipPlanPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: plans_of_own_school,
            Role.TEACHER: plans_of_own_school,
            Role.ENTERPRISE_HR: plans_of_own_enterprise,
            Role.ENTERPRISE_MENTOR: plans_of_own_enterprise,
            Role.STUDENT: plans_of_own_placements,
        },
        "export": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: plans_of_own_school},
        "add": {Role.SCHOOL_ADMIN: plans_of_own_school},
        "change": {Role.SCHOOL_ADMIN: plans_of_own_school},
        "delete": {Role.SCHOOL_ADMIN: plans_of_own_school},
        "import": {Role.SCHOOL_ADMIN: plans_of_own_school},
    }
    locked = {Role.SCHOOL_ADMIN: {"school"}}


# --- placements ---------------------------------------------------------------------------------------------
def placements_of_own_school(qs, user):
    return qs.filter(plan__school_id=user.school_id) if user.school_id else qs.none()


def placements_of_own_enterprise(qs, user):
    return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def placements_mentored(qs, user):
    return qs.filter(enterprise_mentor_id=user.pk) if user.enterprise_id else qs.none()


def own_placements(qs, user):
    return qs.filter(student__user_id=user.pk)


def editable_placements_of_own_school(qs, user):
    return placements_of_own_school(qs, user).filter(
        status__in=[PlacementStatus.PLANNED, PlacementStatus.ACTIVE]
    )


PLACEMENT_VIEW = {
    Role.GOV_OFFICER: ALL,
    Role.SCHOOL_ADMIN: placements_of_own_school,
    Role.TEACHER: placements_of_own_school,
    Role.ENTERPRISE_HR: placements_of_own_enterprise,
    Role.ENTERPRISE_MENTOR: placements_mentored,
    Role.STUDENT: own_placements,
}


@register(Placement)
class PlacementPolicy(Policy):
    rules = {
        "view": PLACEMENT_VIEW,
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: placements_of_own_school,
            Role.ENTERPRISE_HR: placements_of_own_enterprise,
        },
        "add": {Role.SCHOOL_ADMIN: placements_of_own_school},
        "change": {Role.SCHOOL_ADMIN: editable_placements_of_own_school},
        "delete": {Role.SCHOOL_ADMIN: editable_placements_of_own_school},
        "import": {Role.SCHOOL_ADMIN: editable_placements_of_own_school},
    }
    # Derived or moved by the steps, never edited.
    locked = {Role.SCHOOL_ADMIN: {"status", "in_city", "flags"}}


# Each placement step: the states it starts from. Only the school's administrator takes them.
PLACEMENT_STEPS = {
    "start": {PlacementStatus.PLANNED},
    "complete": {PlacementStatus.ACTIVE},
    "terminate": {PlacementStatus.PLANNED, PlacementStatus.ACTIVE},
}
PLACEMENT_STEP_LABELS = {
    "start": _("开始实习（上岗）"),
    "complete": _("实习结束"),
    "terminate": _("中止实习"),
}


def placement_may(user, step: str, placement: Placement) -> bool:
    """Whether the user may take ``step`` on the placement at all (whatever its state)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return (
        _role(user) == Role.SCHOOL_ADMIN
        and bool(user.school_id)
        and placement.plan.school_id == user.school_id
    )


def placement_steps(user, placement: Placement) -> list[str]:
    return [
        step
        for step, states in PLACEMENT_STEPS.items()
        if placement.status in states and placement_may(user, step, placement)
    ]


def is_placement_student(user, placement: Placement) -> bool:
    return _active(user) and placement.student.user_id == user.pk


def mentor_side(user, placement: Placement) -> str | None:
    """The side the user mentors on this placement (school or enterprise), or None."""
    if not _active(user):
        return None
    if placement.school_mentor_id and placement.school_mentor_id == user.pk:
        return MentorSide.SCHOOL
    if placement.enterprise_mentor_id and placement.enterprise_mentor_id == user.pk:
        return MentorSide.ENTERPRISE
    return None


# --- what follows a placement -------------------------------------------------------------------------------
def following_placement(qs, user):
    return qs.filter(placement__in=Placement.objects.restrict(user, "view").values("pk"))


def following_own_placements(qs, user):
    return qs.filter(placement__student__user_id=user.pk)


def of_own_school(qs, user):
    return qs.filter(placement__plan__school_id=user.school_id) if user.school_id else qs.none()


def of_own_enterprise(qs, user):
    return qs.filter(placement__enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


FOLLOWING = {role: following_placement for role in PLACEMENT_VIEW}
# The records that follow a placement (logs, check-ins, leave …) are exported by the government, the school
# and the host enterprise's HR, each their own.
FOLLOWING_EXPORT = {
    Role.GOV_OFFICER: ALL,
    Role.SCHOOL_ADMIN: of_own_school,
    Role.ENTERPRISE_HR: of_own_enterprise,
}


def own_editable_logs(qs, user):
    return following_own_placements(qs, user).filter(status__in=[LogStatus.DRAFT, LogStatus.RETURNED])


def own_draft_logs(qs, user):
    return following_own_placements(qs, user).filter(status=LogStatus.DRAFT)


@register(InternshipLog)
class InternshipLogPolicy(Policy):
    rules = {
        "view": FOLLOWING,
        "export": FOLLOWING_EXPORT,
        "add": {Role.STUDENT: following_own_placements},
        "change": {Role.STUDENT: own_editable_logs},
        "delete": {Role.STUDENT: own_draft_logs},
    }
    locked = {Role.STUDENT: {"placement", "status", "countersigned_by", "countersigned_at", "mentor_comment"}}


def log_may(user, step: str, log: InternshipLog) -> bool:
    """submit: the student of the placement; countersign/return: its enterprise mentor, nobody else."""
    if not _active(user):
        return False
    if step == "submit":
        return user.is_superuser or is_placement_student(user, log.placement)
    return bool(log.placement.enterprise_mentor_id) and log.placement.enterprise_mentor_id == user.pk


LOG_STEPS = {
    "submit": {LogStatus.DRAFT, LogStatus.RETURNED},
    "countersign": {LogStatus.SUBMITTED},
    "return": {LogStatus.SUBMITTED},
}


def log_steps(user, log: InternshipLog) -> list[str]:
    return [step for step, states in LOG_STEPS.items() if log.status in states and log_may(user, step, log)]


@register(CheckIn)
class CheckInPolicy(Policy):
    rules = {
        "view": FOLLOWING,
        "export": FOLLOWING_EXPORT,
        "add": {Role.STUDENT: following_own_placements},
    }


def own_pending_leave(qs, user):
    return following_own_placements(qs, user).filter(status=LeaveStatus.PENDING)


@register(LeaveRequest)
class LeaveRequestPolicy(Policy):
    rules = {
        "view": FOLLOWING,
        "export": FOLLOWING_EXPORT,
        "add": {Role.STUDENT: following_own_placements},
    }


def leave_side_may(user, side: str, leave: LeaveRequest) -> bool:
    """Only the placement's school mentor decides the school side, only its enterprise mentor the other."""
    return mentor_side(user, leave.placement) == side


def subsidies_writable(qs, user):
    if _role(user) == Role.SCHOOL_ADMIN:
        return of_own_school(qs, user)
    return of_own_enterprise(qs, user)


@register(InternshipSubsidy)
class InternshipSubsidyPolicy(Policy):
    rules = {
        "view": FOLLOWING,
        "export": FOLLOWING_EXPORT,
        "add": {Role.SCHOOL_ADMIN: of_own_school, Role.ENTERPRISE_HR: of_own_enterprise},
        "change": {Role.SCHOOL_ADMIN: of_own_school, Role.ENTERPRISE_HR: of_own_enterprise},
        "delete": {Role.SCHOOL_ADMIN: of_own_school, Role.ENTERPRISE_HR: of_own_enterprise},
        "import": {Role.SCHOOL_ADMIN: of_own_school, Role.ENTERPRISE_HR: of_own_enterprise},
    }
    locked = {Role.SCHOOL_ADMIN: {"placement"}, Role.ENTERPRISE_HR: {"placement"}}


def mentored_evaluations(qs, user):
    return qs.filter(Q(placement__school_mentor_id=user.pk) | Q(placement__enterprise_mentor_id=user.pk))


def own_evaluations(qs, user):
    return qs.filter(evaluator_id=user.pk)


@register(Evaluation)
class EvaluationPolicy(Policy):
    rules = {
        "view": FOLLOWING,
        "export": FOLLOWING_EXPORT,
        "add": {Role.TEACHER: mentored_evaluations, Role.ENTERPRISE_MENTOR: mentored_evaluations},
        "change": {Role.TEACHER: own_evaluations, Role.ENTERPRISE_MENTOR: own_evaluations},
    }
    locked = {
        Role.TEACHER: {"placement", "side", "evaluator"},
        Role.ENTERPRISE_MENTOR: {"placement", "side", "evaluator"},
    }


# An enterprise sees in full the students placed with it (schools never imports this app).
def interns_q(user) -> Q:
    enterprise_id = getattr(user, "enterprise_id", None)
    if not enterprise_id:
        return Q(pk__in=[])
    return Q(pk__in=Placement.objects.filter(enterprise_id=enterprise_id).values("student_id"))


extend_enterprise_visibility(interns_q)


# --- menu and home page -------------------------------------------------------------------------------------
GROUP = "校企合作"


def _is_student(user) -> bool:
    return _role(user) == Role.STUDENT and not user.is_superuser


def _sees_compliance(user) -> bool:
    return user.is_superuser or _role(user) in {Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER}


def _is_mentor(user) -> bool:
    return _role(user) in {Role.ENTERPRISE_MENTOR, Role.TEACHER}


add_menu(
    MenuItem(
        GROUP,
        _("我的实习"),
        "cooperation:internship_mine",
        None,
        icon="briefcase",
        order=130,
        visible=_is_student,
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("实习计划"),
        "cooperation:internshipplan_list",
        InternshipPlan,
        icon="calendar-range",
        order=131,
    )
)
add_menu(
    MenuItem(GROUP, _("实习安排"), "cooperation:placement_list", Placement, icon="person-badge", order=132)
)
add_menu(
    MenuItem(
        GROUP, _("实习周志"), "cooperation:internshiplog_list", InternshipLog, icon="journal-text", order=133
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("待会签周志"),
        "cooperation:internship_pending_logs",
        None,
        icon="pen",
        order=134,
        visible=lambda user: _role(user) == Role.ENTERPRISE_MENTOR,
    )
)
add_menu(
    MenuItem(
        GROUP, _("实习请假"), "cooperation:leaverequest_list", LeaveRequest, icon="calendar-x", order=135
    )
)
add_menu(MenuItem(GROUP, _("实习签到"), "cooperation:checkin_list", CheckIn, icon="geo-alt", order=136))
add_menu(
    MenuItem(
        GROUP,
        _("实习补贴"),
        "cooperation:internshipsubsidy_list",
        InternshipSubsidy,
        icon="cash-coin",
        order=137,
    )
)
add_menu(MenuItem(GROUP, _("实习鉴定"), "cooperation:evaluation_list", Evaluation, icon="award", order=138))
add_menu(
    MenuItem(
        GROUP,
        _("实习合规看板"),
        "cooperation:internship_compliance",
        None,
        icon="clipboard-data",
        order=139,
        visible=_sees_compliance,
    )
)


def _logs_to_write(user) -> int:
    from ..selectors.internships import logs_to_write_this_week

    return logs_to_write_this_week(user)


def _logs_to_countersign(user) -> int:
    from ..selectors.internships import logs_awaiting_countersign

    return logs_awaiting_countersign(user).count()


def _flagged(user) -> int:
    return (
        Placement.objects.restrict(user).exclude(flags=[]).exclude(status=PlacementStatus.TERMINATED).count()
    )


add_counter(
    Counter(
        _("本周待写周志"), _logs_to_write, {Role.STUDENT}, "cooperation:internship_mine", "journal-text", 130
    )
)
add_counter(
    Counter(
        _("待会签周志"),
        _logs_to_countersign,
        {Role.ENTERPRISE_MENTOR},
        "cooperation:internship_pending_logs",
        "pen",
        131,
    )
)
add_counter(
    Counter(
        _("实习规则提示"),
        _flagged,
        {Role.SCHOOL_ADMIN},
        "cooperation:placement_list",
        "flag",
        132,
        query="flagged=true",
    )
)
