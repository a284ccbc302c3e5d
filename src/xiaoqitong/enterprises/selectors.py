"""Reads of demand data for a person, and the figures other apps compute from it.

Row scoping lives in ``policies.py``; this module holds the reads that several places share (which student
record is the user's own, how many places of a position are taken, target T1).
"""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.choices import EducationLevel
from xiaoqitong.schools.models import Student

from .choices import HIRED, ApplicationStatus, FurtherLevel, Outcome, PositionStatus
from .models import Application, GraduateOutcome, Position


def own_students(user) -> QuerySet:
    """The student record(s) of a student account (``Student.user``); none for anyone else."""
    if user is None or not user.is_authenticated or getattr(user, "role", None) != Role.STUDENT:
        return Student.objects.none()
    return Student.objects.filter(user_id=user.pk)


def own_student(user) -> Student | None:
    """The student record of a student account, the one a new application is made for."""
    return own_students(user).select_related("school").order_by("-grade", "pk").first()


def open_positions(qs: QuerySet | None = None) -> QuerySet:
    """Published postings still within their valid-until date (inclusive, in local time)."""
    qs = Position.objects.all() if qs is None else qs
    return qs.filter(status=PositionStatus.PUBLISHED, valid_until__gte=timezone.localdate())


def places_taken(position: Position) -> int:
    """Offers and hires counted against the position's headcount."""
    return Application.objects.filter(position=position, status__in=HIRED).count()


def with_places_taken(qs: QuerySet) -> QuerySet:
    """Positions annotated with ``taken`` (offers and hires) in the same query (list pages, API)."""
    return qs.annotate(taken=Count("applications", filter=Q(applications__status__in=HIRED), distinct=True))


def applicants_q(user) -> Q:
    """Students who applied to one of the user's enterprise's positions (a subquery: one row per student).
    Registered with ``schools.selectors.extend_enterprise_visibility``: an enterprise sees its applicants."""
    enterprise_id = getattr(user, "enterprise_id", None)
    if not enterprise_id:
        return Q(pk__in=[])
    return Q(
        pk__in=Application.objects.filter(position__enterprise_id=enterprise_id)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .values("student_id")
    )


def secondary_graduates(qs: QuerySet | None = None) -> QuerySet:
    """Outcomes of 中职 graduates: those whose major is a 中职 major of the catalog (whatever the school's
    type: a technician school or a 五年制 programme runs 中职 majors too)."""
    qs = GraduateOutcome.objects.all() if qs is None else qs
    return qs.filter(student__school_major__major__education_level=EducationLevel.SECONDARY)


def further_study_rate(*, year: int, school=None, queryset: QuerySet | None = None) -> dict:
    """Target T1 (郴政发〔2021〕9号 一): 中职 graduates of ``year`` who went on to 高职专科, 职业本科 or 本科,
    divided by the 中职 graduates of that year with a recorded outcome (the whole city, or one school).

    Returns ``{"graduates": n, "further_study": k, "rate": k / n or None}``; ``queryset`` narrows the rows
    (a user's scope, e.g. ``GraduateOutcome.objects.restrict(user)``).
    """
    qs = secondary_graduates(queryset).filter(year=year)
    if school is not None:
        qs = qs.filter(student__school=school)
    counts = qs.aggregate(
        graduates=Count("pk"),
        further_study=Count(
            "pk", filter=Q(outcome=Outcome.FURTHER_STUDY, further_level__in=FurtherLevel.values)
        ),
    )
    graduates = counts["graduates"]
    return {
        "graduates": graduates,
        "further_study": counts["further_study"],
        "rate": counts["further_study"] / graduates if graduates else None,
    }
