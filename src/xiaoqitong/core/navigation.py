"""The role-aware menu and home-page counters. Apps register entries in their ``policies.py``;
the shell shows an entry only to users whose role may view its model."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop

from .policy import policy_for


@dataclass
class MenuItem:
    group: str
    label: str
    url_name: str
    model: type[models.Model] | None = None
    icon: str = "circle"
    order: int = 100
    visible: Callable | None = None


@dataclass
class Counter:
    """A number on a role's home page: ``count(user)`` over what that user may see."""

    label: str
    count: Callable
    roles: set[str] = field(default_factory=set)
    url_name: str = ""
    icon: str = "bar-chart"
    order: int = 100
    query: str = ""  # appended to the link, e.g. "status=submitted": the list the number counts


# Menu groups, in display order (translated when shown).
GROUPS = [
    gettext_noop("基础目录"),
    gettext_noop("组织机构"),
    gettext_noop("人才供需"),
    gettext_noop("校企合作"),
    gettext_noop("培养质量"),
    gettext_noop("产教活动"),
    gettext_noop("产教融合型企业"),
    gettext_noop("治理与目标"),
    gettext_noop("分析"),
    gettext_noop("系统"),
]
_menu: list[MenuItem] = []
_counters: list[Counter] = []


def add_menu(item: MenuItem) -> None:
    _menu.append(item)


def add_counter(counter: Counter) -> None:
    _counters.append(counter)


def menu_for(user) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for item in sorted(_menu, key=lambda i: (i.order, i.label)):
        if item.model is not None and not policy_for(item.model).allows(user, "view"):
            continue
        if item.visible is not None and not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(item.group, []).append({"label": item.label, "url": url, "icon": item.icon})
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))


def counters_for(user) -> list[dict]:
    role = "platform_admin" if user.is_superuser else getattr(user, "role", "")
    out = []
    for c in sorted(_counters, key=lambda c: c.order):
        if c.roles and role not in c.roles:
            continue
        try:
            url = reverse(c.url_name) if c.url_name else ""
            if url and c.query:
                url = f"{url}?{c.query}"
        except NoReverseMatch:
            url = ""
        out.append({"label": c.label, "value": c.count(user), "url": url, "icon": c.icon})
    return out
