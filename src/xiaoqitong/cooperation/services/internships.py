"""Every write on internships (DESIGN rule 2): plans, placements and their steps, weekly logs and their
countersigning, check-ins, leave requests, subsidies and closing evaluations.

The policy's two internship rules (郴政发〔2021〕9号 四（十一）) are read from ``rules`` and checked here:

- **T15** (a single internship in an enterprise in the city lasts at least ``internship_min_months``
  months): a placement that breaks it is refused, with its dates, its length and the earliest end date.
- **T16** (at least ``local_intern_share`` of a school's interns in enterprises in the city): a plan whose
  planned share, alone or with the school's other plans of overlapping periods, falls under it is refused
  with the numbers; a placement that takes its plan's actual share under it is saved but flagged
  (``Placement.flags``), since where a student may go is not always the school's choice.

Locks: a plan's writes lock its school row (the combined T16 check reads the school's other plans); a
placement's writes lock the plan (its share) and the student (no overlapping placements); steps lock the row
they change.
"""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import day_text, percent_text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School, User
from xiaoqitong.schools.models import Student

from .. import rules
from ..choices import LeaveStatus, LogStatus, MentorSide, PlacementStatus, RuleKey
from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)
from ..policies.internships import (
    PLACEMENT_STEPS,
    is_placement_student,
    leave_side_may,
    log_may,
    mentor_side,
    placement_may,
)
from ..selectors.internships import COUNTED, monday, rule_percent


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _months(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _assign(instance, data: dict[str, Any]) -> None:
    for name, value in data.items():
        field = type(instance)._meta.get_field(name)
        by_id = field.is_relation and value is not None and not hasattr(value, "pk")
        setattr(instance, field.attname if by_id else name, value)


def _save_changed(instance, before: dict) -> None:
    """Save the fields changed since ``before`` (an update's snapshot), if any."""
    changes = audit.diff(before, audit.snapshot(instance))
    fields = [f.name for f in type(instance)._meta.concrete_fields if f.attname in changes]
    if fields:
        instance.save(update_fields=[*fields, "updated_at"])


def _record(actor, action: str, verb: str, instance, before: dict, extra: dict | None = None) -> None:
    audit.record(
        actor=actor,
        action=action,
        verb=verb,
        instance=instance,
        changes=audit.diff(before, audit.snapshot(instance)) | (extra or {}),
    )


# --- the rules ----------------------------------------------------------------------------------------------
def in_city(enterprise: Enterprise) -> bool:
    """Whether the enterprise is in the city: its county (or park) code carries the city's prefix."""
    return enterprise.county.in_city


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def min_end_date(start: dt.date, months: Decimal) -> dt.date:
    """The earliest end date of an internship of at least ``months`` calendar months starting on ``start``
    (1 month from 2026-03-01: 2026-03-31). A fraction of a month counts as 30 days."""
    whole = int(months)
    end = add_months(start, whole)
    rest = months - whole
    if rest:
        end += dt.timedelta(days=int((rest * 30).to_integral_value(rounding=ROUND_HALF_UP)))
    return end - dt.timedelta(days=1)


def t15_error(placement: Placement) -> str:
    """The T15 refusal of a placement in a city enterprise that is too short, or ""."""
    if not placement.in_city or not placement.start_date or not placement.end_date:
        return ""
    months = rules.value(RuleKey.INTERNSHIP_MIN_MONTHS)
    earliest = min_end_date(placement.start_date, months)
    if placement.end_date >= earliest:
        return ""
    days = (placement.end_date - placement.start_date).days + 1
    return _(
        "实习时间 %(start)s 至 %(end)s 共 %(days)s 天，不足 %(months)s 个月：到市域内企业实习单次不得少于 "
        "%(months)s 个月，结束日期应不早于 %(earliest)s（%(cite)s）。"
    ) % {
        "start": day_text(placement.start_date),
        "end": day_text(placement.end_date),
        "days": days,
        "months": _months(months),
        "earliest": day_text(earliest),
        "cite": rules.cite(RuleKey.INTERNSHIP_MIN_MONTHS),
    }


def _overlapping_plans(plan: InternshipPlan):
    qs = InternshipPlan.objects.filter(
        school_id=plan.school_id, period_start__lte=plan.period_end, period_end__gte=plan.period_start
    )
    return qs.exclude(pk=plan.pk) if plan.pk else qs


def t16_plan_errors(plan: InternshipPlan) -> list[str]:
    """The T16 refusals of a plan: its own planned share, then its share together with the school's other
    plans whose periods overlap it (named), each with the numbers and the rule's source."""
    if not plan.planned_interns or plan.planned_local is None or not plan.school_id:
        return []
    share = rules.value(RuleKey.LOCAL_INTERN_SHARE)
    cite = rules.cite(RuleKey.LOCAL_INTERN_SHARE)
    errors = []
    if Decimal(plan.planned_local) < share * plan.planned_interns:
        errors.append(
            _(
                "本计划安排市域内企业实习 %(local)s 人，占计划实习人数 %(total)s 人的 %(percent)s，"
                "低于 %(rule)s（%(cite)s）。"
            )
            % {
                "local": plan.planned_local,
                "total": plan.planned_interns,
                "percent": percent_text(plan.planned_local, plan.planned_interns),
                "rule": rule_percent(share),
                "cite": cite,
            }
        )
        return errors
    if plan.period_start and plan.period_end:
        others = list(_overlapping_plans(plan).order_by("period_start", "pk"))
        if others:
            local = plan.planned_local + sum(p.planned_local for p in others)
            total = plan.planned_interns + sum(p.planned_interns for p in others)
            if Decimal(local) < share * total:
                errors.append(
                    _(
                        "本计划与本校实习期重叠的其他计划（%(names)s）合计安排市域内企业实习 %(local)s 人，"
                        "占计划实习人数 %(total)s 人的 %(percent)s，低于 %(rule)s（%(cite)s）。"
                    )
                    % {
                        "names": "、".join(f"“{p.title}”" for p in others),
                        "local": local,
                        "total": total,
                        "percent": percent_text(local, total),
                        "rule": rule_percent(share),
                        "cite": cite,
                    }
                )
    return errors


def plan_share(plan: InternshipPlan) -> tuple[int, int]:
    """(interns placed, of whom in the city) of a plan, counting placements not terminated."""
    rows = list(
        Placement.objects.filter(plan_id=plan.pk, status__in=COUNTED).values_list("in_city", flat=True)
    )
    return len(rows), sum(1 for r in rows if r)


def t16_flag(plan: InternshipPlan, total: int, local: int) -> dict | None:
    """The T16 flag of a plan whose placements put fewer than the rule's share in the city, or None."""
    share = rules.value(RuleKey.LOCAL_INTERN_SHARE)
    if not total or Decimal(local) >= share * total:
        return None
    rule = rules.rule(RuleKey.LOCAL_INTERN_SHARE)
    return {
        "rule": rule.target,
        "source": rule.source,
        "message": _(
            "实习计划“%(plan)s”已安排实习 %(total)s 人，其中市域内企业 %(local)s 人，占 %(percent)s，"
            "低于 %(rule)s（%(cite)s）。"
        )
        % {
            "plan": plan.title,
            "total": total,
            "local": local,
            "percent": percent_text(local, total),
            "rule": rule_percent(share),
            "cite": rules.cite(RuleKey.LOCAL_INTERN_SHARE),
        },
    }


def _without_t16(flags) -> list:
    return [f for f in (flags or []) if f.get("rule") != "T16"]


def flags_when_saved(placement: Placement) -> list:
    """The flags an out-of-city placement about to be saved gets (the import's rows, written without
    ``placement_create``): T16's when the plan, counting it, falls under the rule."""
    others = Placement.objects.filter(plan_id=placement.plan_id, status__in=COUNTED)
    if placement.pk:
        others = others.exclude(pk=placement.pk)
    rows = list(others.values_list("in_city", flat=True))
    flag = t16_flag(placement.plan, len(rows) + 1, sum(rows) + bool(placement.in_city))
    own = _without_t16(placement.flags)
    if flag is not None and not placement.in_city:
        own.append(flag)
    return own


def _reflag(placement: Placement, plan: InternshipPlan) -> dict:
    """Recompute the plan's T16 state after ``placement`` was written: an out-of-city placement that leaves
    the plan under the rule is flagged; once the plan is back at or above the rule, the T16 flags of its
    placements are cleared. Returns ``{"flags_cleared": [pks]}`` for the audit record (or {})."""
    total, local = plan_share(plan)
    flag = t16_flag(plan, total, local)
    own = _without_t16(placement.flags)
    if flag is not None and not placement.in_city and placement.status in COUNTED:
        own.append(flag)
    if own != (placement.flags or []):
        placement.flags = own
        Placement.objects.filter(pk=placement.pk).update(flags=own)
    return {} if flag is not None else _clear_t16(plan)


def _clear_t16(plan: InternshipPlan) -> dict:
    """Drop the T16 flags of the plan's placements (it is back at or above the rule); the cleared pks for
    the audit record (or {})."""
    cleared = []
    for other in Placement.objects.filter(plan_id=plan.pk).exclude(flags=[]):
        kept = _without_t16(other.flags)
        if kept != other.flags:
            Placement.objects.filter(pk=other.pk).update(flags=kept)
            cleared.append(other.pk)
    return {"flags_cleared": [None, cleared]} if cleared else {}


# --- plans --------------------------------------------------------------------------------------------------
PLAN_FIELDS = (
    "school",
    "school_major",
    "cohort",
    "title",
    "period_start",
    "period_end",
    "planned_interns",
    "planned_local",
    "note",
)


def _plan_writer(actor, school_id) -> None:
    if _is_admin(actor):
        return
    if getattr(actor, "role", None) != Role.SCHOOL_ADMIN or not actor.school_id:
        raise _denied(_("只有学校管理员可以编制本校的实习计划。"))
    if school_id and school_id != actor.school_id:
        raise _denied(_("只能编制本校的实习计划。"))


def _validate_plan(plan: InternshipPlan) -> None:
    errors: dict[str, list[str]] = {}
    try:
        plan.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    if "planned_local" not in errors and "planned_interns" not in errors:
        t16 = t16_plan_errors(plan)
        if t16:
            errors.setdefault("planned_local", []).extend(t16)
    if errors:
        raise ValidationError(errors)


def _plan_data(actor, data: dict) -> dict:
    """The plan's fields from ``data``; a platform administrator who names no school plans for the
    major's school."""
    data = {k: v for k, v in data.items() if k in PLAN_FIELDS}
    if data.get("school") is None:
        data.pop("school", None)
        major = data.get("school_major")
        if _is_admin(actor) and major is not None and hasattr(major, "school_id"):
            data["school"] = major.school
    return data


@transaction.atomic
def internship_plan_create(*, actor, data: dict[str, Any]) -> InternshipPlan:
    """A school's administrator plans an internship for one of its majors and cohorts. The school is the
    administrator's own (platform administrators: the major's school unless given). Refused (T16) when
    the planned share of interns in city enterprises, alone or with the school's overlapping plans, is
    under the rule."""
    data = _plan_data(actor, data)
    plan = InternshipPlan()
    _assign(plan, data)
    if not plan.school_id:
        if getattr(actor, "school_id", None) and not _is_admin(actor):
            plan.school_id = actor.school_id
        elif plan.school_major_id:
            plan.school_id = plan.school_major.school_id
    _plan_writer(actor, plan.school_id)
    if plan.school_id:
        School.objects.select_for_update().filter(pk=plan.school_id).first()
    _validate_plan(plan)
    plan.save(force_insert=True)
    _record(actor, AuditAction.CREATE, "internship_plan_create", plan, {})
    return plan


@transaction.atomic
def internship_plan_update(*, actor, instance: InternshipPlan, data: dict[str, Any]) -> InternshipPlan:
    """Change a plan (the school stays); the T16 checks run again. Its placements must still fall within
    its period, and it may not plan fewer interns than it has placed."""
    _plan_writer(actor, instance.school_id)
    School.objects.select_for_update().filter(pk=instance.school_id).first()
    plan = InternshipPlan.objects.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(plan)
    _assign(plan, _plan_data(actor, data))
    changes = audit.diff(before, audit.snapshot(plan))
    core_services._refuse_locked(actor, InternshipPlan, changes)
    if "school_id" in changes and plan.placements.exists():
        raise ValidationError({"school": _("计划已有实习安排，不能改到其他学校。")})
    _validate_plan(plan)
    placed = plan.placements.filter(status__in=COUNTED)
    outside = placed.filter(Q(start_date__lt=plan.period_start) | Q(end_date__gt=plan.period_end)).count()
    if outside:
        raise ValidationError(
            {"period_end": _("有 %(n)s 条实习安排不在新的实习期内，请先调整这些安排。") % {"n": outside}}
        )
    _save_changed(plan, before)
    _record(actor, AuditAction.UPDATE, "internship_plan_update", plan, before)
    return plan


@transaction.atomic
def internship_plan_delete(*, actor, instance: InternshipPlan) -> None:
    """Delete a plan that has no placements (refused, with the reason, while it has)."""
    _plan_writer(actor, instance.school_id)
    if instance.placements.exists():
        raise ValidationError(_("计划“%(plan)s”已有实习安排，不能删除。") % {"plan": instance.title})
    core_services.object_delete(actor=actor, instance=instance, verb="internship_plan_delete")


# --- placements ---------------------------------------------------------------------------------------------
PLACEMENT_FIELDS = (
    "plan",
    "student",
    "enterprise",
    "base",
    "position",
    "school_mentor",
    "enterprise_mentor",
    "start_date",
    "end_date",
)


def placement_errors(placement: Placement, *, model: bool = True) -> dict[str, list[str]]:
    """Every refusal of a placement as written (model validation unless ``model`` is False, the student,
    the dates, the mentors, overlaps, T15), keyed by field. Used by the services and the import (which
    validates the model itself). Sets ``in_city``."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if placement.enterprise_id:
        placement.in_city = in_city(placement.enterprise)
    if model:
        try:
            placement.full_clean(exclude=["flags"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    elif placement.start_date and placement.end_date and placement.end_date < placement.start_date:
        return errors  # the model's own validation names it
    plan = placement.plan if placement.plan_id else None
    student = placement.student if placement.student_id else None
    if plan is not None and student is not None:
        if student.school_id != plan.school_id:
            add(
                "student",
                _("学生“%(name)s”不是%(school)s的学生。") % {"name": student.name, "school": plan.school},
            )
        elif student.school_major.major_id != plan.school_major.major_id:
            add(
                "student",
                _("学生“%(name)s”的专业是“%(major)s”，不是本计划的专业“%(plan_major)s”。")
                % {
                    "name": student.name,
                    "major": student.school_major.major.name,
                    "plan_major": plan.school_major.major.name,
                },
            )
    dated = plan is not None and placement.start_date and placement.end_date and "end_date" not in errors
    if dated and (placement.start_date < plan.period_start or placement.end_date > plan.period_end):
        add(
            "start_date" if placement.start_date < plan.period_start else "end_date",
            _("实习时间 %(start)s 至 %(end)s 超出了计划的实习期 %(p_start)s 至 %(p_end)s。")
            % {
                "start": day_text(placement.start_date),
                "end": day_text(placement.end_date),
                "p_start": day_text(plan.period_start),
                "p_end": day_text(plan.period_end),
            },
        )
    if student is not None and placement.start_date and placement.end_date:
        overlap = (
            Placement.objects.filter(
                student_id=student.pk,
                status__in=COUNTED,
                start_date__lte=placement.end_date,
                end_date__gte=placement.start_date,
            )
            .exclude(pk=placement.pk)
            .select_related("enterprise")
            .first()
        )
        if overlap is not None:
            add(
                "start_date",
                _("学生“%(name)s”在 %(start)s 至 %(end)s 已有实习安排（%(enterprise)s），时间不能重叠。")
                % {
                    "name": student.name,
                    "start": day_text(overlap.start_date),
                    "end": day_text(overlap.end_date),
                    "enterprise": overlap.enterprise.name,
                },
            )
    mentor = placement.enterprise_mentor if placement.enterprise_mentor_id else None
    if mentor is not None and (
        mentor.role != Role.ENTERPRISE_MENTOR or mentor.enterprise_id != placement.enterprise_id
    ):
        add(
            "enterprise_mentor",
            _("企业导师应是实习单位“%(enterprise)s”的企业导师账号，“%(user)s”不是。")
            % {
                "enterprise": placement.enterprise.name if placement.enterprise_id else "",
                "user": mentor.username,
            },
        )
    teacher = placement.school_mentor if placement.school_mentor_id else None
    if teacher is not None and (
        teacher.role != Role.TEACHER or plan is None or teacher.school_id != plan.school_id
    ):
        add(
            "school_mentor",
            _("学校导师应是本校的教师账号，“%(user)s”不是。") % {"user": teacher.username},
        )
    if not errors:
        t15 = t15_error(placement)
        if t15:
            add("end_date", t15)
    return errors


def _placement_writer(actor, plan: InternshipPlan | None) -> None:
    if _is_admin(actor):
        return
    if getattr(actor, "role", None) != Role.SCHOOL_ADMIN or not actor.school_id:
        raise _denied(_("只有学校管理员可以安排本校学生实习。"))
    if plan is not None and plan.school_id != actor.school_id:
        raise _denied(_("只能为本校的实习计划安排学生。"))


def _lock_for_placement(plan_id, student_id) -> None:
    if plan_id:
        InternshipPlan.objects.select_for_update().filter(pk=plan_id).first()
    if student_id:
        Student.objects.select_for_update().filter(pk=student_id).first()


@transaction.atomic
def placement_create(*, actor, data: dict[str, Any]) -> Placement:
    """The school's administrator places a student of the plan's school and major with an enterprise:
    dates within the plan's period, no overlapping placement of the student, mentors of the right role
    and organization; ``in_city`` derived from the enterprise. Refused when a placement in the city is
    shorter than T15's minimum; saved and flagged when it takes the plan under T16's share."""
    data = {k: v for k, v in data.items() if k in PLACEMENT_FIELDS}
    placement = Placement(status=PlacementStatus.PLANNED, flags=[])
    _assign(placement, data)
    plan = placement.plan if placement.plan_id else None
    _placement_writer(actor, plan)
    _lock_for_placement(placement.plan_id, placement.student_id)
    errors = placement_errors(placement)
    if errors:
        raise ValidationError(errors)
    placement.save(force_insert=True)
    extra = _reflag(placement, plan)
    _record(actor, AuditAction.CREATE, "placement_create", placement, {}, extra)
    return placement


@transaction.atomic
def placement_update(*, actor, instance: Placement, data: dict[str, Any]) -> Placement:
    """Change a placement that is planned or under way; every check runs again, the flags are recomputed."""
    _placement_writer(actor, instance.plan)
    data = {k: v for k, v in data.items() if k in PLACEMENT_FIELDS}
    new_plan = data.get("plan")
    _lock_for_placement(getattr(new_plan, "pk", new_plan) or instance.plan_id, instance.student_id)
    placement = Placement.objects.select_for_update().get(pk=instance.pk)
    if placement.status not in (PlacementStatus.PLANNED, PlacementStatus.ACTIVE):
        raise ValidationError(
            _("实习当前状态为“%(status)s”，不能修改。") % {"status": placement.get_status_display()}
        )
    before = audit.snapshot(placement)
    old_plan = placement.plan
    _assign(placement, data)
    _placement_writer(actor, placement.plan)
    changes = audit.diff(before, audit.snapshot(placement))
    core_services._refuse_locked(actor, Placement, changes)
    errors = placement_errors(placement)
    if errors:
        raise ValidationError(errors)
    _save_changed(placement, before)
    extra = _reflag(placement, placement.plan)
    if old_plan.pk != placement.plan_id:
        extra |= plan_flags_refresh(old_plan)
    _record(actor, AuditAction.UPDATE, "placement_update", placement, before, extra)
    return placement


def plan_flags_refresh(plan: InternshipPlan) -> dict:
    """After a placement left the plan (moved, terminated, deleted) or rows were imported into it: clear its
    T16 flags once the plan is back at or above the rule. Returns the change for the audit record (or {})."""
    return {} if t16_flag(plan, *plan_share(plan)) is not None else _clear_t16(plan)


@transaction.atomic
def placement_delete(*, actor, instance: Placement) -> None:
    """Delete a placement entered by mistake: only before it started and while nothing was recorded on it
    (an internship that ended early is terminated, not deleted)."""
    _placement_writer(actor, instance.plan)
    plan = instance.plan
    InternshipPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if instance.status != PlacementStatus.PLANNED and not _is_admin(actor):
        raise ValidationError(_("只有待上岗的实习安排可以删除；已开始的实习请中止。"))
    if instance.logs.exists() or instance.check_ins.exists():
        raise ValidationError(_("该实习已有周志或签到记录，不能删除，请中止。"))
    core_services.object_delete(actor=actor, instance=instance, verb="placement_delete")
    plan_flags_refresh(plan)


_STEP_NAMES = {
    "start": gettext_lazy("开始"),
    "complete": gettext_lazy("结束"),
    "terminate": gettext_lazy("中止"),
}
_LOG_STEP_NAMES = {
    "submit": gettext_lazy("提交"),
    "countersign": gettext_lazy("会签"),
    "return": gettext_lazy("退回"),
}


def _placement_step(actor, step: str, placement: Placement) -> Placement:
    InternshipPlan.objects.select_for_update().filter(pk=placement.plan_id).first()
    placement = Placement.objects.select_for_update().select_related("plan").get(pk=placement.pk)
    if not placement_may(actor, step, placement):
        raise _denied(_("只有本校学校管理员可以%(step)s实习。") % {"step": _STEP_NAMES[step]})
    if placement.status not in PLACEMENT_STEPS[step]:
        raise ValidationError(
            _("实习当前状态为“%(status)s”，不能%(step)s。")
            % {"status": placement.get_status_display(), "step": _STEP_NAMES[step]}
        )
    return placement


def _transition(actor, placement: Placement, verb: str, status: str, extra: dict | None = None) -> Placement:
    before = audit.snapshot(placement)
    placement.status = status
    placement.save(update_fields=["status", "updated_at"])
    _record(actor, AuditAction.UPDATE, verb, placement, before, extra)
    return placement


@transaction.atomic
def placement_start(*, actor, placement: Placement) -> Placement:
    """The student started: the placement is under way (not before its start date)."""
    placement = _placement_step(actor, "start", placement)
    today = timezone.localdate()
    if today < placement.start_date:
        raise ValidationError(
            _("实习开始日期为 %(start)s，尚未到开始日期，不能开始。")
            % {"start": day_text(placement.start_date)}
        )
    if today > placement.end_date:
        raise ValidationError(
            _("实习结束日期 %(end)s 已过，不能再开始；请修改日期或中止。")
            % {"end": day_text(placement.end_date)}
        )
    return _transition(actor, placement, "placement_start", PlacementStatus.ACTIVE)


@transaction.atomic
def placement_complete(*, actor, placement: Placement) -> Placement:
    """The internship ran its course (from its last week on; ending it earlier is terminating it)."""
    placement = _placement_step(actor, "complete", placement)
    last_week = placement.end_date - dt.timedelta(days=6)
    if timezone.localdate() < last_week:
        raise ValidationError(
            _("实习到 %(end)s 结束，最后一周（%(from)s 起）才能办理结束；提前结束请“中止实习”。")
            % {"end": day_text(placement.end_date), "from": day_text(last_week)}
        )
    return _transition(actor, placement, "placement_complete", PlacementStatus.COMPLETED)


@transaction.atomic
def placement_terminate(*, actor, placement: Placement, reason: str) -> Placement:
    """End a planned or running internship early, with the reason (recorded in the audit log). The plan's
    T16 share is recomputed without it."""
    reason = (reason or "").strip()
    placement = _placement_step(actor, "terminate", placement)
    if not reason:
        raise ValidationError({"reason": _("请填写中止实习的原因。")})
    before = audit.snapshot(placement)
    placement.status = PlacementStatus.TERMINATED
    placement.flags = _without_t16(placement.flags)
    placement.save(update_fields=["status", "flags", "updated_at"])
    extra = plan_flags_refresh(placement.plan)
    _record(
        actor,
        AuditAction.UPDATE,
        "placement_terminate",
        placement,
        before,
        {"reason": [None, reason]} | extra,
    )
    return placement


# --- weekly logs --------------------------------------------------------------------------------------------
WRITABLE_PLACEMENT = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED)


def _check_log_week(log: InternshipLog) -> None:
    placement = log.placement
    if placement.status not in WRITABLE_PLACEMENT:
        raise ValidationError(
            _("实习当前状态为“%(status)s”，实习开始后才能写周志。")
            % {"status": placement.get_status_display()}
        )
    week = monday(log.week_start)
    log.week_start = week
    if week > monday(placement.end_date) or week + dt.timedelta(days=6) < placement.start_date:
        raise ValidationError(
            {
                "week_start": _("%(week)s 这一周不在实习期 %(start)s 至 %(end)s 内。")
                % {
                    "week": day_text(week),
                    "start": day_text(placement.start_date),
                    "end": day_text(placement.end_date),
                }
            }
        )
    if week > timezone.localdate():
        raise ValidationError(
            {"week_start": _("还没到 %(week)s 这一周，不能提前写周志。") % {"week": day_text(week)}}
        )
    if InternshipLog.objects.filter(placement_id=placement.pk, week_start=week).exclude(pk=log.pk).exists():
        raise ValidationError(
            {
                "week_start": _("%(week)s 这一周的周志已经写过了，请在原周志上修改。")
                % {"week": day_text(week)}
            }
        )


def _log_student(actor, placement: Placement) -> None:
    if not (is_placement_student(actor, placement) or _is_admin(actor)):
        raise _denied(_("只有实习学生本人可以写周志。"))


@transaction.atomic
def internship_log_create(
    *, actor, placement: Placement, week_start: dt.date, content: str, hours: int = 0, submit: bool = False
) -> InternshipLog:
    """The student writes the log of one week of their placement (one per week, once the placement started,
    not for a week to come), as a draft, or submitted for countersigning with ``submit``."""
    placement = Placement.objects.select_for_update().select_related("student").get(pk=placement.pk)
    _log_student(actor, placement)
    log = InternshipLog(placement=placement, week_start=week_start, content=content, hours=hours or 0)
    _check_log_week(log)
    if submit:
        log.status, log.submitted_at = LogStatus.SUBMITTED, timezone.now()
    log.full_clean(validate_constraints=False)
    log.save(force_insert=True)
    _record(actor, AuditAction.CREATE, "internship_log_create", log, {})
    return log


@transaction.atomic
def internship_log_update(*, actor, instance: InternshipLog, data: dict[str, Any]) -> InternshipLog:
    """The student changes a draft or a returned log (its week, text and hours)."""
    log = InternshipLog.objects.select_for_update().select_related("placement__student").get(pk=instance.pk)
    _log_student(actor, log.placement)
    if log.status not in (LogStatus.DRAFT, LogStatus.RETURNED):
        raise ValidationError(
            _("周志当前状态为“%(status)s”，只有草稿或退回修改的周志可以修改。")
            % {"status": log.get_status_display()}
        )
    before = audit.snapshot(log)
    for name in ("week_start", "content", "hours"):
        if name in data and data[name] is not None:
            setattr(log, name, data[name])
    _check_log_week(log)
    log.full_clean(validate_constraints=False)
    _save_changed(log, before)
    _record(actor, AuditAction.UPDATE, "internship_log_update", log, before)
    return log


@transaction.atomic
def internship_log_delete(*, actor, instance: InternshipLog) -> None:
    """The student deletes a draft never submitted."""
    _log_student(actor, instance.placement)
    if instance.status != LogStatus.DRAFT:
        raise ValidationError(_("只有草稿可以删除。"))
    core_services.object_delete(actor=actor, instance=instance, verb="internship_log_delete")


def _log_step(actor, step: str, log: InternshipLog, states, refusal: str) -> InternshipLog:
    log = InternshipLog.objects.select_for_update().select_related("placement__student").get(pk=log.pk)
    if not log_may(actor, step, log):
        raise _denied(refusal)
    if log.status not in states:
        raise ValidationError(
            _("周志当前状态为“%(status)s”，不能%(step)s。")
            % {
                "status": log.get_status_display(),
                "step": _LOG_STEP_NAMES[step],
            }
        )
    return log


@transaction.atomic
def internship_log_submit(*, actor, log: InternshipLog) -> InternshipLog:
    """The student submits a draft (or resubmits a returned log) to the enterprise mentor."""
    log = _log_step(
        actor, "submit", log, (LogStatus.DRAFT, LogStatus.RETURNED), _("只有实习学生本人可以提交周志。")
    )
    if not log.content.strip():
        raise ValidationError({"content": _("周志内容不能为空。")})
    before = audit.snapshot(log)
    log.status, log.submitted_at = LogStatus.SUBMITTED, timezone.now()
    log.save(update_fields=["status", "submitted_at", "updated_at"])
    _record(actor, AuditAction.UPDATE, "internship_log_submit", log, before)
    return log


@transaction.atomic
def internship_log_countersign(*, actor, log: InternshipLog, comment: str = "") -> InternshipLog:
    """The placement's enterprise mentor, and only they, countersigns a submitted log (comment optional)."""
    log = _log_step(
        actor, "countersign", log, (LogStatus.SUBMITTED,), _("只有该实习的企业导师本人可以会签周志。")
    )
    before = audit.snapshot(log)
    log.status = LogStatus.COUNTERSIGNED
    log.countersigned_by, log.countersigned_at = actor, timezone.now()
    log.mentor_comment = (comment or "").strip()
    log.save(update_fields=["status", "countersigned_by", "countersigned_at", "mentor_comment", "updated_at"])
    _record(actor, AuditAction.UPDATE, "internship_log_countersign", log, before)
    return log


@transaction.atomic
def internship_log_return(*, actor, log: InternshipLog, comment: str) -> InternshipLog:
    """The enterprise mentor returns a submitted log for changes, saying what to change (required)."""
    comment = (comment or "").strip()
    log = _log_step(actor, "return", log, (LogStatus.SUBMITTED,), _("只有该实习的企业导师本人可以退回周志。"))
    if not comment:
        raise ValidationError({"mentor_comment": _("退回周志时请写明需要修改的地方。")})
    before = audit.snapshot(log)
    log.status, log.mentor_comment = LogStatus.RETURNED, comment
    log.save(update_fields=["status", "mentor_comment", "updated_at"])
    _record(actor, AuditAction.UPDATE, "internship_log_return", log, before)
    return log


# --- check-ins ----------------------------------------------------------------------------------------------
@transaction.atomic
def check_in_create(*, actor, placement: Placement, location: str = "") -> CheckIn:
    """The student checks in for today: once a day, on a placement under way, within its dates."""
    placement = Placement.objects.select_for_update().select_related("student").get(pk=placement.pk)
    if not is_placement_student(actor, placement):
        raise _denied(_("只有实习学生本人可以签到。"))
    if placement.status != PlacementStatus.ACTIVE:
        raise ValidationError(
            _("实习当前状态为“%(status)s”，实习中才能签到。") % {"status": placement.get_status_display()}
        )
    now = timezone.now()
    today = timezone.localdate(now)
    if not placement.start_date <= today <= placement.end_date:
        raise ValidationError(
            _("今天（%(today)s）不在实习期 %(start)s 至 %(end)s 内，不能签到。")
            % {
                "today": day_text(today),
                "start": day_text(placement.start_date),
                "end": day_text(placement.end_date),
            }
        )
    if CheckIn.objects.filter(placement=placement, date=today).exists():
        raise ValidationError(_("今天（%(today)s）已经签到过了。") % {"today": day_text(today)})
    check_in = CheckIn(placement=placement, date=today, time=now, location=(location or "").strip()[:200])
    check_in.full_clean(validate_constraints=False)
    check_in.save(force_insert=True)
    _record(actor, AuditAction.CREATE, "check_in_create", check_in, {})
    return check_in


# --- leave --------------------------------------------------------------------------------------------------
@transaction.atomic
def leave_request_create(
    *, actor, placement: Placement, start_date: dt.date, end_date: dt.date, reason: str
) -> LeaveRequest:
    """The student asks for leave within their placement's dates; both mentors decide."""
    placement = Placement.objects.select_for_update().select_related("student").get(pk=placement.pk)
    if not is_placement_student(actor, placement):
        raise _denied(_("只有实习学生本人可以请假。"))
    if placement.status not in (PlacementStatus.PLANNED, PlacementStatus.ACTIVE):
        raise ValidationError(
            _("实习当前状态为“%(status)s”，不能请假。") % {"status": placement.get_status_display()}
        )
    if not placement.school_mentor_id or not placement.enterprise_mentor_id:
        raise ValidationError(
            _("请假需由学校导师和企业导师共同审批，该实习尚未指定双方导师，请联系学校管理员。")
        )
    leave = LeaveRequest(
        placement=placement, start_date=start_date, end_date=end_date, reason=(reason or "").strip()
    )
    leave.full_clean()
    if start_date < placement.start_date or end_date > placement.end_date:
        raise ValidationError(
            {
                "start_date": _("请假时间应在实习期 %(start)s 至 %(end)s 内。")
                % {"start": day_text(placement.start_date), "end": day_text(placement.end_date)}
            }
        )
    clash = LeaveRequest.objects.filter(
        placement=placement,
        status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
        start_date__lte=end_date,
        end_date__gte=start_date,
    ).exists()
    if clash:
        raise ValidationError({"start_date": _("这段时间已有待审批或已批准的请假。")})
    leave.save(force_insert=True)
    _record(actor, AuditAction.CREATE, "leave_request_create", leave, {})
    return leave


@transaction.atomic
def leave_request_decide(*, actor, leave: LeaveRequest, side: str, approve: bool) -> LeaveRequest:
    """One mentor decides their side of a pending request, once: the school mentor the school side, the
    enterprise mentor the enterprise side. Approved when both approve; rejected when either rejects."""
    leave = LeaveRequest.objects.select_for_update().select_related("placement").get(pk=leave.pk)
    if side not in MentorSide.values:
        raise ValidationError({"side": _("审批方应为学校导师或企业导师。")})
    if not leave_side_may(actor, side, leave):
        raise _denied(
            _("只有该实习的%(side)s本人可以审批%(side)s一方的意见。") % {"side": MentorSide(side).label}
        )
    if leave.status != LeaveStatus.PENDING:
        raise ValidationError(
            _("请假当前状态为“%(status)s”，不能再审批。") % {"status": leave.get_status_display()}
        )
    if getattr(leave, f"{side}_decision") is not None:
        raise ValidationError(_("%(side)s已经审批过这份请假。") % {"side": MentorSide(side).label})
    before = audit.snapshot(leave)
    setattr(leave, f"{side}_decision", bool(approve))
    setattr(leave, f"{side}_decided_by", actor)
    setattr(leave, f"{side}_decided_at", timezone.now())
    if not approve:
        leave.status = LeaveStatus.REJECTED
    elif leave.school_decision and leave.enterprise_decision:
        leave.status = LeaveStatus.APPROVED
    leave.save(
        update_fields=[f"{side}_decision", f"{side}_decided_by", f"{side}_decided_at", "status", "updated_at"]
    )
    _record(actor, AuditAction.UPDATE, "leave_request_decide", leave, before)
    return leave


@transaction.atomic
def leave_request_cancel(*, actor, leave: LeaveRequest) -> LeaveRequest:
    """The student withdraws a request still pending."""
    leave = LeaveRequest.objects.select_for_update().select_related("placement__student").get(pk=leave.pk)
    if not is_placement_student(actor, leave.placement):
        raise _denied(_("只有请假的学生本人可以撤回。"))
    if leave.status != LeaveStatus.PENDING:
        raise ValidationError(
            _("请假当前状态为“%(status)s”，不能撤回。") % {"status": leave.get_status_display()}
        )
    before = audit.snapshot(leave)
    leave.status = LeaveStatus.CANCELLED
    leave.save(update_fields=["status", "updated_at"])
    _record(actor, AuditAction.UPDATE, "leave_request_cancel", leave, before)
    return leave


# --- subsidies ----------------------------------------------------------------------------------------------
def subsidy_errors(subsidy: InternshipSubsidy, *, model: bool = True) -> dict[str, list[str]]:
    """Refusals of a subsidy row as written: model validation (unless ``model`` is False: the import does
    it), a month within the placement's dates, one row per month."""
    errors: dict[str, list[str]] = {}
    if model:
        try:
            subsidy.full_clean(validate_constraints=False)
        except ValidationError as exc:
            errors = exc.message_dict
    elif subsidy.month:
        subsidy.month = subsidy.month.replace(day=1)
    if subsidy.placement_id and subsidy.month and "month" not in errors:
        placement = subsidy.placement
        first = placement.start_date.replace(day=1)
        if not first <= subsidy.month <= placement.end_date:
            errors["month"] = [
                _("%(month)s 不在实习期 %(start)s 至 %(end)s 内。")
                % {
                    "month": subsidy.month.strftime("%Y-%m"),
                    "start": day_text(placement.start_date),
                    "end": day_text(placement.end_date),
                }
            ]
        clash = InternshipSubsidy.objects.filter(placement_id=subsidy.placement_id, month=subsidy.month)
        if subsidy.pk:
            clash = clash.exclude(pk=subsidy.pk)
        if model and "month" not in errors and clash.exists():
            errors["month"] = [
                _("该学生 %(month)s 的补贴已登记。") % {"month": subsidy.month.strftime("%Y-%m")}
            ]
    return errors


def _subsidy_writer(actor, placement: Placement | None) -> None:
    if _is_admin(actor) or placement is None:
        return
    role = getattr(actor, "role", None)
    if role == Role.SCHOOL_ADMIN and actor.school_id and placement.plan.school_id == actor.school_id:
        return
    if role == Role.ENTERPRISE_HR and actor.enterprise_id and placement.enterprise_id == actor.enterprise_id:
        return
    raise _denied(_("只有实习单位的企业人事或本校学校管理员可以登记实习补贴。"))


SUBSIDY_FIELDS = ("placement", "month", "amount", "paid_on", "note")


@transaction.atomic
def internship_subsidy_create(*, actor, data: dict[str, Any]) -> InternshipSubsidy:
    """Record a month's internship pay or subsidy for a placement (one row per month)."""
    subsidy = InternshipSubsidy()
    _assign(subsidy, {k: v for k, v in data.items() if k in SUBSIDY_FIELDS})
    _subsidy_writer(actor, subsidy.placement if subsidy.placement_id else None)
    errors = subsidy_errors(subsidy)
    if errors:
        raise ValidationError(errors)
    subsidy.save(force_insert=True)
    _record(actor, AuditAction.CREATE, "internship_subsidy_create", subsidy, {})
    return subsidy


@transaction.atomic
def internship_subsidy_update(
    *, actor, instance: InternshipSubsidy, data: dict[str, Any]
) -> InternshipSubsidy:
    """Correct a subsidy row (the placement stays)."""
    subsidy = InternshipSubsidy.objects.select_for_update().get(pk=instance.pk)
    _subsidy_writer(actor, subsidy.placement)
    before = audit.snapshot(subsidy)
    _assign(subsidy, {k: v for k, v in data.items() if k in SUBSIDY_FIELDS})
    errors = subsidy_errors(subsidy)
    if errors:
        raise ValidationError(errors)
    core_services._refuse_locked(actor, InternshipSubsidy, audit.diff(before, audit.snapshot(subsidy)))
    _save_changed(subsidy, before)
    _record(actor, AuditAction.UPDATE, "internship_subsidy_update", subsidy, before)
    return subsidy


@transaction.atomic
def internship_subsidy_delete(*, actor, instance: InternshipSubsidy) -> None:
    _subsidy_writer(actor, instance.placement)
    core_services.object_delete(actor=actor, instance=instance, verb="internship_subsidy_delete")


# --- evaluations --------------------------------------------------------------------------------------------
def _evaluation_window(placement: Placement) -> None:
    if placement.status not in WRITABLE_PLACEMENT:
        raise ValidationError(
            _("实习当前状态为“%(status)s”，不能鉴定。") % {"status": placement.get_status_display()}
        )
    opens = placement.end_date - dt.timedelta(days=6)
    if timezone.localdate() < opens:
        raise ValidationError(_("实习鉴定从实习最后一周（%(from)s）起填写。") % {"from": day_text(opens)})


@transaction.atomic
def evaluation_create(*, actor, placement: Placement, side: str, score: int, comment: str = "") -> Evaluation:
    """A mentor writes their side's closing evaluation (the school mentor side=school, the enterprise mentor
    side=enterprise), once, from the placement's last week on; score 0-100."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if side not in MentorSide.values:
        raise ValidationError({"side": _("评价方应为学校导师或企业导师。")})
    if mentor_side(actor, placement) != side:
        raise _denied(_("只有该实习的%(side)s本人可以填写%(side)s鉴定。") % {"side": MentorSide(side).label})
    _evaluation_window(placement)
    if Evaluation.objects.filter(placement=placement, side=side).exists():
        raise ValidationError(
            {"side": _("%(side)s鉴定已经填写过，请在原鉴定上修改。") % {"side": MentorSide(side).label}}
        )
    evaluation = Evaluation(
        placement=placement, side=side, evaluator=actor, score=score, comment=comment or ""
    )
    evaluation.full_clean(validate_constraints=False)
    evaluation.save(force_insert=True)
    _record(actor, AuditAction.CREATE, "evaluation_create", evaluation, {})
    return evaluation


@transaction.atomic
def evaluation_update(*, actor, instance: Evaluation, data: dict[str, Any]) -> Evaluation:
    """The evaluator corrects their score or comment."""
    evaluation = Evaluation.objects.select_for_update().select_related("placement").get(pk=instance.pk)
    if mentor_side(actor, evaluation.placement) != evaluation.side:
        raise _denied(_("只有填写鉴定的导师本人可以修改。"))
    before = audit.snapshot(evaluation)
    for name in ("score", "comment"):
        if name in data and data[name] is not None:
            setattr(evaluation, name, data[name])
    evaluation.full_clean(validate_constraints=False)
    _save_changed(evaluation, before)
    _record(actor, AuditAction.UPDATE, "evaluation_update", evaluation, before)
    return evaluation


def user_by_username(username: str) -> User | None:
    """A user by exact username (forms and imports name mentors by their login)."""
    username = (username or "").strip()
    return User.objects.filter(username=username).first() if username else None
