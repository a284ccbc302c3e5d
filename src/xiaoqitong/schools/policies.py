"""Who may do what with school majors, students and teachers (DESIGN rules 3-4).

- SchoolMajor is public supply information: everyone reads it; a school keeps its own rows, the government
  all of them; researchers read and export.
- Student rows are seen by their school (its administrator writes, its teachers read), by the student
  themself (who keeps consent, preferences, skills and phone), and by enterprises only as far as the student
  consents (``selectors.visible_to_enterprise``; which fields, ``selectors.student_fields_for``). Government
  and researchers get no student rows: they read counts through SchoolMajor.
- Teachers and their enterprise practice are seen by their school and by the government (teacher statistics
  are governance data: T18-T22); researchers get none.
"""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from .choices import Employment, StudentStatus
from .models import DataRequest, SchoolMajor, Student, StudentSkill, Teacher, TeacherPractice
from .selectors import visible_to_enterprise

EVERYONE = {role: ALL for role in Role.values}


def rows_of_own_school(qs, user):
    return qs.filter(school_id=user.school_id) if user.school_id else qs.none()


def own_record(qs, user):
    return qs.filter(user_id=user.pk)


def practices_of_own_school(qs, user):
    return qs.filter(teacher__school_id=user.school_id) if user.school_id else qs.none()


@register(SchoolMajor)
class SchoolMajorPolicy(Policy):
    rules = {
        "view": EVERYONE,
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL, Role.SCHOOL_ADMIN: ALL},
        "add": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "change": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "delete": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "import": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
    }


@register(Student)
class StudentPolicy(Policy):
    rules = {
        "view": {
            Role.SCHOOL_ADMIN: rows_of_own_school,
            Role.TEACHER: rows_of_own_school,
            Role.STUDENT: own_record,
            Role.ENTERPRISE_HR: visible_to_enterprise,
            Role.ENTERPRISE_MENTOR: visible_to_enterprise,
        },
        "export": {Role.SCHOOL_ADMIN: rows_of_own_school},
        "add": {Role.SCHOOL_ADMIN: rows_of_own_school},
        "change": {Role.SCHOOL_ADMIN: rows_of_own_school, Role.STUDENT: own_record},
        "delete": {Role.SCHOOL_ADMIN: rows_of_own_school},
        "import": {Role.SCHOOL_ADMIN: rows_of_own_school},
    }
    # A student keeps their own consent, preferences, skills and phone; what the school records about them
    # (identity, enrolment, status) is the school's to change.
    locked = {
        Role.STUDENT: {
            "school",
            "school_major",
            "student_no",
            "name",
            "gender",
            "birth_year",
            "hometown",
            "grade",
            "entry_date",
            "expected_graduation",
            "status",
            "user",
            "id_card_hash",
        }
    }


@register(StudentSkill)
class StudentSkillPolicy(Policy):
    """Read and written only as part of the student (services, serializers)."""

    rules = {}


@register(Teacher)
class TeacherPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: rows_of_own_school,
            Role.TEACHER: rows_of_own_school,
        },
        "export": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "add": {Role.SCHOOL_ADMIN: rows_of_own_school},
        "change": {Role.SCHOOL_ADMIN: rows_of_own_school},
        "delete": {Role.SCHOOL_ADMIN: rows_of_own_school},
        "import": {Role.SCHOOL_ADMIN: rows_of_own_school},
    }


@register(TeacherPractice)
class TeacherPracticePolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: practices_of_own_school,
            Role.TEACHER: practices_of_own_school,
        },
        "export": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: practices_of_own_school},
        "add": {Role.SCHOOL_ADMIN: practices_of_own_school},
        "change": {Role.SCHOOL_ADMIN: practices_of_own_school},
        "delete": {Role.SCHOOL_ADMIN: practices_of_own_school},
        "import": {Role.SCHOOL_ADMIN: practices_of_own_school},
    }


def requests_of_own_school(qs, user):
    return qs.filter(student__school_id=user.school_id) if user.school_id else qs.none()


def own_requests(qs, user):
    return qs.filter(student__user_id=user.pk)


@register(DataRequest)
class DataRequestPolicy(Policy):
    """A student's requests about their personal information: the student makes them, the administrator of
    the student's school handles them (``privacy`` services)."""

    rules = {
        "view": {Role.SCHOOL_ADMIN: requests_of_own_school, Role.STUDENT: own_requests},
        "export": {Role.SCHOOL_ADMIN: requests_of_own_school},
        "add": {Role.STUDENT: own_requests},
        "change": {Role.SCHOOL_ADMIN: requests_of_own_school},
    }


# --- menu ------------------------------------------------------------------------------------------------
GROUP = "人才供需"
add_menu(
    MenuItem(GROUP, _("开设专业"), "schools:schoolmajor_list", SchoolMajor, icon="mortarboard", order=10)
)
add_menu(MenuItem(GROUP, _("学生"), "schools:student_list", Student, icon="person-vcard", order=20))
add_menu(
    MenuItem(
        GROUP,
        _("我的档案"),
        "schools:student_me",
        None,
        icon="person-badge",
        order=21,
        visible=lambda user: getattr(user, "role", None) == Role.STUDENT and not user.is_superuser,
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("我的数据"),
        "schools:my_data",
        None,
        icon="shield-lock",
        order=22,
        visible=lambda user: getattr(user, "role", None) == Role.STUDENT and not user.is_superuser,
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("个人信息查看记录"),
        "schools:profile_views",
        None,
        icon="eye",
        order=23,
        visible=lambda user: user.is_superuser or getattr(user, "role", None) == Role.SCHOOL_ADMIN,
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("个人信息删除申请"),
        "schools:datarequest_list",
        DataRequest,
        icon="person-x",
        order=24,
        visible=lambda user: user.is_superuser or getattr(user, "role", None) == Role.SCHOOL_ADMIN,
    )
)
add_menu(MenuItem(GROUP, _("教师"), "schools:teacher_list", Teacher, icon="person-workspace", order=30))
add_menu(
    MenuItem(
        GROUP, _("教师企业实践"), "schools:teacherpractice_list", TeacherPractice, icon="tools", order=40
    )
)


# --- home-page counters ----------------------------------------------------------------------------------
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
GOV_LIKE = {Role.PLATFORM_ADMIN, Role.GOV_OFFICER, Role.RESEARCHER}
IN_SCHOOL = [StudentStatus.STUDYING, StudentStatus.INTERNING]


def own_school_students(user) -> int:
    return Student.objects.restrict(user).filter(school_id=user.school_id, status__in=IN_SCHOOL).count()


def own_school_teachers(user) -> int:
    return Teacher.objects.restrict(user).filter(school_id=user.school_id).count()


def dual_qualified_ratio(user) -> str:
    """T20: “双师型” teachers among the full-time (专任) teachers of the user's school."""
    counts = (
        Teacher.objects.restrict(user)
        .filter(school_id=user.school_id, employment=Employment.FULL_TIME)
        .aggregate(total=Count("pk"), dual=Count("pk", filter=Q(is_dual_qualified=True)))
    )
    if not counts["total"]:
        return "—"
    return f"{100 * counts['dual'] / counts['total']:.1f}%"


def my_skills(user) -> int:
    return StudentSkill.objects.filter(student__user_id=user.pk).count()


def _latest_year(user) -> int | None:
    return SchoolMajor.objects.restrict(user).order_by("-year").values_list("year", flat=True).first()


def city_majors(user) -> int:
    """专业布点: the rows (school × major) of the latest year with data."""
    year = _latest_year(user)
    return SchoolMajor.objects.restrict(user).filter(year=year).count() if year else 0


def city_students(user) -> int:
    year = _latest_year(user)
    if not year:
        return 0
    total = SchoolMajor.objects.restrict(user).filter(year=year).aggregate(n=Sum("students_enrolled"))["n"]
    return total or 0


add_counter(
    Counter(_("本校在校生"), own_school_students, SCHOOL_STAFF, "schools:student_list", "person-vcard", 41)
)
add_counter(
    Counter(_("本校教师"), own_school_teachers, SCHOOL_STAFF, "schools:teacher_list", "person-workspace", 42)
)
add_counter(
    Counter(
        _("“双师型”教师比例"),
        dual_qualified_ratio,
        {Role.SCHOOL_ADMIN},
        "schools:teacher_list",
        "award",
        43,
    )
)
add_counter(
    Counter(_("我的档案：已登记技能"), my_skills, {Role.STUDENT}, "schools:student_me", "person-badge", 44)
)
add_counter(
    Counter(
        _("全市开设专业数（最新年度）"), city_majors, GOV_LIKE, "schools:schoolmajor_list", "mortarboard", 45
    )
)
add_counter(
    Counter(_("全市在校生数（最新年度）"), city_students, GOV_LIKE, "schools:schoolmajor_list", "people", 46)
)
