"""Changing a target: its value (or, where the target names a policy rule, that rule's value through
``cooperation.services.subsidies.rule_set``, so the number stays in one place), its upper bound, amber band,
deadline year and note. Which target it is, how it compares and where it comes from are fixed by the seed."""

from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction

from ..choices import Comparison, Unit
from ..models import Target
from ..policies.targets import may_change_targets

FIELDS = ("value", "upper", "amber_band", "deadline_year", "note")


@transaction.atomic
def target_update(*, actor, target: Target, data: dict) -> Target:
    """Change what ``data`` holds of :data:`FIELDS`. Government officers and platform administrators only;
    a share lies between 0 and 1; a monitored target has no value; a rising target has none either (it
    compares with the year before)."""
    if not may_change_targets(actor):
        raise PermissionDenied(_("只有政府部门工作人员和平台管理员可以修改目标。"))
    target = Target.objects.select_for_update().get(pk=target.pk)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    before = audit.snapshot(target)
    value = data.get("value", target.value)
    if target.comparison in (Comparison.NONE, Comparison.RISING) and "value" in data and value is not None:
        raise ValidationError({"value": _("该目标没有定量目标值（只监测或逐年提高），不能填写目标值。")})
    if target.comparison not in (Comparison.NONE, Comparison.RISING) and value is None:
        raise ValidationError({"value": _("请填写目标值。")})
    if value is not None:
        if value < 0:
            raise ValidationError({"value": _("目标值不能为负数。")})
        if target.unit == Unit.SHARE and value > 1:
            raise ValidationError({"value": _("该目标是比例，目标值应在 0 到 1 之间（如 0.4 表示 40%）。")})
    upper = data.get("upper", target.upper)
    if upper is not None and value is not None and upper < value:
        raise ValidationError({"upper": _("目标上限不能小于目标值。")})
    for name in FIELDS:
        if name in data:
            setattr(target, name, data[name])
    target.full_clean()
    if target.rule_key and "value" in data and value is not None:
        from xiaoqitong.cooperation.models import Rule
        from xiaoqitong.cooperation.services.subsidies import rule_set

        rule = Rule.objects.filter(key=target.rule_key).first()
        if rule is not None and rule.value != Decimal(value):
            rule_set(actor=actor, key=target.rule_key, value=value)
    target.save(update_fields=[*FIELDS, "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="target_update",
        instance=target,
        changes=audit.diff(before, audit.snapshot(target)),
    )
    transaction.on_commit(
        lambda: cache.delete_many([f"governance:red_targets:{y}" for y in range(2021, 2101)])
    )
    return target
