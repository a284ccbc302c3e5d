"""Reads of agreements scoped to a user, and their fulfilment: places filled against the plan, and graduates
hired by the agreement's enterprise (毕业即就业).

Fulfilment is computed by the database, one row per agreement (correlated counts, no query per row):

- ``confirmed``: confirmed places (status CONFIRMED); ``fill_rate`` = confirmed / planned_headcount;
- ``graduates``: confirmed members with a graduate outcome (any year);
- ``hired``: of those, the ones whose outcome is 就业 at the agreement's enterprise;
  ``employment_rate`` (毕业即就业率) = hired / graduates.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from xiaoqitong.core.formats import rate
from xiaoqitong.core.models import AuditLog
from xiaoqitong.enterprises.choices import Outcome
from xiaoqitong.enterprises.models import GraduateOutcome, Position

from ..choices import AgreementStatus, MemberStatus
from ..models import Agreement, AgreementMember
from ..policies.agreements import confirm_deadline_passed, may_read_fulfilment


def _count(qs: QuerySet, field: str = "pk") -> Coalesce:
    """A correlated ``COUNT(DISTINCT field)`` of ``qs`` as an annotation (0 when there is none)."""
    counted = (
        qs.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(n=Count(field, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_fulfilment(qs: QuerySet) -> QuerySet:
    """Annotate agreements with ``confirmed``, ``graduates`` and ``hired`` (see the module's docstring)."""
    confirmed = AgreementMember.objects.filter(agreement_id=OuterRef("pk"), status=MemberStatus.CONFIRMED)
    outcomes = GraduateOutcome.objects.filter(
        student__agreement_places__agreement_id=OuterRef("pk"),
        student__agreement_places__status=MemberStatus.CONFIRMED,
    )
    hired = outcomes.filter(outcome=Outcome.EMPLOYED, enterprise_id=OuterRef("enterprise_id"))
    return qs.annotate(
        confirmed=_count(confirmed),
        graduates=_count(outcomes, "student_id"),
        hired=_count(hired, "student_id"),
    )


def fulfilment_of(agreement: Agreement) -> dict:
    """One agreement's fulfilment (its detail page and API)."""
    row = with_fulfilment(Agreement.objects.filter(pk=agreement.pk)).values(
        "confirmed", "graduates", "hired"
    )[0]
    return {
        **row,
        "planned": agreement.planned_headcount,
        "fill_rate": rate(row["confirmed"], agreement.planned_headcount),
        "employment_rate": rate(row["hired"], row["graduates"]),
    }


def fulfilment_totals(qs: QuerySet) -> dict:
    """Totals over a set of agreements (the footer of the fulfilment table), in one query."""
    sums = {"agreements": 0, "planned": 0, "confirmed": 0, "graduates": 0, "hired": 0}
    # Summing subquery annotations in SQL is not portable across databases: the rows are summed here.
    for row in with_fulfilment(qs.order_by()).values("planned_headcount", "confirmed", "graduates", "hired"):
        sums["agreements"] += 1
        sums["planned"] += row["planned_headcount"]
        for key in ("confirmed", "graduates", "hired"):
            sums[key] += row[key]
    return {
        **sums,
        "fill_rate": rate(sums["confirmed"], sums["planned"]),
        "employment_rate": rate(sums["hired"], sums["graduates"]),
    }


def fulfilment_agreements(user) -> QuerySet:
    """The agreements whose fulfilment the user reads: officers the city's, a school its own, an enterprise
    its own (nobody else)."""
    if not may_read_fulfilment(user):
        return Agreement.objects.none()
    qs = Agreement.objects.restrict(user, "view").exclude(status=AgreementStatus.DRAFT)
    return with_fulfilment(qs.select_related("school", "enterprise", "school_major__major"))


def my_places(user) -> QuerySet:
    """A student's places in agreements, newest first."""
    return (
        AgreementMember.objects.filter(student__user_id=user.pk)
        .select_related(
            "agreement__enterprise", "agreement__school", "agreement__school_major__major", "student"
        )
        .order_by("-agreement__start_date", "-pk")
    )


def place_is_open(member: AgreementMember) -> bool:
    """Whether an invited student may still answer (running agreement, deadline not passed)."""
    agreement = member.agreement
    return (
        member.status == MemberStatus.INVITED
        and agreement.status == AgreementStatus.ACTIVE
        and not confirm_deadline_passed(agreement)
    )


def return_note(agreement: Agreement) -> str:
    """Why the other side returned the draft: the note of its last return, unless it was proposed again
    since ('' for a draft never returned)."""
    if agreement.status != AgreementStatus.DRAFT:
        return ""
    last = (
        AuditLog.objects.filter(
            content_type__app_label="cooperation",
            content_type__model="agreement",
            object_id=str(agreement.pk),
            verb__in=["agreement_return", "agreement_propose"],
        )
        .order_by("-id")
        .first()
    )
    if last is None or last.verb != "agreement_return":
        return ""
    return (last.changes or {}).get("note", "")


def choosable_positions(user, agreement: Agreement) -> QuerySet:
    """The positions the user may name as the agreement's (the form's and the API's choices): those the
    user sees (another enterprise's unpublished postings are not a school's to read), and those it names
    already."""
    visible = Position.objects.all() if user is None else Position.objects.restrict(user, "view")
    if agreement is None or agreement.pk is None:
        return visible
    named = agreement.positions.values("pk")
    return Position.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=named))
