"""Who may do what with the catalogs: everyone signed in reads and exports them; only platform
administrators (superusers) add, change, delete or import. Menu entries under “基础目录”; no home counters."""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register

from .models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
)

READ_ACTIONS = ("view", "export")


class CatalogPolicy(Policy):
    """Reference data is common knowledge of the platform: any active signed-in user, whatever the role, may
    view and export every row. Writes are left to superusers (the base class grants them everything).

    Written as a rule rather than a role table so that this app needs no knowledge of the roles defined by
    the apps above it (orgs)."""

    rules = {}

    def rule(self, user, action: str):
        found = super().rule(user, action)
        if (
            found is None
            and action in READ_ACTIONS
            and user is not None
            and user.is_authenticated
            and user.is_active
        ):
            return ALL
        return found


for _model in (
    Region,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Major,
    Industry,
    IndustryChain,
    Skill,
    Certificate,
):
    register(_model)(type(f"{_model.__name__}Policy", (CatalogPolicy,), {"__module__": __name__}))


GROUP = "基础目录"
for order, (label, url_name, model, icon) in enumerate(
    [
        (_("行政区划"), "reference:region_list", Region, "geo-alt"),
        (_("专业"), "reference:major_list", Major, "mortarboard"),
        (_("专业类"), "reference:majorclass_list", MajorClass, "collection"),
        (_("专业大类"), "reference:majorcategory_list", MajorCategory, "grid"),
        (_("专业族（跨层次）"), "reference:majorfamily_list", MajorFamily, "diagram-3"),
        (_("国民经济行业"), "reference:industry_list", Industry, "buildings"),
        (_("产业链"), "reference:industrychain_list", IndustryChain, "link-45deg"),
        (_("技能"), "reference:skill_list", Skill, "tools"),
        (_("证书"), "reference:certificate_list", Certificate, "award"),
    ],
    start=1,
):
    add_menu(MenuItem(GROUP, label, url_name, model, icon=icon, order=order * 10))
