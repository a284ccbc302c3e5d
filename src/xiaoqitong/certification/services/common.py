"""Helpers every certification service shares: who hears of a change, the state transition with its audit
record, and the rules read from ``cooperation.models.Rule``."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.choices import Role


def denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def today() -> dt.date:
    return timezone.localdate()


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def officers(department_ids) -> list:
    """The active officers of these departments."""
    ids = [d for d in department_ids if d]
    if not ids:
        return []
    return list(get_user_model().objects.filter(role=Role.GOV_OFFICER, department_id__in=ids, is_active=True))


def enterprise_hr(enterprise_id: int) -> list:
    return list(
        get_user_model().objects.filter(role=Role.ENTERPRISE_HR, enterprise_id=enterprise_id, is_active=True)
    )


def lead_officers() -> list:
    from ..selectors.setup import lead_department_id

    return officers([lead_department_id()])


def save_transition(*, actor, instance, fields: dict, verb: str) -> None:
    """Set ``fields`` on ``instance`` (already locked), validate, save them and write one audit record."""
    before = audit.snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=instance,
        changes=audit.diff(before, audit.snapshot(instance)),
    )


def rule_int(key: str) -> int:
    from xiaoqitong.cooperation import rules

    return int(rules.value(key))
