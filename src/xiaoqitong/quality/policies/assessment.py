"""Who may do what with dual-mentor assessment (DESIGN rule 3, R5, 三（五）).

- **AssessmentPlan**: the school's administrator writes the plans of their school (the school is theirs,
  ``locked``); the school's administrators and teachers and the partner enterprise's HR and mentors read
  them; government officers read every plan; a student reads the plans of their own class (their 专业 and
  年级). Researchers read no rows.
- **Grade** and **GradeRevision** follow their plan, except for students, who read only their own grades.
  Grades are never written through the generic pages: ``services.assessment.grade_set`` decides who grades
  which part (:func:`grading_part`): the theory part only a teacher named on the plan, the practice part
  only a technician (enterprise mentor) named on it — nobody else, platform administrators included.
"""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import Student

from ..choices import GradePart
from ..models import AssessmentPlan, Grade, GradeRevision

GROUP = "培养质量"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
# The role that grades each part (R5): theory the school's teachers, practice the enterprise's technicians.
PART_ROLE = {GradePart.THEORY: Role.TEACHER, GradePart.PRACTICE: Role.ENTERPRISE_MENTOR}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


# --- plans --------------------------------------------------------------------------------------------------
def _scope(prefix: str):
    """The scopes of a plan (``prefix`` leads from a grade or a revision to its plan)."""

    def own_school(qs, user):
        return qs.filter(**{f"{prefix}school_id": user.school_id}) if user.school_id else qs.none()

    def own_enterprise(qs, user):
        return (
            qs.filter(**{f"{prefix}enterprise_id": user.enterprise_id}) if user.enterprise_id else qs.none()
        )

    return own_school, own_enterprise


plans_of_own_school, plans_of_own_enterprise = _scope("")


def plans_of_own_class(qs, user):
    """The plans of the student's class: their 专业 (school major) and 年级 (cohort)."""
    return qs.filter(
        Exists(
            Student.objects.filter(
                user_id=user.pk, school_major_id=OuterRef("school_major_id"), grade=OuterRef("cohort")
            )
        )
    )


@register(AssessmentPlan)
class AssessmentPlanPolicy(Policy):
    readers = {
        Role.SCHOOL_ADMIN: plans_of_own_school,
        Role.TEACHER: plans_of_own_school,
        Role.ENTERPRISE_HR: plans_of_own_enterprise,
        Role.ENTERPRISE_MENTOR: plans_of_own_enterprise,
    }
    writers = {Role.SCHOOL_ADMIN: plans_of_own_school}
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.STUDENT: plans_of_own_class, **readers},
        "export": {Role.GOV_OFFICER: ALL, **readers},
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }
    locked = {Role.SCHOOL_ADMIN: {"school"}}


# --- grades -------------------------------------------------------------------------------------------------
def _following(prefix: str) -> dict:
    own_school, own_enterprise = _scope(prefix)
    return {
        Role.SCHOOL_ADMIN: own_school,
        Role.TEACHER: own_school,
        Role.ENTERPRISE_HR: own_enterprise,
        Role.ENTERPRISE_MENTOR: own_enterprise,
    }


def own_grades(qs, user):
    return qs.filter(student__user_id=user.pk)


def grades_to_give(qs, user):
    """The grades of the plans that name the user as a grader (which part is the service's decision)."""
    if _role(user) == Role.TEACHER:
        return qs.filter(plan__teachers=user)
    return qs.filter(plan__mentors=user)


GRADE_READERS = _following("plan__")


@register(Grade)
class GradePolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.STUDENT: own_grades, **GRADE_READERS},
        "export": {Role.GOV_OFFICER: ALL, **GRADE_READERS},
        # Only through ``services.assessment.grade_set`` (the API's POST): R5 decides the part.
        "add": {Role.TEACHER: grades_to_give, Role.ENTERPRISE_MENTOR: grades_to_give},
    }


def own_revisions(qs, user):
    return qs.filter(grade__student__user_id=user.pk)


@register(GradeRevision)
class GradeRevisionPolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.STUDENT: own_revisions, **_following("grade__plan__")},
    }


# --- who grades what (R5) -----------------------------------------------------------------------------------
def grading_part(user, plan: AssessmentPlan, teacher_ids=None, mentor_ids=None) -> str | None:
    """The part of the plan the user grades: theory for a teacher of the plan's school named on it, practice
    for a technician of the plan's enterprise named on it; ``None`` for everyone else (platform
    administrators included: R5 names who grades). ``teacher_ids``/``mentor_ids``: the plan's graders
    when the caller has them (a list page), to save the queries."""
    if not _active(user):
        return None
    role = _role(user)
    if role == Role.TEACHER and user.school_id == plan.school_id:
        ids = teacher_ids if teacher_ids is not None else plan.teachers.values_list("pk", flat=True)
        return GradePart.THEORY if user.pk in set(ids) else None
    if role == Role.ENTERPRISE_MENTOR and user.enterprise_id == plan.enterprise_id:
        ids = mentor_ids if mentor_ids is not None else plan.mentors.values_list("pk", flat=True)
        return GradePart.PRACTICE if user.pk in set(ids) else None
    return None


def plan_may_manage(user, plan: AssessmentPlan) -> bool:
    """Close, reopen, edit: the plan's school administrator (and platform administrators)."""
    if not _active(user):
        return False
    return user.is_superuser or (_role(user) == Role.SCHOOL_ADMIN and user.school_id == plan.school_id)


def is_grader(user) -> bool:
    return _active(user) and not user.is_superuser and _role(user) in PART_ROLE.values()


def is_student(user) -> bool:
    return _active(user) and not user.is_superuser and _role(user) == Role.STUDENT


# --- menu and home page -------------------------------------------------------------------------------------
def _not_student(user) -> bool:
    return not is_student(user)


add_menu(
    MenuItem(GROUP, _("双导师考核"), "quality:assessmentplan_list", AssessmentPlan, "clipboard2-check", 141)
)
add_menu(MenuItem(GROUP, _("待评分"), "quality:assessment_to_grade", None, "pencil-square", 142, is_grader))
add_menu(MenuItem(GROUP, _("我的成绩"), "quality:assessment_my_grades", None, "award", 143, is_student))
add_menu(MenuItem(GROUP, _("考核成绩"), "quality:grade_list", Grade, "list-ol", 144, _not_student))


def _plans_to_grade(user) -> int:
    from ..selectors.assessment import plans_to_grade

    return len(plans_to_grade(user))


add_counter(
    Counter(
        _("待评分考核计划"),
        _plans_to_grade,
        set(PART_ROLE.values()),
        "quality:assessment_to_grade",
        "pencil-square",
        141,
    )
)
