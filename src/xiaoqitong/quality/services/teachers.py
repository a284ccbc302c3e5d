"""Every write on the teachers' records of quality (DESIGN rule 2): “双师型”教师培训基地 (T22), 特岗教师经费
(T19) and 技术服务收入 (T23). The teachers themselves are written in the schools app.

- ``teacher_training_base_create`` / ``_update`` / ``_delete``: government officers only.
- ``special_post_funding_*`` and ``tech_service_income_*``: a school's administrator for their own school (the
  school is filled in when not given, and may not be another school or be changed), government officers for
  every school. One row per school and year (the model's constraint, named in Chinese by ``full_clean``).

Each checks the actor's right first (``PermissionDenied`` in Chinese), validates with ``full_clean`` and
writes one audit record (``core.services``).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiaoqitong.core import services as core_services
from xiaoqitong.core.policy import policy_for
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School

from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _may(actor, action: str, model: type[models.Model], instance: models.Model | None = None) -> None:
    if instance is None:
        if not policy_for(model).allows(actor, action):
            raise _denied()
    elif not model.objects.restrict(actor, action).filter(pk=instance.pk).exists():
        raise _denied()


# --- training bases (T22) -------------------------------------------------------------------------
OFFICERS_ONLY = gettext_noop("“双师型”教师培训基地由政府部门登记和维护。")


@transaction.atomic
def teacher_training_base_create(*, actor, data: dict[str, Any]) -> TeacherTrainingBase:
    """Register a 国家级 or 省级“双师型”教师培训基地 (its host school or enterprise, the year recognized)."""
    if not policy_for(TeacherTrainingBase).allows(actor, "add"):
        raise _denied(_(OFFICERS_ONLY))
    return core_services.object_create(
        actor=actor, model=TeacherTrainingBase, data=data, verb="teacher_training_base_create"
    )


@transaction.atomic
def teacher_training_base_update(
    *, actor, instance: TeacherTrainingBase, data: dict[str, Any]
) -> TeacherTrainingBase:
    """Change a training base (officers)."""
    if not TeacherTrainingBase.objects.restrict(actor, "change").filter(pk=instance.pk).exists():
        raise _denied(_(OFFICERS_ONLY))
    return core_services.object_update(
        actor=actor, instance=instance, data=data, verb="teacher_training_base_update"
    )


@transaction.atomic
def teacher_training_base_delete(*, actor, instance: TeacherTrainingBase) -> None:
    """Delete a training base (officers)."""
    if not TeacherTrainingBase.objects.restrict(actor, "delete").filter(pk=instance.pk).exists():
        raise _denied(_(OFFICERS_ONLY))
    core_services.object_delete(actor=actor, instance=instance, verb="teacher_training_base_delete")


# --- a school's money: 特岗教师经费 (T19), 技术服务收入 (T23) ----------------------------------------------
def _school_data(actor, data: dict[str, Any], instance: models.Model | None) -> dict[str, Any]:
    """The data with a school administrator's school filled in on creation; refuses (PermissionDenied) a
    row of another school for anyone who writes only their own."""
    data = dict(data)
    if actor.is_superuser or getattr(actor, "role", "") != Role.SCHOOL_ADMIN:
        return data
    if instance is None and data.get("school") is None:
        data["school"] = actor.school
    school = data.get("school", instance.school if instance is not None else None)
    school_id = school.pk if isinstance(school, School) else school
    if school_id != actor.school_id:
        raise _denied(_("学校管理员只能填报本校的数据。"))
    return data


def _school_create(actor, model: type[models.Model], data: dict[str, Any], verb: str):
    _may(actor, "add", model)
    return core_services.object_create(
        actor=actor, model=model, data=_school_data(actor, data, None), verb=verb
    )


def _school_update(actor, instance: models.Model, data: dict[str, Any], verb: str):
    _may(actor, "change", type(instance), instance)
    data = _school_data(actor, data, instance)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb=verb)


def _school_delete(actor, instance: models.Model, verb: str) -> None:
    _may(actor, "delete", type(instance), instance)
    core_services.object_delete(actor=actor, instance=instance, verb=verb)


@transaction.atomic
def special_post_funding_create(*, actor, data: dict[str, Any]) -> SpecialPostFunding:
    """Record a school's 特岗教师 posts and the funding secured for them in a year (T19)."""
    return _school_create(actor, SpecialPostFunding, data, "special_post_funding_create")


@transaction.atomic
def special_post_funding_update(
    *, actor, instance: SpecialPostFunding, data: dict[str, Any]
) -> SpecialPostFunding:
    """Change a school's 特岗教师 funding row."""
    return _school_update(actor, instance, data, "special_post_funding_update")


@transaction.atomic
def special_post_funding_delete(*, actor, instance: SpecialPostFunding) -> None:
    """Delete a school's 特岗教师 funding row."""
    _school_delete(actor, instance, "special_post_funding_delete")


@transaction.atomic
def tech_service_income_create(*, actor, data: dict[str, Any]) -> TechServiceIncome:
    """Record a school's technical-service income of a year, its surplus and the part paid to teachers (T23);
    the model refuses a surplus above the income and a payment above the surplus."""
    return _school_create(actor, TechServiceIncome, data, "tech_service_income_create")


@transaction.atomic
def tech_service_income_update(
    *, actor, instance: TechServiceIncome, data: dict[str, Any]
) -> TechServiceIncome:
    """Change a school's technical-service income row."""
    return _school_update(actor, instance, data, "tech_service_income_update")


@transaction.atomic
def tech_service_income_delete(*, actor, instance: TechServiceIncome) -> None:
    """Delete a school's technical-service income row."""
    _school_delete(actor, instance, "tech_service_income_delete")
