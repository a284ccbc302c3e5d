"""Two certifications at the same moment take different numbers (PostgreSQL: ``next_number`` locks the setup
row, so the second waits for the first and sees its number), and two certifications of one enterprise at
once leave it one held title."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from xiaoqitong.certification.models import Certification
from xiaoqitong.certification.services import applications as services

from ..concurrency import committed_catalogs, parallel
from .factories import claimed_values, departments, hr, lead_officer, meet_municipal, officer, prove


@pytest.fixture
def _catalogs_rules_and_criteria(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


def under_review(level="municipal", applicant=None):
    """An application of a fresh enterprise (or ``applicant``'s) with every opinion given."""
    applicant = applicant or hr()
    if not applicant.enterprise.placements.exists():
        meet_municipal(applicant.enterprise)
    application = services.application_create(
        actor=applicant, data={"level": level, "statement": "x", "contact_person": "王", "contact_phone": "1"}
    )
    services.claims_save(actor=applicant, parent=application, values=claimed_values())
    prove(application, applicant)
    services.application_submit(actor=applicant, application=application)
    services.application_accept(actor=lead_officer(), application=application)
    for opinion in application.opinions.all():
        services.opinion_give(actor=officer(opinion.department), opinion=opinion, stance="agree", text="")
    return application


@pytest.mark.postgres
def test_two_certifications_at_once_take_different_numbers(
    _catalogs_rules_and_criteria, transactional_db, tmp_path, settings
):
    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = tmp_path
    departments()
    for _round in range(3):
        applications = [under_review(), under_review()]
        leads = [lead_officer(), lead_officer()]
        results = parallel(
            [
                (lambda a=a, u=u: services.application_certify(actor=u, application=a))
                for a, u in zip(applications, leads, strict=True)
            ]
        )
        assert all(isinstance(r, Certification) for r in results), results
        assert len({r.number for r in results}) == 2
    assert Certification.objects.values("number").distinct().count() == 6


@pytest.mark.postgres
def test_one_enterprise_certified_twice_at_once_holds_one_title(
    _catalogs_rules_and_criteria, transactional_db, tmp_path, settings
):
    """Two applications of one enterprise cannot be open together; even forced under review side by side
    (as an import or an administrator might), certifying both at once leaves one held title: the database's
    constraint refuses the second."""
    settings.MEDIA_ROOT = tmp_path
    departments()
    first = under_review()
    applicant = first.enterprise.users.get(role="enterprise_hr")
    second = under_review(level="provincial", applicant=hr())
    second.enterprise = first.enterprise
    second.save(update_fields=["enterprise"])  # two open applications of one enterprise, made by hand
    second.level = "municipal"
    second.save(update_fields=["level"])
    results = parallel(
        [
            lambda: services.application_certify(actor=lead_officer(), application=first),
            lambda: services.application_certify(actor=lead_officer(), application=second),
        ]
    )
    made = [r for r in results if isinstance(r, Certification)]
    assert len(made) == 1, results
    assert Certification.objects.filter(enterprise=first.enterprise, status="active").count() == 1
    refused = [r for r in results if not isinstance(r, Certification)]
    # refused by the service (it sees the first title once the lock is free) or, at worst, by the constraint
    assert type(refused[0]).__name__ in {"ValidationError", "IntegrityError"}, refused
    if isinstance(refused[0], ValidationError):
        assert "已持有" in str(refused[0])
    assert applicant.enterprise_id == first.enterprise_id
