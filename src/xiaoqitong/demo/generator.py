"""The demo city generator: ``generate()`` runs the steps, ``delete_generated()`` undoes them.

Deterministic: every random choice comes from ``random.Random`` seeded with the seed and the step's
name, and every query the steps sample from is ordered by code; every date derives from the run's
reference date ``as_of`` (by default today). The same seed and the same ``as_of`` give the same rows
(``digest()`` proves it). Nothing but the default of ``as_of`` reads the clock, nothing the global
``random``.
"""

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable

from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.models import School, User
from xiaoqitong.reference.choices import IndustryLevel, RegionLevel
from xiaoqitong.reference.models import Industry, IndustryChain, Major, Region

from . import names as N
from .accounts import DEMO_USERNAMES
from .context import MIN_AS_OF, SCALES, Context, DemoError, Step
from .models import DemoRun
from .steps import STEPS

MISSING_REFERENCE = "请先运行 xiaoqitong load_reference（缺少参考数据：{what}）。"


def check_reference() -> dict:
    """The reference data the generator needs, or a :class:`DemoError` saying what is missing."""
    try:
        city = Region.objects.filter(code=N.CITY_CODE).first()
    except DatabaseError:
        raise DemoError(
            "数据库还没有初始化：请先运行 xiaoqitong migrate，再运行 xiaoqitong load_reference。"
        ) from None
    counties = (
        list(
            Region.objects.filter(parent=city, level=RegionLevel.COUNTY)
            .select_related("parent__parent")
            .order_by("code")
        )
        if city
        else []
    )
    missing = []
    if not counties:
        missing.append(f"行政区划（{N.CITY_SHORT}市及其县市区）")
    if not Industry.objects.filter(level=IndustryLevel.CLASS).exists():
        missing.append("国民经济行业分类")
    chains = list(IndustryChain.objects.order_by("sort_order", "code").prefetch_related("industries"))
    if not chains:
        missing.append("产业链")
    if not Major.objects.exists():
        missing.append("职业教育专业目录")
    if missing:
        raise DemoError(MISSING_REFERENCE.format(what="、".join(missing)))
    codes = {c.code for c in counties}
    absent = [name for name, *_, county, _size in N.REAL_SCHOOLS if county not in codes]
    if absent:
        raise DemoError(MISSING_REFERENCE.format(what=f"{'、'.join(absent)}所在的县市区"))

    # With their 中类, 大类 and 门类: an enterprise's search text names them (no query per enterprise).
    leaves = list(
        Industry.objects.filter(level=IndustryLevel.CLASS)
        .select_related("parent__parent__parent")
        .order_by("code")
    )
    chain_leaves = {}
    for chain in chains:
        prefixes = tuple(sorted(i.code for i in chain.industries.all()))
        chain_leaves[chain.code] = [leaf for leaf in leaves if prefixes and leaf.code.startswith(prefixes)]
    if not any(chain_leaves.values()):
        raise DemoError(MISSING_REFERENCE.format(what="产业链与国民经济行业的对应关系"))

    parks = list(
        Region.objects.filter(level=RegionLevel.PARK)
        .filter(Q(parent=city) | Q(parent__parent=city))
        .select_related("parent__parent")
        .order_by("code")
    )
    province = city.parent
    wide = counties
    if province is not None:
        wide = (
            list(
                Region.objects.filter(level=RegionLevel.COUNTY, parent__parent=province)
                .select_related("parent__parent")
                .order_by("code")
            )
            or counties
        )
    areas = counties + parks
    townships: dict[int, list[str]] = {}
    for pk, name in (
        Region.objects.filter(level=RegionLevel.TOWNSHIP, parent__in=areas)
        .order_by("code")
        .values_list("parent_id", "name")
    ):
        townships.setdefault(pk, []).append(name)
    return {
        "city": city,
        "counties": counties,
        "parks": parks,
        "areas": areas,
        "wide_counties": wide,
        "chains": chains,
        "chain_leaves": chain_leaves,
        "townships": townships,
    }


def check_as_of(as_of: dt.date) -> None:
    """Refuse (:class:`DemoError`) a reference date after today (the demo would hold applications and
    publications still to come) or before ``MIN_AS_OF``."""
    today = timezone.localdate()
    if as_of > today:
        raise DemoError(
            f"基准日期 {as_of:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}）：演示数据不能含有未来的记录。"
        )
    if as_of < MIN_AS_OF:
        raise DemoError(f"基准日期 {as_of:%Y-%m-%d} 太早：不能早于 {MIN_AS_OF:%Y-%m-%d}。")


def _refuse_existing() -> None:
    run = DemoRun.objects.order_by("-created_at", "-id").first()
    if run is not None:
        when = timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")
        as_of = f"，基准日期 {run.as_of:%Y-%m-%d}" if run.as_of else ""
        raise DemoError(
            f"数据库中已有演示数据（规模 {run.scale}，随机种子 {run.seed}{as_of}，生成于 {when}）。"
            "如需重新生成，请加 --reset：先删除上次生成的演示数据，再重新生成。"
        )
    real = sorted(
        School.objects.filter(name__in=[s[0] for s in N.REAL_SCHOOLS]).values_list("name", flat=True)
    )
    if real:
        raise DemoError(
            f"数据库中已有学校“{'、'.join(real)}”，不是演示数据生成器建立的。"
            "演示数据只能生成在空库或演示库中。"
        )
    demo_users = sorted(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    if demo_users:
        raise DemoError(f"数据库中已有账号 {'、'.join(demo_users)}：请先删除这些账号，或加 --reset。")


def generate(
    scale: str = "small",
    seed: int = 2021,
    *,
    as_of: dt.date | None = None,
    reset: bool = False,
    progress: bool = False,
    steps: list[Step] | None = None,
    log: Callable[[str], None] | None = None,
) -> DemoRun:
    """Generate a whole city's demo data at ``scale`` (``small``, ``city`` or ``province``) from ``seed``, as
    seen on ``as_of`` (by default today): school years, statuses, postings and outcomes are dated from it.

    Refuses (:class:`DemoError`) a reference date after today or before ``MIN_AS_OF``, without the
    reference data, and on a database that already holds generated data unless ``reset`` (which first
    deletes exactly what the generator made). All or nothing: one transaction. Writes one audit record for
    the run."""
    if scale not in SCALES:
        raise DemoError(f"未知的规模“{scale}”，可选：{'、'.join(SCALES)}。")
    as_of = as_of or timezone.localdate()
    check_as_of(as_of)
    log = log or (lambda message: None)
    reference = check_reference()
    with transaction.atomic():
        if reset:
            deleted = delete_generated(progress=progress)
            if deleted:
                log("已删除上次生成的演示数据：" + "，".join(f"{k} {v}" for k, v in deleted.items()))
        _refuse_existing()
        ctx = Context(seed=seed, scale=SCALES[scale], as_of=as_of, progress=progress)
        for key in ("city", "counties", "parks", "areas", "wide_counties", "chains", "chain_leaves"):
            setattr(ctx, key, reference[key])
        ctx.objects["townships"] = reference["townships"]
        timings = {}
        for step in steps if steps is not None else STEPS:
            started = time.perf_counter()
            ctx.reseed(step.name)
            step.func(ctx)
            timings[step.name] = round(time.perf_counter() - started, 3)
            log(f"{step.label or step.name}：完成（{timings[step.name]:.1f} 秒）")
        timings.update({f"[{name}]": round(seconds, 3) for name, seconds in ctx.timings.items()})
        run = DemoRun.objects.create(
            scale=scale,
            seed=seed,
            as_of=as_of,
            finished_at=timezone.now(),
            created=ctx.pk_ranges(),
            counts=ctx.counts,
            anchors=ctx.anchors,
        )
        audit.record(
            actor=None,
            action=AuditAction.OTHER,
            verb="demo_data",
            instance=run,
            object_repr=f"演示数据（规模 {scale}，随机种子 {seed}，基准日期 {as_of:%Y-%m-%d}）",
            changes={"scale": scale, "seed": seed, "as_of": as_of.isoformat(), "counts": ctx.counts},
        )
    run.timings = timings
    run.context = ctx
    return run


def _labels_in_delete_order(runs: list[DemoRun]) -> list[str]:
    ordered = [m._meta.label for step in reversed(STEPS) for m in reversed(step.models)]
    others = sorted({label for run in runs for label in run.created} - set(ordered))
    return ordered + others  # rows of steps that no longer exist are still deleted


def delete_generated(*, progress: bool = False) -> dict[str, int]:
    """Delete exactly the rows the generator made (every recorded run), children first, and the runs.

    Departments stay (every deployment needs them). Refuses, naming the blocking records, when data
    that people added refers to generated rows."""
    runs = list(DemoRun.objects.order_by("id"))
    if not runs:
        return {}
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for label in _labels_in_delete_order(runs):
            model = apps.get_model(label)
            query = Q()
            for run in runs:
                for lo, hi in run.pk_ranges(label):
                    query |= Q(pk__range=(lo, hi))
            if model is User:
                query |= Q(is_demo=True, username__in=DEMO_USERNAMES)
            if not query:
                continue
            try:
                _, per_model = model.objects.filter(query).delete()
            except (ProtectedError, RestrictedError) as exc:
                blocking = sorted({str(obj._meta.verbose_name) for obj in exc.args[1]})
                raise DemoError(
                    f"无法删除演示数据：{'、'.join(blocking)}中有不是生成器建立的记录引用了"
                    f"演示的{model._meta.verbose_name}。请先删除这些记录。"
                ) from None
            for key, count in per_model.items():
                if count:
                    name = str(apps.get_model(key)._meta.verbose_name)
                    deleted[name] = deleted.get(name, 0) + count
        DemoRun.objects.filter(pk__in=[r.pk for r in runs]).delete()
        audit.record(
            actor=None,
            action=AuditAction.DELETE,
            verb="demo_data_reset",
            model=DemoRun,
            object_repr="演示数据",
            changes={"deleted": deleted},
        )
    return deleted


# --- digest ---------------------------------------------------------------------------------------------

_SKIP = {"id", "password", "last_login", "date_joined"}


def _natural_paths(model: type[models.Model], depth: int = 0) -> list[str]:
    """How to name a row of ``model`` without its id: a unique field (a code), else the fields of its first
    unique constraint (foreign keys named the same way, recursively), else its own values (plain fields and
    foreign keys named the same way: an agreement, a placement), else the id."""
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key and not field.is_relation and not field.null:
            return [field.name]
    if depth < 4:
        for constraint in model._meta.constraints:
            names = getattr(constraint, "fields", ())
            if isinstance(constraint, models.UniqueConstraint) and names and constraint.condition is None:
                paths = []
                for name in names:
                    field = model._meta.get_field(name)
                    if field.is_relation:
                        paths += [f"{name}__{p}" for p in _natural_paths(field.related_model, depth + 1)]
                    else:
                        paths.append(name)
                return paths
        if model._meta.auto_created:  # a many-to-many table: its two foreign keys
            paths = []
            for field in model._meta.concrete_fields:
                if field.is_relation:
                    paths += [f"{field.name}__{p}" for p in _natural_paths(field.related_model, depth + 1)]
            return paths
        own = []
        for field in model._meta.concrete_fields:
            if field.name in _SKIP or isinstance(field, (models.DateTimeField, models.JSONField)):
                continue
            if field.is_relation:
                own += [f"{field.name}__{p}" for p in _natural_paths(field.related_model, depth + 1)]
            else:
                own.append(field.name)
        if own:
            return own
    return ["pk"]


def _digest_fields(model: type[models.Model]) -> list[str]:
    fields = []
    for field in model._meta.concrete_fields:
        if field.name in _SKIP or isinstance(field, models.DateTimeField):
            continue
        if field.is_relation:
            fields += [f"{field.name}__{p}" for p in _natural_paths(field.related_model)]
        else:
            fields.append(field.name)
    return fields


def digest() -> dict[str, str]:
    """A SHA-256 per generated model over its rows' values (foreign keys by natural key: a code, or the
    fields of a unique constraint; timestamps, ids and password hashes left out), and ``"all"`` over them:
    equal digests, equal data."""
    runs = list(DemoRun.objects.order_by("id"))
    result = {}
    total = hashlib.sha256()
    for label in sorted({label for run in runs for label in run.created}):
        model = apps.get_model(label)
        query = Q(pk__in=[])
        for run in runs:
            for lo, hi in run.pk_ranges(label):
                query |= Q(pk__range=(lo, hi))
        rows = sorted(
            json.dumps(list(row), ensure_ascii=False, default=str)
            for row in model.objects.filter(query).values_list(*_digest_fields(model))
        )
        h = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        result[label] = h
        total.update(f"{label}:{h}\n".encode())
    result["all"] = total.hexdigest()
    return result
