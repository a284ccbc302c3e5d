"""Writes of analytics: thresholds and publications (officers, audited) and snapshots of the computed figures
(the periodic task).

Snapshots are derived data: recomputing one replaces it and writes no audit record; changing a threshold or
publishing a table to the public is an officer's decision and is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School

from . import measures
from .choices import ThresholdKey
from .models import PUBLIC_DIMENSIONS, Publication, Snapshot, Threshold

#: Dimensions computed for the city, for each county and for each school.
CITY_DIMENSIONS = ("major", "major_class", "major_category", "chain", "county", "school")
COUNTY_DIMENSIONS = ("major_class", "chain")
SCHOOL_DIMENSIONS = ("major", "major_class", "chain")
#: Pseudo-dimension of a snapshot holding the alignment of a scope (enrolment against demand by chain).
ALIGNMENT = "alignment"


def current_year(today: dt.date | None = None) -> int:
    """The school year of today: from 1 September."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def thresholds() -> measures.Thresholds:
    """The thresholds in force: the defaults, overridden by the ``Threshold`` rows."""
    values = {key: value for key, value in Threshold.objects.values_list("key", "value")}
    fields = {f.name for f in dataclasses.fields(measures.Thresholds)}
    return measures.Thresholds(**{k: v for k, v in values.items() if k in fields})


def _json_keys(figures: dict) -> dict[str, dict]:
    return {str(key): row for key, row in figures.items()}


def snapshot_compute(
    *, year: int, scope: measures.Scope, dimension: str, today: dt.date | None = None
) -> Snapshot:
    """Compute and keep the figures of one year, scope and dimension (or its alignment)."""
    if dimension == ALIGNMENT:
        result = measures.alignment(year, scope, today=today)
        data = {name: _json_keys(v) if isinstance(v, dict) else v for name, v in result.items()}
    elif dimension in measures.DIMENSIONS:
        data = _json_keys(measures.figures(year, dimension, scope, thresholds=thresholds(), today=today))
    else:
        raise ValidationError(_("未知的分析维度：%(dimension)s") % {"dimension": dimension})
    snapshot, _created = Snapshot.objects.update_or_create(
        year=year, scope=scope.key, dimension=dimension, defaults={"data": data}
    )
    return snapshot


def scopes(year: int) -> list[tuple[measures.Scope, tuple[str, ...]]]:
    """Every scope and its dimensions: the city, each of its counties and parks, each school with majors
    that year."""
    out: list[tuple[measures.Scope, tuple[str, ...]]] = [(measures.Scope(), (*CITY_DIMENSIONS, ALIGNMENT))]
    out += [(measures.Scope(county=pk), (*COUNTY_DIMENSIONS, ALIGNMENT)) for pk in measures.counties()]
    schools = School.objects.filter(majors__year=year).distinct().order_by("pk").values_list("pk", flat=True)
    out += [(measures.Scope(school=pk), (*SCHOOL_DIMENSIONS, ALIGNMENT)) for pk in schools]
    return out


def snapshots_refresh(
    *,
    year: int | None = None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Recompute every snapshot of ``year`` (default: the current school year): the periodic task."""
    year = year or current_year(today)
    started = time.perf_counter()
    work = [(scope, dim) for scope, dims in scopes(year) for dim in dims]
    with measures.memoized():
        for done, (scope, dimension) in enumerate(work, 1):
            with transaction.atomic():
                snapshot_compute(year=year, scope=scope, dimension=dimension, today=today)
            if progress is not None:
                progress(done, len(work))
    return {"year": year, "snapshots": len(work), "seconds": round(time.perf_counter() - started, 2)}


def _refresh_after_threshold() -> None:
    from .tasks import snapshots_refresh

    try:
        snapshots_refresh.delay()
    except Exception:  # no broker: the nightly refresh applies it
        import logging

        logging.getLogger(__name__).warning("could not queue analytics.snapshots_refresh", exc_info=True)


#: Suppression never below this (the policy's 5 people), whatever an officer types.
MIN_SUPPRESS = 5
#: Thresholds that are shares (0-1).
RATES = {ThresholdKey.RETIRE_ENROLMENT_DROP, ThresholdKey.RETIRE_EMPLOYMENT_RATE}


def may_set_thresholds(user) -> bool:
    """The government's officers (the 市教育局 decides on majors) and platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "role", None) == Role.GOV_OFFICER


@transaction.atomic
def threshold_set(*, actor, key: str, value: float, note: str = "") -> Threshold:
    """Set one threshold (refused for anyone but officers and administrators, and for bad values)."""
    if not may_set_thresholds(actor):
        raise PermissionDenied(_("只有政府部门工作人员可以修改分析阈值。"))
    if key not in ThresholdKey.values:
        raise ValidationError({"key": _("未知的阈值：%(key)s") % {"key": key}})
    threshold = Threshold.objects.select_for_update().filter(key=key).first()
    before = audit.snapshot(threshold) if threshold else {}
    if threshold is None:
        threshold = Threshold(key=key)
    threshold.value = value
    threshold.note = (note or "").strip()
    threshold.full_clean()
    if key == ThresholdKey.SUPPRESS_BELOW and (value < MIN_SUPPRESS or value != int(value)):
        raise ValidationError(
            {
                "value": _("隐去阈值应为不小于 %(min)s 的整数（人数少于它的单元格不公开）。")
                % {"min": MIN_SUPPRESS}
            }
        )
    if key in RATES and value > 1:
        raise ValidationError({"value": _("该阈值是比例，应在 0 到 1 之间，例如 0.6 表示 60%。")})
    if key in {ThresholdKey.SHORTAGE_INDEX, ThresholdKey.SURPLUS_INDEX}:
        current = thresholds()
        shortage = value if key == ThresholdKey.SHORTAGE_INDEX else current.shortage_index
        surplus = value if key == ThresholdKey.SURPLUS_INDEX else current.surplus_index
        if surplus >= shortage:
            raise ValidationError(
                {
                    "value": _("过剩阈值（%(surplus)s）应小于紧缺阈值（%(shortage)s）。")
                    % {"surplus": surplus, "shortage": shortage}
                }
            )
    threshold.save()
    transaction.on_commit(_refresh_after_threshold)  # the classes and warnings follow the new value
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        verb="threshold_set",
        instance=threshold,
        changes=audit.diff(before, audit.snapshot(threshold)),
    )
    return threshold


# --- public data (issue 5): officers publish de-identified tables -----------------------------------------
def may_publish(user) -> bool:
    """The government's officers and platform administrators decide what the public sees."""
    return may_set_thresholds(user)


def publication_dimensions() -> tuple[str, ...]:
    """The dimensions a table may be published by (never by school)."""
    return tuple(value for value, _label in PUBLIC_DIMENSIONS)


@transaction.atomic
def publication_create(*, actor, year: int, dimension: str, note: str = "") -> Publication:
    """Publish the de-identified aggregates of one year and dimension (officers and administrators only;
    refused for the school dimension, an unknown one, a year to come and a year without data)."""
    from .selectors import aggregates

    if not may_publish(actor):
        raise PermissionDenied(_("只有政府部门工作人员可以发布公开数据。"))
    if dimension not in publication_dimensions():
        raise ValidationError(
            {"dimension": _("不能按该维度公开数据：%(dimension)s") % {"dimension": dimension}}
        )
    if not isinstance(year, int) or not 2000 <= year <= current_year():
        raise ValidationError(
            {"year": _("学年应为 2000 到 %(last)s 之间的整数。") % {"last": current_year()}}
        )
    if Publication.objects.filter(year=year, dimension=dimension).exists():
        raise ValidationError(_("%(year)s 学年的该表已经公开。") % {"year": year})
    if not aggregates(year, dimension):
        raise ValidationError({"year": _("%(year)s 学年没有可公开的数据。") % {"year": year}})
    publication = Publication(year=year, dimension=dimension, published_by=actor, note=(note or "").strip())
    publication.full_clean()
    publication.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="publication_create",
        instance=publication,
        changes=audit.diff({}, audit.snapshot(publication)),
    )
    return publication


@transaction.atomic
def publication_delete(*, actor, publication: Publication) -> None:
    """Withdraw a published table: the public pages and API answer 404 for it from now on (audited)."""
    if not may_publish(actor):
        raise PermissionDenied(_("只有政府部门工作人员可以撤回公开数据。"))
    before = audit.snapshot(publication)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        verb="publication_delete",
        instance=publication,
        object_repr=str(publication),
        changes=audit.diff(before, {}),
    )
    publication.delete()
