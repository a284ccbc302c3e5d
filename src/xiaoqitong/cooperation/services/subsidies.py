"""Writes of the policy rules and the apprenticeship subsidies (T17): setting a rule's value, the rates
(元/人·年 per year and apprenticeship kind, at least the rule's minimum), and the claims — computed from the
rate and the apprentices' months (``selectors.subsidies.apprentice_spans``), submitted by the enterprise,
reviewed and paid by the officers of the rate's reviewing department; payment records may be imported.

Amounts: each apprentice's line is rate × months ÷ 12, rounded to 0.01 元 (ROUND_HALF_UP); a claim's amount
is the sum of its lines."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.choices import Role

from .. import rules
from ..choices import APPRENTICESHIP_KINDS, AgreementKind, ClaimStatus, RuleKey
from ..models import Agreement, Rule, SubsidyClaim, SubsidyClaimLine, SubsidyRate
from ..policies.subsidies import (
    CLAIM_STEPS,
    STEP_LABELS,
    claim_owner,
    claim_reviewer,
    is_officer,
)
from ..selectors.internships import rule_percent
from ..selectors.subsidies import CLAIMABLE, apprentice_spans

CENT = Decimal("0.01")
SHARE_KEYS = {RuleKey.LOCAL_INTERN_SHARE}
COUNT_KEYS = {RuleKey.INTEGRATION_BASES_PER_SCHOOL, RuleKey.SHARED_BASES_PER_COUNTY}


def money(value: Decimal) -> str:
    """5000 -> "5,000", 1666.67 -> "1,666.67": amounts as the pages and messages write them."""
    value = Decimal(value).quantize(CENT)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def line_amount(rate_amount: Decimal, months: int) -> Decimal:
    """One apprentice's subsidy: rate × months ÷ 12, to the fen, half up."""
    return (Decimal(rate_amount) * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


# --- rules -------------------------------------------------------------------------------------------------
@transaction.atomic
def rule_set(*, actor, key: str, value, note: str | None = None) -> Rule:
    """Change a policy number (and its note). Shares lie between 0 and 1, counts of bases are whole numbers,
    nothing is negative. Government officers and platform administrators only."""
    if not is_officer(actor):
        raise PermissionDenied(_("只有政府部门工作人员和平台管理员可以修改政策规则。"))
    try:
        rule = Rule.objects.select_for_update().get(key=key)
    except Rule.DoesNotExist:
        raise ValidationError({"key": _("没有这条政策规则。")}) from None
    try:
        value = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("取值应为数字。")}) from None
    if not value.is_finite():
        raise ValidationError({"value": _("取值应为数字。")})
    label = rule.get_key_display()
    if value < 0:
        raise ValidationError({"value": _("“%(rule)s”不能为负数。") % {"rule": label}})
    if key in SHARE_KEYS and value > 1:
        raise ValidationError(
            {
                "value": _("“%(rule)s”是比例，应在 0 到 1 之间（如现行的 %(share)s 表示 %(percent)s）。")
                % {"rule": label, "share": f"{rule.value.normalize():f}", "percent": rule_percent(rule.value)}
            }
        )
    if key in COUNT_KEYS and value != value.to_integral_value():
        raise ValidationError({"value": _("“%(rule)s”是个数，应为整数。") % {"rule": label}})
    before = audit.snapshot(rule)
    rule.value = value
    if note is not None:
        rule.note = note
    rule.full_clean()
    rule.save(update_fields=["value", "note", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="rule_set",
        instance=rule,
        changes=audit.diff(before, audit.snapshot(rule)),
    )
    return rule


# --- rates -------------------------------------------------------------------------------------------------
def _check_rate(data: dict, instance: SubsidyRate | None = None) -> None:
    kind = data.get("kind", instance.kind if instance else None)
    amount = data.get("amount", instance.amount if instance else None)
    if kind and kind not in APPRENTICESHIP_KINDS:
        names = "、".join(str(AgreementKind(k).label) for k in sorted(APPRENTICESHIP_KINDS))
        raise ValidationError(
            {
                "kind": _("学徒补贴只适用于学徒制（%(kinds)s），“%(kind)s”不发放学徒补贴。")
                % {"kinds": names, "kind": AgreementKind(kind).label}
            }
        )
    minimum = rules.value(RuleKey.APPRENTICE_SUBSIDY_MIN)
    if amount is not None and Decimal(amount) < minimum:
        raise ValidationError(
            {
                "amount": _(
                    "补贴标准不得低于 %(min)s 元/人·年（%(cite)s：学徒每人每年原则上 %(min)s 元以上）。"
                )
                % {"min": money(minimum), "cite": rules.cite(RuleKey.APPRENTICE_SUBSIDY_MIN)}
            }
        )


def _require_rate_writer(actor) -> None:
    if not is_officer(actor):
        raise PermissionDenied(_("只有政府部门工作人员可以设置学徒补贴标准。"))


@transaction.atomic
def subsidy_rate_create(*, actor, data: dict) -> SubsidyRate:
    """A rate for one year and apprenticeship kind, at least the T17 minimum (the rule's value)."""
    _require_rate_writer(actor)
    _check_rate(data)
    return core_services.object_create(actor=actor, model=SubsidyRate, data=data)


@transaction.atomic
def subsidy_rate_update(*, actor, instance: SubsidyRate, data: dict) -> SubsidyRate:
    """Change a rate. Its year and kind stay as they are once claims use it (they would name another rate);
    a new amount applies to claims computed (or recomputed) afterwards."""
    _require_rate_writer(actor)
    _check_rate(data, instance)
    moved = {k for k in ("year", "kind") if k in data and data[k] != getattr(instance, k)}
    if moved and instance.claims.exists():
        raise ValidationError(_("已有补贴申请使用该标准，不能修改年度或合作形式；如需调整，请新建一条标准。"))
    return core_services.object_update(actor=actor, instance=instance, data=data)


@transaction.atomic
def subsidy_rate_delete(*, actor, instance: SubsidyRate) -> None:
    """Delete a rate no claim uses."""
    _require_rate_writer(actor)
    core_services.object_delete(actor=actor, instance=instance)


# --- claims ------------------------------------------------------------------------------------------------
def _fill_lines(claim: SubsidyClaim) -> list[SubsidyClaimLine]:
    """(Re)write the claim's lines from the agreement's apprentices; set its totals (not saved)."""
    spans = apprentice_spans(claim.agreement, claim.year)
    if not spans:
        raise ValidationError(
            _("协议“%(agreement)s”在 %(year)s 年没有满整月的学徒（只计已确认学徒在协议期内的整月）。")
            % {"agreement": claim.agreement.title, "year": claim.year}
        )
    lines = [
        SubsidyClaimLine(
            claim=claim,
            student=span.student,
            months=span.months,
            amount=line_amount(claim.rate.amount, span.months),
        )
        for span in spans
    ]
    claim.apprentices = len(lines)
    claim.amount = sum((line.amount for line in lines), Decimal("0"))
    return lines


def _refuse_state(claim: SubsidyClaim, step: str) -> None:
    states = CLAIM_STEPS[step][0]
    if claim.status not in states:
        allowed = "、".join(str(ClaimStatus(s).label) for s in ClaimStatus.values if s in states)
        raise ValidationError(
            _("申请当前为“%(status)s”，只有“%(allowed)s”的申请可以%(step)s。")
            % {"status": claim.get_status_display(), "allowed": allowed, "step": STEP_LABELS[step]}
        )


def _locked_claim(claim: SubsidyClaim) -> SubsidyClaim:
    return (
        SubsidyClaim.objects.select_for_update()
        .select_related("agreement__enterprise", "rate__reviewing_department")
        .get(pk=claim.pk)
    )


def _check_owner(actor, claim: SubsidyClaim) -> None:
    if not claim_owner(actor, claim):
        raise PermissionDenied(_("只有申请企业的人事人员可以办理这一步。"))


def _check_reviewer(actor, claim: SubsidyClaim) -> None:
    if not claim_reviewer(actor, claim):
        raise PermissionDenied(
            _("只有审核部门（%(department)s）的工作人员可以审核或拨付这份申请。")
            % {"department": claim.rate.reviewing_department.name}
        )


@transaction.atomic
def subsidy_claim_create(*, actor, agreement: Agreement, year: int) -> SubsidyClaim:
    """The enterprise's claim for one of its apprenticeship agreements (running or ended) and a year, with
    one line per apprentice (months of the year × the year's rate ÷ 12). Refused for another enterprise's
    agreement, a kind that is not an apprenticeship, an agreement not yet running or cancelled, a year with
    no rate or no apprentice months, and when the agreement already has a claim for that year."""
    if not actor.is_superuser and (
        getattr(actor, "role", None) != Role.ENTERPRISE_HR or not actor.enterprise_id
    ):
        raise PermissionDenied(_("学徒补贴由协议企业的人事人员申请。"))
    agreement = Agreement.objects.select_for_update().select_related("enterprise").get(pk=agreement.pk)
    if not actor.is_superuser and agreement.enterprise_id != actor.enterprise_id:
        raise PermissionDenied(_("只能为本企业的协议申请学徒补贴。"))
    if agreement.kind not in APPRENTICESHIP_KINDS:
        raise ValidationError(
            {
                "agreement": _("“%(agreement)s”是%(kind)s，不是学徒制协议，不能申请学徒补贴（%(cite)s）。")
                % {
                    "agreement": agreement.title,
                    "kind": agreement.get_kind_display(),
                    "cite": rules.cite(RuleKey.APPRENTICE_SUBSIDY_MIN),
                }
            }
        )
    if agreement.status not in CLAIMABLE:
        raise ValidationError(
            {
                "agreement": _("协议当前为“%(status)s”，只有执行中或已结束的协议可以申请学徒补贴。")
                % {"status": agreement.get_status_display()}
            }
        )
    year = int(year)
    rate = SubsidyRate.objects.filter(kind=agreement.kind, year=year).first()
    if rate is None:
        raise ValidationError(
            {
                "year": _("%(year)s 年度尚未设置“%(kind)s”的学徒补贴标准，请等待政府部门设置后再申请。")
                % {"year": year, "kind": agreement.get_kind_display()}
            }
        )
    existing = SubsidyClaim.objects.filter(agreement=agreement, year=year).first()
    if existing is not None:
        raise ValidationError(
            {
                "year": _(
                    "该协议 %(year)s 年度已有补贴申请（编号 %(pk)s，%(status)s），请打开 %(url)s 办理。"
                )
                % {
                    "year": year,
                    "pk": existing.pk,
                    "status": existing.get_status_display(),
                    "url": existing.get_absolute_url(),
                }
            },
            code="duplicate",
        )
    claim = SubsidyClaim(agreement=agreement, year=year, rate=rate)
    lines = _fill_lines(claim)
    claim.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save(force_insert=True)
    except IntegrityError:  # another request created it meanwhile (the unique constraint)
        raise ValidationError({"year": _("该协议 %(year)s 年度已有补贴申请。") % {"year": year}}) from None
    SubsidyClaimLine.objects.bulk_create(lines)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="subsidyclaim_create",
        instance=claim,
        changes=audit.diff({}, audit.snapshot(claim)) | {"lines": [None, _lines_log(lines)]},
    )
    return claim


def _lines_log(lines) -> list[list]:
    return [[line.student_id, line.months, str(line.amount)] for line in lines]


@transaction.atomic
def subsidy_claim_recompute(*, actor, claim: SubsidyClaim) -> SubsidyClaim:
    """Recompute a draft or returned claim from the agreement's apprentices now and the rate now."""
    claim = _locked_claim(claim)
    _check_owner(actor, claim)
    _refuse_state(claim, "recompute")
    claim.rate = SubsidyRate.objects.get(pk=claim.rate_id)  # the rate's amount as it is now
    before = audit.snapshot(claim)
    old_lines = _lines_log(claim.lines.order_by("student_id"))
    lines = _fill_lines(claim)
    claim.full_clean(validate_constraints=False)
    claim.save(update_fields=["apprentices", "amount", "updated_at"])
    claim.lines.all().delete()
    SubsidyClaimLine.objects.bulk_create(lines)
    new_lines = _lines_log(sorted(lines, key=lambda line: line.student_id))
    changes = audit.diff(before, audit.snapshot(claim))
    if old_lines != new_lines:
        changes["lines"] = [old_lines, new_lines]
    audit.record(
        actor=actor, action=AuditAction.UPDATE, verb="subsidyclaim_recompute", instance=claim, changes=changes
    )
    return claim


def _transition(
    actor, claim: SubsidyClaim, verb: str, action: str = AuditAction.UPDATE, **values
) -> SubsidyClaim:
    """Set the values of a step on the locked claim, save and audit them."""
    before = audit.snapshot(claim)
    for name, value in values.items():
        setattr(claim, name, value)
    claim.full_clean(validate_constraints=False)
    claim.save(update_fields=[*values, "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        verb=verb,
        instance=claim,
        changes=audit.diff(before, audit.snapshot(claim)),
    )
    return claim


@transaction.atomic
def subsidy_claim_submit(*, actor, claim: SubsidyClaim) -> SubsidyClaim:
    """The enterprise submits its draft (or returned) claim to the reviewing department."""
    claim = _locked_claim(claim)
    _check_owner(actor, claim)
    _refuse_state(claim, "submit")
    if claim.apprentices == 0 or claim.amount <= 0:
        raise ValidationError(_("申请中没有学徒，不能提交；请先重新计算。"))
    return _transition(
        actor, claim, "subsidyclaim_submit", status=ClaimStatus.SUBMITTED, submitted_at=timezone.now()
    )


@transaction.atomic
def subsidy_claim_approve(
    *, actor, claim: SubsidyClaim, approved_amount=None, note: str = ""
) -> SubsidyClaim:
    """The reviewing department approves a submitted claim for ``approved_amount`` (the claimed amount when
    not given; more than 0, at most the claimed amount)."""
    claim = _locked_claim(claim)
    _check_reviewer(actor, claim)
    _refuse_state(claim, "approve")
    if approved_amount in (None, ""):
        approved_amount = claim.amount
    try:
        approved_amount = Decimal(str(approved_amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValidationError({"approved_amount": _("核定金额应为数字。")}) from None
    if approved_amount <= 0:
        raise ValidationError({"approved_amount": _("核定金额应大于 0；不予补贴请选择“不予补贴”。")})
    if approved_amount > claim.amount:
        raise ValidationError(
            {
                "approved_amount": _("核定金额 %(approved)s 元不能超过申请金额 %(amount)s 元。")
                % {"approved": money(approved_amount), "amount": money(claim.amount)}
            }
        )
    return _transition(
        actor,
        claim,
        "subsidyclaim_approve",
        status=ClaimStatus.APPROVED,
        approved_amount=approved_amount,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_note=(note or "").strip(),
    )


def _send_back(actor, claim: SubsidyClaim, note: str, step: str, status: str, what: str) -> SubsidyClaim:
    """Return or reject a submitted claim: the reviewer's reasons (``what`` names them) are required."""
    claim = _locked_claim(claim)
    _check_reviewer(actor, claim)
    _refuse_state(claim, step)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写%(what)s。") % {"what": what}})
    return _transition(
        actor,
        claim,
        f"subsidyclaim_{step}",
        status=status,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_note=note,
    )


@transaction.atomic
def subsidy_claim_return(*, actor, claim: SubsidyClaim, note: str) -> SubsidyClaim:
    """The reviewing department returns a submitted claim to the enterprise, with its reasons."""
    return _send_back(actor, claim, note, "return", ClaimStatus.RETURNED, _("退回理由"))


@transaction.atomic
def subsidy_claim_reject(*, actor, claim: SubsidyClaim, note: str) -> SubsidyClaim:
    """The reviewing department refuses a submitted claim, with its reasons (final)."""
    return _send_back(actor, claim, note, "reject", ClaimStatus.REJECTED, _("不予补贴的理由"))


def _check_payment(paid_at, payment_ref: str) -> tuple[dt.date, str]:
    errors = {}
    payment_ref = (payment_ref or "").strip()
    if not paid_at:
        errors["paid_at"] = _("请填写拨付日期。")
    elif paid_at > timezone.localdate():
        errors["paid_at"] = _("拨付日期不能晚于今天。")
    if not payment_ref:
        errors["payment_ref"] = _("请填写拨付凭证号。")
    if errors:
        raise ValidationError(errors)
    return paid_at, payment_ref


@transaction.atomic
def subsidy_claim_pay(*, actor, claim: SubsidyClaim, paid_at: dt.date, payment_ref: str) -> SubsidyClaim:
    """The reviewing department records the payment of an approved claim (date and voucher number)."""
    claim = _locked_claim(claim)
    _check_reviewer(actor, claim)
    _refuse_state(claim, "pay")
    paid_at, payment_ref = _check_payment(paid_at, payment_ref)
    return _transition(
        actor, claim, "subsidyclaim_pay", status=ClaimStatus.PAID, paid_at=paid_at, payment_ref=payment_ref
    )


@transaction.atomic
def subsidy_claim_delete(*, actor, instance: SubsidyClaim) -> None:
    """The enterprise deletes its own draft claim (never submitted)."""
    claim = _locked_claim(instance)
    _check_owner(actor, claim)
    if claim.status != ClaimStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的申请可以删除。"))
    core_services.object_delete(actor=actor, instance=claim)


# --- payment records imported from a file ------------------------------------------------------------------
PAYMENT_HEADERS = {
    "id": "申请编号",
    "credit_code": "统一社会信用代码",
    "agreement": "协议名称",
    "year": "年度",
    "paid_at": "拨付日期",
    "payment_ref": "拨付凭证号",
    "approved_amount": "核定金额",
}


def _payment_rows(data, actor) -> tuple[list[tuple[int, SubsidyClaim, dict]], list[dict]]:
    """Read and check every row of a payment file; returns the rows to apply and the errors (nothing is
    written)."""
    from xiaoqitong.core.imports import DateWidget, text

    errors: list[dict] = []
    headers = set(data.headers or [])
    needed = [PAYMENT_HEADERS[k] for k in ("paid_at", "payment_ref")]
    missing = [h for h in needed if h not in headers]
    by_id = PAYMENT_HEADERS["id"] in headers
    by_key = all(PAYMENT_HEADERS[k] in headers for k in ("credit_code", "agreement", "year"))
    if not by_id and not by_key:
        missing.append(
            _("%(id)s（或 %(code)s + %(agreement)s + %(year)s）")
            % {
                "id": PAYMENT_HEADERS["id"],
                "code": PAYMENT_HEADERS["credit_code"],
                "agreement": PAYMENT_HEADERS["agreement"],
                "year": PAYMENT_HEADERS["year"],
            }
        )
    if missing:
        return [], [{"row": 1, "column": "、".join(missing), "message": _("缺少列")}]
    visible = SubsidyClaim.objects.restrict(actor, "view")
    claims = visible.select_related("agreement__enterprise", "rate__reviewing_department")
    by_pk = {}
    by_natural = {}
    for claim in claims.filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID]):
        by_pk[claim.pk] = claim
        by_natural[(claim.agreement.enterprise.credit_code, claim.agreement.title, claim.year)] = claim
    out, seen = [], {}
    date_widget = DateWidget()
    for number, row in enumerate(data.dict, start=2):

        def error(column: str, message: str, number=number) -> None:
            errors.append({"row": number, "column": PAYMENT_HEADERS.get(column, column), "message": message})

        pk = text(row.get(PAYMENT_HEADERS["id"])) if by_id else ""
        if pk:
            lookup = {"pk": int(pk) if pk.isdigit() else 0}
            claim = by_pk.get(lookup["pk"])
            missing = _("找不到编号为“%(pk)s”的补贴申请") % {"pk": pk}
        elif by_key:
            year = text(row.get(PAYMENT_HEADERS["year"]))
            key = (
                text(row.get(PAYMENT_HEADERS["credit_code"])).upper(),
                text(row.get(PAYMENT_HEADERS["agreement"])),
                int(year) if year.isdigit() else 0,
            )
            lookup = {
                "agreement__enterprise__credit_code": key[0],
                "agreement__title": key[1],
                "year": key[2],
            }
            claim = by_natural.get(key)
            missing = _("找不到统一社会信用代码“%(code)s”、协议“%(agreement)s”、%(year)s 年度的补贴申请") % {
                "code": key[0],
                "agreement": key[1],
                "year": year or "?",
            }
        else:
            error("id", _("请填写申请编号，或统一社会信用代码、协议名称和年度"))
            continue
        if claim is None:
            # Not approved (or not there at all): one query, only for a bad row.
            other = visible.filter(**lookup).first()
            if other is None:
                error("id" if pk else "credit_code", missing)
            else:
                error(
                    "id" if pk else "credit_code",
                    _("申请当前为“%(status)s”，只有审核通过的申请可以登记拨付")
                    % {"status": other.get_status_display()},
                )
            continue
        if not claim_reviewer(actor, claim):
            error(
                "id",
                _("您不是该申请的审核部门（%(dept)s），不能登记拨付")
                % {"dept": claim.rate.reviewing_department.name},
            )
            continue
        if claim.pk in seen:
            error("id", _("与第 %(other)s 行是同一份申请") % {"other": seen[claim.pk]})
            continue
        seen[claim.pk] = number
        values = {}
        try:
            values["paid_at"] = date_widget.clean(row.get(PAYMENT_HEADERS["paid_at"]))
        except ValueError as exc:
            error("paid_at", str(exc))
            continue
        values["payment_ref"] = text(row.get(PAYMENT_HEADERS["payment_ref"]))
        try:
            _check_payment(values["paid_at"], values["payment_ref"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    error(field, message)
            continue
        amount = (
            text(row.get(PAYMENT_HEADERS["approved_amount"]))
            if PAYMENT_HEADERS["approved_amount"] in headers
            else ""
        )
        if amount:
            try:
                approved = Decimal(amount.replace(",", "")).quantize(CENT, rounding=ROUND_HALF_UP)
            except InvalidOperation:
                error("approved_amount", _("“%(value)s”不是金额") % {"value": amount})
                continue
            if approved <= 0 or approved > claim.amount:
                error(
                    "approved_amount",
                    _("核定金额应大于 0 且不超过申请金额 %(amount)s 元") % {"amount": money(claim.amount)},
                )
                continue
            values["approved_amount"] = approved
        if claim.status == ClaimStatus.PAID:
            same = claim.paid_at == values["paid_at"] and claim.payment_ref == values["payment_ref"]
            if same and values.get("approved_amount", claim.approved_amount) == claim.approved_amount:
                continue  # the same record again: nothing to do (importing a file twice changes nothing)
            error("id", _("该申请已登记拨付（%(ref)s），不能再次登记") % {"ref": claim.payment_ref})
            continue
        out.append((number, claim, values))
    return out, errors


@transaction.atomic
def subsidy_payment_import(*, actor, upload) -> dict:
    """Record the payments of approved claims from an xlsx/csv file: 申请编号 (or 统一社会信用代码 +
    协议名称 + 年度), 拨付日期, 拨付凭证号, 核定金额 (optional). The whole file is checked first: with any
    bad row (each reported in Chinese by row and column) nothing is written; otherwise every row is paid.
    Rows already recorded the same way are skipped, so importing a file twice changes nothing. One audit
    record per paid claim and one for the file."""
    import tempfile
    from pathlib import Path

    from xiaoqitong.core import uploads
    from xiaoqitong.core.imports import ImportFileError, read_table

    if not is_officer(actor):
        raise PermissionDenied(_("只有审核部门的工作人员可以导入拨付记录。"))
    uploads.check_upload(upload, uploads.IMPORT)
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            data = read_table(tmp.name, name)
        except ImportFileError as exc:
            raise ValidationError({"file": str(exc)}) from None
    rows, errors = _payment_rows(data, actor)
    if errors:
        return {"errors": errors, "paid": 0, "skipped": 0}
    paid = []
    locked = {
        c.pk: c for c in SubsidyClaim.objects.select_for_update().filter(pk__in=[c.pk for _n, c, _v in rows])
    }
    for number, claim, values in rows:
        current = locked[claim.pk]
        if current.status != ClaimStatus.APPROVED:  # changed since it was read
            return {
                "errors": [{"row": number, "column": "", "message": _("该申请的状态已变化，请刷新后重试")}],
                "paid": 0,
                "skipped": 0,
            }
        _transition(
            actor, current, "subsidyclaim_pay_import", AuditAction.IMPORT, status=ClaimStatus.PAID, **values
        )
        paid.append(current.pk)
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        verb="subsidy_payment_import",
        model=SubsidyClaim,
        object_repr=name[:200],
        changes={"paid": [None, paid]},
    )
    return {"errors": [], "paid": len(paid), "skipped": len(data) - len(paid)}
