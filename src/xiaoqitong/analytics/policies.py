"""Who sees what of analytics (DESIGN rule 3).

- **Figures** are not rows: the city's dashboards are for government officers and platform administrators
  (``selectors.sees_city``); a school sees its own school's page, researchers the de-identified aggregates
  (``selectors``). Enterprises and students get none of it.
- **Threshold**: government officers read them and set them through ``services.threshold_set``; nobody
  writes them through generic views.
- **Snapshot**: the kept figures, read only through ``selectors`` (which check who asks); as rows, platform
  administrators only.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from .models import Publication, Snapshot, Threshold
from .selectors import sees_city


@register(Threshold)
class ThresholdPolicy(Policy):
    rules = {"view": {Role.GOV_OFFICER: ALL}}


@register(Snapshot)
class SnapshotPolicy(Policy):
    rules: dict = {}  # platform administrators only (superusers pass every policy)


GROUP = "分析"
add_menu(
    MenuItem(GROUP, _("供需总览"), "analytics:overview", icon="bar-chart-line", order=10, visible=sees_city)
)
add_menu(MenuItem(GROUP, _("产业链"), "analytics:chains", icon="diagram-3", order=20, visible=sees_city))
add_menu(MenuItem(GROUP, _("县市区对比"), "analytics:counties", icon="geo-alt", order=30, visible=sees_city))
add_menu(MenuItem(GROUP, _("分析阈值"), "analytics:thresholds", icon="sliders", order=80, visible=sees_city))


# --- school and researchers (views_school.py) ---
def sees_school_plan(user) -> bool:
    """一校一产业链: a school's administrator and teachers (their own school), the government."""
    from .selectors import SCHOOL_ROLES

    if sees_city(user):
        return True
    return getattr(user, "role", None) in SCHOOL_ROLES and bool(getattr(user, "school_id", None))


def sees_research_data(user) -> bool:
    """研究数据 (de-identified aggregates): researchers and the government."""
    from .selectors import sees_aggregates

    return sees_aggregates(user)


add_menu(
    MenuItem(
        GROUP,
        _("一校一产业链"),
        "analytics:school_home",
        icon="mortarboard",
        order=40,
        visible=sees_school_plan,
    )
)
add_menu(
    MenuItem(GROUP, _("研究数据"), "analytics:aggregates", icon="table", order=50, visible=sees_research_data)
)


# --- public data (views_public.py) ---
@register(Publication)
class PublicationPolicy(Policy):
    """Officers read the list of published tables; they publish and withdraw through
    ``services.publication_create`` / ``publication_delete``, and the public reads the tables through the
    public pages and API (``views_public``, ``api.PublicDataViewSet``), never through generic views."""

    rules = {"view": {Role.GOV_OFFICER: ALL}}
