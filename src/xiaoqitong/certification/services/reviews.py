"""Every write of a title's life after certification (R1: “一年一考核，三年一授牌”; DESIGN rule 2).

- ``reviews_open`` (daily): a held title's next review is opened ``Setup.review_open_days`` before it falls
  due on the anniversary of certification (every ``cert_review_interval_years`` years); the review that ends a
  plaque cycle (every ``cert_plaque_cycle_years`` years) is a renewal.
- ``review_submit``: the enterprise's HR reports (self-assessment, claims, documents) by the deadline.
- ``review_decide``: the lead department (市发改委) decides a submitted report: passed (a renewal awards the
  next plaque and extends the title), rectification by a deadline (the title is 整改中 and the enterprise
  reports again), or failed (the title is revoked).
- ``reviews_expire`` (daily): a report missed by its deadline (the due date, or the rectification deadline)
  expires the title.
- ``certification_revoke``: the lead department revokes a title at any time, saying why.
- ``reminders_send`` (daily): the enterprise hears 30, 7 and 1 days before a report is due; an asked
  department 3 and 1 days before its opinion is due, and once when it is late. Each reminder is sent once
  (kept in the row's ``reminders``).
- ``certification_tick``: the three daily steps in order, for the beat schedule and for tests that move the
  clock.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.cooperation.choices import RuleKey
from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.notifications import notify

from ..choices import (
    AWAITING_ENTERPRISE,
    HELD,
    ApplicationStatus,
    CertificationStatus,
    ReviewKind,
    ReviewStatus,
)
from ..models import Certification, Opinion, Review
from ..policies.common import is_lead, speaks_for
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

#: Days before a deadline on which the enterprise is reminded (a working rhythm, not a policy number).
REVIEW_REMINDERS = (30, 7, 1)
OPINION_REMINDERS = (3, 1)
#: The least time an enterprise has to report on a review opened late (a stopped scheduler).
MIN_NOTICE_DAYS = 14
NOTE_LENGTH = 2000


class Outcome:
    PASSED = ReviewStatus.PASSED
    RECTIFICATION = ReviewStatus.RECTIFICATION
    FAILED = ReviewStatus.FAILED
    CHOICES = (PASSED, RECTIFICATION, FAILED)


def _lock(review) -> Review:
    return Review.objects.select_for_update().select_related("certification__enterprise").get(pk=review.pk)


def _check_held(certification: Certification) -> None:
    """A review only concerns a title still held (not expired, superseded or revoked)."""
    if certification.status not in HELD:
        raise ValidationError(
            _("称号状态为“%(status)s”，该考核不再进行。") % {"status": certification.get_status_display()}
        )


def check_reporter(actor, review: Review) -> None:
    """The enterprise's HR (or a platform administrator), on a review awaiting its report, by the deadline."""
    review = _lock(review)
    if not (actor.is_superuser or speaks_for(actor, review.certification.enterprise_id)):
        raise denied(_("年度考核材料由企业的人事账号报送。"))
    if review.status not in AWAITING_ENTERPRISE:
        raise ValidationError(
            _("考核当前状态为“%(status)s”，不能再报送或修改材料。") % {"status": review.get_status_display()}
        )
    _check_held(review.certification)
    if review.deadline < today():
        raise ValidationError(_("已过报送截止日期 %(date)s。") % {"date": review.deadline})


def review_checklist(review: Review, on: dt.date | None = None):
    c = review.certification
    return evidence.checklist(
        enterprise_id=c.enterprise_id,
        level=c.level,
        on=on or today(),
        claims=review.claims.all(),
        documents=review.documents.all(),
    )


def due_date(certification: Certification, sequence: int) -> dt.date:
    """The anniversary on which the ``sequence``-th review falls due."""
    return add_years(certification.certified_on, sequence * rule_int(RuleKey.CERT_REVIEW_INTERVAL_YEARS))


def review_kind(sequence: int) -> str:
    """The review that completes a plaque cycle is a renewal."""
    interval = rule_int(RuleKey.CERT_REVIEW_INTERVAL_YEARS)
    cycle = rule_int(RuleKey.CERT_PLAQUE_CYCLE_YEARS)
    return ReviewKind.RENEWAL if (sequence * interval) % cycle == 0 else ReviewKind.ANNUAL


@transaction.atomic
def reviews_open(*, on: dt.date | None = None) -> list[Review]:
    """Open the next review of every held title that falls due within ``Setup.review_open_days``."""
    on = on or today()
    horizon = on + dt.timedelta(days=setup().review_open_days)
    opened = []
    held = Certification.objects.filter(status__in=HELD).select_related("enterprise")
    last = {}
    for row in Review.objects.filter(certification__in=held).values("certification_id", "sequence"):
        last[row["certification_id"]] = max(last.get(row["certification_id"], 0), row["sequence"])
    for certification in held:
        sequence = last.get(certification.pk, 0) + 1
        if Review.objects.filter(certification=certification, status__in=AWAITING_ENTERPRISE).exists():
            continue
        due = due_date(certification, sequence)
        if due > horizon or certification.valid_until < on:
            continue  # not due yet; or the plaque ran out while nothing ran: reviews_expire ends the title
        # Opened late (the scheduler was stopped): the enterprise still gets MIN_NOTICE_DAYS to report.
        due = max(due, on + dt.timedelta(days=MIN_NOTICE_DAYS))
        review = Review(
            certification=certification,
            sequence=sequence,
            kind=review_kind(sequence),
            year=due.year,
            due_date=due,
        )
        review.full_clean()
        review.save(force_insert=True)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            verb="review_open",
            instance=review,
            changes={"due_date": [None, str(due)], "kind": [None, review.kind]},
        )
        notify(
            enterprise_hr(certification.enterprise_id),
            _("产教融合型企业%(kind)s已开放，请在 %(due)s 前报送考核材料。")
            % {"kind": review.get_kind_display(), "due": due},
            review.get_absolute_url(),
        )
        opened.append(review)
    return opened


@transaction.atomic
def review_submit(*, actor, review: Review, self_report: str) -> Review:
    """The enterprise reports: a self-assessment, and the claims and documents the criteria ask for."""
    check_reporter(actor, review)
    review = _lock(review)
    self_report = (self_report or "").strip()
    if not self_report:
        raise ValidationError({"self_report": _("请填写年度自评报告。")})
    from .applications import completeness_problems

    lines = review_checklist(review)
    problems = completeness_problems(lines)
    if problems:
        raise ValidationError(_("考核材料不完整：%(list)s。") % {"list": "；".join(problems)})
    save_transition(
        actor=actor,
        instance=review,
        fields={
            "status": ReviewStatus.SUBMITTED,
            "self_report": self_report[:20000],
            "submitted_at": timezone.now(),
            "submitted_by": actor,
            "checklist": evidence.snapshot(lines),
        },
        verb="review_submit",
    )
    notify(
        lead_officers(),
        _("%(enterprise)s 报送了%(year)s 年%(kind)s材料，请考核。")
        % {
            "enterprise": review.certification.enterprise.name,
            "year": review.year,
            "kind": review.get_kind_display(),
        },
        review.get_absolute_url(),
    )
    return review


@transaction.atomic
def review_decide(
    *,
    actor,
    review: Review,
    outcome: str,
    note: str,
    rectification_deadline: dt.date | None = None,
    rectification_items: str = "",
) -> Review:
    """The lead department decides a submitted report (``Outcome``)."""
    from .applications import award_plaque

    if not is_lead(actor):
        raise denied(_("年度考核由牵头部门（%(dept)s）作出结论。") % {"dept": setup().lead_department or "—"})
    review = _lock(review)
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(
            _("考核当前状态为“%(status)s”，只有企业已报送的考核才能作出结论。")
            % {"status": review.get_status_display()}
        )
    if outcome not in Outcome.CHOICES:
        raise ValidationError({"outcome": _("请选择考核结论。")})
    note = (note or "").strip()
    if outcome != Outcome.PASSED and not note:
        raise ValidationError({"note": _("限期整改或不合格时，请写明考核意见。")})
    certification = Certification.objects.select_for_update().get(pk=review.certification_id)
    _check_held(certification)
    on = today()
    fields = {
        "status": outcome,
        "decided_at": timezone.now(),
        "decided_by": actor,
        "decision_note": note[:NOTE_LENGTH],
    }
    if outcome == Outcome.PASSED:
        blocking = [line.criterion.name for line in review_checklist(review) if line.blocking]
        if blocking:
            raise ValidationError(
                _("不满足必备条件，不能评为合格：%(list)s。") % {"list": "、".join(blocking)}
            )
        cert_fields = {"status": CertificationStatus.ACTIVE, "status_note": ""}
        if review.kind == ReviewKind.RENEWAL:
            cycle = certification.plaques.count() + 1
            start = certification.valid_until + dt.timedelta(days=1)
            plaque = award_plaque(certification=certification, cycle=cycle, valid_from=start, awarded_on=on)
            cert_fields["valid_until"] = plaque.valid_until
        message = _("%(year)s 年%(kind)s结论：合格。") % {
            "year": review.year,
            "kind": review.get_kind_display(),
        }
    elif outcome == Outcome.RECTIFICATION:
        deadline = rectification_deadline or on + dt.timedelta(days=setup().rectification_days)
        if deadline <= on:
            raise ValidationError({"rectification_deadline": _("整改截止日期须晚于今天。")})
        items = (rectification_items or note).strip()
        fields |= {"rectification_deadline": deadline, "rectification_items": items[:NOTE_LENGTH]}
        cert_fields = {"status": CertificationStatus.RECTIFICATION, "status_note": items[:500]}
        message = _("%(year)s 年%(kind)s结论：限期整改，请在 %(date)s 前报送整改材料。") % {
            "year": review.year,
            "kind": review.get_kind_display(),
            "date": deadline,
        }
    else:
        cert_fields = {"status": CertificationStatus.REVOKED, "ended_on": on, "status_note": note[:500]}
        message = _("%(year)s 年%(kind)s结论：不合格，产教融合型企业称号已撤销。") % {
            "year": review.year,
            "kind": review.get_kind_display(),
        }
    save_transition(actor=actor, instance=review, fields=fields, verb=f"review_{outcome}")
    save_transition(
        actor=actor, instance=certification, fields=cert_fields, verb="certification_review_result"
    )
    notify(enterprise_hr(certification.enterprise_id), message, review.get_absolute_url())
    return review


@transaction.atomic
def certification_revoke(*, actor, certification: Certification, note: str) -> Certification:
    """The lead department revokes a held title (a serious breach found between reviews), saying why."""
    if not is_lead(actor):
        raise denied(_("称号由牵头部门（%(dept)s）撤销。") % {"dept": setup().lead_department or "—"})
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    if certification.status not in HELD:
        raise ValidationError(
            _("称号状态为“%(status)s”，不能撤销。") % {"status": certification.get_status_display()}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明撤销理由。")})
    save_transition(
        actor=actor,
        instance=certification,
        fields={"status": CertificationStatus.REVOKED, "ended_on": today(), "status_note": note[:500]},
        verb="certification_revoke",
    )
    # A report waiting for the lead department's decision ends too: deciding it would revive the title.
    Review.objects.filter(
        certification=certification, status__in=[ReviewStatus.SUBMITTED, *AWAITING_ENTERPRISE]
    ).update(status=ReviewStatus.CANCELLED, decision_note=note[:NOTE_LENGTH], updated_at=timezone.now())
    notify(
        enterprise_hr(certification.enterprise_id),
        _("产教融合型企业称号已撤销：%(note)s") % {"note": note[:100]},
        certification.get_absolute_url(),
    )
    return certification


@transaction.atomic
def reviews_expire(*, on: dt.date | None = None) -> list[Certification]:
    """Expire the titles whose report was not in by its deadline (and any whose plaque ran out with no
    review open, which only a stopped scheduler allows)."""
    on = on or today()
    expired = []
    for review in (
        Review.objects.select_for_update()
        .filter(status__in=AWAITING_ENTERPRISE, certification__status__in=HELD)
        .select_related("certification__enterprise")
    ):
        if review.deadline >= on:
            continue
        deadline = review.deadline
        save_transition(
            actor=None,
            instance=review,
            fields={"status": ReviewStatus.MISSED, "decided_at": timezone.now()},
            verb="review_missed",
        )
        certification = review.certification
        save_transition(
            actor=None,
            instance=certification,
            fields={
                "status": CertificationStatus.EXPIRED,
                "ended_on": on,
                "status_note": _("未在 %(date)s 前报送%(year)s 年%(kind)s材料，称号失效。")
                % {"date": deadline, "year": review.year, "kind": review.get_kind_display()},
            },
            verb="certification_expire",
        )
        notify(
            enterprise_hr(certification.enterprise_id) + lead_officers(),
            _("%(enterprise)s 未按期报送考核材料，产教融合型企业称号已失效。")
            % {"enterprise": certification.enterprise.name},
            certification.get_absolute_url(),
        )
        expired.append(certification)
    for certification in Certification.objects.select_for_update().filter(
        status__in=HELD, valid_until__lt=on
    ):
        if Review.objects.filter(
            certification=certification, status__in=[ReviewStatus.SUBMITTED, *AWAITING_ENTERPRISE]
        ).exists():
            continue  # a review still runs: its own deadline or the lead department's decision decides
        save_transition(
            actor=None,
            instance=certification,
            fields={
                "status": CertificationStatus.EXPIRED,
                "ended_on": on,
                "status_note": _("有效期已满，未通过复核。"),
            },
            verb="certification_expire",
        )
        notify(
            enterprise_hr(certification.enterprise_id) + lead_officers(),
            _("产教融合型企业称号（%(number)s）有效期已满，未通过复核，称号已失效。")
            % {"number": certification.number},
            certification.get_absolute_url(),
        )
        expired.append(certification)
    return expired


def _threshold(left: int, days) -> int | None:
    """The reminder a deadline ``left`` days away falls under: the nearest of ``days`` not before it (so a
    review opened 5 days before its deadline gets the 7-day reminder, not the 30-day one and then the
    7-day one the next day)."""
    return next((d for d in sorted(days) if 0 <= left <= d), None)


def _remind_once(row, key: str) -> bool:
    """Record ``key`` in the row's ``reminders``; ``False`` if it was already sent."""
    if key in row.reminders:
        return False
    row.reminders = [*row.reminders, key]
    type(row).objects.filter(pk=row.pk).update(reminders=row.reminders)
    return True


@transaction.atomic
def reminders_send(*, on: dt.date | None = None) -> int:
    """Send the reminders due today; returns how many were sent (each to all its recipients)."""
    on = on or today()
    sent = 0
    reviews = Review.objects.filter(
        status__in=AWAITING_ENTERPRISE, certification__status__in=HELD
    ).select_related("certification__enterprise")
    for review in reviews:
        left = (review.deadline - on).days
        days = _threshold(left, REVIEW_REMINDERS)
        if days is not None and _remind_once(review, f"{review.status}:{days}"):
            notify(
                enterprise_hr(review.certification.enterprise_id),
                _("提醒：%(year)s 年%(kind)s材料须在 %(date)s 前报送（还有 %(n)s 天），逾期称号失效。")
                % {
                    "year": review.year,
                    "kind": review.get_kind_display(),
                    "date": review.deadline,
                    "n": left,
                },
                review.get_absolute_url(),
            )
            sent += 1
    opinions = Opinion.objects.filter(
        stance="", application__status=ApplicationStatus.UNDER_REVIEW, application__opinions_due__isnull=False
    ).select_related("application__enterprise", "department")
    for opinion in opinions:
        due = opinion.application.opinions_due
        left = (due - on).days
        days = _threshold(left, OPINION_REMINDERS)
        key = "late" if left < 0 else (f"due:{days}" if days is not None else None)
        if key and _remind_once(opinion, key):
            text = (
                _("%(enterprise)s 的认定申请意见已逾期（截止 %(date)s），请尽快出具。")
                if left < 0
                else _("提醒：请在 %(date)s 前对 %(enterprise)s 的认定申请出具意见。")
            )
            notify(
                officers([opinion.department_id]),
                text % {"enterprise": opinion.application.enterprise.name, "date": due},
                opinion.application.get_absolute_url(),
            )
            sent += 1
    return sent


def certification_tick(*, on: dt.date | None = None) -> dict:
    """The daily steps in order: open the reviews falling due, expire the missed ones, send reminders."""
    on = on or today()
    opened = reviews_open(on=on)
    expired = reviews_expire(on=on)
    reminded = reminders_send(on=on)
    return {"opened": len(opened), "expired": len(expired), "reminded": reminded}
