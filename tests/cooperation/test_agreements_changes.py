"""Change requests: a confirmed student moves to another enterprise's (or school's) agreement once every
organization involved has approved; any rejection ends it; the requester may withdraw; fulfilment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoqitong.cooperation.choices import AgreementKind, ChangeStatus, MemberStatus
from xiaoqitong.cooperation.models import AgreementMember
from xiaoqitong.cooperation.selectors.agreements import fulfilment_of, fulfilment_totals, with_fulfilment
from xiaoqitong.cooperation.services import agreements as services
from xiaoqitong.cooperation.views.agreements import AgreementChangeViews
from xiaoqitong.core.navigation import counters_for
from xiaoqitong.core.testing import login_clients
from xiaoqitong.enterprises.models import GraduateOutcome
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from .factories_agreements import RunningAgreementFactory, eligible_student, sides

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    source = RunningAgreementFactory(title="甲企业订单班")
    target = RunningAgreementFactory(
        school_major=source.school_major, title="乙企业订单班", planned_headcount=1
    )
    student = eligible_student(source, account=True)
    member = AgreementMember.objects.create(agreement=source, student=student, status=MemberStatus.CONFIRMED)
    school, hr_from = sides(source)
    _school, hr_to = sides(target)
    return source, target, member, school, hr_from, hr_to


def test_the_student_requests_and_all_parties_approve_then_the_student_moves(setup):
    _source, target, member, school, hr_from, hr_to = setup
    change = services.agreement_change_request(
        actor=member.student.user, member=member, to_agreement=target, reason="想去乙企业"
    )
    assert change.status == ChangeStatus.PENDING
    page, _api = login_clients(hr_to)
    body = page.get(change.get_absolute_url()).content.decode()
    assert body.count('data-decision="awaited"') == 3  # one school (deduplicated) and two enterprises
    for actor in (school, hr_from):
        change = services.agreement_change_decide(actor=actor, change=change, approve=True)
        assert change.status == ChangeStatus.PENDING
    label = "待我方审批的协议变更"
    waiting = {u: {c["label"]: c["value"] for c in counters_for(u)}[label] for u in (school, hr_to)}
    assert waiting == {school: 0, hr_to: 1}
    with pytest.raises(ValidationError, match="已对这份变更申请作出决定"):
        services.agreement_change_decide(actor=school, change=change, approve=True)
    change = services.agreement_change_decide(actor=hr_to, change=change, approve=True, note="欢迎")
    assert change.status == ChangeStatus.APPROVED and change.decided_at
    assert AgreementMember.objects.get(pk=member.pk).status == MemberStatus.TRANSFERRED
    assert (
        AgreementMember.objects.get(agreement=target, student=member.student).status == MemberStatus.CONFIRMED
    )


def test_a_rejection_ends_it_and_refusals(setup):
    source, target, member, school, hr_from, hr_to = setup
    with pytest.raises(ValidationError, match="变更理由"):
        services.agreement_change_request(actor=school, member=member, to_agreement=target, reason="")
    with pytest.raises(ValidationError, match="另一家企业或另一所学校"):
        services.agreement_change_request(actor=school, member=member, to_agreement=source, reason="x")
    with pytest.raises(PermissionDenied):
        services.agreement_change_request(actor=hr_from, member=member, to_agreement=target, reason="x")
    change = services.agreement_change_request(actor=school, member=member, to_agreement=target, reason="x")
    with pytest.raises(ValidationError, match="待审批的变更申请"):
        services.agreement_change_request(actor=school, member=member, to_agreement=target, reason="y")
    with pytest.raises(PermissionDenied):
        services.agreement_change_decide(
            actor=user_with_role(Role.ENTERPRISE_HR), change=change, approve=True
        )
    with pytest.raises(ValidationError, match="驳回理由"):
        services.agreement_change_decide(actor=hr_to, change=change, approve=False)
    change = services.agreement_change_decide(actor=hr_to, change=change, approve=False, note="名额已定")
    assert change.status == ChangeStatus.REJECTED
    assert AgreementMember.objects.get(pk=member.pk).status == MemberStatus.CONFIRMED
    with pytest.raises(ValidationError, match="不能再审批"):
        services.agreement_change_decide(actor=school, change=change, approve=True)


def test_the_last_approval_is_refused_when_the_target_is_full_and_withdraw(setup):
    _source, target, member, school, hr_from, hr_to = setup
    AgreementMember.objects.create(
        agreement=target, student=eligible_student(target), status=MemberStatus.CONFIRMED
    )
    change = services.agreement_change_request(actor=school, member=member, to_agreement=target, reason="x")
    services.agreement_change_decide(actor=school, change=change, approve=True)
    services.agreement_change_decide(actor=hr_from, change=change, approve=True)
    with pytest.raises(ValidationError, match="计划 1 人，已确认 1 人"):
        services.agreement_change_decide(actor=hr_to, change=change, approve=True)
    with pytest.raises(PermissionDenied):
        services.agreement_change_withdraw(actor=hr_to, change=change)
    change = services.agreement_change_withdraw(actor=school, change=change)
    assert change.status == ChangeStatus.WITHDRAWN


def test_change_pages_are_scoped_to_the_organizations_involved(setup):
    _source, target, member, school, hr_from, hr_to = setup
    change = services.agreement_change_request(actor=school, member=member, to_agreement=target, reason="x")
    for user in (school, hr_from, hr_to, member.student.user, user_with_role(Role.GOV_OFFICER)):
        page, api = login_clients(user)
        assert page.get(change.get_absolute_url()).status_code == 200
        assert api.get(f"/api/v1/cooperation/agreement-changes/{change.pk}/").status_code == 200
    for user in (user_with_role(Role.SCHOOL_ADMIN), user_with_role(Role.ENTERPRISE_HR)):
        page, api = login_clients(user)
        assert page.get(change.get_absolute_url()).status_code == 404
        assert api.get(f"/api/v1/cooperation/agreement-changes/{change.pk}/").status_code == 404
    page, api = login_clients(hr_to)
    response = api.post(f"/api/v1/cooperation/agreement-changes/{change.pk}/decide/", {"approve": True})
    assert response.status_code == 200 and len(response.data["decisions"]) == 1
    page, _api = login_clients(school)
    assert page.get(AgreementChangeViews.url_for("list")).status_code == 200


# --- fulfilment ---------------------------------------------------------------------------------------------
def _graduate(member, enterprise=None):
    GraduateOutcome.objects.create(
        student=member.student,
        year=2027,
        outcome="employed",
        enterprise=enterprise,
        employer_name="" if enterprise else "别处公司",
    )


def test_fulfilment_counts_places_and_graduates_hired_by_the_enterprise():
    agreement = RunningAgreementFactory(planned_headcount=4)
    members = [
        AgreementMember.objects.create(agreement=agreement, student=eligible_student(agreement), status=s)
        for s in (
            MemberStatus.CONFIRMED,
            MemberStatus.CONFIRMED,
            MemberStatus.CONFIRMED,
            MemberStatus.DECLINED,
        )
    ]
    _graduate(members[0], agreement.enterprise)
    _graduate(members[1])
    _graduate(members[3], agreement.enterprise)  # declined: not counted
    row = fulfilment_of(agreement)
    assert (row["confirmed"], row["graduates"], row["hired"]) == (3, 2, 1)
    assert str(row["fill_rate"]) == "75.0" and str(row["employment_rate"]) == "50.0"
    totals = fulfilment_totals(with_fulfilment(type(agreement).objects.all()))
    assert totals["planned"] == 4 and totals["hired"] == 1


def test_fulfilment_pages_export_api_and_no_query_per_row():
    school_agreement = RunningAgreementFactory(kind=AgreementKind.ORDER_CLASS)
    school, _hr = sides(school_agreement)
    RunningAgreementFactory()  # another school's
    officer = user_with_role(Role.GOV_OFFICER)
    page, api = login_clients(school)
    response = page.get("/cooperation/agreements/fulfilment/")
    assert response.status_code == 200 and school_agreement.title in response.content.decode()
    assert api.get("/api/v1/cooperation/agreements/fulfilment/").data["count"] == 1
    page, api = login_clients(officer)
    assert api.get("/api/v1/cooperation/agreements/fulfilment/").data["count"] == 2
    response = page.get("/cooperation/agreements/fulfilment/?kind=order_class&export=csv")
    assert response.status_code == 200 and "毕业即就业率" in response.content.decode("utf-8-sig")
    assert page.get("/cooperation/agreements/fulfilment/?export=xlsx").status_code == 200
    with CaptureQueriesContext(connection) as few:
        page.get("/cooperation/agreements/fulfilment/")
    for _ in range(5):
        agreement = RunningAgreementFactory()
        AgreementMember.objects.create(
            agreement=agreement, student=eligible_student(agreement), status=MemberStatus.CONFIRMED
        )
    with CaptureQueriesContext(connection) as many:
        page.get("/cooperation/agreements/fulfilment/")
    assert len(many) == len(few)
    response = api.get(f"/api/v1/cooperation/agreements/{school_agreement.pk}/fulfilment/")
    assert response.status_code == 200 and response.data["planned"] == school_agreement.planned_headcount
    page, _api = login_clients(user_with_role(Role.RESEARCHER))
    assert page.get("/cooperation/agreements/fulfilment/").status_code == 403


def test_change_list_page_and_api_run_no_query_per_row(setup):
    source, target, member, school, _hr_from, _hr_to = setup
    services.agreement_change_request(actor=school, member=member, to_agreement=target, reason="x")
    page, api = login_clients(user_with_role(Role.GOV_OFFICER))
    with CaptureQueriesContext(connection) as few_page:
        assert page.get(AgreementChangeViews.url_for("list")).status_code == 200
    with CaptureQueriesContext(connection) as few_api:
        assert api.get("/api/v1/cooperation/agreement-changes/").data["count"] == 1
    for _ in range(3):
        other = AgreementMember.objects.create(
            agreement=source, student=eligible_student(source), status=MemberStatus.CONFIRMED
        )
        services.agreement_change_request(
            actor=school, member=other, to_agreement=RunningAgreementFactory(), reason="x"
        )
    with CaptureQueriesContext(connection) as many_page:
        assert page.get(AgreementChangeViews.url_for("list")).status_code == 200
    with CaptureQueriesContext(connection) as many_api:
        assert api.get("/api/v1/cooperation/agreement-changes/").data["count"] == 4
    assert len(many_page) == len(few_page) and len(many_api) == len(few_api)
