"""Every write of intentions and of the survey (DESIGN rule 2).

Intentions: ``intention_propose`` → ``intention_sign`` or ``intention_decline`` by the other side, or
``intention_withdraw`` by the proposing side while nobody has answered.

- A **job intention** is proposed by an enterprise's HR (its booth approved at the event, for one of the
  positions the booth brings) to a student registered and approved at the event — named in the list of the
  students it may name (full profile consent, or who booked a slot at the booth) or by the check-in code on
  the pass the student shows —, or by the student to a position an approved booth brings. On signing, the
  student's application is created through ``enterprises.services.application_create`` in the student's name
  (its refusals stand: the posting must be published, within its valid-until date and have places); a
  student who had already applied to that posting has that application linked instead.
- A **cooperation intention** is proposed by an enterprise's HR (booth approved) for a major of a school whose
  delegation is approved, or by the school's administrator (delegation approved) to an enterprise with an
  approved booth: the agreement kind, the planned students and a note. On signing, an agreement DRAFT is
  created through ``cooperation.services.agreements.agreement_create`` by the signer, with these defaults
  (both sides edit the draft before proposing it): the cohort is the intake of the current school year (the
  year of the last 1 September on or before the signing day), it starts on the signing day and ends on
  31 August of the cohort's graduation year (cohort + the major's 学制 in years, three by default); its title
  names the enterprise, the major and the kind; the note becomes its training plan.

Each step writes one audit record and tells the other side (``core.notifications.notify``). Refusals name
the reason in Chinese.

Survey: ``survey_response_submit`` — each approved registration's side answers once, after the event ended.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.cooperation.choices import AgreementKind
from xiaoqitong.cooperation.services.agreements import agreement_create
from xiaoqitong.core import audit
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.enterprises.choices import PositionStatus
from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.enterprises.services import application_create
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.schools.choices import Consent
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import (
    PROPOSE_AFTER,
    EventStatus,
    IntentionKind,
    IntentionStatus,
    ParticipantKind,
    RegistrationStatus,
)
from ..models import Event, Intention, Registration, Slot, SurveyResponse
from ..policies.outcomes import (
    ENTERPRISE,
    SCHOOL,
    STUDENT,
    answers_for,
    may_sign,
    may_withdraw,
    proposer_side,
    proposing_side,
    signer_side,
)
from ..policies.registrations import may_view_event, own_registration
from ..selectors.outcomes import LIVE, side_users

#: Years of study by 学制 (``schools.choices.Duration``), for an agreement draft's end date.
DURATION_YEARS = {"3y": 3, "5y": 5, "3+2": 5, "5+0": 5, "2y": 2, "4y": 4}
TITLE_LENGTH = 100


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _pk(value) -> int | None:
    return value.pk if hasattr(value, "pk") else value


def intention_url(intention: Intention) -> str:
    return intention.get_absolute_url()


# --- proposing ---------------------------------------------------------------------------------------------
def _check_event(actor, event: Event, doing: str) -> Event:
    """The event, locked against nothing (read): published, not cancelled, visible to the actor."""
    event = Event.objects.select_related("type").get(pk=event.pk)
    if not may_view_event(actor, event):
        raise _denied()
    if event.status == EventStatus.DRAFT:
        raise ValidationError(
            _("活动“%(event)s”尚未发布，不能%(doing)s。") % {"event": event, "doing": doing}
        )
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，不能%(doing)s。") % {"event": event, "doing": doing})
    return event


def _own_approved(actor, event: Event) -> Registration:
    """The actor's side's approved registration of ``event``; refused in Chinese otherwise."""
    registration = own_registration(actor, event)
    if registration is not None and registration.status == RegistrationStatus.APPROVED:
        return registration
    if registration is not None and registration.status == RegistrationStatus.PENDING:
        raise ValidationError(_("贵方在本活动的报名（展位）尚待主办方审核，审核通过后才能发起签约意向。"))
    raise ValidationError(
        _("贵方没有本活动已通过的报名（状态：%(status)s），不能发起签约意向。")
        % {"status": registration.get_status_display() if registration else _("未报名")}
    )


def _check_position_open(position: Position) -> None:
    if position.status != PositionStatus.PUBLISHED or position.valid_until < timezone.localdate():
        raise ValidationError(
            {
                "position": _(
                    "岗位“%(title)s”当前不在招聘中（状态：%(status)s，有效期至 %(until)s），"
                    "不能发起求职意向。"
                )
                % {
                    "title": position.title,
                    "status": position.get_status_display(),
                    "until": position.valid_until.isoformat(),
                }
            }
        )


def _student_by_code(event: Event, code: str) -> Student:
    registration = (
        Registration.objects.filter(
            event_id=event.pk, kind=ParticipantKind.STUDENT, checkin_code=code.strip()
        )
        .select_related("student")
        .first()
    )
    if registration is None:
        raise ValidationError(
            {"checkin_code": _("找不到签到码为“%(code)s”的本活动学生报名。") % {"code": code}}
        )
    if registration.status != RegistrationStatus.APPROVED:
        raise ValidationError(
            {
                "checkin_code": _("该学生在本活动的报名状态为“%(status)s”，不能向其发起意向。")
                % {"status": registration.get_status_display()}
            }
        )
    return registration.student


def _check_student(event: Event, booth: Registration, student: Student) -> Student:
    """A student named by the enterprise: registered and approved at the event, and one it may name (full
    profile consent, or booked a slot at its booth)."""
    student = Student.objects.get(pk=student.pk)
    registered = Registration.objects.filter(
        event_id=event.pk,
        kind=ParticipantKind.STUDENT,
        student_id=student.pk,
        status=RegistrationStatus.APPROVED,
    ).exists()
    if not registered:
        raise ValidationError(
            {"student": _("学生“%(name)s”没有本活动已通过的报名。") % {"name": student.name}}
        )
    met = Slot.objects.filter(booth_id=booth.pk, booked_by__student_id=student.pk).exists()
    if student.consent != Consent.FULL and not met:
        # Never confirm a name the enterprise may not see: the same words whatever the student's settings.
        raise ValidationError(
            {
                "student": _(
                    "该学生未向企业完全公开简历，也未预约贵展位的洽谈：请学生出示活动凭证，按签到码发起。"
                )
            }
        )
    return student


def _job_parts(
    actor, side: str, event: Event, own: Registration, position, student, checkin_code: str
) -> dict:
    if side == SCHOOL:
        raise ValidationError(
            _("求职意向由企业人事向学生发起，或由学生向展位的岗位发起；学校可发起合作意向。")
        )
    if position is None:
        raise ValidationError({"position": _("请选择岗位。")})
    position = Position.objects.select_related("enterprise").get(pk=_pk(position))
    if side == ENTERPRISE:
        if not own.positions.filter(pk=position.pk).exists():
            raise ValidationError(
                {"position": _("岗位“%(title)s”不在贵企业本次展位携带的岗位中。") % {"title": position.title}}
            )
        if checkin_code:
            student = _student_by_code(event, checkin_code)
        elif student is None:
            raise ValidationError({"student": _("请选择学生，或填写学生活动凭证上的签到码。")})
        else:
            student = _check_student(event, own, student)
        if not student.user_id:
            raise ValidationError(
                {
                    "student": _("学生“%(name)s”还没有平台账号，无法在线签署意向；请学校为其开通账号。")
                    % {"name": student.name}
                }
            )
        enterprise = actor.enterprise
    else:  # the student proposes to a position an approved booth brings
        student = own.student
        brought = Registration.objects.filter(
            event_id=event.pk,
            kind=ParticipantKind.ENTERPRISE,
            status=RegistrationStatus.APPROVED,
            positions=position,
        ).exists()
        if not brought:
            raise ValidationError(
                {"position": _("岗位“%(title)s”不是本活动已通过展位携带的岗位。") % {"title": position.title}}
            )
        enterprise = position.enterprise
    _check_position_open(position)
    existing = Intention.objects.filter(
        event_id=event.pk,
        kind=IntentionKind.JOB,
        student_id=student.pk,
        position_id=position.pk,
        status__in=LIVE,
    ).first()
    if existing is not None:
        raise ValidationError(
            _("学生“%(name)s”与岗位“%(title)s”在本活动已有签约意向（%(status)s）。")
            % {"name": student.name, "title": position.title, "status": existing.get_status_display()}
        )
    return {"enterprise": enterprise, "position": position, "student": student}


def _cooperation_parts(
    actor, side: str, event: Event, school_major, enterprise, agreement_kind: str, planned_students
) -> dict:
    if side == STUDENT:
        raise ValidationError(_("学生不能发起合作意向；合作意向由企业人事或学校管理员发起。"))
    if school_major is None:
        raise ValidationError({"school_major": _("请选择开设专业。")})
    school_major = SchoolMajor.objects.select_related("school", "major").get(pk=_pk(school_major))
    if side == SCHOOL:
        if school_major.school_id != actor.school_id:
            raise ValidationError({"school_major": _("只能以本校开设的专业发起合作意向。")})
        if enterprise is None:
            raise ValidationError({"enterprise": _("请选择企业。")})
        enterprise = Enterprise.objects.get(pk=_pk(enterprise))
        booth = Registration.objects.filter(
            event_id=event.pk, kind=ParticipantKind.ENTERPRISE, enterprise_id=enterprise.pk
        ).first()
        if booth is None or booth.status != RegistrationStatus.APPROVED:
            raise ValidationError(
                {"enterprise": _("企业“%(name)s”在本活动没有已通过的展位。") % {"name": enterprise.name}}
            )
    else:
        enterprise = actor.enterprise
        delegation = Registration.objects.filter(
            event_id=event.pk, kind=ParticipantKind.SCHOOL, school_id=school_major.school_id
        ).first()
        if delegation is None or delegation.status != RegistrationStatus.APPROVED:
            raise ValidationError(
                {
                    "school_major": _("学校“%(name)s”没有本活动已通过的报名。")
                    % {"name": school_major.school.name}
                }
            )
    if agreement_kind not in AgreementKind.values:
        raise ValidationError(
            {"agreement_kind": _("请选择合作形式（订单班、现代学徒制、企业新型学徒制或预备员工制）。")}
        )
    if not planned_students or planned_students < 1:
        raise ValidationError({"planned_students": _("请填写计划人数（至少 1 人）。")})
    existing = Intention.objects.filter(
        event_id=event.pk,
        kind=IntentionKind.COOPERATION,
        enterprise_id=enterprise.pk,
        school_major_id=school_major.pk,
        agreement_kind=agreement_kind,
        status__in=LIVE,
    ).first()
    if existing is not None:
        raise ValidationError(
            _("“%(enterprise)s”与“%(major)s”在本活动已有%(kind)s合作意向（%(status)s）。")
            % {
                "enterprise": enterprise.name,
                "major": school_major,
                "kind": AgreementKind(agreement_kind).label,
                "status": existing.get_status_display(),
            }
        )
    return {
        "enterprise": enterprise,
        "school_major": school_major,
        "agreement_kind": agreement_kind,
        "planned_students": planned_students,
    }


@transaction.atomic
def intention_propose(
    *,
    actor,
    event: Event,
    kind: str,
    position: Position | None = None,
    student: Student | None = None,
    checkin_code: str = "",
    enterprise: Enterprise | None = None,
    school_major: SchoolMajor | None = None,
    agreement_kind: str = "",
    planned_students: int | None = None,
    note: str = "",
) -> Intention:
    """Propose an intention at ``event`` for the actor's side (enterprise HR, school administrator, student),
    whose registration there must be approved. ``kind`` ``job``: ``position`` and, for HR, ``student`` or
    ``checkin_code``; ``cooperation``: ``school_major`` (and ``enterprise`` for a school),
    ``agreement_kind``, ``planned_students``. The other side is told."""
    side = proposing_side(actor)
    if side is None:
        raise _denied(_("签约意向由企业人事、学校管理员或学生发起。"))
    event = _check_event(actor, event, _("发起签约意向"))
    if timezone.now() > event.ends_at + PROPOSE_AFTER:
        raise ValidationError(
            _("活动已于 %(end)s 结束，签约意向须在活动结束后 %(days)s 天内发起。")
            % {"end": timezone.localtime(event.ends_at).strftime("%Y-%m-%d"), "days": PROPOSE_AFTER.days}
        )
    own = _own_approved(actor, event)
    if kind == IntentionKind.JOB:
        parts = _job_parts(actor, side, event, own, position, student, checkin_code or "")
    elif kind == IntentionKind.COOPERATION:
        parts = _cooperation_parts(
            actor, side, event, school_major, enterprise, agreement_kind or "", planned_students
        )
    else:
        raise ValidationError({"kind": _("请选择意向类型（求职意向或合作意向）。")})
    intention = Intention(event=event, kind=kind, note=(note or "").strip(), proposed_by=actor, **parts)
    intention.full_clean()
    intention.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="intention_propose",
        instance=intention,
        changes=audit.diff({}, audit.snapshot(intention)),
    )
    notify(
        side_users(signer_side(intention), intention),
        _("%(who)s在“%(event)s”向您发起了%(kind)s：%(what)s，请签署或拒绝。")
        % {
            "who": _proposer_name(intention),
            "event": event.title,
            "kind": _kind_word(intention),
            "what": _what(intention),
        },
        intention_url(intention),
    )
    return intention


def _kind_word(intention: Intention) -> str:
    return _("求职意向") if intention.kind == IntentionKind.JOB else _("合作意向")


def _what(intention: Intention) -> str:
    if intention.kind == IntentionKind.JOB:
        return _("%(enterprise)s · %(title)s") % {
            "enterprise": intention.enterprise.name,
            "title": intention.position.title,
        }
    return _("%(enterprise)s · %(major)s（%(kind)s，%(n)s 人）") % {
        "enterprise": intention.enterprise.name,
        "major": f"{intention.school_major.school.name} {intention.school_major.major.name}",
        "kind": intention.get_agreement_kind_display(),
        "n": intention.planned_students,
    }


def _proposer_name(intention: Intention) -> str:
    side = proposer_side(intention)
    if side == ENTERPRISE:
        return intention.enterprise.name
    if side == SCHOOL:
        return intention.school_major.school.name
    if side == STUDENT:
        return intention.student.name
    return _("对方")


# --- answering ---------------------------------------------------------------------------------------------
def _lock(intention: Intention) -> Intention:
    return (
        Intention.objects.select_for_update(of=("self",))
        .select_related(
            "event",
            "enterprise",
            "position",
            "student",
            "school_major__school",
            "school_major__major",
            "proposed_by",
        )
        .get(pk=intention.pk)
    )


def _refuse_unless_proposed(intention: Intention, doing: str) -> None:
    if intention.status != IntentionStatus.PROPOSED:
        raise ValidationError(
            _("该意向当前状态为“%(status)s”，不能%(doing)s。")
            % {"status": intention.get_status_display(), "doing": doing}
        )


def _transition(actor, intention: Intention, verb: str, note: str = "", **values) -> Intention:
    before = audit.snapshot(intention)
    for name, value in values.items():
        setattr(intention, name, value)
    intention.save(update_fields=[*values, "updated_at"])
    changes = audit.diff(before, audit.snapshot(intention))
    if note:
        changes["note"] = note
    audit.record(actor=actor, action=AuditAction.UPDATE, verb=verb, instance=intention, changes=changes)
    return intention


def _job_application(intention: Intention) -> Application:
    """The student's application to the posting: created in the student's name, or the one they already
    made (a second application to the same posting is refused by the enterprises app)."""
    student, position = intention.student, intention.position
    existing = Application.objects.filter(student_id=student.pk, position_id=position.pk).first()
    if existing is not None:
        return existing
    if not student.user_id:
        raise ValidationError(_("学生“%(name)s”还没有平台账号，不能转为求职申请。") % {"name": student.name})
    if proposer_side(intention) == STUDENT and intention.note:
        note = intention.note  # the student's own words to the enterprise
    else:
        note = _("在活动“%(event)s”签署的求职意向。") % {"event": intention.event.title}
        if intention.note:
            note += _("意向内容：%(note)s") % {"note": intention.note}
    try:
        return application_create(actor=student.user, position=position, student=student, note=note)
    except ValidationError:
        # The student applied meanwhile (the same moment): link that application; any other refusal stands.
        existing = Application.objects.filter(student_id=student.pk, position_id=position.pk).first()
        if existing is None:
            raise
        return existing


def intake_year(day: dt.date) -> int:
    """The cohort of the current school year on ``day``: the year of the last 1 September on or before it."""
    return day.year if day.month >= 9 else day.year - 1


def _agreement_data(intention: Intention, day: dt.date) -> dict:
    major = intention.school_major
    cohort = intake_year(day)
    years = DURATION_YEARS.get(major.duration, 3)
    kind = AgreementKind(intention.agreement_kind).label
    title = f"{intention.enterprise.name}·{major.major.name}{kind}"
    plan = _("源自活动“%(event)s”签署的合作意向。") % {"event": intention.event.title}
    return {
        "kind": intention.agreement_kind,
        "title": title[:TITLE_LENGTH],
        "school": major.school,
        "enterprise": intention.enterprise,
        "school_major": major,
        "cohort": cohort,
        "planned_headcount": intention.planned_students,
        "start_date": day,
        "end_date": dt.date(cohort + years, 8, 31),
        "training_plan": f"{intention.note}\n\n{plan}".strip() if intention.note else plan,
    }


@transaction.atomic
def intention_sign(*, actor, intention: Intention) -> Intention:
    """The other side signs a proposed intention: a job intention becomes (or is linked to) the student's
    application, a cooperation intention an agreement draft signed for by the signer. Refused when it is not
    waiting, when the event was cancelled, and whenever the application or agreement is refused (the
    intention then stays waiting)."""
    intention = _lock(intention)
    if not may_sign(actor, intention):
        if may_withdraw(actor, intention):
            raise ValidationError(_("该意向由贵方发起，须由对方签署。"))
        raise _denied()
    _refuse_unless_proposed(intention, _("签署"))
    if intention.event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，不能再签署意向。") % {"event": intention.event})
    values: dict = {"status": IntentionStatus.SIGNED, "signed_by": actor, "signed_at": timezone.now()}
    if intention.kind == IntentionKind.JOB:
        values["application"] = _job_application(intention)
    else:
        values["agreement"] = agreement_create(
            actor=actor, data=_agreement_data(intention, timezone.localdate())
        )
    intention = _transition(actor, intention, "intention_sign", **values)
    if intention.kind == IntentionKind.JOB:
        done = _("已转为求职申请，企业可在“求职申请”中处理")
    else:
        done = _("已生成合作协议草稿，双方可在“校企合作协议”中完善后提交确认")
    notify(
        side_users(proposer_side(intention), intention),
        _("您在“%(event)s”发起的%(kind)s（%(what)s）已签署，%(done)s。")
        % {
            "event": intention.event.title,
            "kind": _kind_word(intention),
            "what": _what(intention),
            "done": done,
        },
        intention_url(intention),
    )
    return intention


@transaction.atomic
def intention_decline(*, actor, intention: Intention, reason: str = "") -> Intention:
    """The other side declines a proposed intention (with an optional reason, told to the proposer)."""
    intention = _lock(intention)
    if not may_sign(actor, intention):
        if may_withdraw(actor, intention):
            raise ValidationError(_("该意向由贵方发起，如不再需要请撤回。"))
        raise _denied()
    _refuse_unless_proposed(intention, _("拒绝"))
    reason = (reason or "").strip()[:200]
    intention = _transition(
        actor, intention, "intention_decline", note=reason, status=IntentionStatus.DECLINED
    )
    text = _("您在“%(event)s”发起的%(kind)s（%(what)s）被对方拒绝。") % {
        "event": intention.event.title,
        "kind": _kind_word(intention),
        "what": _what(intention),
    }
    if reason:
        text += _("理由：%(reason)s") % {"reason": reason}
    notify(side_users(proposer_side(intention), intention), text, intention_url(intention))
    return intention


@transaction.atomic
def intention_withdraw(*, actor, intention: Intention) -> Intention:
    """The proposing side withdraws its proposal before the other side answered."""
    intention = _lock(intention)
    if not may_withdraw(actor, intention):
        raise _denied(_("只有发起方可以撤回签约意向。") if may_sign(actor, intention) else "")
    _refuse_unless_proposed(intention, _("撤回"))
    intention = _transition(actor, intention, "intention_withdraw", status=IntentionStatus.WITHDRAWN)
    notify(
        side_users(signer_side(intention), intention),
        _("%(who)s撤回了在“%(event)s”向您发起的%(kind)s：%(what)s。")
        % {
            "who": _proposer_name(intention),
            "event": intention.event.title,
            "kind": _kind_word(intention),
            "what": _what(intention),
        },
        intention_url(intention),
    )
    return intention


# --- the survey --------------------------------------------------------------------------------------------
@transaction.atomic
def survey_response_submit(
    *,
    actor,
    event: Event,
    satisfaction: int,
    usefulness: int,
    would_return: bool = True,
    comment: str = "",
) -> SurveyResponse:
    """The actor's side answers the survey of ``event`` for its approved registration (enterprise staff for
    the booth, school staff for the delegation, a student for themself), once, after the event has ended.
    ``satisfaction`` and ``usefulness`` from 1 to 5."""
    event = Event.objects.get(pk=event.pk)
    if not may_view_event(actor, event):
        raise _denied()
    registration = own_registration(actor, event)
    if registration is None or not answers_for(actor, registration):
        raise _denied(_("活动问卷由参加活动的企业、学校和学生填写。"))
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动“%(event)s”已取消，无需填写问卷。") % {"event": event})
    if registration.status != RegistrationStatus.APPROVED:
        raise ValidationError(
            _("贵方在本活动的报名状态为“%(status)s”，只有报名通过的参与方填写问卷。")
            % {"status": registration.get_status_display()}
        )
    now = timezone.now()
    if now < event.ends_at:
        raise ValidationError(
            _("活动尚未结束（结束时间 %(end)s），结束后才能填写问卷。") % {"end": when_text(event.ends_at)}
        )
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    done = SurveyResponse.objects.filter(registration_id=registration.pk).first()
    if done is not None:
        raise ValidationError(
            _("贵方已于 %(when)s 填写过本活动的问卷，每个报名只填写一次。")
            % {"when": when_text(done.created_at)}
        )
    response = SurveyResponse(
        event=event,
        registration=registration,
        satisfaction=satisfaction,
        usefulness=usefulness,
        would_return=bool(would_return),
        comment=(comment or "").strip(),
    )
    response.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError as exc:  # the same side answering twice at the same moment
        raise ValidationError(_("贵方已填写过本活动的问卷，每个报名只填写一次。")) from exc
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="survey_response_submit",
        instance=response,
        changes=audit.diff({}, audit.snapshot(response)),
    )
    return response
