"""Who may do what with the teachers' records of quality (T18-T23, DESIGN rule 3).

- **TeacherTrainingBase** (“双师型”教师培训基地, T22): recognized by the province or the state and public:
  everyone signed in reads them; government officers write them.
- **SpecialPostFunding** (特岗教师经费, T19) and **TechServiceIncome** (技术服务收入, T23): a school's money.
  The school's administrator writes its own school's rows (the school is fixed to theirs: ``locked``);
  government officers write every row. School staff read their own school's rows, officers every row.
  Researchers read none of the rows: they get the aggregates of the “师资队伍” page and its API.
- The teachers themselves (``schools.Teacher``, ``schools.TeacherPractice``) keep their own policies in the
  schools app.
- “师资队伍” (``/quality/teachers/overview/``): aggregates only (counts and ratios per school and for the
  city), for government officers, researchers, platform administrators and school staff (who see every
  school's line for comparison, their own school's first). Enterprise staff and students do not see it.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, ANY_ROLE, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome

GROUP = "培养质量"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
OVERVIEW_ROLES = {Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN, *SCHOOL_STAFF}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def own_school_rows(qs, user):
    return qs.filter(school_id=user.school_id) if getattr(user, "school_id", None) else qs.none()


@register(TeacherTrainingBase)
class TeacherTrainingBasePolicy(Policy):
    writers = {Role.GOV_OFFICER: ALL}
    rules = {
        "view": {ANY_ROLE: ALL},
        "export": {ANY_ROLE: ALL},
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }


class SchoolMoneyPolicy(Policy):
    """A school's yearly money rows: its administrator writes them, officers write all."""

    writers = {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own_school_rows}
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own_school_rows, Role.TEACHER: own_school_rows},
        "export": writers,
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }
    locked = {Role.SCHOOL_ADMIN: {"school"}}


@register(SpecialPostFunding)
class SpecialPostFundingPolicy(SchoolMoneyPolicy):
    pass


@register(TechServiceIncome)
class TechServiceIncomePolicy(SchoolMoneyPolicy):
    pass


def may_view_overview(user) -> bool:
    """The “师资队伍” page and its API (aggregates only)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or _role(user) in OVERVIEW_ROLES


def own_school_id(user) -> int | None:
    """The school whose line comes first for school staff (``None`` for everyone else)."""
    if _role(user) in SCHOOL_STAFF:
        return getattr(user, "school_id", None)
    return None


add_menu(
    MenuItem(
        GROUP, _("师资队伍（T18-T23）"), "quality:teachers_overview", None, "people", 170, may_view_overview
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("“双师型”教师培训基地"),
        "quality:teachertrainingbase_list",
        TeacherTrainingBase,
        "award",
        171,
    )
)
add_menu(
    MenuItem(GROUP, _("特岗教师经费"), "quality:specialpostfunding_list", SpecialPostFunding, "cash", 172)
)
add_menu(
    MenuItem(GROUP, _("技术服务收入"), "quality:techserviceincome_list", TechServiceIncome, "wallet2", 173)
)
