"""What the generator makes for training quality and events, at the real small scale, seen on a fixed winter
day (one generation for the module, removed at its end, like ``test_supply_demand.py``): what the demo
accounts meet when they try the README's walk-throughs, and that the rows keep the rules the services keep."""

import datetime as dt

import pytest
from django.db.models import Count, Max, Q

from xiaoqitong.core import search
from xiaoqitong.core.models import AuditLog
from xiaoqitong.demo.generator import delete_generated, generate
from xiaoqitong.events.choices import IntentionStatus, ParticipantKind, RegistrationStatus
from xiaoqitong.events.models import Commitment, Event, Intention, Registration, Slot
from xiaoqitong.orgs.models import Department, User
from xiaoqitong.quality.models import AssessmentPlan, SkillTestResult, TeachingResource
from xiaoqitong.quality.selectors.assessment import plan_students

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, reference_data):
    with django_db_blocker.unblock():
        audit_before = AuditLog.objects.aggregate(m=Max("id"))["m"] or 0
        departments_before = list(Department.objects.values_list("pk", flat=True))
        search.reset_dictionary()
        run = generate("small", 2021, as_of=AS_OF)
    try:
        yield run
    finally:
        with django_db_blocker.unblock():
            delete_generated()
            Department.objects.exclude(pk__in=departments_before).delete()
            AuditLog.objects.filter(id__gt=audit_before).delete()


def test_the_demo_mentors_share_an_open_plan_of_the_demo_class(demo):
    teacher, mentor = User.objects.get(username="demo-teacher"), User.objects.get(username="demo-mentor")
    student = User.objects.get(username="demo-student").student_profile
    plans = AssessmentPlan.objects.filter(teachers=teacher, mentors=mentor, status="open").distinct()
    plan = next(p for p in plans if plan_students(p).filter(pk=student.pk).exists())
    assert plan.enterprise_id == mentor.enterprise_id and plan.school_id == teacher.school_id


def test_skill_tests_of_this_year_and_resources_of_the_demo_teacher(demo):
    assert set(SkillTestResult.objects.values_list("year", flat=True)) == {AS_OF.year - 1, AS_OF.year}
    other = User.objects.get(username="demo-teacher2")
    visible = TeachingResource.objects.restrict(other, "view").filter(author__username="demo-teacher")
    assert visible.exists() and all(r.search_text for r in visible)


def test_last_year_met_t7_to_t9_and_this_year_awaits_the_second_fair_and_the_promotion(demo):
    held = Counter_by_type(AS_OF.year - 1)
    assert held["fair"] >= 2 and held["gba"] >= 1 and held["dialogue"] >= 1
    this_year = Counter_by_type(AS_OF.year)
    assert this_year["fair"] == 1 and this_year["gba"] == 0 and this_year["dialogue"] == 1
    upcoming = Event.objects.get(starts_at__date__gt=AS_OF)
    assert upcoming.organizer == User.objects.get(username="demo-gov").department
    assert upcoming.registration_opens_at.date() <= AS_OF < upcoming.registration_closes_at.date()


def Counter_by_type(year: int) -> dict:
    rows = (
        Event.objects.filter(starts_at__year=year, starts_at__date__lte=AS_OF)
        .values("type__code")
        .annotate(n=Count("id"))
    )
    return {"fair": 0, "gba": 0, "dialogue": 0} | {r["type__code"]: r["n"] for r in rows}


def test_the_upcoming_fair_is_ready_for_the_walk_through(demo):
    upcoming = Event.objects.get(starts_at__date__gt=AS_OF)
    student = User.objects.get(username="demo-student").student_profile
    enterprise = User.objects.get(username="demo-enterprise").enterprise
    regs = Registration.objects.filter(event=upcoming)
    assert regs.filter(student=student, status=RegistrationStatus.APPROVED).exists()
    assert not regs.filter(enterprise=enterprise).exists()  # demo-enterprise registers itself
    assert regs.filter(kind=ParticipantKind.ENTERPRISE, status=RegistrationStatus.PENDING).count() == 2
    free = Slot.objects.filter(event=upcoming, booked_by__isnull=True)
    assert free.exists() and not Slot.objects.filter(booked_by__student=student).exists()
    for booth in regs.filter(kind=ParticipantKind.ENTERPRISE, status=RegistrationStatus.APPROVED):
        assert booth.positions.exists() and booth.booth_no
        assert all(p.enterprise_id == booth.enterprise_id for p in booth.positions.all())


def test_event_rows_keep_the_services_rules(demo):
    # one booking a slot, a booker never at two slots at once, bookers of the same event
    for slot in Slot.objects.exclude(booked_by=None).select_related("booked_by"):
        assert slot.booked_by.event_id == slot.event_id and slot.booked_by.kind != ParticipantKind.ENTERPRISE
    clashes = (
        Slot.objects.exclude(booked_by=None)
        .values("booked_by", "starts_at")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not clashes.exists()
    # signed job intentions are applications of that student to that position
    for intention in Intention.objects.filter(status=IntentionStatus.SIGNED).select_related("application"):
        assert intention.application.student_id == intention.student_id
        assert intention.application.position_id == intention.position_id
    assert Intention.objects.filter(status=IntentionStatus.SIGNED).exists()
    # checked in only at held events; a dialogue has minutes and commitments, some overdue this year
    assert (
        not Registration.objects.filter(event__starts_at__date__gt=AS_OF).exclude(checked_in_at=None).exists()
    )
    assert all(e.minutes for e in Event.objects.filter(type__code="dialogue"))
    overdue = Commitment.objects.filter(Q(status="open") | Q(status="in_progress"), due_date__lt=AS_OF)
    assert Commitment.objects.filter(status="done").exists() and overdue.exists()


def test_the_demo_accounts_sign_the_intentions_waiting_for_them(demo):
    """demo-student signs demo-enterprise's job intention (an application) and demo-school its cooperation
    intention (an agreement draft), through the services, as on 我的意向; undone afterwards."""
    from django.db import transaction

    from xiaoqitong.events.services.outcomes import intention_sign

    waiting = Intention.objects.filter(
        status=IntentionStatus.PROPOSED, proposed_by__username="demo-enterprise"
    )
    job, cooperation = waiting.get(kind="job"), waiting.get(kind="cooperation")
    with transaction.atomic():
        signed = intention_sign(actor=User.objects.get(username="demo-student"), intention=job)
        assert signed.application is not None and signed.application.position_id == job.position_id
        signed = intention_sign(actor=User.objects.get(username="demo-school"), intention=cooperation)
        assert signed.agreement is not None and signed.agreement.status == "draft"
        transaction.set_rollback(True)
