"""Every write of the school assessment (R2, 六（十六）; DESIGN rule 2).

- ``indicator_create`` / ``_update`` / ``_delete``: the lead department of annex task 7 (市教育局) keeps the
  indicator model; an indicator names a measure of ``selectors.assessment.MEASURES`` and its bounds must
  point the way of its direction. An indicator that an assessment used is deactivated, not deleted.
- ``assessment_compute``: computes (or recomputes, while a draft) the assessment of a year for every school
  from the platform's records: one ``SchoolScore`` per school, one ``IndicatorScore`` per active indicator
  with its inputs, totals and ranks (ties share a rank); the indicators as used are kept on the assessment.
- ``assessment_publish``: the lead department publishes it; the schools are told.
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
from xiaoqitong.orgs.models import School

from ..choices import AssessmentStatus, Direction
from ..models import Assessment, Indicator, IndicatorScore, SchoolScore
from ..policies.assessment import is_assessment_lead
from ..selectors.assessment import MEASURES, city_value, ranks, score, snapshot


def denied(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _check_lead(actor) -> None:
    if not is_assessment_lead(actor):
        raise denied(_("学校考核由牵头部门（责任清单任务 7 的牵头部门）管理。"))


def check_indicator(data: dict[str, Any]) -> None:
    """The measure must exist; the bounds must differ and point the way of the direction."""
    errors = {}
    measure = data.get("measure")
    if measure is not None and measure not in MEASURES:
        errors["measure"] = _("未知的计算来源“%(key)s”，可选：%(keys)s") % {
            "key": measure,
            "keys": "、".join(MEASURES),
        }
    floor, full = data.get("floor"), data.get("full")
    direction = data.get("direction", Direction.HIGHER)
    if floor is not None and full is not None:
        floor, full = Decimal(floor), Decimal(full)
        if floor == full:
            errors["full"] = _("满分值不能等于零分值。")
        elif direction == Direction.HIGHER and full < floor:
            errors["full"] = _("“越高越好”的指标，满分值应高于零分值。")
        elif direction == Direction.LOWER and full > floor:
            errors["full"] = _("“越低越好”的指标，满分值应低于零分值。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_create(*, actor, data: dict[str, Any]) -> Indicator:
    """Add an indicator to the model (lead department)."""
    _check_lead(actor)
    check_indicator({"direction": Direction.HIGHER, **data})
    return core_services.object_create(actor=actor, model=Indicator, data=data, verb="indicator_create")


@transaction.atomic
def indicator_update(*, actor, instance: Indicator, data: dict[str, Any]) -> Indicator:
    """Change an indicator; assessments already computed keep the indicator as they used it."""
    _check_lead(actor)
    merged = {
        "measure": instance.measure,
        "floor": instance.floor,
        "full": instance.full,
        "direction": instance.direction,
    } | {k: v for k, v in data.items() if k in ("measure", "floor", "full", "direction")}
    check_indicator(merged)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="indicator_update")


@transaction.atomic
def indicator_delete(*, actor, instance: Indicator) -> None:
    """Delete an indicator no assessment used (one that was used is deactivated instead)."""
    _check_lead(actor)
    if IndicatorScore.objects.filter(indicator=instance).exists():
        raise ValidationError(_("已有考核使用了指标“%(name)s”，请停用而不是删除。") % {"name": instance.name})
    core_services.object_delete(actor=actor, instance=instance, verb="indicator_delete")


def _school_staff(school_ids=None) -> list:
    from django.contrib.auth import get_user_model

    from xiaoqitong.orgs.choices import Role

    qs = get_user_model().objects.filter(role=Role.SCHOOL_ADMIN, is_active=True, school__isnull=False)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    return list(qs)


@transaction.atomic
def assessment_compute(*, actor, year: int) -> Assessment:
    """Compute the assessment of ``year`` (made when missing; recomputed while a draft) for every school.

    Each distinct measure is computed once for all schools (a fixed number of queries), then every school's
    lines are scored and written in bulk: one ``SchoolScore`` per school with its total and rank, one
    ``IndicatorScore`` per active indicator with numerator, denominator, value, points and a note (暂无数据
    when the school has no data: 0 points). The indicators as used are kept in ``Assessment.indicators``."""
    _check_lead(actor)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("请填写考核年度。")}) from None
    assessment = Assessment.objects.select_for_update().filter(year=year).first()
    if assessment is not None and assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError(_("%(year)s 年度考核已发布，不能重新计算。") % {"year": year})
    indicators = list(Indicator.objects.filter(is_active=True).order_by("sort_order", "code"))
    if not indicators:
        raise ValidationError(_("没有启用的考核指标，请先在“考核指标”中启用至少一项。"))
    if sum((i.weight for i in indicators), Decimal(0)) <= 0:
        raise ValidationError(_("启用指标的分值合计为 0，无法计算得分。"))
    unknown = [i.code for i in indicators if i.measure not in MEASURES]
    if unknown:
        raise ValidationError(
            _("指标 %(codes)s 的计算来源不存在，请修改后再计算。") % {"codes": "、".join(unknown)}
        )

    created = assessment is None
    before = {} if created else audit.snapshot(assessment)
    if created:
        assessment = Assessment(year=year)
        assessment.full_clean()
        assessment.save(force_insert=True)
    figures = {key: MEASURES[key].compute(year) for key in dict.fromkeys(i.measure for i in indicators)}
    cities = {key: city_value(values) for key, values in figures.items()}
    schools = list(School.objects.order_by("code").values_list("pk", flat=True))

    SchoolScore.objects.filter(assessment=assessment).delete()  # lines go with them (cascade)
    scores = [SchoolScore(assessment=assessment, school_id=sid) for sid in schools]
    lines_of: dict[int, list[IndicatorScore]] = {}
    for row in scores:
        lines = []
        total = Decimal(0)
        for indicator in indicators:
            numerator, denominator = figures[indicator.measure].get(row.school_id, (None, None))
            scored = score(indicator, numerator, denominator, cities[indicator.measure])
            total += scored.points
            lines.append(
                IndicatorScore(
                    indicator=indicator,
                    numerator=None if numerator is None else Decimal(numerator),
                    denominator=None if denominator is None else Decimal(denominator),
                    value=scored.value,
                    points=scored.points,
                    note=scored.note,
                )
            )
        row.total = total
        lines_of[row.school_id] = lines
    order = ranks([(row.school_id, row.total) for row in scores])
    for row in scores:
        row.rank = order[row.school_id]
    SchoolScore.objects.bulk_create(scores)
    all_lines = []
    for row in scores:
        for line in lines_of[row.school_id]:
            line.score = row
            all_lines.append(line)
    IndicatorScore.objects.bulk_create(all_lines, batch_size=1000)

    assessment.indicators = [snapshot(i) for i in indicators]
    assessment.computed_at = timezone.now()
    assessment.status = AssessmentStatus.DRAFT
    assessment.save(update_fields=["indicators", "computed_at", "status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        verb="assessment_compute",
        instance=assessment,
        changes=audit.diff(before, audit.snapshot(assessment))
        | {"schools": [None, len(scores)], "indicators": [None, [i.code for i in indicators]]},
    )
    return assessment


@transaction.atomic
def assessment_publish(*, actor, assessment: Assessment) -> Assessment:
    """Publish a computed draft: the ranking becomes readable by every officer, researcher and school, and
    each school's administrators are told."""
    _check_lead(actor)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError(_("%(year)s 年度考核已经发布。") % {"year": assessment.year})
    if assessment.computed_at is None or not assessment.scores.exists():
        raise ValidationError(_("请先计算得分再发布。"))
    before = audit.snapshot(assessment)
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_at = timezone.now()
    assessment.published_by = actor
    assessment.full_clean()
    assessment.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="assessment_publish",
        instance=assessment,
        changes=audit.diff(before, audit.snapshot(assessment)),
    )
    url = assessment.get_absolute_url()
    text = _("%(year)s 年度职业院校考核结果已发布，可查看本校得分及说明。") % {"year": assessment.year}
    notify(_school_staff(), text, url)
    return assessment
