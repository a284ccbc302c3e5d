"""Every write of an application for the 产教融合型企业 title (DESIGN rule 2).

The enterprise (its HR) writes a draft (``application_create`` / ``_update`` / ``_delete``), its claims
(``claims_save``) and documents (``document_add`` / ``document_delete``), and submits it
(``application_submit``: every claimed-only required criterion needs a figure, every criterion that needs a
document needs one); it may withdraw it until it is decided (``application_withdraw``). The lead department
(市发改委) accepts it for review and asks departments for opinions (``application_accept``,
``opinion_request``); those departments' officers give them (``opinion_give``); the lead department
returns it for more (``application_return``), rejects it (``application_reject``) or certifies it
(``application_certify``: no opinion pending, every required criterion met; makes the ``Certification``
and its first ``Plaque``).

Who hears: the lead department's officers of a submission and of each opinion; the departments asked of
the request; the enterprise's HR of every decision.
"""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.cooperation.choices import RuleKey
from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify
from xiaoqitong.core.uploads import check_upload
from xiaoqitong.orgs.models import Department

from ..choices import (
    AWAITING_ENTERPRISE,
    EDITABLE_APPLICATION,
    HELD,
    OPEN_APPLICATION,
    PENDING_APPLICATION,
    ApplicationStatus,
    CertificationStatus,
    DocumentKind,
    Level,
    Measure,
    OpinionStance,
    ReviewStatus,
)
from ..models import Application, Certification, Claim, Criterion, Document, Opinion, Plaque, Review
from ..policies.common import is_lead, is_officer, speaks_for
from ..selectors import evidence
from ..selectors.setup import setup
from .common import (
    add_years,
    denied,
    enterprise_hr,
    lead_officers,
    officers,
    rule_int,
    save_transition,
    today,
)

#: What the services set themselves: never taken from ``data``.
MANAGED = {
    "status",
    "enterprise",
    "submitted_at",
    "submitted_by",
    "accepted_at",
    "opinions_due",
    "decided_at",
    "decided_by",
    "decision_note",
    "checklist",
    "reminders",
}
NOTE_LENGTH = 2000


def _lock(application) -> Application:
    return Application.objects.select_for_update().select_related("enterprise").get(pk=application.pk)


def _check_writer(actor, application: Application) -> None:
    """The enterprise's HR (or a platform administrator), on an application it may still edit."""
    if not (actor.is_superuser or speaks_for(actor, application.enterprise_id)):
        raise denied(_("认定申请由申报企业的人事账号填写。"))
    if application.status not in EDITABLE_APPLICATION:
        raise ValidationError(
            _("申请已%(status)s，不能再修改；退回补充后才能修改。")
            % {"status": application.get_status_display()}
        )


def _check_lead(actor) -> None:
    if not is_lead(actor):
        raise denied(
            _("认定申请由牵头部门（%(dept)s）受理和审核。") % {"dept": setup().lead_department or "—"}
        )


def _check_state(application: Application, allowed, action: str) -> None:
    if application.status not in allowed:
        raise ValidationError(
            _("申请当前状态为“%(status)s”，不能%(action)s。")
            % {"status": application.get_status_display(), "action": action}
        )


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in MANAGED}


def _check_no_other(enterprise_id: int, level: str, exclude_pk=None) -> None:
    pending = Application.objects.filter(enterprise_id=enterprise_id, status__in=PENDING_APPLICATION)
    if exclude_pk:
        pending = pending.exclude(pk=exclude_pk)
    other = pending.first()
    if other is not None:
        raise ValidationError(
            _("本企业已有一份“%(status)s”的申请（%(year)s 年%(level)s），请先完成或撤回。")
            % {"status": other.get_status_display(), "year": other.year, "level": other.get_level_display()}
        )
    held = Certification.objects.filter(enterprise_id=enterprise_id, status__in=HELD).first()
    if held is not None and (held.level == Level.PROVINCIAL or level == held.level):
        raise ValidationError(
            _(
                "本企业已是%(level)s产教融合型企业（%(number)s，有效期至 %(until)s），"
                "不能重复申请同级或更低级别。"
            )
            % {"level": held.get_level_display(), "number": held.number, "until": held.valid_until}
        )


@transaction.atomic
def application_create(*, actor, data: dict[str, Any]) -> Application:
    """Enterprise HR drafts an application for its enterprise (a platform administrator names one)."""
    data = dict(data)
    if actor.is_superuser and data.get("enterprise"):
        enterprise = data["enterprise"]
    elif getattr(actor, "role", "") == "enterprise_hr" and actor.enterprise_id:
        enterprise = actor.enterprise
    else:
        raise denied(_("只有企业人事账号可以为本企业申请产教融合型企业认定。"))
    data = _clean_data(data)
    data.setdefault("year", today().year)
    _check_no_other(enterprise.pk, data.get("level") or Level.MUNICIPAL)
    data["enterprise"] = enterprise
    return core_services.object_create(actor=actor, model=Application, data=data, verb="application_create")


@transaction.atomic
def application_update(*, actor, instance: Application, data: dict[str, Any]) -> Application:
    application = _lock(instance)
    _check_writer(actor, application)
    data = _clean_data(data)
    if "level" in data and data["level"] != application.level:
        _check_no_other(application.enterprise_id, data["level"], exclude_pk=application.pk)
    return core_services.object_update(
        actor=actor, instance=application, data=data, verb="application_update"
    )


@transaction.atomic
def application_delete(*, actor, instance: Application) -> None:
    """Only a draft that was never submitted is deleted; afterwards it is withdrawn."""
    application = _lock(instance)
    _check_writer(actor, application)
    if application.status != ApplicationStatus.DRAFT or application.submitted_at:
        raise ValidationError(_("已提交过的申请不能删除，请撤回。"))
    core_services.object_delete(actor=actor, instance=application, verb="application_delete")


# --- claims and documents (of an application or a review) ---------------------------------------------------
def _parent_check(actor, parent) -> None:
    from .reviews import check_reporter

    if isinstance(parent, Application):
        _check_writer(actor, _lock(parent))
    elif isinstance(parent, Review):
        check_reporter(actor, parent)
    else:  # pragma: no cover - a programming error
        raise TypeError(parent)


def _parent_field(parent) -> str:
    return "application" if isinstance(parent, Application) else "review"


@transaction.atomic
def claims_save(*, actor, parent, values: dict[int, tuple[Any, str]]) -> list[Claim]:
    """Upsert the claims of an application or a review: ``{criterion id: (figure or None, note)}``. Figures
    are non-negative; a criterion not active is refused. One audit record for the whole change."""
    _parent_check(actor, parent)
    field = _parent_field(parent)
    criteria = {c.pk: c for c in Criterion.objects.filter(pk__in=list(values), active=True)}
    errors = {}
    existing = {
        c.criterion_id: c for c in Claim.objects.filter(**{field: parent}, criterion_id__in=list(values))
    }
    changes, saved = {}, []
    for cid, (value, note) in values.items():
        criterion = criteria.get(cid)
        if criterion is None:
            errors[str(cid)] = _("条件不存在或已停用。")
            continue
        if value is not None and value < 0:
            errors[criterion.code] = _("“%(name)s”的申报值不能为负数。") % {"name": criterion.name}
            continue
        note = (note or "").strip()[:500]
        claim = existing.get(cid) or Claim(**{field: parent}, criterion=criterion)
        if claim.pk and claim.value == value and claim.note == note:
            saved.append(claim)
            continue
        changes[criterion.code] = [
            None if claim.pk is None else str(claim.value),
            None if value is None else str(value),
        ]
        claim.value, claim.note = value, note
        claim.full_clean()
        claim.save()
        saved.append(claim)
    if errors:
        raise ValidationError(errors)
    if changes:
        audit.record(
            actor=actor, action=AuditAction.UPDATE, verb="claims_save", instance=parent, changes=changes
        )
    return saved


@transaction.atomic
def document_add(*, actor, parent, title: str, upload, criterion: Criterion | None = None) -> Document:
    """Attach a document (checked like every upload: type, size, content) to an application or a review."""
    _parent_check(actor, parent)
    check_upload(upload)
    title = (title or "").strip() or (f"{criterion.name}证明材料" if criterion else Path(upload.name).stem)
    document = Document(
        kind=DocumentKind.APPLICATION if isinstance(parent, Application) else DocumentKind.REVIEW,
        criterion=criterion,
        title=title[:100],
        file_size=upload.size,
        uploaded_by=actor,
        **{_parent_field(parent): parent},
    )
    document.file.save(upload.name, upload, save=False)
    document.full_clean()
    document.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="document_add",
        instance=document,
        changes={"title": [None, document.title], "file": [None, document.file.name]},
    )
    return document


@transaction.atomic
def document_delete(*, actor, document: Document) -> None:
    parent = document.application or document.review
    _parent_check(actor, parent)
    name = document.file.name
    core_services.object_delete(actor=actor, instance=document, verb="document_delete")
    storage = document.file.storage
    transaction.on_commit(lambda: storage.delete(name) if name else None)


# --- submission ---------------------------------------------------------------------------------------------
def completeness_problems(lines) -> list[str]:
    """What keeps a report from being submitted: a claimed-only required criterion without a figure, a
    criterion that needs a document without one."""
    problems = []
    for line in lines:
        c = line.criterion
        if c.measure == Measure.CLAIMED and c.required and line.claimed is None:
            problems.append(_("请填写“%(name)s”的申报值") % {"name": c.name})
        if c.needs_document and not line.documents:
            problems.append(_("请上传“%(name)s”的证明材料") % {"name": c.name})
    return problems


def application_checklist(application: Application, on: dt.date | None = None):
    return evidence.checklist(
        enterprise_id=application.enterprise_id,
        level=application.level,
        on=on or today(),
        claims=application.claims.all(),
        documents=application.documents.all(),
    )


@transaction.atomic
def application_submit(*, actor, application: Application) -> Application:
    """Send the application to the lead department; the checklist computed now is kept with it."""
    application = _lock(application)
    _check_writer(actor, application)
    lines = application_checklist(application)
    problems = completeness_problems(lines)
    if problems:
        raise ValidationError(_("申请材料不完整：%(list)s。") % {"list": "；".join(problems)})
    save_transition(
        actor=actor,
        instance=application,
        fields={
            "status": ApplicationStatus.SUBMITTED,
            "submitted_at": timezone.now(),
            "submitted_by": actor,
            "checklist": evidence.snapshot(lines),
            "decision_note": "",
        },
        verb="application_submit",
    )
    notify(
        lead_officers(),
        _("%(enterprise)s 提交了%(level)s产教融合型企业认定申请，请受理。")
        % {"enterprise": application.enterprise.name, "level": application.get_level_display()},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    application = _lock(application)
    if not (actor.is_superuser or speaks_for(actor, application.enterprise_id)):
        raise denied(_("只有申报企业可以撤回申请。"))
    _check_state(application, PENDING_APPLICATION, _("撤回"))
    save_transition(
        actor=actor,
        instance=application,
        fields={"status": ApplicationStatus.WITHDRAWN},
        verb="application_withdraw",
    )
    if application.submitted_at:
        notify(
            lead_officers(),
            _("%(enterprise)s 撤回了产教融合型企业认定申请。") % {"enterprise": application.enterprise.name},
            application.get_absolute_url(),
        )
    return application


# --- review by the lead department and the opinions ---------------------------------------------------------
def _ask(application: Application, departments) -> list[Opinion]:
    """Ask ``departments`` for their opinion. A department asked before (the application came back after a
    return) is asked again: its earlier opinion was on the earlier material."""
    made = []
    for department in departments:
        opinion, created = Opinion.objects.get_or_create(application=application, department=department)
        if not created and opinion.stance:
            Opinion.objects.filter(pk=opinion.pk).update(
                stance="", text="", given_by=None, given_at=None, reminders=[], updated_at=timezone.now()
            )
            created = True
        if created:
            made.append(opinion)
    if made:
        notify(
            officers([o.department_id for o in made]),
            _("请对 %(enterprise)s 的产教融合型企业认定申请出具意见（%(due)s 前）。")
            % {"enterprise": application.enterprise.name, "due": application.opinions_due},
            application.get_absolute_url(),
        )
    return made


@transaction.atomic
def application_accept(
    *, actor, application: Application, departments=None, opinions_due: dt.date | None = None
) -> Application:
    """The lead department accepts a submitted application and asks ``departments`` (default: the setup's)
    for their opinions by ``opinions_due`` (default: the setup's number of days from today)."""
    _check_lead(actor)
    application = _lock(application)
    _check_state(application, {ApplicationStatus.SUBMITTED}, _("受理"))
    config = setup()
    departments = list(config.opinion_departments.all() if departments is None else departments)
    # a returned application comes back to every department asked before, as well as those chosen now
    departments += [o.department for o in application.opinions.select_related("department")]
    departments = list({d.pk: d for d in departments if d.pk != config.lead_department_id}.values())
    due = opinions_due or today() + dt.timedelta(days=config.opinion_days)
    if due < today():
        raise ValidationError({"opinions_due": _("征求意见截止日期不能早于今天。")})
    save_transition(
        actor=actor,
        instance=application,
        fields={"status": ApplicationStatus.UNDER_REVIEW, "accepted_at": timezone.now(), "opinions_due": due},
        verb="application_accept",
    )
    _ask(application, departments)
    notify(
        enterprise_hr(application.enterprise_id),
        _("您的产教融合型企业认定申请已受理，正在审核。"),
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def opinion_request(*, actor, application: Application, department: Department) -> Opinion:
    """The lead department asks one more department for its opinion while the application is under review."""
    _check_lead(actor)
    application = _lock(application)
    _check_state(application, {ApplicationStatus.UNDER_REVIEW}, _("征求意见"))
    if department.pk == setup().lead_department_id:
        raise ValidationError({"department": _("牵头部门无需向自己征求意见。")})
    if Opinion.objects.filter(application=application, department=department).exists():
        raise ValidationError({"department": _("已向%(dept)s征求过意见。") % {"dept": department}})
    (opinion,) = _ask(application, [department])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="opinion_request",
        instance=opinion,
        changes={"department": [None, department.pk]},
    )
    return opinion


@transaction.atomic
def opinion_give(*, actor, opinion: Opinion, stance: str, text: str) -> Opinion:
    """An officer of the asked department gives (or revises) its opinion while the application is under
    review. A disagreement or a reservation says why."""
    opinion = Opinion.objects.select_for_update().select_related("application__enterprise").get(pk=opinion.pk)
    if not (is_officer(actor) and actor.department_id == opinion.department_id):
        raise denied(_("意见由%(dept)s的工作人员出具。") % {"dept": opinion.department})
    _check_state(opinion.application, {ApplicationStatus.UNDER_REVIEW}, _("出具意见"))
    if stance not in OpinionStance.values:  # a blank stance would leave the opinion pending
        raise ValidationError({"stance": _("请选择意见。")})
    text = (text or "").strip()
    if stance != OpinionStance.AGREE and not text:
        raise ValidationError({"text": _("不同意或有保留意见时，请写明理由。")})
    save_transition(
        actor=actor,
        instance=opinion,
        fields={"stance": stance, "text": text[:NOTE_LENGTH], "given_by": actor, "given_at": timezone.now()},
        verb="opinion_give",
    )
    notify(
        lead_officers(),
        _("%(dept)s对 %(enterprise)s 的认定申请出具了意见：%(stance)s。")
        % {
            "dept": opinion.department,
            "enterprise": opinion.application.enterprise.name,
            "stance": opinion.get_stance_display(),
        },
        opinion.application.get_absolute_url(),
    )
    return opinion


def _decide(actor, application, status, note, verb, message) -> Application:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写审核意见。")})
    save_transition(
        actor=actor,
        instance=application,
        fields={
            "status": status,
            "decided_at": timezone.now(),
            "decided_by": actor,
            "decision_note": note[:NOTE_LENGTH],
        },
        verb=verb,
    )
    notify(enterprise_hr(application.enterprise_id), message + note[:100], application.get_absolute_url())
    return application


@transaction.atomic
def application_return(*, actor, application: Application, note: str) -> Application:
    """Send the application back to the enterprise for more (it edits and submits again)."""
    _check_lead(actor)
    application = _lock(application)
    _check_state(application, OPEN_APPLICATION, _("退回"))
    return _decide(
        actor, application, ApplicationStatus.RETURNED, note, "application_return", _("认定申请被退回补充：")
    )


@transaction.atomic
def application_reject(*, actor, application: Application, note: str) -> Application:
    _check_lead(actor)
    application = _lock(application)
    _check_state(application, OPEN_APPLICATION, _("作出不予认定决定"))
    return _decide(
        actor, application, ApplicationStatus.REJECTED, note, "application_reject", _("认定申请未予通过：")
    )


def next_number(prefix: str, model, year: int) -> str:
    """``{prefix}-{year}-{nnn}``: the next free number of the year. Call it inside the transaction that saves
    the number: it locks the setup row, so two certifications at once never take the same number."""
    from ..models import Setup

    list(Setup.objects.select_for_update().filter(pk=setup().pk).values_list("pk", flat=True))
    stem = f"{prefix}-{year}-"
    last = model.objects.filter(number__startswith=stem).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:03d}"


LEVEL_PREFIX = {Level.MUNICIPAL: "CJRH-S", Level.PROVINCIAL: "CJRH-P"}


def award_plaque(
    *, certification: Certification, cycle: int, valid_from: dt.date, awarded_on: dt.date
) -> Plaque:
    years = rule_int(RuleKey.CERT_PLAQUE_CYCLE_YEARS)
    plaque = Plaque(
        certification=certification,
        cycle=cycle,
        number=next_number("PAI", Plaque, awarded_on.year),
        awarded_on=awarded_on,
        valid_from=valid_from,
        valid_until=add_years(valid_from, years) - dt.timedelta(days=1),
    )
    plaque.full_clean()
    plaque.save(force_insert=True)
    return plaque


@transaction.atomic
def application_certify(
    *,
    actor,
    application: Application,
    note: str = "",
    document_ref: str = "",
    certified_on: dt.date | None = None,
) -> Certification:
    """Certify the enterprise at the application's level: every asked department has given its opinion and
    every required criterion is met today. Makes the title (valid for one plaque cycle, R1) and its first
    plaque. A municipal title the enterprise holds ends when it is certified at the provincial level."""
    _check_lead(actor)
    application = _lock(application)
    _check_state(application, {ApplicationStatus.UNDER_REVIEW}, _("认定"))
    pending = [str(o.department) for o in application.opinions.select_related("department") if o.pending]
    if pending:
        raise ValidationError(_("尚有部门未出具意见：%(list)s。") % {"list": "、".join(pending)})
    on = certified_on or today()
    blocking = [line.criterion.name for line in application_checklist(application, on) if line.blocking]
    if blocking:
        raise ValidationError(_("不满足必备条件，不能认定：%(list)s。") % {"list": "、".join(blocking)})
    held = Certification.objects.select_for_update().filter(
        enterprise_id=application.enterprise_id, status__in=HELD
    )
    for old in held:
        if old.level == Level.PROVINCIAL or old.level == application.level:
            raise ValidationError(_("该企业已持有%(level)s称号。") % {"level": old.get_level_display()})
        save_transition(
            actor=actor,
            instance=old,
            fields={
                "status": CertificationStatus.EXPIRED,
                "ended_on": on,
                "status_note": _("已认定为省级产教融合型企业，市级称号终止。"),
            },
            verb="certification_supersede",
        )
        # the municipal title's running review ends with it (nothing is left to report or decide)
        Review.objects.filter(
            certification=old, status__in=[ReviewStatus.SUBMITTED, *AWAITING_ENTERPRISE]
        ).update(
            status=ReviewStatus.CANCELLED,
            decision_note=_("已认定为省级产教融合型企业，市级称号的考核终止。"),
            updated_at=timezone.now(),
        )
    years = rule_int(RuleKey.CERT_PLAQUE_CYCLE_YEARS)
    certification = Certification(
        enterprise=application.enterprise,
        level=application.level,
        number=next_number(LEVEL_PREFIX[application.level], Certification, on.year),
        application=application,
        certified_on=on,
        valid_until=add_years(on, years) - dt.timedelta(days=1),
        document_ref=(document_ref or "").strip()[:100],
    )
    certification.full_clean()
    certification.save(force_insert=True)
    plaque = award_plaque(certification=certification, cycle=1, valid_from=on, awarded_on=on)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="application_certify",
        instance=certification,
        changes=audit.diff({}, audit.snapshot(certification)) | {"plaque": [None, plaque.number]},
    )
    _decide(
        actor,
        application,
        ApplicationStatus.CERTIFIED,
        note or _("经审核，认定为%(level)s产教融合型企业。") % {"level": application.get_level_display()},
        "application_decide",
        _("恭喜，已认定为%(level)s产教融合型企业（%(number)s）。")
        % {"level": application.get_level_display(), "number": certification.number},
    )
    return certification
