"""Every write of the reward fund (六（十七）, annex task 15; DESIGN rule 2).

- ``fundingrule_create`` / ``_update`` / ``_delete``: the lead department of annex task 15 (市财政局) keeps
  the per-student coefficients per major category (rows also come in through
  ``resources.FundingRuleResource``, upsert on the category code).
- ``allocation_create`` / ``_update`` / ``_delete``: the lead department sets up a draft allocation of a fund
  on a published assessment.
- ``allocation_compute``: splits the fund among the schools (``selectors.funding`` says how), whole yuan,
  adding up exactly to the fund, with each line's workings; recomputed while a draft.
- ``allocation_finalize``: the allocation becomes final (no further change); the schools are told.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify

from ..choices import AllocationStatus, AssessmentStatus
from ..models import Allocation, AllocationLine, FundingRule
from ..policies.funding import is_funding_lead
from ..selectors.funding import apportion, coefficients, pools, weighted_students


def _check_lead(actor) -> None:
    if not is_funding_lead(actor):
        raise PermissionDenied(_("奖补资金分配和拨款系数由牵头部门（责任清单任务 15 的牵头部门）管理。"))


# --- funding rules -----------------------------------------------------------------------------------------
@transaction.atomic
def fundingrule_create(*, actor, data: dict[str, Any]) -> FundingRule:
    """Add the coefficient of a major category."""
    _check_lead(actor)
    return core_services.object_create(actor=actor, model=FundingRule, data=data, verb="fundingrule_create")


@transaction.atomic
def fundingrule_update(*, actor, instance: FundingRule, data: dict[str, Any]) -> FundingRule:
    """Change a coefficient; allocations already computed keep the coefficients they used."""
    _check_lead(actor)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="fundingrule_update")


@transaction.atomic
def fundingrule_delete(*, actor, instance: FundingRule) -> None:
    """Delete a coefficient (the category then counts 1)."""
    _check_lead(actor)
    core_services.object_delete(actor=actor, instance=instance, verb="fundingrule_delete")


# --- allocations -------------------------------------------------------------------------------------------
def _check_data(data: dict[str, Any]) -> None:
    errors = {}
    assessment = data.get("assessment")
    if assessment is not None and assessment.status != AssessmentStatus.PUBLISHED:
        errors["assessment"] = _("只能依据已发布的考核分配资金。")
    fund = data.get("fund")
    if fund is not None and Decimal(fund) != Decimal(fund).to_integral_value():
        errors["fund"] = _("奖补资金总额按整元填写（分配到各校的金额以元为单位）。")
    share = data.get("score_share")
    if share is not None and not (Decimal(0) <= Decimal(share) <= Decimal(1)):
        errors["score_share"] = _("按考核得分分配比例应在 0 到 1 之间，如 0.5。")
    if errors:
        raise ValidationError(errors)


def _check_draft(allocation: Allocation) -> None:
    if allocation.status != AllocationStatus.DRAFT:
        raise ValidationError(_("“%(title)s”已定稿，不能再修改。") % {"title": allocation.title})


@transaction.atomic
def allocation_create(*, actor, data: dict[str, Any]) -> Allocation:
    """Set up a draft allocation of a fund on a published assessment."""
    _check_lead(actor)
    _check_data(data)
    data = {k: v for k, v in data.items() if k not in ("status", "created_by")} | {"created_by": actor}
    return core_services.object_create(actor=actor, model=Allocation, data=data, verb="allocation_create")


@transaction.atomic
def allocation_update(*, actor, instance: Allocation, data: dict[str, Any]) -> Allocation:
    """Change a draft allocation's settings (its lines are computed again by ``allocation_compute``)."""
    _check_lead(actor)
    _check_draft(instance)
    _check_data(data)
    data = {k: v for k, v in data.items() if k not in ("status", "created_by")}
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="allocation_update")


@transaction.atomic
def allocation_delete(*, actor, instance: Allocation) -> None:
    """Delete a draft allocation with its lines."""
    _check_lead(actor)
    _check_draft(instance)
    core_services.object_delete(actor=actor, instance=instance, verb="allocation_delete")


def _text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


@transaction.atomic
def allocation_compute(*, actor, allocation: Allocation) -> Allocation:
    """Split the fund among the assessment's schools (see ``selectors.funding``): the score pool by total
    score among the schools at or above ``min_score``, the student pool by students weighted by their major
    category's coefficient; each pool in whole yuan adding up exactly. Lines are written in bulk with their
    workings; the coefficients used are kept on the allocation."""
    _check_lead(actor)
    allocation = Allocation.objects.select_for_update().select_related("assessment").get(pk=allocation.pk)
    _check_draft(allocation)
    assessment = allocation.assessment
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise ValidationError(_("依据的考核尚未发布，不能分配资金。"))
    fund = Decimal(allocation.fund)
    if fund != fund.to_integral_value():
        raise ValidationError(_("奖补资金总额按整元填写（分配到各校的金额以元为单位）。"))
    scores = list(assessment.scores.select_related("school").order_by("school__code"))
    if not scores:
        raise ValidationError(_("依据的考核没有学校得分。"))
    rules = coefficients()
    students = weighted_students(allocation.year, rules)
    score_pool, student_pool = pools(fund, allocation.score_share)
    keys = [s.school.code for s in scores]
    eligible = [s.total if s.total >= allocation.min_score and s.total > 0 else Decimal(0) for s in scores]
    weighted = [students.get(s.school_id, {}).get("weighted", Decimal(0)) for s in scores]
    score_sum = sum(eligible, Decimal(0))
    weighted_sum = sum(weighted, Decimal(0))
    if score_pool and score_sum <= 0:
        raise ValidationError(
            _("没有学校的考核得分达到参与分配的最低得分（%(min)s 分），按得分分配的部分无法分配。")
            % {"min": _text(allocation.min_score)}
        )
    if student_pool and weighted_sum <= 0:
        raise ValidationError(
            _("%(year)s 年度没有学校填报开设专业的在校生数，按学生数分配的部分无法分配。")
            % {"year": allocation.year}
        )
    by_score = apportion(score_pool, eligible, keys) if score_pool else [0] * len(scores)
    by_students = apportion(student_pool, weighted, keys) if student_pool else [0] * len(scores)

    AllocationLine.objects.filter(allocation=allocation).delete()
    lines = []
    for i, row in enumerate(scores):
        own = students.get(row.school_id, {"students": 0, "weighted": Decimal(0), "categories": []})
        exact_score = Decimal(score_pool) * eligible[i] / score_sum if score_sum else Decimal(0)
        exact_students = Decimal(student_pool) * weighted[i] / weighted_sum if weighted_sum else Decimal(0)
        lines.append(
            AllocationLine(
                allocation=allocation,
                school_id=row.school_id,
                score=row.total,
                students=own["students"],
                weighted_students=own["weighted"].quantize(Decimal("0.001")),
                by_score=Decimal(by_score[i]),
                by_students=Decimal(by_students[i]),
                amount=Decimal(by_score[i] + by_students[i]),
                workings={
                    "categories": own["categories"],
                    "score_eligible": eligible[i] > 0,
                    "score_pool": score_pool,
                    "score_sum": _text(score_sum),
                    "score_exact": str(exact_score.quantize(Decimal("0.0001"))),
                    "student_pool": student_pool,
                    "weighted_sum": _text(weighted_sum),
                    "students_exact": str(exact_students.quantize(Decimal("0.0001"))),
                },
            )
        )
    AllocationLine.objects.bulk_create(lines)
    before = audit.snapshot(allocation)
    allocation.rules = {code: str(coef) for code, coef in sorted(rules.values())}
    allocation.computed_at = timezone.now()
    allocation.save(update_fields=["rules", "computed_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="allocation_compute",
        instance=allocation,
        changes=audit.diff(before, audit.snapshot(allocation))
        | {"lines": [None, len(lines)], "total": [None, str(sum(line.amount for line in lines))]},
    )
    return allocation


@transaction.atomic
def allocation_finalize(*, actor, allocation: Allocation) -> Allocation:
    """Make a computed draft final: no further change; each school's administrators are told."""
    _check_lead(actor)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    _check_draft(allocation)
    if allocation.computed_at is None or not allocation.lines.exists():
        raise ValidationError(_("请先测算分配结果再定稿。"))
    before = audit.snapshot(allocation)
    allocation.status = AllocationStatus.FINAL
    allocation.full_clean()
    allocation.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="allocation_finalize",
        instance=allocation,
        changes=audit.diff(before, audit.snapshot(allocation)),
    )
    from .assessment import _school_staff

    school_ids = list(allocation.lines.values_list("school_id", flat=True))
    notify(
        _school_staff(school_ids),
        _("“%(title)s”已定稿，可查看本校分配金额及计算过程。") % {"title": allocation.title},
        allocation.get_absolute_url(),
    )
    return allocation
