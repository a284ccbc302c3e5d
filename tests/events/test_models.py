"""The events models' own checks: an event's times, a registration's one participant, an intention's parts,
a commitment's one owner; the seeded types and rules (T7-T9) with their sources."""

import pytest
from django.core.exceptions import ValidationError

from xiaoqitong.cooperation.models import Rule
from xiaoqitong.events.choices import IntentionKind, ParticipantKind
from xiaoqitong.events.models import Commitment, EventType, Intention, Registration

from ..orgs.factories import EnterpriseFactory, SchoolFactory
from .factories import EventFactory, RegistrationFactory, at


def test_seeded_types_name_their_rules():
    types = {t.code: t for t in EventType.objects.all()}
    assert {"dialogue", "fair", "gba"} <= set(types)
    assert types["dialogue"].has_minutes and not types["fair"].has_minutes
    rules = {r.key: r for r in Rule.objects.filter(key__in=[t.rule_key for t in types.values()])}
    assert (rules["fairs_per_year_min"].value, rules["fairs_per_year_min"].target) == (2, "T7")
    assert (rules["gba_promotions_per_year_min"].value, rules["gba_promotions_per_year_min"].target) == (
        1,
        "T8",
    )
    assert rules["dialogues_per_year_min"].target == "T9"
    assert all(r.source == "郴政发〔2021〕9号 三（四）" for r in rules.values())


def test_event_times_are_checked():
    event = EventFactory.build(starts_at=at(3, 10), ends_at=at(3, 9))
    with pytest.raises(ValidationError) as error:
        event.clean()
    assert "结束时间须晚于开始时间" in str(error.value)
    event = EventFactory.build(registration_closes_at=at(20))
    with pytest.raises(ValidationError) as error:
        event.clean()
    assert "报名截止不能晚于活动结束" in str(error.value)


def test_a_registration_names_exactly_its_participant():
    reg = Registration(kind=ParticipantKind.ENTERPRISE)
    with pytest.raises(ValidationError) as error:
        reg.clean()
    assert "企业" in str(error.value)
    reg = Registration(kind=ParticipantKind.SCHOOL, school=SchoolFactory(), enterprise=EnterpriseFactory())
    with pytest.raises(ValidationError) as error:
        reg.clean()
    assert "只能对应一个参与方" in str(error.value)
    student = RegistrationFactory()
    with pytest.raises(ValidationError) as error:
        RegistrationFactory.build(
            event=student.event, student=student.student, checkin_code="x"
        ).validate_constraints()
    assert "该学生已报名本活动" in str(error.value)


def test_intentions_and_commitments_check_their_parts():
    event = EventFactory()
    with pytest.raises(ValidationError) as error:
        Intention(event=event, kind=IntentionKind.JOB, enterprise=EnterpriseFactory()).clean()
    assert "求职意向须填写学生" in str(error.value)
    with pytest.raises(ValidationError) as error:
        Commitment(event=event, content="共建实训基地", due_date=at(30).date()).clean()
    assert "有且只有一个责任单位" in str(error.value)
