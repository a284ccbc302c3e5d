"""Targets: everyone signed in except enterprise staff reads them (officers, researchers and platform
administrators every county's and school's line; school staff and students the city's, their county's and
their own school's); government officers and platform administrators change a target's value, band, deadline
and note (``services.targets.target_update``), as they change the policy's numbers (``cooperation.Rule``)."""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import Target

GROUP = "治理与目标"
ENTERPRISE_ROLES = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
SEES_ALL = {Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN}
SCHOOL_ROLES = {Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT}


def active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_view_targets(user) -> bool:
    return active(user) and getattr(user, "role", "") not in ENTERPRISE_ROLES


def sees_all(user) -> bool:
    return active(user) and (user.is_superuser or getattr(user, "role", "") in SEES_ALL)


def may_change_targets(user) -> bool:
    return active(user) and (user.is_superuser or getattr(user, "role", "") == Role.GOV_OFFICER)


def visible_school_ids(user) -> list[int] | None:
    """``None``: every school; else the schools whose lines the user sees (their own, or none)."""
    if sees_all(user):
        return None
    if getattr(user, "role", "") in SCHOOL_ROLES and user.school_id:
        return [user.school_id]
    return []


def visible_county_ids(user) -> list[int] | None:
    if sees_all(user):
        return None
    if getattr(user, "role", "") in SCHOOL_ROLES and user.school_id:
        return [user.school.county_id]
    return []


@register(Target)
class TargetPolicy(Policy):
    rules = {
        "view": {role: ALL for role in Role.values if role not in ENTERPRISE_ROLES},
        "export": {role: ALL for role in Role.values if role not in ENTERPRISE_ROLES},
        "change": {Role.GOV_OFFICER: ALL},
    }
    locked = {Role.GOV_OFFICER: {"code", "comparison", "unit", "rule_key", "source"}}


def red_targets(user) -> int:
    """The targets whose city figure is red this year (kept for five minutes: the home page shows it)."""
    from django.core.cache import cache
    from django.utils import timezone

    from ..selectors.targets import city_summary

    if not sees_all(user):
        return 0
    year = timezone.localdate().year
    key = f"governance:red_targets:{year}"
    count = cache.get(key)
    if count is None:
        count = sum(1 for r in city_summary(year) if r.state == "red")
        cache.set(key, count, 300)
    return count


add_menu(MenuItem(GROUP, _("目标指标总览"), "governance:targets", None, "bullseye", 10, may_view_targets))
add_counter(
    Counter(
        _("今年未达标的目标"),
        red_targets,
        roles={Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN},
        url_name="governance:targets",
        icon="exclamation-octagon",
        order=5,
        query="state=red",
    )
)
