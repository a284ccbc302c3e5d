"""Outcomes and commitments at the same moment (PostgreSQL): an intention's row is locked by every step, so a
signature and a withdrawal (or two signatures: a double click) never both succeed and one application is
made; a registration's row is locked while its survey answer is written, so one side answers once; a
commitment's row is locked by each follow-up, so “done” and “dropped” never both land."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from xiaoqitong.enterprises.models import Application
from xiaoqitong.events.models import Commitment, CommitmentUpdate, Intention, SurveyResponse
from xiaoqitong.events.services import dialogues, outcomes
from xiaoqitong.orgs.choices import Role

from ..concurrency import committed_catalogs, parallel
from ..orgs.factories import user_with_role
from .factories import CommitmentFactory, PastEventFactory, outcome_scene


@pytest.fixture
def _catalogs_types_and_rules(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


def _propose(s):
    return outcomes.intention_propose(
        actor=s.hr, event=s.event, kind="job", position=s.position, student=s.student
    )


@pytest.mark.postgres
def test_a_signature_and_a_withdrawal_at_once_only_one_lands(_catalogs_types_and_rules, transactional_db):
    assert connection.vendor == "postgresql"
    s = outcome_scene()
    for _round in range(3):
        intention = _propose(s)
        results = parallel(
            [
                lambda i=intention: outcomes.intention_sign(actor=s.student_user, intention=i),
                lambda i=intention: outcomes.intention_withdraw(actor=s.hr, intention=i),
            ]
        )
        landed = [r for r in results if isinstance(r, Intention)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(landed) == 1 and len(refused) == 1, results
        assert "当前状态为" in refused[0].messages[0]
        intention.refresh_from_db()
        applications = Application.objects.filter(student=s.student, position=s.position).count()
        assert applications == (1 if intention.status == "signed" else 0)
        Intention.objects.filter(pk=intention.pk).update(status="withdrawn")
        Application.objects.filter(student=s.student, position=s.position).delete()


@pytest.mark.postgres
def test_a_double_click_on_sign_makes_one_application(_catalogs_types_and_rules, transactional_db):
    s = outcome_scene()
    intention = _propose(s)
    results = parallel([lambda: outcomes.intention_sign(actor=s.student_user, intention=intention)] * 2)
    assert sum(isinstance(r, Intention) for r in results) == 1, results
    assert Application.objects.filter(student=s.student, position=s.position).count() == 1


@pytest.mark.postgres
def test_a_booth_answers_its_survey_once_whoever_clicks(_catalogs_types_and_rules, transactional_db):
    s = outcome_scene(PastEventFactory())
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=s.enterprise)

    def answer(user):
        return lambda: outcomes.survey_response_submit(
            actor=user, event=s.event, satisfaction=4, usefulness=4, would_return=True
        )

    results = parallel([answer(s.hr), answer(mentor)])
    assert sum(isinstance(r, SurveyResponse) for r in results) == 1, results
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "填写过" in refused[0].messages[0]
    assert SurveyResponse.objects.filter(registration=s.booth).count() == 1


@pytest.mark.postgres
def test_done_and_dropped_at_once_only_one_lands(_catalogs_types_and_rules, transactional_db):
    commitment = CommitmentFactory()
    owner = user_with_role(Role.SCHOOL_ADMIN, school=commitment.owner_school)
    organizer = user_with_role(Role.GOV_OFFICER, department=commitment.event.organizer)
    results = parallel(
        [
            lambda: dialogues.commitment_follow_up(
                actor=owner, commitment=commitment, status="done", note="完成"
            ),
            lambda: dialogues.commitment_follow_up(
                actor=organizer, commitment=commitment, status="dropped", note="取消"
            ),
        ]
    )
    assert sum(isinstance(r, CommitmentUpdate) for r in results) == 1, results
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 1
    commitment = Commitment.objects.get(pk=commitment.pk)
    assert commitment.status in {"done", "dropped"}
    assert (commitment.done_at is not None) == (commitment.status == "done")
