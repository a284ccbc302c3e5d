"""Who may do what with organizations and users (DESIGN rule 3)."""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register

from .choices import Role
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User

EVERYONE = {role: ALL for role in Role.values}


def own_school(qs, user):
    return qs.filter(pk=user.school_id) if user.school_id else qs.none()


def own_enterprise(qs, user):
    return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()


def own_institution(qs, user):
    return qs.filter(pk=user.institution_id) if user.institution_id else qs.none()


def rows_of_own_school(qs, user):
    return qs.filter(school_id=user.school_id) if user.school_id else qs.none()


@register(School)
class SchoolPolicy(Policy):
    rules = {
        "view": EVERYONE,
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.RESEARCHER: ALL,
            Role.SCHOOL_ADMIN: ALL,
            Role.ENTERPRISE_HR: ALL,
        },
        "add": {Role.GOV_OFFICER: ALL},
        "import": {Role.GOV_OFFICER: ALL},
        "change": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own_school},
        "delete": {Role.GOV_OFFICER: ALL},
    }
    # A school keeps its own details; its code, type and ownership are the education bureau's to change.
    locked = {Role.SCHOOL_ADMIN: {"code", "school_type", "ownership"}}


@register(SchoolEnrolment)
class SchoolEnrolmentPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.RESEARCHER: ALL,
            Role.SCHOOL_ADMIN: rows_of_own_school,
            Role.TEACHER: rows_of_own_school,
        },
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "add": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "import": {Role.GOV_OFFICER: ALL},
        "change": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
        "delete": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: rows_of_own_school},
    }


@register(Enterprise)
class EnterprisePolicy(Policy):
    rules = {
        "view": EVERYONE,
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL, Role.SCHOOL_ADMIN: ALL},
        "add": {Role.GOV_OFFICER: ALL},
        "import": {Role.GOV_OFFICER: ALL},
        "change": {Role.GOV_OFFICER: ALL, Role.ENTERPRISE_HR: own_enterprise},
        "delete": {Role.GOV_OFFICER: ALL},
    }
    # The credit code identifies the enterprise (import upserts on it); only the government corrects it.
    locked = {Role.ENTERPRISE_HR: {"credit_code"}}


@register(ResearchInstitution)
class ResearchInstitutionPolicy(Policy):
    rules = {
        "view": EVERYONE,
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL},
        "add": {Role.GOV_OFFICER: ALL},
        "import": {Role.GOV_OFFICER: ALL},
        "change": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: own_institution},
        "delete": {Role.GOV_OFFICER: ALL},
    }


@register(Department)
class DepartmentPolicy(Policy):
    rules = {"view": EVERYONE, "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL}}


@register(User)
class UserPolicy(Policy):
    """Accounts are managed by platform administrators only (superusers pass every policy)."""

    rules = {}


add_menu(MenuItem("组织机构", _("学校"), "orgs:school_list", School, icon="building", order=10))
add_menu(MenuItem("组织机构", _("企业"), "orgs:enterprise_list", Enterprise, icon="briefcase", order=20))
add_menu(
    MenuItem(
        "组织机构",
        _("科研机构"),
        "orgs:researchinstitution_list",
        ResearchInstitution,
        icon="journal-text",
        order=30,
    )
)
add_menu(MenuItem("组织机构", _("政府部门"), "orgs:department_list", Department, icon="bank", order=40))
add_menu(
    MenuItem(
        "组织机构", _("在校生规模"), "orgs:schoolenrolment_list", SchoolEnrolment, icon="people", order=50
    )
)
add_menu(MenuItem("系统", _("用户"), "orgs:user_list", User, icon="person-gear", order=10))
add_menu(
    MenuItem(
        "系统",
        _("审计日志"),
        "core:audit_list",
        None,
        icon="clock-history",
        order=20,
        visible=lambda user: user.is_superuser,
    )
)
add_menu(
    MenuItem(
        "系统",
        _("后台任务"),
        "core:job_list",
        None,
        icon="cpu",
        order=25,
        visible=lambda user: user.is_superuser,
    )
)
add_menu(MenuItem("系统", _("API 文档"), "api_docs", None, icon="code-slash", order=30))

GOV_LIKE = {Role.PLATFORM_ADMIN, Role.GOV_OFFICER, Role.RESEARCHER}
# The roles that may view their own school's enrolment rows (students may not: SchoolEnrolmentPolicy).
ENROLMENT_VIEWERS = {Role.SCHOOL_ADMIN, Role.TEACHER}


def _own_school_students(user) -> int:
    latest = (
        SchoolEnrolment.objects.restrict(user, "view")
        .filter(school_id=user.school_id)
        .order_by("-year")
        .first()
    )
    return latest.full_time_students if latest else 0


add_counter(
    Counter(
        _("学校"), lambda u: School.objects.restrict(u).count(), set(), "orgs:school_list", "building", 10
    )
)
add_counter(
    Counter(
        _("企业"),
        lambda u: Enterprise.objects.restrict(u).count(),
        set(),
        "orgs:enterprise_list",
        "briefcase",
        20,
    )
)
add_counter(
    Counter(
        _("本市大中型企业"),
        lambda u: (
            Enterprise.objects.restrict(u)
            .filter(size__in=["large", "medium"], registered_in_city=True)
            .count()
        ),
        GOV_LIKE,
        "orgs:enterprise_list",
        "buildings",
        30,
    )
)
add_counter(
    Counter(
        _("本校全日制在校生（学校填报，最新年度）"),
        _own_school_students,
        ENROLMENT_VIEWERS,
        "orgs:schoolenrolment_list",
        "people",
        40,
    )
)
add_counter(
    Counter(
        _("用户"),
        lambda u: User.objects.restrict(u).count(),
        {Role.PLATFORM_ADMIN},
        "orgs:user_list",
        "people",
        90,
    )
)
