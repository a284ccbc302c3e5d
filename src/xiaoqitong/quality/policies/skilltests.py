"""Who may do what with skill sampling tests (专业技能抽测, 专业大类基础理论知识普测; 三（七）).

- **SkillTestResult**: published by the organizing department, so written (and imported) by government
  officers only. A school's administrators and teachers read their own school's results; officers read all.
  Researchers read none of the rows: they get the aggregates (pass rates per school and for the city) of
  the “技能抽测” page and its API.
- The “技能抽测” page (``/quality/skilltests/?year=``): officers, researchers and platform administrators see
  every school's line; school staff see their own school's line and the city's averages. A school's own page
  (``/quality/skilltests/schools/<id>/``, with the “质量概况” panel) is for those who see that school's line;
  its per-major rows only for those who may read the rows.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import SkillTestResult
from .teachers import own_school_rows

GROUP = "培养质量"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ALL_SCHOOLS_ROLES = {Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


@register(SkillTestResult)
class SkillTestResultPolicy(Policy):
    writers = {Role.GOV_OFFICER: ALL}
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own_school_rows, Role.TEACHER: own_school_rows},
        "export": {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own_school_rows},
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }


def may_view_summary(user) -> bool:
    """The “技能抽测” page and its API: officers, researchers, platform administrators and school staff."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or _role(user) in ALL_SCHOOLS_ROLES | SCHOOL_STAFF


def summary_school_ids(user) -> list[int] | None:
    """The schools whose lines the user sees: every school (``None``) or their own."""
    if user.is_superuser or _role(user) in ALL_SCHOOLS_ROLES:
        return None
    if _role(user) in SCHOOL_STAFF and user.school_id:
        return [user.school_id]
    return []


def may_view_school(user, school_id: int) -> bool:
    ids = summary_school_ids(user) if may_view_summary(user) else []
    return ids is None or school_id in ids


add_menu(
    MenuItem(
        GROUP,
        _("技能抽测（三（七））"),
        "quality:skilltests_summary",
        None,
        "clipboard-data",
        160,
        may_view_summary,
    )
)
add_menu(
    MenuItem(GROUP, _("技能抽测结果"), "quality:skilltestresult_list", SkillTestResult, "list-check", 161)
)
