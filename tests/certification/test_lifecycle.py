"""The issue's walk-through at the service level: an enterprise applies with evidence, the lead department
sees the computed checklist, collects the opinions of 市教育局 and 市人社局 and certifies; a year later (the
clock moved) the annual review falls due; a missed review expires the title; T12 and T2 count it."""

import datetime as dt

import pytest

from xiaoqitong.certification.choices import ApplicationStatus, CertificationStatus, ReviewKind, ReviewStatus
from xiaoqitong.certification.selectors import targets
from xiaoqitong.certification.services import applications as apps_services
from xiaoqitong.certification.services import reviews as review_services
from xiaoqitong.core.models import Notification

from .factories import (
    claimed_values,
    departments,
    hr,
    lead_officer,
    meet_municipal,
    officer,
    prove,
    set_today,
)

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


def certified(monkeypatch):
    set_today(monkeypatch, START)
    depts = departments()
    applicant = hr()
    enterprise = applicant.enterprise
    meet_municipal(enterprise, START)
    application = apps_services.application_create(
        actor=applicant,
        data={
            "level": "municipal",
            "statement": "共建基地、接收实习",
            "contact_person": "王经理",
            "contact_phone": "0735-1234567",
        },
    )
    apps_services.claims_save(actor=applicant, parent=application, values=claimed_values())
    prove(application, applicant)
    apps_services.application_submit(actor=applicant, application=application)
    lead = lead_officer()
    apps_services.application_accept(actor=lead, application=application)
    for opinion in application.opinions.all():
        apps_services.opinion_give(
            actor=officer(opinion.department), opinion=opinion, stance="agree", text=""
        )
    certification = apps_services.application_certify(
        actor=lead, application=application, document_ref="郴发改〔2026〕1号"
    )
    return applicant, lead, certification, depts


def test_apply_review_certify(monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        applicant, _lead, certification, _depts = certified(monkeypatch)
    application = certification.application
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CERTIFIED
    assert application.checklist["interns"]["computed"] == "20"
    assert application.checklist["interns"]["met"] is True
    assert {o.department.short_name for o in application.opinions.all()} == {"市教育局", "市人社局"}
    assert certification.valid_until == dt.date(2029, 3, 1)
    assert certification.plaques.get().cycle == 1
    assert Notification.objects.filter(user=applicant, text__contains="恭喜").exists()
    assert targets.certified_count(2026)["total"] == 1


def test_review_falls_due_and_missing_it_expires_the_title(monkeypatch):
    _applicant, _lead, certification, _ = certified(monkeypatch)
    assert review_services.certification_tick(on=dt.date(2026, 12, 1))["opened"] == 0
    set_today(monkeypatch, dt.date(2027, 1, 5))
    result = review_services.certification_tick()
    assert result["opened"] == 1
    review = certification.reviews.get()
    assert (review.due_date, review.kind, review.status) == (
        dt.date(2027, 3, 2),
        ReviewKind.ANNUAL,
        ReviewStatus.OPEN,
    )
    set_today(monkeypatch, dt.date(2027, 3, 3))
    review_services.certification_tick()
    review.refresh_from_db()
    certification.refresh_from_db()
    assert review.status == ReviewStatus.MISSED
    assert certification.status == CertificationStatus.EXPIRED
    assert targets.certified_count(2027)["total"] == 0
    assert targets.certified_count(2026)["total"] == 1
