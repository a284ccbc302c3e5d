"""Permission scoping that knows no domain.

Every app declares, in its ``policies.py``, a :class:`Policy` per model: for each action, which roles may
take it and over which rows. A rule is ``ALL`` (every row), or a function ``(queryset, user) -> queryset``
that narrows the rows (for example "my own school"). A role missing from an action's rules may not take it.
Platform administrators (superusers) may take every action on every row.

The only thing this module assumes of a user is a ``role`` attribute (a string).
"""

from collections.abc import Callable
from typing import Any

from django.db import models

ACTIONS = ("view", "add", "change", "delete", "export", "import")
ALL = "__all__"
ANY_ROLE = "*"  # a rule key that stands for every role not named
Scope = str | Callable[[models.QuerySet, Any], models.QuerySet]

_registry: dict[type[models.Model], "Policy"] = {}


class Policy:
    """Rules for one model: ``rules = {"view": {"student": own_school, "gov_officer": ALL}, ...}``."""

    model: type[models.Model]
    rules: dict[str, dict[str, Scope]] = {}
    # Fields a role may not change even on rows it may change: {role: {field names}}.
    locked: dict[str, set[str]] = {}

    def role_of(self, user) -> str | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return getattr(user, "role", None) or None

    def rule(self, user, action: str) -> Scope | None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
            return ALL
        role = self.role_of(user)
        if role is None:
            return None
        by_role = self.rules.get(action, {})
        return by_role.get(role, by_role.get(ANY_ROLE))

    def allows(self, user, action: str) -> bool:
        """Whether the user may take the action on at least some rows (used for buttons and list access)."""
        return self.rule(user, action) is not None

    def locked_fields(self, user) -> set[str]:
        if user is None or getattr(user, "is_superuser", False):
            return set()
        return set(self.locked.get(self.role_of(user) or "", set()))

    def scope(self, queryset: models.QuerySet, user, action: str) -> models.QuerySet:
        rule = self.rule(user, action)
        if rule is None:
            return queryset.none()
        if rule == ALL:
            return queryset
        return rule(queryset, user)


def register(model: type[models.Model]):
    """Class decorator: ``@register(School) class SchoolPolicy(Policy): ...``."""

    def wrap(cls: type[Policy]) -> type[Policy]:
        instance = cls()
        instance.model = model
        _registry[model] = instance
        return cls

    return wrap


def policy_for(model: type[models.Model]) -> Policy:
    model = model._meta.concrete_model or model
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"no policy registered for {model._meta.label}") from None


def registered_models() -> list[type[models.Model]]:
    return list(_registry)


def can(user, action: str, model_or_obj) -> bool:
    """May the user take ``action`` on this model (any row) or on this one object?"""
    if isinstance(model_or_obj, models.Model):
        obj = model_or_obj
        return type(obj)._default_manager.all().restrict(user, action).filter(pk=obj.pk).exists()
    return policy_for(model_or_obj).allows(user, action)


def ensure_in_scope(user, action: str, obj: models.Model) -> None:
    """Refuse (PermissionDenied) a write whose result lies outside the user's scope for ``action``, e.g. a
    school administrator pointing a row at another school. Call it inside the write's transaction."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    policy = policy_for(type(obj))
    if policy.rule(user, action) == ALL:
        return
    if not type(obj)._default_manager.all().restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("您无权把记录保存到自己的权限范围之外。"))


class RestrictedQuerySet(models.QuerySet):
    """QuerySet with ``restrict(user, action)``: the rows this user may take this action on."""

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        return policy_for(self.model).scope(self, user, action)
