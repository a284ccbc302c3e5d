"""Every write on agreements, their students and change requests (DESIGN rule 2).

Agreements: ``agreement_create``/``agreement_update``/``agreement_delete`` (drafts only), then
``agreement_propose`` (either side; records its approval) → ``agreement_approve`` (the other side; ACTIVE
once both approved) or ``agreement_return`` (back to DRAFT, approvals cleared); ``agreement_end`` and
``agreement_cancel``.

Members: ``member_invite`` (the school), ``member_respond`` (the student, by the deadline, within the planned
headcount under a row lock on the agreement), ``members_expire`` (INVITED past the deadline → EXPIRED; to be
scheduled daily) and ``member_leave``.

Change requests: ``agreement_change_request`` → ``agreement_change_decide`` by each organization involved
(the last approval moves the student) or ``agreement_change_withdraw``.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import day_text
from xiaoqitong.core.models import AuditAction, AuditLog
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import Student

from ..choices import AgreementStatus, ChangeStatus, MemberStatus
from ..models import Agreement, AgreementChange, AgreementMember
from ..policies.agreements import (
    AGREEMENT_STEPS,
    ENTERPRISE,
    SCHOOL,
    STEP_LABELS,
    agreement_may,
    agreement_side,
    approved_sides,
    change_awaits,
    change_may_withdraw,
    change_parties,
    confirm_deadline_passed,
    member_may,
    party_keys_of,
)

# What the services set themselves: never taken from ``data``.
MANAGED = {
    "status",
    "school_approved_by",
    "school_approved_at",
    "enterprise_approved_by",
    "enterprise_approved_at",
}


def _denied() -> PermissionDenied:
    return PermissionDenied(_("您没有权限执行此操作。"))


# --- agreements --------------------------------------------------------------------------------------------
def _check_writer(actor, agreement: Agreement) -> None:
    """Only the agreement's own school administrator or enterprise HR (or a platform administrator)."""
    if getattr(actor, "is_superuser", False):
        return
    if agreement_side(actor, agreement) is None:
        raise PermissionDenied(_("只有协议所属学校的管理员或所属企业的人事可以编辑协议。"))


def _check_positions(enterprise_id: int | None, positions: Iterable[Position] | None) -> None:
    wrong = [p for p in positions or [] if p.enterprise_id != enterprise_id]
    if wrong:
        raise ValidationError(
            {
                "positions": _("对应岗位应为协议企业的岗位：%(titles)s 不是。")
                % {"titles": "、".join(p.title for p in wrong)}
            }
        )


def _with_own_side(actor, data: dict[str, Any]) -> dict[str, Any]:
    """A school administrator writes for their school, HR for their enterprise, whatever ``data`` says."""
    data = {k: v for k, v in data.items() if k not in MANAGED}
    if getattr(actor, "is_superuser", False):
        return data
    if getattr(actor, "school_id", None) and getattr(actor, "role", None) == Role.SCHOOL_ADMIN:
        data["school"] = actor.school
    if getattr(actor, "enterprise_id", None) and getattr(actor, "role", None) == Role.ENTERPRISE_HR:
        data["enterprise"] = actor.enterprise
    return data


@transaction.atomic
def agreement_create(*, actor, data: dict[str, Any]) -> Agreement:
    """Create an agreement as a draft. A school administrator creates it for their own school, an enterprise's
    HR for their own enterprise; the other party is chosen. Its positions must be the enterprise's."""
    data = _with_own_side(actor, data)
    probe = Agreement(school=data.get("school"), enterprise=data.get("enterprise"))
    _check_writer(actor, probe)
    enterprise = data.get("enterprise")
    _check_positions(getattr(enterprise, "pk", None), data.get("positions"))
    return core_services.object_create(actor=actor, model=Agreement, data=data, verb="agreement_create")


@transaction.atomic
def agreement_update(*, actor, instance: Agreement, data: dict[str, Any]) -> Agreement:
    """Change a draft. Refused while it waits for the other side's approval (return it first) and once it
    runs; the writer's own organization cannot be changed (``AgreementPolicy.locked``)."""
    agreement = Agreement.objects.select_for_update().get(pk=instance.pk)
    _check_writer(actor, agreement)
    _refuse_unless_draft(agreement)
    data = {k: v for k, v in data.items() if k not in MANAGED}
    enterprise = data.get("enterprise", agreement.enterprise)
    positions = data["positions"] if "positions" in data else list(agreement.positions.all())
    _check_positions(getattr(enterprise, "pk", None), positions)
    return core_services.object_update(actor=actor, instance=agreement, data=data, verb="agreement_update")


def _refuse_unless_draft(agreement: Agreement) -> None:
    if agreement.status == AgreementStatus.PROPOSED:
        raise ValidationError(_("协议正在等待对方确认，不能修改；如需修改，请先退回。"))
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(
            _("协议当前状态为“%(status)s”，只有草稿可以修改或删除。")
            % {"status": agreement.get_status_display()}
        )


@transaction.atomic
def agreement_delete(*, actor, instance: Agreement) -> None:
    """Delete a draft agreement (one that never ran)."""
    agreement = Agreement.objects.select_for_update().get(pk=instance.pk)
    _check_writer(actor, agreement)
    _refuse_unless_draft(agreement)
    core_services.object_delete(actor=actor, instance=agreement, verb="agreement_delete")


def _step(actor, step: str, agreement: Agreement) -> Agreement:
    """Lock the agreement and check that the actor may take ``step`` and that its state allows it."""
    agreement = (
        Agreement.objects.select_for_update().select_related("school", "enterprise").get(pk=agreement.pk)
    )
    if not agreement_may(actor, step, agreement):
        if step == "approve" and agreement_side(actor, agreement) in approved_sides(agreement):
            raise ValidationError(_("贵方已确认过这份协议，正在等待对方确认。"))
        raise _denied()
    if agreement.status not in AGREEMENT_STEPS[step]:
        raise ValidationError(
            _("协议当前状态为“%(status)s”，不能%(step)s。")
            % {"status": agreement.get_status_display(), "step": STEP_LABELS[step]}
        )
    return agreement


def _transition(actor, agreement: Agreement, verb: str, note: str = "", **values) -> Agreement:
    before = audit.snapshot(agreement)
    for name, value in values.items():
        setattr(agreement, name, value)
    agreement.save(update_fields=[*values, "updated_at"])
    changes = audit.diff(before, audit.snapshot(agreement))
    if note:
        changes["note"] = note
    audit.record(actor=actor, action=AuditAction.UPDATE, verb=verb, instance=agreement, changes=changes)
    return agreement


def _approval(side: str, actor) -> dict[str, Any]:
    return {f"{side}_approved_by": actor, f"{side}_approved_at": timezone.now()}


@transaction.atomic
def agreement_propose(*, actor, agreement: Agreement) -> Agreement:
    """Either side sends a draft to the other for approval; the proposing side's approval is recorded. Refused
    without a student confirmation deadline (students confirm their places by it)."""
    agreement = _step(actor, "propose", agreement)
    agreement.full_clean()
    if not agreement.confirm_deadline:
        raise ValidationError({"confirm_deadline": _("请先填写学生确认截止日期，再提交对方确认。")})
    side = agreement_side(actor, agreement) or SCHOOL  # a platform administrator proposes as the school
    return _transition(
        actor, agreement, "agreement_propose", status=AgreementStatus.PROPOSED, **_approval(side, actor)
    )


@transaction.atomic
def agreement_approve(*, actor, agreement: Agreement) -> Agreement:
    """The side that has not approved yet approves; once both sides have, the agreement runs (ACTIVE) and the
    school may invite students."""
    agreement = _step(actor, "approve", agreement)
    done = approved_sides(agreement)
    side = agreement_side(actor, agreement)
    values: dict[str, Any] = {}
    for missing in [side] if side else [s for s in (SCHOOL, ENTERPRISE) if s not in done]:
        values |= _approval(missing, actor)
        done.add(missing)
    if done == {SCHOOL, ENTERPRISE}:
        values["status"] = AgreementStatus.ACTIVE
    return _transition(actor, agreement, "agreement_approve", **values)


@transaction.atomic
def agreement_return(*, actor, agreement: Agreement, note: str) -> Agreement:
    """Either side sends a proposed agreement back to draft with its reasons; both approvals are cleared."""
    note = (note or "").strip()
    agreement = _step(actor, "return", agreement)
    if not note:
        raise ValidationError({"note": _("请填写退回理由，对方将看到它。")})
    return _transition(
        actor,
        agreement,
        "agreement_return",
        note=note,
        status=AgreementStatus.DRAFT,
        school_approved_by=None,
        school_approved_at=None,
        enterprise_approved_by=None,
        enterprise_approved_at=None,
    )


@transaction.atomic
def agreement_end(*, actor, agreement: Agreement, note: str = "") -> Agreement:
    """Either side closes a running agreement when its term is over; its confirmed places stay on record (the
    fulfilment counts them)."""
    agreement = _step(actor, "end", agreement)
    return _transition(
        actor, agreement, "agreement_end", note=(note or "").strip(), status=AgreementStatus.ENDED
    )


@transaction.atomic
def agreement_cancel(*, actor, agreement: Agreement, note: str) -> Agreement:
    """Either side stops an agreement before its term (a draft, a proposed or a running one), with reasons."""
    note = (note or "").strip()
    agreement = _step(actor, "cancel", agreement)
    if not note:
        raise ValidationError({"note": _("请填写终止理由。")})
    return _transition(actor, agreement, "agreement_cancel", note=note, status=AgreementStatus.CANCELLED)


# --- members -----------------------------------------------------------------------------------------------
def confirmed_elsewhere(
    students: Iterable[Student], agreement: Agreement | None = None
) -> dict[int, Agreement]:
    """``{student id: agreement}``: the students holding a confirmed place in another running agreement."""
    ids = [s.pk for s in students]
    rows = (
        AgreementMember.objects.filter(
            student_id__in=ids, status=MemberStatus.CONFIRMED, agreement__status=AgreementStatus.ACTIVE
        )
        .exclude(agreement_id=getattr(agreement, "pk", None))
        .select_related("agreement")
    )
    return {row.student_id: row.agreement for row in rows}


def eligibility_problem(student: Student, agreement: Agreement) -> str:
    """Why the student cannot take a place in the agreement ('' when they can): the agreement is for one
    school, major and cohort (年级 = 入学年份)."""
    if student.school_id != agreement.school_id:
        return _("%(name)s（%(no)s）不是本校学生") % {"name": student.name, "no": student.student_no}
    if student.school_major.major_id != agreement.school_major.major_id:
        return _("%(name)s（%(no)s）不是“%(major)s”专业的学生") % {
            "name": student.name,
            "no": student.student_no,
            "major": agreement.school_major.major.name,
        }
    if student.grade != agreement.cohort:
        return _("%(name)s（%(no)s）是 %(grade)s 级学生，协议面向 %(cohort)s 级") % {
            "name": student.name,
            "no": student.student_no,
            "grade": student.grade,
            "cohort": agreement.cohort,
        }
    return ""


def _students_by_numbers(agreement: Agreement, numbers: Iterable[str]) -> tuple[list[Student], list[str]]:
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    found = {
        s.student_no: s
        for s in Student.objects.filter(school_id=agreement.school_id, student_no__in=numbers).select_related(
            "school_major__major"
        )
    }
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


@transaction.atomic
def member_invite(
    *,
    actor,
    agreement: Agreement,
    students: Iterable[Student] = (),
    student_nos: Iterable[str] = (),
) -> list[AgreementMember]:
    """The school administrator offers places in a running agreement to several students at once (chosen, or
    by 学号). All or nothing: every problem is named — a student of another school, major or cohort, an
    unknown 学号, a student already invited or confirmed here, or holding a confirmed place in another
    running agreement (named). Refused after the students' confirmation deadline. A student who declined or
    let an earlier offer expire is invited again."""
    agreement = (
        Agreement.objects.select_for_update().select_related("school_major__major").get(pk=agreement.pk)
    )
    if not agreement_may(actor, "invite", agreement):
        raise PermissionDenied(_("只有协议所属学校的管理员可以邀请学生。"))
    if agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError(
            _("协议当前状态为“%(status)s”，双方确认后（执行中）才能邀请学生。")
            % {"status": agreement.get_status_display()}
        )
    if confirm_deadline_passed(agreement):
        raise ValidationError(
            _("学生确认截止日期（%(date)s）已过，不能再邀请学生。")
            % {"date": day_text(agreement.confirm_deadline)}
        )
    chosen = {
        s.pk: s
        for s in Student.objects.filter(pk__in=[s.pk for s in students]).select_related("school_major__major")
    }
    by_number, unknown = _students_by_numbers(agreement, student_nos)
    for s in by_number:
        chosen.setdefault(s.pk, s)
    problems = [_("本校没有学号为“%(no)s”的学生") % {"no": n} for n in unknown]
    if not chosen and not problems:
        raise ValidationError(_("请选择要邀请的学生，或填写学号。"))
    existing = {
        m.student_id: m for m in AgreementMember.objects.filter(agreement=agreement, student_id__in=chosen)
    }
    elsewhere = confirmed_elsewhere(chosen.values(), agreement)
    for student in chosen.values():
        if problem := eligibility_problem(student, agreement):
            problems.append(problem)
        elif (row := existing.get(student.pk)) and row.status not in (
            MemberStatus.DECLINED,
            MemberStatus.EXPIRED,
        ):
            problems.append(
                _("%(name)s（%(no)s）已在本协议中（%(status)s）")
                % {"name": student.name, "no": student.student_no, "status": row.get_status_display()}
            )
        elif student.pk in elsewhere:
            problems.append(
                _("%(name)s（%(no)s）已确认参加“%(other)s”")
                % {"name": student.name, "no": student.student_no, "other": elsewhere[student.pk]}
            )
    if problems:
        raise ValidationError(problems)
    invited = []
    for student in chosen.values():
        row = existing.get(student.pk)
        if row is None:
            row = AgreementMember(agreement=agreement, student=student, status=MemberStatus.INVITED)
            row.full_clean(validate_unique=False)
            row.save(force_insert=True)
        else:
            row.status, row.responded_at, row.note = MemberStatus.INVITED, None, ""
            row.save(update_fields=["status", "responded_at", "note", "updated_at"])
        invited.append(row)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="member_invite",
        instance=agreement,
        changes={"invited": [s.student_no for s in chosen.values()], "members": [m.pk for m in invited]},
    )
    return invited


def headcount_full_message(agreement: Agreement, confirmed: int) -> str:
    return _("名额已满：“%(title)s”计划 %(planned)s 人，已确认 %(confirmed)s 人。") % {
        "title": agreement.title,
        "planned": agreement.planned_headcount,
        "confirmed": confirmed,
    }


def _confirmed_count(agreement: Agreement) -> int:
    return AgreementMember.objects.filter(agreement=agreement, status=MemberStatus.CONFIRMED).count()


@transaction.atomic
def member_respond(*, actor, member: AgreementMember, accept: bool) -> AgreementMember:
    """The student confirms or declines their place by the agreement's deadline. Confirming is refused when
    the confirmed places would exceed the planned headcount (the agreement row is locked, so that concurrent
    confirmations cannot exceed it) or when the student already holds a confirmed place elsewhere."""
    member = (
        AgreementMember.objects.select_for_update().select_related("student", "agreement").get(pk=member.pk)
    )
    if not member_may(actor, "respond", member):
        raise PermissionDenied(_("只有受邀学生本人可以确认或拒绝。"))
    agreement = Agreement.objects.select_for_update().get(pk=member.agreement_id)
    if member.status != MemberStatus.INVITED:
        raise ValidationError(
            _("该名额当前状态为“%(status)s”，不能再确认或拒绝。") % {"status": member.get_status_display()}
        )
    if agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError(
            _("协议当前状态为“%(status)s”，不能确认。") % {"status": agreement.get_status_display()}
        )
    if confirm_deadline_passed(agreement):
        raise ValidationError(
            _("确认截止日期（%(date)s）已过，不能再确认或拒绝。")
            % {"date": day_text(agreement.confirm_deadline)}
        )
    if accept:
        confirmed = _confirmed_count(agreement)
        if confirmed >= agreement.planned_headcount:
            raise ValidationError(headcount_full_message(agreement, confirmed))
        elsewhere = confirmed_elsewhere([member.student], agreement)
        if member.student_id in elsewhere:
            raise ValidationError(
                _("您已确认参加“%(other)s”，不能同时参加两个校企合作项目；如需更换，请申请协议变更。")
                % {"other": elsewhere[member.student_id]}
            )
    before = audit.snapshot(member)
    member.status = MemberStatus.CONFIRMED if accept else MemberStatus.DECLINED
    member.responded_at = timezone.now()
    member.save(update_fields=["status", "responded_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="member_respond",
        instance=member,
        changes=audit.diff(before, audit.snapshot(member)),
    )
    return member


@transaction.atomic
def members_expire(*, actor=None, today: dt.date | None = None) -> int:
    """Mark places still INVITED after their agreement's confirmation deadline, or in an agreement that has
    ended or was cancelled, EXPIRED (a daily task); one audit record per place, in the system's name unless an
    actor is given. Returns how many expired."""
    today = today or timezone.localdate()
    over = Q(agreement__confirm_deadline__lt=today) | Q(
        agreement__status__in=[AgreementStatus.ENDED, AgreementStatus.CANCELLED]
    )
    due = list(
        AgreementMember.objects.select_for_update()
        .filter(over, status=MemberStatus.INVITED)
        .select_related("student", "agreement")
        .order_by("pk")
    )
    if not due:
        return 0
    AgreementMember.objects.filter(pk__in=[m.pk for m in due]).update(
        status=MemberStatus.EXPIRED, updated_at=timezone.now()
    )
    AuditLog.objects.bulk_create(
        [
            audit.build(
                actor=actor,
                action=AuditAction.UPDATE,
                verb="members_expire",
                instance=m,
                changes={"status": [MemberStatus.INVITED, MemberStatus.EXPIRED]},
            )
            for m in due
        ],
        batch_size=1000,
    )
    return len(due)


@transaction.atomic
def member_leave(*, actor, member: AgreementMember, note: str) -> AgreementMember:
    """The school records that a student leaves the agreement (an invited or a confirmed place), with the
    reason; the place is freed."""
    note = (note or "").strip()
    member = (
        AgreementMember.objects.select_for_update().select_related("student", "agreement").get(pk=member.pk)
    )
    if not member_may(actor, "leave", member):
        raise PermissionDenied(_("只有协议所属学校的管理员可以办理退出。"))
    if member.status not in (MemberStatus.INVITED, MemberStatus.CONFIRMED):
        raise ValidationError(
            _("该名额当前状态为“%(status)s”，不能办理退出。") % {"status": member.get_status_display()}
        )
    if not note:
        raise ValidationError({"note": _("请填写退出原因。")})
    before = audit.snapshot(member)
    member.status, member.note = MemberStatus.LEFT, note[:200]
    member.save(update_fields=["status", "note", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="member_leave",
        instance=member,
        changes=audit.diff(before, audit.snapshot(member)),
    )
    return member


# --- change requests ---------------------------------------------------------------------------------------
@transaction.atomic
def agreement_change_request(
    *, actor, member: AgreementMember, to_agreement: Agreement, reason: str
) -> AgreementChange:
    """The student (or their school's administrator) asks to move a confirmed place to another running
    agreement with another enterprise or school, with reasons. One pending request per place."""
    reason = (reason or "").strip()
    member = (
        AgreementMember.objects.select_for_update()
        .select_related("student", "agreement__school", "agreement__enterprise")
        .get(pk=member.pk)
    )
    if not member_may(actor, "change", member):
        raise PermissionDenied(_("只有学生本人或其学校管理员可以申请协议变更。"))
    if member.status != MemberStatus.CONFIRMED or member.agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError(_("只有执行中协议里已确认的名额可以申请变更。"))
    to_agreement = Agreement.objects.select_related("school", "enterprise").get(pk=to_agreement.pk)
    errors = []
    if to_agreement.status != AgreementStatus.ACTIVE:
        errors.append(_("转入协议“%(title)s”不在执行中。") % {"title": to_agreement.title})
    if to_agreement.pk == member.agreement_id or (
        to_agreement.school_id == member.agreement.school_id
        and to_agreement.enterprise_id == member.agreement.enterprise_id
    ):
        errors.append(_("协议变更应转入另一家企业或另一所学校的协议。"))
    if AgreementMember.objects.filter(
        agreement=to_agreement,
        student_id=member.student_id,
        status__in=[MemberStatus.INVITED, MemberStatus.CONFIRMED],
    ).exists():
        errors.append(_("该学生已在转入协议中。"))
    if AgreementChange.objects.filter(member=member, status=ChangeStatus.PENDING).exists():
        errors.append(_("该名额已有一份待审批的变更申请，请等待办结或先撤回。"))
    if not reason:
        errors.append(_("请填写变更理由。"))
    if errors:
        raise ValidationError(errors)
    change = AgreementChange(member=member, to_agreement=to_agreement, reason=reason, requested_by=actor)
    change.full_clean()
    change.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="agreement_change_request",
        instance=change,
        changes=audit.diff({}, audit.snapshot(change)),
    )
    return change


def _locked_change(change: AgreementChange) -> AgreementChange:
    return (
        AgreementChange.objects.select_for_update()
        .select_related(
            "member__student",
            "member__agreement__school",
            "member__agreement__enterprise",
            "to_agreement__school",
            "to_agreement__enterprise",
        )
        .get(pk=change.pk)
    )


def _move(change: AgreementChange, now) -> dict[str, Any]:
    """Move the student: the old place TRANSFERRED, a CONFIRMED place in the target (within its headcount)."""
    member = AgreementMember.objects.select_for_update().get(pk=change.member_id)
    target = Agreement.objects.select_for_update().get(pk=change.to_agreement_id)
    if member.status != MemberStatus.CONFIRMED:
        raise ValidationError(
            _("原名额当前状态为“%(status)s”，不能转出。") % {"status": member.get_status_display()}
        )
    if target.status != AgreementStatus.ACTIVE:
        raise ValidationError(_("转入协议“%(title)s”已不在执行中。") % {"title": target.title})
    confirmed = _confirmed_count(target)
    if confirmed >= target.planned_headcount:
        raise ValidationError(headcount_full_message(target, confirmed))
    member.status = MemberStatus.TRANSFERRED
    member.note = (_("转入“%(title)s”") % {"title": target.title})[:200]
    member.save(update_fields=["status", "note", "updated_at"])
    place, _created = AgreementMember.objects.get_or_create(
        agreement=target, student_id=member.student_id, defaults={"status": MemberStatus.CONFIRMED}
    )
    place.status, place.responded_at, place.note = MemberStatus.CONFIRMED, now, ""
    place.save(update_fields=["status", "responded_at", "note", "updated_at"])
    return {"transferred": member.pk, "confirmed": place.pk}


@transaction.atomic
def agreement_change_decide(
    *, actor, change: AgreementChange, approve: bool, note: str = ""
) -> AgreementChange:
    """An organization involved (the from- or the to-agreement's school or enterprise) approves or rejects the
    change, once, through its school administrator or HR. Any rejection rejects it; the last approval moves
    the student (refused, with the numbers, when the target's planned headcount is reached)."""
    change = _locked_change(change)
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(
            _("变更申请当前状态为“%(status)s”，不能再审批。") % {"status": change.get_status_display()}
        )
    keys = change_awaits(actor, change)
    if not keys:
        mine = [k for k, _org in change_parties(change) if k in (change.decisions or {})]
        if mine and not getattr(actor, "is_superuser", False) and set(mine) & party_keys_of(actor):
            raise ValidationError(_("贵单位已对这份变更申请作出决定。"))
        raise PermissionDenied(_("只有变更涉及的学校管理员或企业人事可以审批。"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("请填写驳回理由。")})
    before = audit.snapshot(change)
    now = timezone.now()
    decisions = dict(change.decisions or {})
    name = getattr(actor, "get_full_name", lambda: "")() or actor.get_username()
    for key in keys:
        decisions[key] = {
            "by": actor.pk,
            "name": name,
            "at": now.isoformat(),
            "approve": approve,
            "note": note,
        }
    change.decisions = decisions
    moved: dict[str, Any] = {}
    if not approve:
        change.status, change.decided_at = ChangeStatus.REJECTED, now
    elif all(key in decisions for key, _org in change_parties(change)):
        moved = _move(change, now)
        change.status, change.decided_at = ChangeStatus.APPROVED, now
    change.save(update_fields=["decisions", "status", "decided_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="agreement_change_decide",
        instance=change,
        changes=audit.diff(before, audit.snapshot(change)) | moved,
    )
    return change


@transaction.atomic
def agreement_change_withdraw(*, actor, change: AgreementChange) -> AgreementChange:
    """The requester withdraws a pending change request."""
    change = _locked_change(change)
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(
            _("变更申请当前状态为“%(status)s”，不能撤回。") % {"status": change.get_status_display()}
        )
    if not change_may_withdraw(actor, change):
        raise PermissionDenied(_("只有申请人可以撤回变更申请。"))
    before = audit.snapshot(change)
    change.status, change.decided_at = ChangeStatus.WITHDRAWN, timezone.now()
    change.save(update_fields=["status", "decided_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="agreement_change_withdraw",
        instance=change,
        changes=audit.diff(before, audit.snapshot(change)),
    )
    return change
