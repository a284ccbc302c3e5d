"""Every write of the incentives ledger and of the criteria (DESIGN rule 2).

- ``incentive_create`` / ``_update`` / ``_delete``: a government officer records the incentives their own
  department granted (the department is theirs, whatever the form says); the lead department's officers and
  platform administrators record any department's. Rows also come in through the import
  (``resources.IncentiveResource``: upsert on the enterprise, year, kind and measure).
- ``criterion_create`` / ``_update`` / ``_delete``: the lead department edits the checklist; a criterion that
  claims refer to is deactivated, not deleted.
- ``setup_update``: the lead department changes who is asked for opinions and the working periods.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaoqitong.core import services as core_services

from ..models import Claim, Criterion, Incentive, Setup
from ..policies.common import is_lead, is_officer
from .common import denied


def incentive_data(actor, data: dict[str, Any], instance: Incentive | None = None) -> dict[str, Any]:
    """``data`` with the department the actor records for: an officer's own department, whatever ``data``
    says; for the lead department the one named, else (on a new row) its own and (on a change) the row's."""
    data = dict(data)
    if is_lead(actor):
        if not data.get("department"):
            if instance is not None:
                data.pop("department", None)
            elif getattr(actor, "department_id", None):
                data["department"] = actor.department
        return data
    if not is_officer(actor):
        raise denied(_("激励台账由落实激励的政府部门填写。"))
    data["department"] = actor.department
    return data


def _check_own(actor, incentive: Incentive) -> None:
    if is_lead(actor):
        return
    if not (is_officer(actor) and actor.department_id == incentive.department_id):
        raise denied(_("只能修改本部门落实的激励。"))


@transaction.atomic
def incentive_create(*, actor, data: dict[str, Any]) -> Incentive:
    return core_services.object_create(
        actor=actor, model=Incentive, data=incentive_data(actor, data), verb="incentive_create"
    )


@transaction.atomic
def incentive_update(*, actor, instance: Incentive, data: dict[str, Any]) -> Incentive:
    _check_own(actor, instance)
    return core_services.object_update(
        actor=actor, instance=instance, data=incentive_data(actor, data, instance), verb="incentive_update"
    )


@transaction.atomic
def incentive_delete(*, actor, instance: Incentive) -> None:
    _check_own(actor, instance)
    core_services.object_delete(actor=actor, instance=instance, verb="incentive_delete")


def _check_lead(actor) -> None:
    if not is_lead(actor):
        raise denied(_("认定条件由牵头部门维护。"))


@transaction.atomic
def criterion_create(*, actor, data: dict[str, Any]) -> Criterion:
    _check_lead(actor)
    return core_services.object_create(actor=actor, model=Criterion, data=data, verb="criterion_create")


@transaction.atomic
def criterion_update(*, actor, instance: Criterion, data: dict[str, Any]) -> Criterion:
    _check_lead(actor)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="criterion_update")


@transaction.atomic
def criterion_delete(*, actor, instance: Criterion) -> None:
    _check_lead(actor)
    if Claim.objects.filter(criterion=instance).exists():
        raise ValidationError(_("已有申请或考核引用“%(name)s”，请停用而不是删除。") % {"name": instance.name})
    core_services.object_delete(actor=actor, instance=instance, verb="criterion_delete")


@transaction.atomic
def setup_update(*, actor, instance: Setup, data: dict[str, Any]) -> Setup:
    _check_lead(actor)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="setup_update")
