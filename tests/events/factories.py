"""Factories of the events tests. A fair organized by a department, open for registration now and held in
ten days; registrations of each kind. Areas add their own factories at the end of this module."""

import datetime as dt
import secrets

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from xiaoqitong.events.choices import EventStatus, ParticipantKind, RegistrationStatus
from xiaoqitong.events.models import Event, EventType, Registration

from ..orgs.factories import DepartmentFactory, EnterpriseFactory, SchoolFactory
from ..schools.factories import StudentFactory


def event_type(code: str = "fair") -> EventType:
    """A seeded type: ``dialogue`` (产教对话), ``fair`` (供需见面会) or ``gba`` (大湾区推介会)."""
    return EventType.objects.get(code=code)


def at(days: float, hour: int = 9) -> dt.datetime:
    """An aware datetime ``days`` from today at ``hour`` o'clock (local time)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    type = factory.LazyFunction(event_type)
    title = factory.Sequence(lambda n: f"郴州职业院校与本地企业供需见面会{n}")
    organizer = factory.SubFactory(DepartmentFactory)
    venue = "郴州国际会展中心"
    starts_at = factory.LazyFunction(lambda: at(10, 9))
    ends_at = factory.LazyFunction(lambda: at(10, 17))
    registration_opens_at = factory.LazyFunction(lambda: at(-5, 0))
    registration_closes_at = factory.LazyFunction(lambda: at(9, 18))
    status = EventStatus.PUBLISHED


class RegistrationFactory(DjangoModelFactory):
    """A student's registration by default; ``EnterpriseRegistrationFactory`` and
    ``SchoolRegistrationFactory`` for the others."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    kind = ParticipantKind.STUDENT
    student = factory.SubFactory(StudentFactory)
    status = RegistrationStatus.APPROVED
    checkin_code = factory.LazyFunction(lambda: secrets.token_urlsafe(16))


class EnterpriseRegistrationFactory(RegistrationFactory):
    kind = ParticipantKind.ENTERPRISE
    student = None
    enterprise = factory.SubFactory(EnterpriseFactory)
    booth_no = factory.Sequence(lambda n: f"A{n + 1:02d}")


class SchoolRegistrationFactory(RegistrationFactory):
    kind = ParticipantKind.SCHOOL
    student = None
    school = factory.SubFactory(SchoolFactory)
    delegation_size = 3


# --- check-in ---------------------------------------------------------------------------------------------
class TodayEventFactory(EventFactory):
    """An event under way: started an hour ago, ends in six hours (check-in is open)."""

    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=6))
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))


# --- slots -------------------------------------------------------------------------------------------------
class SlotFactory(DjangoModelFactory):
    """A free 20-minute slot at an approved booth, at the booth's event's start."""

    class Meta:
        model = "events.Slot"

    booth = factory.SubFactory(EnterpriseRegistrationFactory)
    event = factory.SelfAttribute("booth.event")
    starts_at = factory.LazyAttribute(lambda o: o.booth.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=o.booth.event.slot_minutes))


def student_with_user(school=None):
    """A student who has a user account (role student), of ``school`` (a new one by default)."""
    from xiaoqitong.orgs.choices import Role

    from ..orgs.factories import user_with_role

    user = user_with_role(Role.STUDENT, **({"school": school} if school else {}))
    student = StudentFactory(user=user, school_major__school=user.school)
    return user, student


# --- outcomes (intentions, survey), dialogues (minutes, commitments) ----------------------------------------
class PastEventFactory(EventFactory):
    """An event held last week (ended): its survey is open."""

    starts_at = factory.LazyFunction(lambda: at(-7, 9))
    ends_at = factory.LazyFunction(lambda: at(-7, 17))
    registration_opens_at = factory.LazyFunction(lambda: at(-30, 0))
    registration_closes_at = factory.LazyFunction(lambda: at(-8, 18))


class DialogueFactory(PastEventFactory):
    """A 产教对话 (its type keeps minutes and commitments), held last week."""

    type = factory.LazyFunction(lambda: event_type("dialogue"))
    title = factory.Sequence(lambda n: f"校长进园区产教对话{n}")


class IntentionFactory(DjangoModelFactory):
    """A job intention proposed by the booth's HR (``proposed_by`` left empty unless given) to a student."""

    class Meta:
        model = "events.Intention"

    event = factory.SubFactory(EventFactory)
    kind = "job"
    enterprise = factory.SubFactory(EnterpriseFactory)
    position = factory.SubFactory(
        "tests.enterprises.factories.PublishedPositionFactory",
        enterprise=factory.SelfAttribute("..enterprise"),
    )
    student = factory.SubFactory(StudentFactory)
    note = "欢迎到岗实习"
    status = "proposed"


class CooperationIntentionFactory(IntentionFactory):
    kind = "cooperation"
    position = None
    student = None
    school_major = factory.SubFactory("tests.schools.factories.SchoolMajorFactory")
    agreement_kind = "order_class"
    planned_students = 30


class SurveyResponseFactory(DjangoModelFactory):
    class Meta:
        model = "events.SurveyResponse"

    registration = factory.SubFactory(RegistrationFactory, event=factory.SubFactory(PastEventFactory))
    event = factory.SelfAttribute("registration.event")
    satisfaction = 4
    usefulness = 3
    would_return = True
    comment = "对接效率高"


class CommitmentFactory(DjangoModelFactory):
    """A commitment of a dialogue owned by a school, due in a month."""

    class Meta:
        model = "events.Commitment"

    event = factory.SubFactory(DialogueFactory)
    content = factory.Sequence(lambda n: f"共建数控技术专业实训基地（第 {n} 项）")
    owner_school = factory.SubFactory(SchoolFactory)
    owner_person = "王主任"
    due_date = factory.LazyFunction(lambda: at(30).date())
    status = "open"


class CommitmentUpdateFactory(DjangoModelFactory):
    class Meta:
        model = "events.CommitmentUpdate"

    commitment = factory.SubFactory(CommitmentFactory)
    status = "in_progress"
    note = "已召开对接会，明确分工。"


def outcome_scene(event=None):
    """An event (a fair in ten days, by default) with: an approved enterprise booth bringing one open position
    (``hr``: its HR), a student registered and approved (``student_user``, ``student``, consent full), an
    approved school delegation (``school_admin``) with one major; returns a namespace of them all."""
    from types import SimpleNamespace

    from xiaoqitong.orgs.choices import Role

    from ..enterprises.factories import PublishedPositionFactory
    from ..orgs.factories import user_with_role
    from ..schools.factories import SchoolMajorFactory

    event = event or EventFactory()
    hr = user_with_role(Role.ENTERPRISE_HR)
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    booth = EnterpriseRegistrationFactory(event=event, enterprise=hr.enterprise)
    booth.positions.add(position)
    student_user, student = student_with_user()
    student.consent = "full"
    student.save(update_fields=["consent"])
    student_reg = RegistrationFactory(event=event, student=student)
    school_admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=school_admin.school, year=timezone.localdate().year)
    delegation = SchoolRegistrationFactory(event=event, school=school_admin.school)
    delegation.majors.add(major)
    return SimpleNamespace(
        event=event,
        hr=hr,
        enterprise=hr.enterprise,
        position=position,
        booth=booth,
        student_user=student_user,
        student=student,
        student_reg=student_reg,
        school_admin=school_admin,
        school=school_admin.school,
        major=major,
        delegation=delegation,
    )
