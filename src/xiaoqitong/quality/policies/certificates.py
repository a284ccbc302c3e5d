"""Who may do what with certificates, exam centres and competitions (DESIGN rule 3).

- **CertificateAward** (获证记录): the student's school reads them (its administrator writes them, its
  teachers read), the student reads their own (the “我的证书” page), government officers read and write all.
  An enterprise HR reads the certificates of a student only where it may see that student *by name* (the
  student consents to a full profile, or applied to one of its positions: ``schools.selectors
  .identity_visible_q``); a de-identified profile shows no certificate, whose number would name the student.
  Mentors, researchers and others read no rows (researchers read the coverage figures, aggregates only).
- **ExamCentre** and **ExamSession**: the hosting school's administrator writes its own centres and their
  sessions, its teachers read them; government officers read and write all.
- **Competition**: created and kept by government officers; school staff and students read them (a public
  calendar of events, needed to record awards).
- **CompetitionAward**: the school's administrator writes its own school's awards, its teachers read them,
  a student reads their own; government officers read and write all.
- The coverage page (T3) and the award counts per school are aggregates: officers, researchers and platform
  administrators see every school's line, school staff their own school's; students and enterprise staff
  are not shown them.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import Student
from xiaoqitong.schools.selectors import identity_visible_q

from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession

GROUP = "培养质量"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
AGGREGATE_READERS = {Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def _own_school(field: str):
    def scope(qs, user):
        return qs.filter(**{field: user.school_id}) if user.school_id else qs.none()

    scope.__name__ = f"own_school_{field}"
    return scope


def _own_student(field: str):
    def scope(qs, user):
        return qs.filter(**{f"{field}__user_id": user.pk})

    scope.__name__ = f"own_student_{field}"
    return scope


def awards_of_visible_students(qs, user):
    """An enterprise HR: the certificates of the students it sees by name (full consent, applicants)."""
    if not getattr(user, "enterprise_id", None):
        return qs.none()
    return qs.filter(student__in=Student.objects.filter(identity_visible_q(user)).values("pk"))


def _school_rules(field: str, *, student_field: str = "", extra_view: dict | None = None) -> dict:
    """Readers: officers (all), the school's staff, the student (``student_field``); writers: officers (all)
    and the school's administrator."""
    own = _own_school(field)
    writers = {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own}
    view = {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own, Role.TEACHER: own, **(extra_view or {})}
    if student_field:
        view[Role.STUDENT] = _own_student(student_field)
    return {
        "view": view,
        "export": writers,
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }


@register(CertificateAward)
class CertificateAwardPolicy(Policy):
    rules = _school_rules(
        "student__school_id",
        student_field="student",
        extra_view={Role.ENTERPRISE_HR: awards_of_visible_students},
    )


@register(ExamCentre)
class ExamCentrePolicy(Policy):
    rules = _school_rules("school_id")
    # A school's administrator keeps its centres at its school.
    locked = {Role.SCHOOL_ADMIN: {"school"}}


@register(ExamSession)
class ExamSessionPolicy(Policy):
    rules = _school_rules("centre__school_id")


@register(Competition)
class CompetitionPolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: ALL, Role.TEACHER: ALL, Role.STUDENT: ALL},
        **{action: {Role.GOV_OFFICER: ALL} for action in ("export", "add", "change", "delete", "import")},
    }


@register(CompetitionAward)
class CompetitionAwardPolicy(Policy):
    rules = _school_rules("school_id", student_field="student")
    locked = {Role.SCHOOL_ADMIN: {"school"}}


# --- the aggregate pages -------------------------------------------------------------------------
def sees_every_school(user) -> bool:
    """Officers, researchers and platform administrators read every school's line."""
    return bool(user and user.is_authenticated and (user.is_superuser or _role(user) in AGGREGATE_READERS))


def own_school_id(user) -> int | None:
    """The school whose line school staff read (None for everyone else)."""
    if user and user.is_authenticated and _role(user) in SCHOOL_STAFF:
        return user.school_id
    return None


def may_view_coverage(user) -> bool:
    """The coverage page (T3) and the award counts per school: aggregates for officers, researchers,
    platform administrators and school staff."""
    return sees_every_school(user) or own_school_id(user) is not None


def may_view_school(user, school_id: int) -> bool:
    """A school's drill-down (coverage per major): every school for the aggregate readers, their own for
    school staff."""
    return sees_every_school(user) or (own_school_id(user) is not None and own_school_id(user) == school_id)


def is_student(user) -> bool:
    return bool(user and user.is_authenticated and not user.is_superuser and _role(user) == Role.STUDENT)


add_menu(
    MenuItem(
        GROUP,
        _("1+X 证书覆盖面（T3）"),
        "quality:certificate_coverage",
        None,
        "patch-check",
        145,
        may_view_coverage,
    )
)
add_menu(MenuItem(GROUP, _("获证记录"), "quality:certificateaward_list", CertificateAward, "award", 146))
add_menu(MenuItem(GROUP, _("我的证书"), "quality:certificate_mine", None, "award", 146, is_student))
add_menu(MenuItem(GROUP, _("技能证书考点"), "quality:examcentre_list", ExamCentre, "building-check", 147))
add_menu(MenuItem(GROUP, _("证书考试场次"), "quality:examsession_list", ExamSession, "calendar-check", 147))
add_menu(MenuItem(GROUP, _("技能竞赛"), "quality:competition_list", Competition, "trophy", 148))
add_menu(MenuItem(GROUP, _("竞赛获奖"), "quality:competitionaward_list", CompetitionAward, "trophy", 149))
add_menu(
    MenuItem(
        GROUP,
        _("各校竞赛获奖统计"),
        "quality:competition_award_counts",
        None,
        "bar-chart",
        149,
        may_view_coverage,
    )
)
