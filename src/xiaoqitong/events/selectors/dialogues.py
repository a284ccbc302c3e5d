"""Reads of minutes and commitments, scoped by ``policies.dialogues``: the commitments a user may read with
whether each is overdue, their counts by status (the board's header), an event's commitments, a commitment's
follow-ups.

A commitment is **overdue** when its due date has passed (before today, local time) and it is still open
(未开始 or 推进中); done and dropped ones never are.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from ..choices import OPEN_COMMITMENT, CommitmentStatus
from ..models import Commitment, CommitmentUpdate, Event
from ..policies.dialogues import commitments_q

COMMITMENT_RELATED = (
    "event__type",
    "event__organizer",
    "owner_school",
    "owner_enterprise",
    "owner_department",
)
OPEN = sorted(OPEN_COMMITMENT)


def overdue_q(today: dt.date | None = None, prefix: str = "") -> Q:
    """Open commitments whose due date is before ``today``."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status__in": OPEN, f"{prefix}due_date__lt": today})


def with_overdue(qs: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Commitments annotated with ``is_overdue``."""
    return qs.annotate(
        is_overdue=Case(
            When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def visible_commitments(user) -> QuerySet:
    """The commitments ``user`` may read, with their event, owner and ``is_overdue`` (no query per row)."""
    return with_overdue(Commitment.objects.filter(commitments_q(user)).select_related(*COMMITMENT_RELATED))


def commitment_for(user, pk: int) -> Commitment:
    commitment = visible_commitments(user).filter(pk=pk).first()
    if commitment is None:
        raise Http404
    return commitment


def commitment_counts(qs: QuerySet, today: dt.date | None = None) -> dict:
    """``{"total", "overdue", "unfinished" (open or in progress), <each status>}`` of ``qs`` in one query."""
    today = today or timezone.localdate()
    aggregates = {status: Count("pk", filter=Q(status=status)) for status in CommitmentStatus.values}
    row = qs.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        unfinished=Count("pk", filter=Q(status__in=OPEN)),
        **aggregates,
    )
    return row


def event_commitments(event: Event) -> QuerySet:
    """The commitments of ``event`` (for whoever reads its minutes), soonest due first."""
    return with_overdue(
        Commitment.objects.filter(event_id=event.pk)
        .select_related(*COMMITMENT_RELATED)
        .order_by("due_date", "pk")
    )


def commitment_updates(commitment: Commitment) -> QuerySet:
    """The follow-ups of ``commitment``, oldest first, with who posted them."""
    return (
        CommitmentUpdate.objects.filter(commitment_id=commitment.pk).select_related("by").order_by("at", "pk")
    )


def owner_kind(commitment: Commitment) -> str:
    if commitment.owner_school_id:
        return "school"
    if commitment.owner_enterprise_id:
        return "enterprise"
    return "department"
