"""A title's life with the clock moved: reviews open ``Setup.review_open_days`` before each anniversary, the
enterprise reports, the lead department passes (the third review is a renewal that awards the next plaque
and extends the title), asks for rectification (整改中; the enterprise reports again) or fails it (revoked);
a missed deadline expires the title; reminders go out once each; revocation; the rules as data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.orgs.factories import user_with_role
from xiaoqitong.certification.choices import (
    CertificationStatus,
    DocumentKind,
    Level,
    ReviewKind,
    ReviewStatus,
)
from xiaoqitong.certification.models import Certification, Review
from xiaoqitong.certification.policies import certification as policies
from xiaoqitong.certification.selectors.setup import setup
from xiaoqitong.certification.services import applications as app_services
from xiaoqitong.certification.services import reviews as services
from xiaoqitong.certification.services.incentives import setup_update
from xiaoqitong.certification.services.reviews import Outcome
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role

from .factories import (
    START,
    audit_verbs,
    certified,
    certify,
    complete,
    criterion,
    departments,
    exe_as_pdf,
    hr,
    lead_officer,
    media_root,  # noqa: F401  (a temporary MEDIA_ROOT)
    meet_municipal,
    meet_provincial,
    officer,
    pdf,
    report,
    set_rule,
    set_today,
    texts,
    under_review,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
FIRST_DUE = dt.date(2027, 3, 2)
FIRST_OPEN = dt.date(2027, 1, 1)  # 60 days before


def day(on: dt.date, monkeypatch):
    """Move the clock to ``on`` and run the daily tick there."""
    set_today(monkeypatch, on)
    return services.certification_tick()


def open_review(certification, on: dt.date, monkeypatch) -> Review:
    day(on, monkeypatch)
    return certification.reviews.filter(status=ReviewStatus.OPEN).get()


def reminders(user) -> list[str]:
    return [t for t in texts(user) if t.startswith("提醒")]


@pytest.fixture
def title(monkeypatch):
    """(hr, lead, certification): a municipal title certified on 2 March 2026."""
    return certified(monkeypatch)


# --- opening -----------------------------------------------------------------------------------------------
def test_a_review_opens_review_open_days_before_the_anniversary(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, _lead, certification = title
    assert day(FIRST_OPEN - dt.timedelta(days=1), monkeypatch) == {"opened": 0, "expired": 0, "reminded": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert day(FIRST_OPEN, monkeypatch) == {"opened": 1, "expired": 0, "reminded": 0}
    review = certification.reviews.get()
    assert (review.sequence, review.kind, review.year) == (1, ReviewKind.ANNUAL, 2027)
    assert (review.due_date, review.status, review.deadline) == (FIRST_DUE, ReviewStatus.OPEN, FIRST_DUE)
    log = AuditLog.objects.get(verb="review_open", object_id=str(review.pk))
    assert log.actor is None and log.changes == {"due_date": [None, "2027-03-02"], "kind": [None, "annual"]}
    assert texts(applicant)[-1] == "产教融合型企业年度考核已开放，请在 2027-03-02 前报送考核材料。"
    # a second tick the same day, and the next day, open nothing more
    assert day(FIRST_OPEN, monkeypatch)["opened"] == 0
    assert day(FIRST_OPEN + dt.timedelta(days=1), monkeypatch)["opened"] == 0
    assert certification.reviews.count() == 1


def test_changing_review_open_days_changes_the_opening_day(title, monkeypatch):
    _applicant, lead, certification = title
    config = setup()
    setup_update(actor=lead, instance=config, data={"review_open_days": 30})
    assert day(dt.date(2027, 1, 30), monkeypatch)["opened"] == 0
    assert day(dt.date(2027, 1, 31), monkeypatch)["opened"] == 1
    assert certification.reviews.get().due_date == FIRST_DUE


def test_reviews_open_with_an_explicit_day_leaves_the_clock_alone(title):
    _applicant, _lead, certification = title
    assert services.reviews_open(on=FIRST_OPEN - dt.timedelta(days=1)) == []
    (review,) = services.reviews_open(on=FIRST_OPEN)
    assert review.certification == certification


def test_only_held_titles_get_reviews(title, monkeypatch):
    _applicant, lead, certification = title
    services.certification_revoke(actor=lead, certification=certification, note="弄虚作假")
    assert day(FIRST_OPEN, monkeypatch)["opened"] == 0
    assert not certification.reviews.exists()


# --- the enterprise's report -------------------------------------------------------------------------------
def test_the_enterprise_reports_and_the_lead_department_hears(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    meet_municipal(applicant.enterprise, FIRST_OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        report(review, applicant, self_report="  年度自评：合格  ")
    review.refresh_from_db()
    assert (review.status, review.self_report, review.submitted_by) == (
        ReviewStatus.SUBMITTED,
        "年度自评：合格",
        applicant,
    )
    assert review.checklist["interns"]["computed"] == "40"  # 20 placements a year ago + 20 now
    assert review.checklist["investment"]["claimed"] == "120"
    assert audit_verbs(review)[-1] == "review_submit"
    assert texts(lead)[-1] == f"{applicant.enterprise.name} 报送了2027 年年度考核材料，请考核。"


def test_review_submit_refusals(title, monkeypatch):
    applicant, lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=applicant.enterprise)
    for actor in (hr(), lead, mentor):
        with pytest.raises(PermissionDenied, match="年度考核材料由企业的人事账号报送"):
            services.review_submit(actor=actor, review=review, self_report="x")
    with pytest.raises(ValidationError, match="考核材料不完整：请填写“近三年投入职业教育资金”的申报值"):
        services.review_submit(actor=applicant, review=review, self_report="自评")
    complete(review, applicant)
    with pytest.raises(ValidationError) as error:
        services.review_submit(actor=applicant, review=review, self_report="   ")
    assert error.value.message_dict["self_report"] == ["请填写年度自评报告。"]
    services.review_submit(actor=applicant, review=review, self_report="自评")
    with pytest.raises(ValidationError, match="考核当前状态为“待考核”，不能再报送或修改材料"):
        services.review_submit(actor=applicant, review=review, self_report="自评")


def test_reporting_after_the_deadline_is_refused(title, monkeypatch):
    applicant, _lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    complete(review, applicant)
    set_today(monkeypatch, FIRST_DUE + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="已过报送截止日期 2027-03-02"):
        services.review_submit(actor=applicant, review=review, self_report="自评")
    with pytest.raises(ValidationError, match="已过报送截止日期"):
        app_services.claims_save(
            actor=applicant, parent=review, values={criterion("credit").pk: (Decimal("1"), "")}
        )


def test_reporting_on_the_due_date_is_accepted(title, monkeypatch):
    applicant, _lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    set_today(monkeypatch, FIRST_DUE)
    assert report(review, applicant).status == ReviewStatus.SUBMITTED


def test_claims_and_documents_of_a_review_are_its_own(title, monkeypatch):
    applicant, _lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    credit = criterion("credit")
    document = app_services.document_add(
        actor=applicant, parent=review, title="", upload=pdf(), criterion=credit
    )
    assert (document.kind, document.review, document.application) == (DocumentKind.REVIEW, review, None)
    assert (
        document.title == "信用记录良好证明材料" and document.get_absolute_url() == review.get_absolute_url()
    )
    assert audit_verbs(document) == ["document_add"]
    with pytest.raises(PermissionDenied):
        app_services.document_add(actor=hr(), parent=review, title="x", upload=pdf())
    with pytest.raises(ValidationError, match="可执行程序"):
        app_services.document_add(actor=applicant, parent=review, title="x", upload=exe_as_pdf())
    app_services.claims_save(actor=applicant, parent=review, values={credit.pk: (Decimal("1"), "承诺书")})
    assert [(c.criterion, c.value) for c in review.claims.all()] == [(credit, Decimal("1"))]
    assert certification.application.claims.count() == 2  # the application's claims stay as they were
    assert audit_verbs(review)[-1] == "claims_save"
    report(review, applicant)
    with pytest.raises(ValidationError, match="不能再报送或修改材料"):
        app_services.document_delete(actor=applicant, document=document)


def test_a_29_february_anniversary_falls_on_28_february():
    certification = Certification(certified_on=dt.date(2028, 2, 29))
    assert services.due_date(certification, 1) == dt.date(2029, 2, 28)
    assert services.due_date(certification, 4) == dt.date(2032, 2, 29)


# --- the decision ------------------------------------------------------------------------------------------
def test_a_passed_annual_review_keeps_the_title_as_it_is(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, lead, certification = title
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="")
    review.refresh_from_db()
    certification.refresh_from_db()
    assert (review.status, review.decided_by) == (ReviewStatus.PASSED, lead)
    assert (certification.status, certification.valid_until) == (
        CertificationStatus.ACTIVE,
        dt.date(2029, 3, 1),
    )
    assert certification.plaques.count() == 1
    assert audit_verbs(review)[-1] == "review_passed"
    assert audit_verbs(certification)[-1] == "certification_review_result"
    assert texts(applicant)[-1] == "2027 年年度考核结论：合格。"


def test_review_decide_refusals(title, monkeypatch):
    applicant, lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    with pytest.raises(ValidationError, match="考核当前状态为“待企业报送”，只有企业已报送的考核才能作出结论"):
        services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="")
    report(review, applicant)
    edu = officer(departments()["市教育局"])
    for actor in (edu, applicant):
        with pytest.raises(PermissionDenied, match="年度考核由牵头部门"):
            services.review_decide(actor=actor, review=review, outcome=Outcome.PASSED, note="")
    with pytest.raises(ValidationError) as error:
        services.review_decide(actor=lead, review=review, outcome="excellent", note="")
    assert error.value.message_dict["outcome"] == ["请选择考核结论。"]
    for outcome in (Outcome.RECTIFICATION, Outcome.FAILED):
        with pytest.raises(ValidationError) as error:
            services.review_decide(actor=lead, review=review, outcome=outcome, note=" ")
        assert error.value.message_dict["note"] == ["限期整改或不合格时，请写明考核意见。"]
    for deadline in (FIRST_OPEN, FIRST_OPEN - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.review_decide(
                actor=lead,
                review=review,
                outcome=Outcome.RECTIFICATION,
                note="导师不足",
                rectification_deadline=deadline,
            )
        assert error.value.message_dict["rectification_deadline"] == ["整改截止日期须晚于今天。"]
    review.refresh_from_db()
    certification.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and certification.status == CertificationStatus.ACTIVE


def test_an_unmet_required_criterion_blocks_a_pass_but_not_a_rectification(title, monkeypatch):
    applicant, lead, certification = title
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    interns = criterion("interns")
    interns.min_municipal = Decimal("25")  # the enterprise had 20 interns
    interns.save(update_fields=["min_municipal"])
    with pytest.raises(ValidationError, match="不满足必备条件，不能评为合格：年接收实习学生"):
        services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="")
    services.review_decide(actor=lead, review=review, outcome=Outcome.RECTIFICATION, note="实习人数不足")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECTIFICATION


def test_rectification_then_a_resubmission_that_passes(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, lead, certification = title
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(
            actor=lead,
            review=review,
            outcome=Outcome.RECTIFICATION,
            note="导师不足",
            rectification_items="增加企业导师",
        )
    review.refresh_from_db()
    certification.refresh_from_db()
    assert review.status == ReviewStatus.RECTIFICATION
    assert review.rectification_deadline == FIRST_OPEN + dt.timedelta(days=90)  # Setup.rectification_days
    assert (review.rectification_items, review.deadline) == ("增加企业导师", dt.date(2027, 4, 1))
    assert (certification.status, certification.get_status_display()) == ("rectification", "整改中")
    assert certification.status_note == "增加企业导师"
    assert audit_verbs(review)[-1] == "review_rectification"
    assert texts(applicant)[-1] == "2027 年年度考核结论：限期整改，请在 2027-04-01 前报送整改材料。"
    # the enterprise reports again after the first due date, before the rectification deadline
    set_today(monkeypatch, dt.date(2027, 3, 20))
    assert services.certification_tick()["expired"] == 0
    services.review_submit(actor=applicant, review=review, self_report="已增加企业导师 3 名")
    services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="整改到位")
    review.refresh_from_db()
    certification.refresh_from_db()
    assert (review.status, review.decision_note) == (ReviewStatus.PASSED, "整改到位")
    assert (certification.status, certification.status_note) == (CertificationStatus.ACTIVE, "")


def test_the_rectification_days_of_the_setup_set_the_default_deadline(title, monkeypatch):
    applicant, lead, certification = title
    config = setup()
    config.rectification_days = 30
    config.save(update_fields=["rectification_days"])
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    services.review_decide(actor=lead, review=review, outcome=Outcome.RECTIFICATION, note="整改")
    review.refresh_from_db()
    assert review.rectification_deadline == dt.date(2027, 1, 31)


def test_a_missed_rectification_deadline_expires_the_title(title, monkeypatch):
    applicant, lead, certification = title
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    services.review_decide(
        actor=lead,
        review=review,
        outcome=Outcome.RECTIFICATION,
        note="整改",
        rectification_deadline=dt.date(2027, 2, 15),
    )
    assert day(dt.date(2027, 2, 15), monkeypatch)["expired"] == 0
    assert day(dt.date(2027, 2, 16), monkeypatch)["expired"] == 1
    review.refresh_from_db()
    certification.refresh_from_db()
    assert review.status == ReviewStatus.MISSED
    assert (certification.status, certification.ended_on) == (
        CertificationStatus.EXPIRED,
        dt.date(2027, 2, 16),
    )
    assert certification.status_note == "未在 2027-02-15 前报送2027 年年度考核材料，称号失效。"


def test_a_failed_review_revokes_the_title(title, monkeypatch, django_capture_on_commit_callbacks):
    applicant, lead, certification = title
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(actor=lead, review=review, outcome=Outcome.FAILED, note="  基地已停用  ")
    review.refresh_from_db()
    certification.refresh_from_db()
    assert (review.status, review.decision_note) == (ReviewStatus.FAILED, "基地已停用")
    assert (certification.status, certification.ended_on) == (CertificationStatus.REVOKED, FIRST_OPEN)
    assert certification.status_note == "基地已停用"
    assert audit_verbs(review)[-1] == "review_failed"
    assert audit_verbs(certification)[-1] == "certification_review_result"
    assert texts(applicant)[-1] == "2027 年年度考核结论：不合格，产教融合型企业称号已撤销。"
    assert day(dt.date(2028, 1, 1), monkeypatch)["opened"] == 0  # no more reviews


def test_a_missed_first_report_expires_the_title_and_both_sides_hear(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    assert day(FIRST_DUE, monkeypatch)["expired"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert day(FIRST_DUE + dt.timedelta(days=1), monkeypatch)["expired"] == 1
    review.refresh_from_db()
    certification.refresh_from_db()
    assert review.status == ReviewStatus.MISSED and review.decided_at is not None
    assert certification.status == CertificationStatus.EXPIRED and certification.ended_on == dt.date(
        2027, 3, 3
    )
    assert audit_verbs(review)[-1] == "review_missed"
    assert audit_verbs(certification)[-1] == "certification_expire"
    for user in (applicant, lead):
        assert (
            texts(user)[-1] == f"{applicant.enterprise.name} 未按期报送考核材料，产教融合型企业称号已失效。"
        )
    assert day(FIRST_DUE + dt.timedelta(days=2), monkeypatch)["expired"] == 0  # once


# --- the three-year cycle ----------------------------------------------------------------------------------
def pass_review(certification, applicant, lead, on, monkeypatch) -> Review:
    """Open the next review on ``on`` (platform records renewed around it), report and pass it."""
    meet_municipal(applicant.enterprise, on)
    review = report(open_review(certification, on, monkeypatch), applicant)
    services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="")
    review.refresh_from_db()
    return review


def test_the_third_review_is_a_renewal_that_awards_the_next_plaque(title, monkeypatch):
    applicant, lead, certification = title
    first = pass_review(certification, applicant, lead, dt.date(2027, 1, 10), monkeypatch)
    second = pass_review(certification, applicant, lead, dt.date(2028, 1, 10), monkeypatch)
    assert [(r.sequence, r.kind, r.due_date) for r in (first, second)] == [
        (1, ReviewKind.ANNUAL, dt.date(2027, 3, 2)),
        (2, ReviewKind.ANNUAL, dt.date(2028, 3, 2)),
    ]
    certification.refresh_from_db()
    assert certification.valid_until == dt.date(2029, 3, 1) and certification.plaques.count() == 1
    third = pass_review(certification, applicant, lead, dt.date(2029, 1, 10), monkeypatch)
    assert (third.sequence, third.kind, third.due_date) == (3, ReviewKind.RENEWAL, dt.date(2029, 3, 2))
    assert third.get_kind_display() == "三年复核授牌"
    certification.refresh_from_db()
    assert certification.valid_until == dt.date(2032, 3, 1)  # three more years
    plaque = certification.plaques.get(cycle=2)
    assert (plaque.valid_from, plaque.valid_until) == (dt.date(2029, 3, 2), dt.date(2032, 3, 1))
    assert (plaque.awarded_on, plaque.number) == (dt.date(2029, 1, 10), "PAI-2029-001")
    # the title outlives its first plaque: no expiry on the day after the old valid_until
    assert day(dt.date(2029, 3, 5), monkeypatch)["expired"] == 0
    fourth = open_review(certification, dt.date(2030, 1, 10), monkeypatch)
    assert (fourth.sequence, fourth.kind, fourth.due_date) == (4, ReviewKind.ANNUAL, dt.date(2030, 3, 2))


def test_a_renewal_decided_after_the_plaque_ran_out_still_extends_the_title(title, monkeypatch):
    applicant, lead, certification = title
    pass_review(certification, applicant, lead, dt.date(2027, 1, 10), monkeypatch)
    pass_review(certification, applicant, lead, dt.date(2028, 1, 10), monkeypatch)
    meet_municipal(applicant.enterprise, dt.date(2029, 1, 10))
    renewal = report(open_review(certification, dt.date(2029, 1, 10), monkeypatch), applicant)
    # the lead department takes its time: the plaque ends 2029-03-01, the report waits for a decision
    assert day(dt.date(2029, 3, 20), monkeypatch)["expired"] == 0
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.ACTIVE
    services.review_decide(actor=lead, review=renewal, outcome=Outcome.PASSED, note="")
    certification.refresh_from_db()
    assert certification.valid_until == dt.date(2032, 3, 1)


def test_the_plaque_cycle_rule_changes_the_schedule(monkeypatch):
    set_rule("cert_plaque_cycle_years", 2)
    applicant, lead, certification = certified(monkeypatch)
    assert certification.valid_until == dt.date(2028, 3, 1)
    assert certification.plaques.get().valid_until == dt.date(2028, 3, 1)
    first = pass_review(certification, applicant, lead, dt.date(2027, 1, 10), monkeypatch)
    assert first.kind == ReviewKind.ANNUAL
    second = pass_review(certification, applicant, lead, dt.date(2028, 1, 10), monkeypatch)
    assert second.kind == ReviewKind.RENEWAL
    certification.refresh_from_db()
    assert certification.valid_until == dt.date(2030, 3, 1)
    assert certification.plaques.get(cycle=2).valid_from == dt.date(2028, 3, 2)


def test_the_review_interval_rule_changes_the_schedule(title, monkeypatch):
    _applicant, _lead, certification = title
    set_rule("cert_review_interval_years", 2)
    assert day(FIRST_OPEN, monkeypatch)["opened"] == 0
    assert day(dt.date(2028, 1, 1), monkeypatch)["opened"] == 0
    assert day(dt.date(2028, 1, 2), monkeypatch)["opened"] == 1  # 60 days before 2 March 2028
    review = certification.reviews.get()
    assert (review.due_date, review.year) == (dt.date(2028, 3, 2), 2028)
    assert services.review_kind(1) == ReviewKind.ANNUAL
    set_rule("cert_plaque_cycle_years", 4)
    assert services.review_kind(2) == ReviewKind.RENEWAL


# --- the stopped scheduler ---------------------------------------------------------------------------------
def test_a_title_whose_plaque_ran_out_without_a_review_expires(title, monkeypatch):
    applicant, lead, certification = title
    pass_review(certification, applicant, lead, dt.date(2027, 1, 10), monkeypatch)
    pass_review(certification, applicant, lead, dt.date(2028, 1, 10), monkeypatch)
    # the scheduler stopped before the renewal opened: only the expiry step runs, after valid_until
    assert services.reviews_expire(on=dt.date(2029, 3, 1)) == []
    (expired,) = services.reviews_expire(on=dt.date(2029, 3, 2))
    certification.refresh_from_db()
    assert expired == certification
    assert (certification.status, certification.ended_on) == (
        CertificationStatus.EXPIRED,
        dt.date(2029, 3, 2),
    )
    assert certification.status_note == "有效期已满，未通过复核。"
    assert audit_verbs(certification)[-1] == "certification_expire"


def test_the_tick_after_a_long_stop_expires_the_title(title, monkeypatch):
    _applicant, _lead, certification = title
    result = day(dt.date(2029, 4, 1), monkeypatch)
    assert result["expired"] == 1
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.EXPIRED


# --- reminders ---------------------------------------------------------------------------------------------
def test_review_reminders_go_out_30_7_and_1_days_before_once_each(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, _lead, certification = title
    open_review(certification, FIRST_OPEN, monkeypatch)
    sent = {}
    with django_capture_on_commit_callbacks(execute=True):
        on = FIRST_OPEN
        while on <= FIRST_DUE:
            sent[on] = day(on, monkeypatch)["reminded"] + day(on, monkeypatch)["reminded"]  # twice a day
            on += dt.timedelta(days=1)
    assert {d: n for d, n in sent.items() if n} == {
        dt.date(2027, 1, 31): 1,
        dt.date(2027, 2, 23): 1,
        dt.date(2027, 3, 1): 1,
    }
    assert reminders(applicant) == [
        f"提醒：2027 年年度考核材料须在 2027-03-02 前报送（还有 {n} 天），逾期称号失效。" for n in (30, 7, 1)
    ]
    review = certification.reviews.get()
    assert review.reminders == ["open:30", "open:7", "open:1"]


def test_a_rectification_deadline_gets_its_own_reminders(title, monkeypatch):
    applicant, lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    for on in (dt.date(2027, 1, 31), dt.date(2027, 1, 1)):
        services.reminders_send(on=on)
    report(review, applicant)
    services.review_decide(
        actor=lead,
        review=review,
        outcome=Outcome.RECTIFICATION,
        note="整改",
        rectification_deadline=dt.date(2027, 1, 6),
    )
    # five days left: the 7-day reminder (not the 30-day one, then the 7-day one the next day); the 1-day one
    sent = [services.reminders_send(on=FIRST_OPEN + dt.timedelta(days=n)) for n in range(6)]
    assert sent == [1, 0, 0, 0, 1, 0]
    review.refresh_from_db()
    assert review.reminders == ["open:30", "rectification:7", "rectification:1"]


def test_late_opinions_are_reminded(monkeypatch, django_capture_on_commit_callbacks):
    set_today(monkeypatch, START)
    depts = departments()
    applicant, lead = hr(), lead_officer()
    edu, hrss = officer(depts["市教育局"]), officer(depts["市人社局"])
    application = under_review(applicant, lead)
    assert application.opinions_due == dt.date(2026, 3, 17)
    app_services.opinion_give(
        actor=hrss, opinion=application.opinions.get(department=depts["市人社局"]), stance="agree", text=""
    )
    sent = {}
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(25):
            on = START + dt.timedelta(days=n)
            sent[on] = services.reminders_send(on=on) + services.reminders_send(on=on)
    assert {d: k for d, k in sent.items() if k} == {
        dt.date(2026, 3, 14): 1,
        dt.date(2026, 3, 16): 1,
        dt.date(2026, 3, 18): 1,
    }
    name = applicant.enterprise.name
    assert [t for t in texts(edu) if "提醒" in t or "逾期" in t] == [
        f"提醒：请在 2026-03-17 前对 {name} 的认定申请出具意见。",
        f"提醒：请在 2026-03-17 前对 {name} 的认定申请出具意见。",
        f"{name} 的认定申请意见已逾期（截止 2026-03-17），请尽快出具。",
    ]
    assert not [t for t in texts(hrss) if "提醒" in t or "逾期" in t]
    assert application.opinions.get(department=depts["市教育局"]).reminders == ["due:3", "due:1", "late"]


def test_no_opinion_reminders_once_the_application_is_decided(monkeypatch):
    set_today(monkeypatch, START)
    departments()
    applicant, lead = hr(), lead_officer()
    application = under_review(applicant, lead)
    app_services.application_return(actor=lead, application=application, note="补充")
    assert services.reminders_send(on=dt.date(2026, 3, 20)) == 0


# --- revocation --------------------------------------------------------------------------------------------
def test_the_lead_department_revokes_a_title_saying_why(
    title, monkeypatch, django_capture_on_commit_callbacks
):
    applicant, lead, certification = title
    review = open_review(certification, FIRST_OPEN, monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        services.certification_revoke(actor=lead, certification=certification, note="  提供虚假材料  ")
    certification.refresh_from_db()
    review.refresh_from_db()
    assert (certification.status, certification.ended_on) == (CertificationStatus.REVOKED, FIRST_OPEN)
    assert certification.status_note == "提供虚假材料"
    assert (review.status, review.decision_note) == (ReviewStatus.CANCELLED, "提供虚假材料")
    assert audit_verbs(certification)[-1] == "certification_revoke"
    assert texts(applicant)[-1] == "产教融合型企业称号已撤销：提供虚假材料"
    assert services.reminders_send(on=dt.date(2027, 1, 31)) == 0


def test_revoke_refusals(title):
    applicant, lead, certification = title
    for actor in (officer(departments()["市教育局"]), applicant):
        with pytest.raises(PermissionDenied, match="称号由牵头部门"):
            services.certification_revoke(actor=actor, certification=certification, note="x")
    with pytest.raises(ValidationError) as error:
        services.certification_revoke(actor=lead, certification=certification, note="  ")
    assert error.value.message_dict["note"] == ["请写明撤销理由。"]
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.ACTIVE
    services.certification_revoke(actor=lead, certification=certification, note="违规")
    with pytest.raises(ValidationError, match="称号状态为“已撤销”，不能撤销"):
        services.certification_revoke(actor=lead, certification=certification, note="违规")


def test_a_report_awaiting_decision_ends_with_the_revoked_title(title, monkeypatch):
    """Deciding it afterwards would make the revoked title active again."""
    applicant, lead, certification = title
    review = report(open_review(certification, FIRST_OPEN, monkeypatch), applicant)
    services.certification_revoke(actor=lead, certification=certification, note="违规")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="")
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REVOKED


def test_the_review_of_a_superseded_municipal_title_is_over(title, monkeypatch):
    applicant, lead, municipal = title
    review = open_review(municipal, FIRST_OPEN, monkeypatch)
    complete(review, applicant)
    services.review_submit(actor=applicant, review=review, self_report="自评")
    # meanwhile the enterprise becomes provincial: the municipal title ends
    meet_provincial(applicant.enterprise, FIRST_OPEN)
    meet_municipal(applicant.enterprise, FIRST_OPEN)
    provincial = certify(applicant, level=Level.PROVINCIAL, lead=lead)
    municipal.refresh_from_db()
    assert municipal.status == CertificationStatus.EXPIRED and provincial.held
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED and "省级" in review.decision_note
    with pytest.raises(ValidationError, match="考核当前状态为“已终止”"):
        services.review_decide(actor=lead, review=review, outcome=Outcome.PASSED, note="")
    municipal.refresh_from_db()
    assert municipal.status == CertificationStatus.EXPIRED


def test_an_open_review_of_a_superseded_title_takes_no_report_and_sends_no_reminder(title, monkeypatch):
    applicant, lead, municipal = title
    review = open_review(municipal, FIRST_OPEN, monkeypatch)
    meet_provincial(applicant.enterprise, FIRST_OPEN)
    provincial = certify(applicant, level=Level.PROVINCIAL, lead=lead)
    municipal.refresh_from_db()
    assert municipal.status == CertificationStatus.EXPIRED and provincial.held
    with pytest.raises(ValidationError, match="考核当前状态为“已终止”"):
        services.review_submit(actor=applicant, review=review, self_report="自评")
    with pytest.raises(ValidationError, match="考核当前状态为“已终止”"):
        app_services.claims_save(
            actor=applicant, parent=review, values={criterion("credit").pk: (Decimal("1"), "")}
        )
    assert services.reminders_send(on=dt.date(2027, 1, 31)) == 0
    assert policies._enterprise_due_reviews(applicant) == 0  # not on the enterprise's home page either
    assert services.certification_tick(on=FIRST_DUE + dt.timedelta(days=1))["expired"] == 0
    provincial.refresh_from_db()
    assert provincial.status == CertificationStatus.ACTIVE


def test_a_review_opened_late_still_gives_the_enterprise_time(title, monkeypatch):
    """The scheduler was stopped past the due date while the plaque is still valid: the review opens with
    MIN_NOTICE_DAYS to report instead of being missed on the day it opens."""
    _applicant, _lead, certification = title
    late = FIRST_DUE + dt.timedelta(days=20)
    result = day(late, monkeypatch)
    assert (result["opened"], result["expired"]) == (1, 0)
    review = certification.reviews.get()
    assert review.due_date == late + dt.timedelta(days=services.MIN_NOTICE_DAYS)
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.ACTIVE


def test_a_returned_application_is_asked_again(monkeypatch):
    """Opinions given on the earlier material do not carry over once the application comes back."""
    from .factories import claimed_values, departments, hr, lead_officer, meet_municipal, officer, prove

    depts = departments()
    applicant = hr()
    meet_municipal(applicant.enterprise)
    lead = lead_officer()
    application = app_services.application_create(
        actor=applicant, data={"statement": "x", "contact_person": "王", "contact_phone": "1"}
    )
    app_services.claims_save(actor=applicant, parent=application, values=claimed_values())
    prove(application, applicant)
    app_services.application_submit(actor=applicant, application=application)
    app_services.application_accept(actor=lead, application=application, departments=[depts["市教育局"]])
    app_services.opinion_request(actor=lead, application=application, department=depts["市人社局"])
    for opinion in application.opinions.all():
        app_services.opinion_give(actor=officer(opinion.department), opinion=opinion, stance="agree", text="")
    app_services.application_return(actor=lead, application=application, note="补充审计报告")
    app_services.application_submit(actor=applicant, application=application)
    app_services.application_accept(actor=lead, application=application, departments=[])
    assert sorted((o.department.short_name, o.stance) for o in application.opinions.all()) == [
        ("市人社局", ""),
        ("市教育局", ""),
    ]
    with pytest.raises(ValidationError, match="尚有部门未出具意见"):
        app_services.application_certify(actor=lead, application=application)
