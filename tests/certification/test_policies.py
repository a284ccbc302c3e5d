"""Who sees and does what (``policies``): applications (drafts hidden from the lead department, an asked
department sees what it was asked about, another enterprise nothing), their claims, documents and opinions
through their parent, reviews, incentives (an officer changes only their department's, the lead department
all), criteria, the setup, titles; the scoped gets of ``selectors.records``; the home-page counters."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests.orgs.factories import DepartmentFactory, user_with_role
from xiaoqitong.certification.models import (
    Application,
    Certification,
    Claim,
    Criterion,
    Document,
    Incentive,
    Opinion,
    Plaque,
    Review,
    Setup,
)
from xiaoqitong.certification.policies import certification as policies
from xiaoqitong.certification.policies.common import is_applicant, is_lead, is_officer, speaks_for
from xiaoqitong.certification.selectors import records
from xiaoqitong.certification.selectors.setup import setup
from xiaoqitong.certification.services import applications as services
from xiaoqitong.certification.services import incentives as incentive_services
from xiaoqitong.core.policy import can, policy_for
from xiaoqitong.orgs.choices import Role

from .factories import (
    START,
    complete,
    departments,
    draft,
    give_opinions,
    hr,
    lead_officer,
    make_certification,
    media_root,  # noqa: F401  (a temporary MEDIA_ROOT)
    officer,
    set_today,
    submitted,
    under_review,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def s(monkeypatch):
    """Applications of five enterprises in every state, a title with an open review, two incentives."""
    set_today(monkeypatch, START)
    depts = departments()
    finance = DepartmentFactory(name="测试市财政局", short_name="市财政局")
    x = SimpleNamespace(
        depts=depts,
        finance=finance,
        lead=lead_officer(),
        edu=officer(depts["市教育局"]),
        hrss=officer(depts["市人社局"]),
        finance_officer=officer(finance),
        stranger=user_with_role(Role.GOV_OFFICER),
        researcher=user_with_role(Role.RESEARCHER),
        student=user_with_role(Role.STUDENT),
        teacher=user_with_role(Role.TEACHER),
        admin=user_with_role(Role.PLATFORM_ADMIN),
        hr_a=hr(),
        hr_b=hr(),
        hr_c=hr(),
        hr_d=hr(),
        hr_e=hr(),
    )
    x.mentor_a = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=x.hr_a.enterprise)
    # A: a draft withdrawn before it was ever submitted, then an application under review (opinions asked
    # of 市教育局 and 市人社局); B: a draft with claims; C: submitted, not yet accepted; D: under review with
    # only 市财政局 asked
    x.a_withdrawn = draft(x.hr_a)
    services.application_withdraw(actor=x.hr_a, application=x.a_withdrawn)
    x.a_review = under_review(x.hr_a, x.lead)
    x.b_draft = draft(x.hr_b)
    complete(x.b_draft, x.hr_b)
    x.c_submitted = submitted(x.hr_c)
    x.d_finance = submitted(x.hr_d)
    services.application_accept(actor=x.lead, application=x.d_finance, departments=[finance])
    # E holds a title whose first review is open, with its report's claims and documents
    x.title = make_certification(x.hr_e.enterprise, on=dt.date(2025, 3, 2))
    x.review = Review.objects.create(
        certification=x.title, sequence=1, year=2026, due_date=dt.date(2026, 3, 2) + dt.timedelta(days=30)
    )
    complete(x.review, x.hr_e)
    x.plaque = Plaque.objects.create(
        certification=x.title,
        cycle=1,
        number="PAI-2025-009",
        awarded_on=dt.date(2025, 3, 2),
        valid_from=dt.date(2025, 3, 2),
        valid_until=dt.date(2028, 3, 1),
    )
    x.finance_incentive = incentive_services.incentive_create(
        actor=x.finance_officer,
        data={
            "enterprise": x.hr_a.enterprise,
            "year": 2026,
            "kind": "fiscal",
            "title": "奖补资金",
            "granted_on": dt.date(2026, 3, 1),
        },
    )
    x.lead_incentive = incentive_services.incentive_create(
        actor=x.lead,
        data={
            "enterprise": x.hr_b.enterprise,
            "year": 2026,
            "kind": "credit",
            "title": "信用加分",
            "granted_on": dt.date(2026, 3, 1),
        },
    )
    return x


def seen(model, user, action="view") -> set:
    return set(model.objects.all().restrict(user, action))


# --- who is who --------------------------------------------------------------------------------------------
def test_roles_of_certification(s):
    assert is_lead(s.lead) and is_lead(s.admin)
    assert not any(is_lead(u) for u in (s.edu, s.finance_officer, s.hr_a, s.researcher, AnonymousUser()))
    assert is_officer(s.edu) and not is_officer(s.hr_a)
    assert is_applicant(s.hr_a) and not is_applicant(s.mentor_a)
    assert speaks_for(s.hr_a, s.hr_a.enterprise_id) and not speaks_for(s.hr_a, s.hr_b.enterprise_id)
    s.lead.is_active = False
    assert not is_lead(s.lead)


# --- applications ------------------------------------------------------------------------------------------
def test_who_sees_which_application(s):
    everything = {s.a_withdrawn, s.a_review, s.b_draft, s.c_submitted, s.d_finance}
    assert seen(Application, s.hr_a) == {s.a_withdrawn, s.a_review}
    assert seen(Application, s.mentor_a) == {s.a_withdrawn, s.a_review}
    assert seen(Application, s.hr_b) == {s.b_draft}
    # the lead department: every application ever submitted, never a draft (nor a draft withdrawn unsent)
    assert seen(Application, s.lead) == {s.a_review, s.c_submitted, s.d_finance}
    assert seen(Application, s.admin) == everything
    # an asked department: what it was asked about, nothing else
    assert seen(Application, s.edu) == {s.a_review}
    assert seen(Application, s.hrss) == {s.a_review}
    assert seen(Application, s.finance_officer) == {s.d_finance}
    for nobody in (s.stranger, s.researcher, s.student, s.teacher, AnonymousUser()):
        assert seen(Application, nobody) == set()


def test_a_returned_application_stays_visible_to_the_lead_department(s):
    services.application_return(actor=s.lead, application=s.c_submitted, note="补充")
    assert s.c_submitted in seen(Application, s.lead)


def test_an_asked_department_sees_an_application_once(s):
    assert Application.objects.restrict(s.edu).count() == 1


def test_who_changes_and_exports_applications(s):
    assert seen(Application, s.hr_a, "change") == {s.a_withdrawn, s.a_review}
    assert seen(Application, s.hr_b, "delete") == {s.b_draft}
    for user in (s.lead, s.edu, s.mentor_a, s.researcher):
        assert seen(Application, user, "change") == set()
    assert seen(Application, s.lead, "export") == {s.a_review, s.c_submitted, s.d_finance}
    assert seen(Application, s.edu, "export") == set()
    assert can(s.hr_a, "add", Application) and not can(s.lead, "add", Application)
    assert can(s.hr_a, "change", s.a_review) and not can(s.hr_b, "change", s.a_review)


def test_claims_and_documents_follow_their_parent(s):
    def parents(model, user):
        return {(row.application_id, row.review_id) for row in model.objects.restrict(user)}

    a, b, c, d, r = (
        (s.a_review.pk, None),
        (s.b_draft.pk, None),
        (s.c_submitted.pk, None),
        (s.d_finance.pk, None),
        (None, s.review.pk),
    )
    for model in (Claim, Document):
        assert parents(model, s.hr_a) == {a}
        assert parents(model, s.hr_b) == {b}
        assert parents(model, s.hr_e) == {r}
        assert parents(model, s.lead) == {a, c, d, r}  # not the draft's
        assert parents(model, s.edu) == {a, r}  # officers read every review
        assert parents(model, s.finance_officer) == {d, r}
        assert parents(model, s.researcher) == {r}
        assert parents(model, s.student) == set()
        assert parents(model, AnonymousUser()) == set()


def test_opinions_are_read_by_the_lead_and_the_asked_department(s):
    assert Opinion.objects.restrict(s.lead).count() == 3
    assert {o.department for o in Opinion.objects.restrict(s.edu)} == {s.depts["市教育局"]}
    assert {o.application for o in Opinion.objects.restrict(s.finance_officer)} == {s.d_finance}
    assert seen(Opinion, s.stranger) == set()
    assert seen(Opinion, s.hr_a) == set()  # the enterprise reads the decision, not the departments' opinions
    assert {o.department for o in Opinion.objects.restrict(s.edu, "change")} == {s.depts["市教育局"]}
    assert seen(Opinion, s.lead, "change") == set()


# --- reviews, titles ---------------------------------------------------------------------------------------
def test_who_sees_and_reports_reviews(s):
    for user in (s.lead, s.edu, s.stranger, s.researcher, s.hr_e, s.admin):
        assert seen(Review, user) == {s.review}
    mentor_e = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=s.hr_e.enterprise)
    assert seen(Review, mentor_e) == {s.review}
    for user in (s.hr_a, s.mentor_a, s.student, s.teacher, AnonymousUser()):
        assert seen(Review, user) == set()
    assert seen(Review, s.hr_e, "change") == {s.review}
    assert seen(Review, mentor_e, "change") == set()
    assert seen(Review, s.lead, "change") == set()
    assert seen(Review, s.researcher, "export") == {s.review}
    assert seen(Review, s.hr_e, "export") == set()


def test_titles_and_plaques_are_public_facts(s):
    for user in (s.student, s.teacher, s.hr_a, s.researcher, s.lead):
        assert seen(Certification, user) == {s.title}
        assert seen(Plaque, user) == {s.plaque}
    assert seen(Certification, AnonymousUser()) == set()
    assert seen(Certification, s.researcher, "export") == {s.title}
    assert seen(Certification, s.hr_a, "export") == set()
    for user in (s.lead, s.hr_e):
        assert seen(Certification, user, "change") == set()


# --- incentives --------------------------------------------------------------------------------------------
def test_who_sees_and_changes_incentives(s):
    both = {s.finance_incentive, s.lead_incentive}
    for user in (s.lead, s.edu, s.finance_officer, s.researcher):
        assert seen(Incentive, user) == both
    assert seen(Incentive, s.hr_a) == {s.finance_incentive}
    assert seen(Incentive, s.mentor_a) == {s.finance_incentive}
    assert seen(Incentive, s.hr_b) == {s.lead_incentive}
    assert seen(Incentive, s.student) == set()
    assert seen(Incentive, s.finance_officer, "change") == {s.finance_incentive}
    assert seen(Incentive, s.finance_officer, "delete") == {s.finance_incentive}
    assert seen(Incentive, s.edu, "change") == set()
    assert seen(Incentive, s.lead, "change") == both
    assert seen(Incentive, s.lead, "delete") == both
    assert seen(Incentive, s.hr_a, "change") == set()
    assert can(s.edu, "add", Incentive) and can(s.edu, "import", Incentive)
    assert not can(s.hr_a, "add", Incentive) and not can(s.researcher, "add", Incentive)
    assert seen(Incentive, s.researcher, "export") == both and seen(Incentive, s.hr_a, "export") == set()


# --- criteria and the setup --------------------------------------------------------------------------------
def test_everyone_reads_the_criteria_the_lead_department_writes_them(s):
    for user in (s.student, s.hr_a, s.edu, s.researcher):
        assert len(seen(Criterion, user)) == 8
    for action in ("add", "change", "delete"):
        assert policy_for(Criterion).allows(s.lead, action)
        for user in (s.edu, s.hr_a, s.researcher):
            assert not policy_for(Criterion).allows(user, action)
    assert not policy_for(Criterion).allows(s.lead, "import")  # edited on their pages, never imported
    assert policy_for(Criterion).allows(s.researcher, "export") and not policy_for(Criterion).allows(
        s.hr_a, "export"
    )


def test_the_setup_is_read_by_officers_and_changed_by_the_lead_department(s):
    config = setup()
    assert seen(Setup, s.edu) == {config}
    assert seen(Setup, s.hr_a) == set()
    assert seen(Setup, s.lead, "change") == {config}
    assert seen(Setup, s.edu, "change") == set()
    assert not policy_for(Setup).allows(s.lead, "delete")
    with pytest.raises(ValueError, match="unknown action"):
        policy_for(Setup).rule(s.lead, "approve")


# --- scoped gets -------------------------------------------------------------------------------------------
def test_scoped_gets_are_404_outside_the_scope(s):
    assert records.application_for(s.hr_b, s.b_draft.pk) == s.b_draft
    assert records.application_for(s.edu, s.a_review.pk) == s.a_review
    for user, pk in ((s.lead, s.b_draft.pk), (s.hr_a, s.b_draft.pk), (s.edu, s.d_finance.pk)):
        with pytest.raises(Http404):
            records.application_for(user, pk)
    with pytest.raises(Http404):
        records.application_for(s.lead, s.a_review.pk, "change")
    assert records.review_for(s.hr_e, s.review.pk) == s.review
    with pytest.raises(Http404):
        records.review_for(s.hr_a, s.review.pk)
    assert records.certification_for(s.student, s.title.pk) == s.title
    opinion = s.a_review.opinions.get(department=s.depts["市教育局"])
    assert records.opinion_for(s.edu, opinion.pk) == opinion
    with pytest.raises(Http404):
        records.opinion_for(s.hrss, opinion.pk)
    document = s.b_draft.documents.first()
    assert records.document_for(s.hr_b, document.pk) == document
    for user in (s.lead, s.hr_a, s.edu):
        with pytest.raises(Http404):
            records.document_for(user, document.pk)
    assert [o.department.short_name for o in records.opinions_of(s.a_review)] == ["市教育局", "市人社局"]
    assert [d.criterion.code for d in records.documents_of(s.b_draft)] == ["investment", "credit"]


def test_the_restricted_lists_take_a_fixed_number_of_queries(s, django_assert_max_num_queries):
    for _ in range(3):
        under_review(hr(), s.lead)
    for user in (s.lead, s.edu, s.hr_a):
        with django_assert_max_num_queries(2):  # the setup (who leads) and the rows
            list(Application.objects.restrict(user).select_related(*records.APPLICATION_RELATED))
        with django_assert_max_num_queries(2):
            list(Document.objects.restrict(user))


# --- counters ----------------------------------------------------------------------------------------------
def test_the_home_page_counters(s):
    assert policies._waiting_applications(s.lead) == 1  # C
    assert policies._waiting_applications(s.edu) == 0
    assert policies._pending_opinions(s.edu) == 1
    assert policies._pending_opinions(s.finance_officer) == 1
    assert policies._pending_opinions(s.hr_a) == 0
    give_opinions(s.a_review)
    assert policies._pending_opinions(s.edu) == 0
    assert policies._enterprise_due_reviews(s.hr_e) == 1
    assert policies._enterprise_due_reviews(s.hr_a) == 0
    assert policies._enterprise_due_reviews(s.lead) == 0
