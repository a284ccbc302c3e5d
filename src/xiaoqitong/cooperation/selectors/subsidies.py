"""Reads of the apprenticeship subsidies (T17): the months each apprentice of an agreement counts in a year,
the agreements an enterprise may claim for, and the summary of claims for the officers.

How months are counted (the rule the claim pages explain): a month counts when the whole calendar month lies
within the apprentice's time in the agreement — the agreement's period (``start_date``..``end_date``), cut
at a transfer. A CONFIRMED member counts from the agreement's start, or, when they came in by an approved
change (``AgreementChange``), from the day it was decided; a TRANSFERRED member counts until the day their
move out was decided (the months before they left). A member who LEFT, declined or never confirmed counts
nothing: the platform does not know when they left.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from ..choices import APPRENTICESHIP_KINDS, AgreementStatus, ChangeStatus, ClaimStatus, MemberStatus
from ..models import Agreement, AgreementChange, SubsidyClaim


def whole_months(start: dt.date, end: dt.date, year: int) -> int:
    """The calendar months of ``year`` that lie wholly within ``start``..``end`` (both days included)."""
    if start > end:
        return 0
    count = 0
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        if start <= first and last <= end:
            count += 1
    return count


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


@dataclass
class ApprenticeSpan:
    """One apprentice's time in the agreement and the whole months of the year it covers."""

    student: object
    start: dt.date
    end: dt.date
    months: int


def apprentice_spans(agreement: Agreement, year: int, on: dt.date | None = None) -> list[ApprenticeSpan]:
    """Each apprentice of the agreement with the whole months of ``year`` they count (those with none left
    out), in student order. Only months that are over by ``on`` (default today) count: a claim made during
    the year covers the months trained so far. Three queries whatever the number of members."""
    over_by = (on or timezone.localdate()) - dt.timedelta(days=1)
    members = list(
        agreement.members.filter(status__in=[MemberStatus.CONFIRMED, MemberStatus.TRANSFERRED])
        .select_related("student")
        .order_by("student__name", "student_id")
    )
    approved = AgreementChange.objects.filter(status=ChangeStatus.APPROVED)
    left_on: dict[int, dt.date | None] = {}
    for member_id, decided in approved.filter(member__agreement=agreement).values_list(
        "member_id", "decided_at"
    ):
        left_on[member_id] = max(filter(None, [left_on.get(member_id), _day(decided)]), default=None)
    joined_on: dict[int, dt.date] = {}
    for student_id, decided in approved.filter(to_agreement=agreement).values_list(
        "member__student_id", "decided_at"
    ):
        if decided is not None:
            joined_on[student_id] = max(filter(None, [joined_on.get(student_id), _day(decided)]))
    spans = []
    for member in members:
        start, end = agreement.start_date, agreement.end_date
        if member.status == MemberStatus.TRANSFERRED:
            left = left_on.get(member.pk)
            if left is None:
                continue  # no dated move out: when they left is not known
            end = min(end, left - dt.timedelta(days=1))
        joined = joined_on.get(member.student_id)
        if joined is not None and member.status == MemberStatus.CONFIRMED:
            start = max(start, joined)
        months = whole_months(start, min(end, over_by), year)
        if months:
            spans.append(ApprenticeSpan(member.student, start, end, months))
    return spans


#: The states of an agreement a subsidy may be claimed for: running or ended.
CLAIMABLE = (AgreementStatus.ACTIVE, AgreementStatus.ENDED)


def claimable_agreements(user):
    """The agreements the user's enterprise may claim for (apprenticeships, running or ended)."""
    qs = Agreement.objects.filter(kind__in=APPRENTICESHIP_KINDS, status__in=CLAIMABLE)
    if user.is_superuser:
        return qs
    return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


# --- the summary for officers ------------------------------------------------------------------------------
APPROVED_OR_PAID = [ClaimStatus.APPROVED, ClaimStatus.PAID]


def summary_years(user) -> list[int]:
    """The years that have claims, newest first."""
    qs = SubsidyClaim.objects.restrict(user, "view")
    return sorted(set(qs.values_list("year", flat=True)), reverse=True)


def subsidy_summary(user, year: int) -> dict:
    """The year's claims the user may see: by status (claims, apprentices, amount claimed, amount approved)
    and by enterprise (claims, apprentices, claimed, approved, paid; drafts left out: not claimed yet), with
    totals. Three queries."""
    qs = SubsidyClaim.objects.restrict(user, "view").filter(year=year)
    zero = Decimal("0")
    labels = dict(ClaimStatus.choices)
    rows = {
        row["status"]: row
        for row in qs.values("status").annotate(
            claims=Count("id"),
            apprentices=Sum("apprentices"),
            claimed=Sum("amount"),
            approved=Sum("approved_amount"),
        )
    }
    by_status = [
        {
            "status": status,
            "label": str(labels[status]),
            "claims": rows.get(status, {}).get("claims") or 0,
            "apprentices": rows.get(status, {}).get("apprentices") or 0,
            "claimed": rows.get(status, {}).get("claimed") or zero,
            "approved": rows.get(status, {}).get("approved") or zero,
        }
        for status in ClaimStatus.values
    ]
    claimed_qs = qs.exclude(status=ClaimStatus.DRAFT)
    by_enterprise = [
        {
            "enterprise": row["agreement__enterprise__name"],
            "credit_code": row["agreement__enterprise__credit_code"],
            "claims": row["claims"],
            "apprentices": row["apprentices"] or 0,
            "claimed": row["claimed"] or zero,
            "approved": row["approved"] or zero,
            "paid": row["paid"] or zero,
        }
        for row in claimed_qs.values("agreement__enterprise__name", "agreement__enterprise__credit_code")
        .annotate(
            claims=Count("id"),
            apprentices=Sum("apprentices"),
            claimed=Sum("amount"),
            approved=Sum("approved_amount", filter=Q(status__in=APPROVED_OR_PAID)),
            paid=Sum("approved_amount", filter=Q(status=ClaimStatus.PAID)),
        )
        .order_by("-claimed", "agreement__enterprise__credit_code")
    ]
    totals = {
        key: sum((row[key] for row in by_enterprise), zero if key in {"claimed", "approved", "paid"} else 0)
        for key in ("claims", "apprentices", "claimed", "approved", "paid")
    }
    return {"year": year, "by_status": by_status, "by_enterprise": by_enterprise, "totals": totals}


AMOUNTS = ("claimed", "approved", "paid")


def summary_written(summary: dict, spec: str = ".2f") -> dict:
    """The summary with its amounts as text in the format ``spec``: ".2f" for the API and the export
    (25000.00), ",.2f" for the page (25,000.00; the locale has no grouping)."""

    def row(values: dict) -> dict:
        return {k: format(v, spec) if k in AMOUNTS else v for k, v in values.items()}

    return {
        **summary,
        "by_status": [row(r) for r in summary["by_status"]],
        "by_enterprise": [row(r) for r in summary["by_enterprise"]],
        "totals": row(summary["totals"]),
    }
