"""Every write on skill sampling test results (三（七）; DESIGN rule 2): ``skill_test_result_create`` /
``_update`` / ``_delete``, by government officers (the organizing department publishes the results). The
spreadsheet import (``resources.skilltests``) applies the same rule to each row (:func:`subject_errors`).

A 专业技能抽测 is reported per major, a 专业大类基础理论知识普测 per major category: a row names the one its
kind calls for and not the other (the model requires the one; the service refuses the other, so that a row
is never counted under two subjects)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiaoqitong.core import services as core_services
from xiaoqitong.core.policy import policy_for

from ..choices import SkillTestKind
from ..models import SkillTestResult

OFFICERS_ONLY = gettext_noop("技能抽测结果由组织测试的政府部门发布和维护。")


def _denied() -> PermissionDenied:
    return PermissionDenied(_(OFFICERS_ONLY))


def subject_errors(kind: str, major, category) -> dict[str, str]:
    """The field a row of ``kind`` must leave empty, when it does not (as ``{field: message}``)."""
    if kind == SkillTestKind.SKILL_SAMPLING and category:
        return {"category": _("专业技能抽测按专业填报，不填专业大类。")}
    if kind == SkillTestKind.THEORY_SURVEY and major:
        return {"major": _("专业大类基础理论知识普测按专业大类填报，不填专业。")}
    return {}


def _check_subject(data: dict[str, Any], instance: SkillTestResult | None) -> None:
    """The subject its kind calls for, and one result per kind, year, school and subject: the model's
    constraints are conditional, and Django names a conditional constraint's breach by its name only."""

    def value(name):
        return data[name] if name in data else getattr(instance, name, None) if instance else None

    kind, major, category = value("kind"), value("major"), value("category")
    errors = subject_errors(kind, major, category)
    if errors:
        raise ValidationError(errors)
    subject = major if kind == SkillTestKind.SKILL_SAMPLING else category
    school, year = value("school"), value("year")
    if not (subject and school and year):
        return  # the model's own checks name what is missing
    field = "major" if kind == SkillTestKind.SKILL_SAMPLING else "category"
    clash = SkillTestResult.objects.filter(kind=kind, year=year, school=school, **{field: subject})
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError(
            {
                field: _("%(school)s %(year)s 年的%(kind)s“%(subject)s”已有结果，请修改原记录。")
                % {"school": school, "year": year, "kind": SkillTestKind(kind).label, "subject": subject}
            }
        )


@transaction.atomic
def skill_test_result_create(*, actor, data: dict[str, Any]) -> SkillTestResult:
    """Record one school's result in a test of a year (one row per kind, year, school and major or major
    category: the model's constraints, named in Chinese by ``full_clean``)."""
    if not policy_for(SkillTestResult).allows(actor, "add"):
        raise _denied()
    _check_subject(data, None)
    return core_services.object_create(
        actor=actor, model=SkillTestResult, data=data, verb="skill_test_result_create"
    )


@transaction.atomic
def skill_test_result_update(*, actor, instance: SkillTestResult, data: dict[str, Any]) -> SkillTestResult:
    """Correct a published result (officers)."""
    if not SkillTestResult.objects.restrict(actor, "change").filter(pk=instance.pk).exists():
        raise _denied()
    _check_subject(data, instance)
    return core_services.object_update(
        actor=actor, instance=instance, data=data, verb="skill_test_result_update"
    )


@transaction.atomic
def skill_test_result_delete(*, actor, instance: SkillTestResult) -> None:
    """Withdraw a result (officers)."""
    if not SkillTestResult.objects.restrict(actor, "delete").filter(pk=instance.pk).exists():
        raise _denied()
    core_services.object_delete(actor=actor, instance=instance, verb="skill_test_result_delete")
