"""The quality targets overview is for everyone signed in except enterprise staff: officers, researchers and
platform administrators see every school's line, school staff and students their own school's
(``targets.visible_school_ids``); everyone sees the city's."""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.orgs.choices import Role

GROUP = "培养质量"
ENTERPRISE_ROLES = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}


def may_view_targets(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", "") not in ENTERPRISE_ROLES)


add_menu(MenuItem(GROUP, _("质量指标总览"), "quality:targets", None, "speedometer2", 140, may_view_targets))
