"""Every write on positions, applications and graduate outcomes (DESIGN rule 2).

Positions: ``position_create``/``position_update`` (drafts), then ``position_submit`` → ``position_publish``
or ``position_return`` → ``position_close``, and ``positions_expire`` (daily task). Every text is checked
for discriminatory conditions (``discrimination.check``) when written, submitted and published.

Applications: ``application_create`` (a student applies once to an open posting) and
``application_advance`` (the pipeline). An offer takes a place of the position's headcount under a row
lock on the position, so that concurrent offers can never exceed it; a withdrawal or a rejection after an
offer frees the place. Onboarding a graduate records their graduate outcome (source: hire record).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction, AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.choices import PositionType, StudentStatus
from xiaoqitong.schools.models import Student

from . import discrimination
from .choices import (
    APPLICATION_NEXT,
    EDITABLE_POSITION,
    HIRED,
    ApplicationStatus,
    Outcome,
    OutcomeSource,
    PositionStatus,
)
from .models import (
    Application,
    ApplicationEvent,
    GraduateOutcome,
    Position,
    PositionCertificate,
    PositionSkill,
)
from .policies import POSITION_STEPS, application_may, position_may
from .selectors import own_student, places_taken

# Many-to-many fields of a position written as lists, and the requirement lists (through models).
POSITION_M2M = ("majors", "major_classes", "major_categories")
REQUIREMENTS = {
    "required_skills": (PositionSkill, "skill", True),
    "bonus_skills": (PositionSkill, "skill", False),
    "required_certificates": (PositionCertificate, "certificate", True),
    "bonus_certificates": (PositionCertificate, "certificate", False),
}
# What the services set themselves: never taken from ``data``.
POSITION_MANAGED = {"status", "review_note", "published_at", "search_text"}


def _denied() -> PermissionDenied:
    return PermissionDenied(_("您没有权限执行此操作。"))


def _refresh_search(instance, *, save: bool = False) -> None:
    """Keep ``search_text`` current where the search app indexes the model (no-op otherwise)."""
    from xiaoqitong.core import search

    search.refresh(instance, save=save)


# --- positions ---------------------------------------------------------------------------------------------
def _text_errors(position: Position) -> dict[str, list[str]]:
    try:
        discrimination.check({"title": position.title, "description": position.description})
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _validate_position(position: Position, requirements: dict[str, list] | None = None) -> None:
    """``full_clean`` and the discrimination check, every error at once, keyed by field."""
    errors: dict[str, list[str]] = {}
    try:
        position.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    for name, messages in _text_errors(position).items():
        errors.setdefault(name, []).extend(messages)
    for required, bonus, label in (
        ("required_skills", "bonus_skills", _("技能")),
        ("required_certificates", "bonus_certificates", _("证书")),
    ):
        both = set((requirements or {}).get(required) or []) & set((requirements or {}).get(bonus) or [])
        if both:
            errors.setdefault(bonus, []).append(
                _("%(what)s“%(names)s”不能既是必备项又是加分项。")
                % {"what": label, "names": "、".join(sorted(str(x) for x in both))}
            )
    if errors:
        raise ValidationError(errors)


def _split(data: dict[str, Any]) -> tuple[dict, dict, dict]:
    data = {k: v for k, v in data.items() if k not in POSITION_MANAGED}
    m2m = {k: list(data.pop(k) or []) for k in POSITION_M2M if k in data}
    requirements = {k: list(data.pop(k) or []) for k in REQUIREMENTS if k in data}
    return data, m2m, requirements


def _requirements_of(position: Position) -> dict[str, list]:
    out: dict[str, list] = {key: [] for key in REQUIREMENTS}
    for row in position.skill_requirements.select_related("skill"):
        out["required_skills" if row.required else "bonus_skills"].append(row.skill)
    for row in position.certificate_requirements.select_related("certificate"):
        out["required_certificates" if row.required else "bonus_certificates"].append(row.certificate)
    return out


def _write_requirements(position: Position, requirements: dict[str, list]) -> dict[str, list]:
    """Replace the requirement lists given; returns ``{key: [before ids, after ids]}`` of those changed.
    All changed lists are deleted before any is written, so a skill may move from required to bonus."""
    current = _requirements_of(position)
    changed = {}
    for key, objects in requirements.items():
        wanted = list({obj.pk: obj for obj in objects}.values())
        before = sorted(obj.pk for obj in current[key])
        if before != sorted(obj.pk for obj in wanted):
            changed[key] = (before, wanted)
    for key in changed:
        model, _attr, required = REQUIREMENTS[key]
        model.objects.filter(position=position, required=required).delete()
    for key, (_before, wanted) in changed.items():
        model, attr, required = REQUIREMENTS[key]
        model.objects.bulk_create(
            [model(position=position, required=required, **{attr: obj}) for obj in wanted]
        )
    return {key: [before, sorted(obj.pk for obj in wanted)] for key, (before, wanted) in changed.items()}


def _assign(position: Position, data: dict[str, Any]) -> None:
    for name, value in data.items():
        field = Position._meta.get_field(name)
        by_id = field.is_relation and value is not None and not hasattr(value, "pk")
        setattr(position, field.attname if by_id else name, value)


@transaction.atomic
def position_create(*, actor, data: dict[str, Any]) -> Position:
    """Create a posting as a draft. ``data``: the position's fields, the lists ``majors``,
    ``major_classes``, ``major_categories`` (wanted majors at any level of the catalog) and
    ``required_skills``, ``bonus_skills``, ``required_certificates``, ``bonus_certificates``. An HR user
    who names no enterprise posts for their own. Discriminatory text is refused."""
    data, m2m, requirements = _split(data)
    if data.get("enterprise") is None and getattr(actor, "enterprise_id", None):
        data["enterprise"] = actor.enterprise
    position = Position(status=PositionStatus.DRAFT)
    _assign(position, data)
    _refresh_search(position)
    _validate_position(position, requirements)
    _refuse_past_valid_until(position)
    position.save(force_insert=True)
    for name, values in m2m.items():
        getattr(position, name).set(values)
    _write_requirements(position, requirements)
    _refresh_search(position, save=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="position_create",
        instance=position,
        changes=audit.diff({}, audit.snapshot(position))
        | {k: [None, sorted(o.pk for o in v)] for k, v in (m2m | requirements).items() if v},
    )
    return position


@transaction.atomic
def position_update(*, actor, instance: Position, data: dict[str, Any]) -> Position:
    """Change a posting while it is a draft or returned (platform administrators: in any state); the
    review state is the pipeline's, never edited. Discriminatory text is refused."""
    position = Position.objects.select_for_update().get(pk=instance.pk)
    if position.status not in EDITABLE_POSITION and not getattr(actor, "is_superuser", False):
        raise ValidationError(
            _("岗位当前状态为“%(status)s”，只有草稿或已退回的岗位可以修改。")
            % {"status": position.get_status_display()}
        )
    data, m2m, requirements = _split(data)
    before = audit.snapshot(position)
    _assign(position, data)
    old_text = position.search_text
    _refresh_search(position)
    merged = _requirements_of(position) | requirements
    _validate_position(position, merged)
    changes = audit.diff(before, audit.snapshot(position))
    core_services._refuse_locked(actor, Position, changes)
    if "valid_until" in changes:
        _refuse_past_valid_until(position)
    fields = [f.name for f in Position._meta.concrete_fields if f.attname in changes]
    if position.search_text != old_text:
        fields.append("search_text")  # derived: saved, not audited
    if fields:
        position.save(update_fields=[*fields, "updated_at"])
    for name, values in m2m.items():
        manager = getattr(position, name)
        old = sorted(manager.values_list("pk", flat=True))
        new = sorted(v.pk for v in values)
        if old != new:
            manager.set(values)
            changes[name] = [old, new]
    changes |= _write_requirements(position, requirements)
    if m2m or requirements:
        _refresh_search(position, save=True)
    if set(changes) - {f.attname for f in Position._meta.concrete_fields}:
        core_services.touch(position)  # only many-to-many values or requirements changed
    audit.record(
        actor=actor, action=AuditAction.UPDATE, verb="position_update", instance=position, changes=changes
    )
    return position


@transaction.atomic
def position_delete(*, actor, instance: Position) -> None:
    """Delete a posting that was never published (a draft or returned one; administrators: any posting
    without applications)."""
    if instance.status not in EDITABLE_POSITION and not getattr(actor, "is_superuser", False):
        raise ValidationError(_("只有草稿或已退回的岗位可以删除；已发布的岗位请关闭。"))
    core_services.object_delete(actor=actor, instance=instance, verb="position_delete")


_STEP_VERBS = {
    "submit": gettext_lazy("提交审核"),
    "publish": gettext_lazy("发布"),
    "return": gettext_lazy("退回"),
    "close": gettext_lazy("关闭"),
}


def _locked_position(position: Position) -> Position:
    return Position.objects.select_for_update().select_related("enterprise").get(pk=position.pk)


def _step(actor, step: str, position: Position) -> Position:
    """Lock the posting and check that the actor may take ``step`` and that its state allows it."""
    position = _locked_position(position)
    if not position_may(actor, step, position):
        raise _denied()
    states = POSITION_STEPS[step][0]
    if position.status not in states:
        raise ValidationError(
            _("岗位当前状态为“%(status)s”，不能%(step)s。")
            % {"status": position.get_status_display(), "step": _STEP_VERBS[step]}
        )
    return position


def _refuse_past_valid_until(position: Position) -> None:
    """A posting is written for the future: its valid-until date may not be set in the past (the form
    says so at once, not when the draft is submitted)."""
    if position.valid_until and position.valid_until < timezone.localdate():
        raise ValidationError(
            {
                "valid_until": _("有效期至（%(date)s）早于今天，请填写今天或以后的日期。")
                % {"date": position.valid_until}
            }
        )


def _require_valid_until(position: Position) -> None:
    if position.valid_until < timezone.localdate():
        raise ValidationError(
            {
                "valid_until": _("有效期（%(date)s）已过，请修改有效期后再提交。")
                % {"date": position.valid_until}
            }
        )


def _transition(actor, position: Position, verb: str, status: str, **values) -> Position:
    before = audit.snapshot(position)
    position.status = status
    for name, value in values.items():
        setattr(position, name, value)
    position.save(update_fields=["status", *values, "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=position,
        changes=audit.diff(before, audit.snapshot(position)),
    )
    return position


@transaction.atomic
def position_submit(*, actor, position: Position) -> Position:
    """The enterprise submits a draft (or a returned posting) for review. Refused while its text sets
    discriminatory conditions (the words and the law are named) or its valid-until date has passed."""
    position = _step(actor, "submit", position)
    _require_valid_until(position)
    _validate_position(position)
    return _transition(actor, position, "position_submit", PositionStatus.SUBMITTED)


@transaction.atomic
def position_publish(*, actor, position: Position, note: str = "") -> Position:
    """The reviewer publishes a submitted posting: from now on everyone sees it and students may apply.
    The text is checked again (the term list may have grown since it was submitted)."""
    position = _step(actor, "publish", position)
    _require_valid_until(position)
    _validate_position(position)
    return _transition(
        actor,
        position,
        "position_publish",
        PositionStatus.PUBLISHED,
        published_at=timezone.now(),
        review_note=(note or "").strip(),
    )


@transaction.atomic
def position_return(*, actor, position: Position, reason: str) -> Position:
    """The reviewer returns a submitted (or takes down a published) posting with reasons, which the
    enterprise sees; it may then edit and submit it again."""
    reason = (reason or "").strip()
    position = _step(actor, "return", position)
    if not reason:
        raise ValidationError({"review_note": _("请填写退回理由，企业将看到它。")})
    return _transition(
        actor, position, "position_return", PositionStatus.RETURNED, review_note=reason, published_at=None
    )


@transaction.atomic
def position_close(*, actor, position: Position) -> Position:
    """The enterprise (or the reviewer) stops a published posting: no new applications; those under way
    continue."""
    position = _step(actor, "close", position)
    return _transition(actor, position, "position_close", PositionStatus.CLOSED)


@transaction.atomic
def positions_expire(*, actor=None, today: dt.date | None = None) -> int:
    """Expire published (and still submitted) postings whose valid-until date has passed; one audit record
    per posting, in the system's name unless an actor is given. Returns how many expired."""
    today = today or timezone.localdate()
    due = list(
        Position.objects.select_for_update()
        .filter(status__in=[PositionStatus.PUBLISHED, PositionStatus.SUBMITTED], valid_until__lt=today)
        .select_related("enterprise")
        .order_by("pk")
    )
    if not due:
        return 0
    now = timezone.now()
    Position.objects.filter(pk__in=[p.pk for p in due]).update(status=PositionStatus.EXPIRED, updated_at=now)
    AuditLog.objects.bulk_create(
        [
            audit.build(
                actor=actor,
                action=AuditAction.UPDATE,
                verb="positions_expire",
                instance=p,
                changes={"status": [p.status, PositionStatus.EXPIRED], "valid_until": str(p.valid_until)},
            )
            for p in due
        ],
        batch_size=1000,
    )
    return len(due)


# --- applications ------------------------------------------------------------------------------------------
# Why a student-role user cannot apply at all (also shown on the posting's page in place of the apply card).
NO_STUDENT_RECORD = gettext_lazy("您的账号尚未关联学生档案，请联系学校管理员。")


def full_message(position: Position, taken: int) -> str:
    """名额已满: the refusal of an application to a posting whose offers and hires reach its headcount."""
    return _("名额已满：该岗位招聘 %(headcount)s 人，已录用 %(taken)s 人，不再接受投递。") % {
        "headcount": position.headcount,
        "taken": taken,
    }


# Steps of apps above this one that follow a new application, in its transaction
# (``after_application_create``): e.g. matching marks an invitation to the same posting accepted. This app
# never imports them.
_after_application: list[Callable[..., object]] = []


def after_application_create(step: Callable[..., object]) -> Callable[..., object]:
    """Register ``step(application, actor)`` to run after every application is created (usable as a
    decorator)."""
    _after_application.append(step)
    return step


@transaction.atomic
def application_create(
    *, actor, position: Position, student: Student | None = None, note: str = ""
) -> Application:
    """A student applies to a published posting within its valid-until date that still has places (offers
    and hires below its headcount), once per posting (a withdrawn application counts). Without ``student``,
    the actor's own student record applies; only platform administrators may apply in another's name."""
    if student is None:
        student = own_student(actor)
        if student is None:
            raise ValidationError(str(NO_STUDENT_RECORD))
    if not getattr(actor, "is_superuser", False) and not (
        getattr(actor, "role", None) == Role.STUDENT and student.user_id == actor.pk
    ):
        raise _denied()
    position = Position.objects.select_related("enterprise").get(pk=position.pk)
    if position.status != PositionStatus.PUBLISHED or position.valid_until < timezone.localdate():
        raise ValidationError({"position": _("该岗位当前不在招聘中，不能投递。")})
    if student.status == StudentStatus.DROPPED:
        raise ValidationError({"student": _("已退学的学生不能投递岗位。")})
    if Application.objects.filter(student=student, position=position).exists():
        raise ValidationError({"position": _("已投递过该岗位，每个岗位只能投递一次。")})
    taken = places_taken(position)
    if taken >= position.headcount:
        raise ValidationError({"position": full_message(position, taken)})
    application = Application(student=student, position=position, note=(note or "").strip())
    application.full_clean()
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError as exc:  # the same student applying twice at the same moment
        raise ValidationError({"position": _("已投递过该岗位，每个岗位只能投递一次。")}) from exc
    ApplicationEvent.objects.create(
        application=application, from_status="", to_status=ApplicationStatus.SUBMITTED, actor=_real(actor)
    )
    for step in _after_application:
        step(application, actor)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="application_create",
        instance=application,
        changes=audit.diff({}, audit.snapshot(application)),
    )
    return application


def _real(actor):
    return actor if actor is not None and getattr(actor, "pk", None) is not None else None


@transaction.atomic
def application_update(*, actor, instance: Application, data: dict[str, Any]) -> Application:
    """Change the student's note of an open application; its status moves only through the pipeline."""
    data = {k: v for k, v in data.items() if k != "status"}
    if not getattr(actor, "is_superuser", False):
        fixed = {"student", "position"} & set(data)
        current = {k: getattr(instance, f"{k}_id") for k in fixed}
        if any(getattr(data[k], "pk", data[k]) != current[k] for k in fixed):
            raise ValidationError({k: _("您无权修改此项。") for k in fixed})
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="application_update")


@transaction.atomic
def application_advance(*, actor, application: Application, to_status: str, note: str = "") -> Application:
    """Move an application along 已投递 → 筛选 → 面试 → 录用 → 已入职, or to 未录用 / 已撤回 (the student
    withdraws; the enterprise takes every other step). An offer is refused once offers and hires reach the
    headcount: the position row is locked (``select_for_update``) while the places are counted, so that
    concurrent offers queue behind each other. Onboarding a graduate records their graduate outcome."""
    note = (note or "").strip()
    if to_status not in ApplicationStatus.values:
        raise ValidationError({"status": _("未知的申请状态“%(status)s”。") % {"status": to_status}})
    if len(note) > ApplicationEvent._meta.get_field("note").max_length:
        raise ValidationError({"note": _("说明不能超过 200 字。")})
    # Lock order: the position first, then the application (every writer of either follows it).
    position = Position.objects.select_for_update().get(pk=application.position_id)
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("student", "student__school_major__major__major_class")
        .get(pk=application.pk)
    )
    application.position = position
    if not application_may(actor, application, to_status):
        raise _denied()
    if to_status not in APPLICATION_NEXT[application.status]:
        raise ValidationError(
            {
                "status": _("申请当前为“%(from)s”，不能变为“%(to)s”。")
                % {"from": application.get_status_display(), "to": ApplicationStatus(to_status).label}
            }
        )
    if to_status == ApplicationStatus.OFFERED:
        taken = (
            Application.objects.filter(position_id=position.pk, status__in=HIRED)
            .exclude(pk=application.pk)
            .count()
        )
        if taken >= position.headcount:
            raise ValidationError(
                {
                    "status": _("该岗位招聘 %(headcount)s 人，已录用 %(taken)s 人，名额已满，不能再录用。")
                    % {"headcount": position.headcount, "taken": taken}
                }
            )
    before = application.status
    application.status = to_status
    application.save(update_fields=["status", "updated_at"])
    ApplicationEvent.objects.create(
        application=application, from_status=before, to_status=to_status, actor=_real(actor), note=note
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="application_advance",
        instance=application,
        changes={"status": [before, to_status], **({"note": note} if note else {})},
    )
    if to_status == ApplicationStatus.ONBOARDED:
        graduate_outcome_from_hire(actor=actor, application=application)
    return application


# --- graduate outcomes -------------------------------------------------------------------------------------
def is_graduate(student: Student, today: dt.date | None = None) -> bool:
    """A student counts as a graduate once their status says so or their expected graduation has come."""
    today = today or timezone.localdate()
    if student.status == StudentStatus.GRADUATED:
        return True
    return student.expected_graduation is not None and student.expected_graduation <= today


def _related_to_major(student: Student, position: Position) -> bool | None:
    """Whether the hire fits the student's major: the posting wants the major, its 专业类 or its 大类. Unknown
    (None) when the posting names no majors."""
    major = student.school_major.major
    wanted = (
        set(position.majors.values_list("pk", flat=True)),
        set(position.major_classes.values_list("pk", flat=True)),
        set(position.major_categories.values_list("pk", flat=True)),
    )
    if not any(wanted):
        return None
    return (
        major.pk in wanted[0]
        or major.major_class_id in wanted[1]
        or major.major_class.category_id in wanted[2]
    )


def _in_city(position: Position) -> bool | None:
    county = position.county
    if county.parent_id is None:
        return None
    return county.parent.code == settings.XQT_CITY_CODE


def graduate_outcome_from_hire(*, actor, application: Application) -> GraduateOutcome | None:
    """Record the graduate outcome of an onboarded hire (source: hire record) for the year the student
    graduates: employed at the posting's enterprise, in the city or not, related to the major or not.
    Nothing is recorded for internships or for students who have not graduated (their school reports
    their outcome when they do). Called inside ``application_advance``'s transaction."""
    student = application.student
    position = Position.objects.select_related("enterprise", "county__parent").get(pk=application.position_id)
    if position.position_type == PositionType.INTERNSHIP or not is_graduate(student):
        return None
    year = student.expected_graduation.year if student.expected_graduation else timezone.localdate().year
    values = {
        "outcome": Outcome.EMPLOYED,
        "enterprise": position.enterprise,
        "employer_name": position.enterprise.name,
        "in_city": _in_city(position),
        "related_to_major": _related_to_major(student, position),
        "further_level": "",
        "source": OutcomeSource.HIRE_RECORD,
    }
    existing = GraduateOutcome.objects.select_for_update().filter(student=student, year=year).first()
    if existing is None:
        return core_services.object_create(
            actor=actor,
            model=GraduateOutcome,
            data={"student": student, "year": year, **values},
            verb="graduate_outcome_from_hire",
        )
    return core_services.object_update(
        actor=actor, instance=existing, data=values, verb="graduate_outcome_from_hire"
    )
