"""Agreements: CRUD, import/export and audit (ModelTests), the approval workflow with its refusals, and who
sees and writes what (another school or enterprise: 404)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from xiaoqitong.cooperation.choices import AgreementStatus
from xiaoqitong.cooperation.models import Agreement
from xiaoqitong.cooperation.policies.agreements import agreement_steps
from xiaoqitong.cooperation.services import agreements as services
from xiaoqitong.cooperation.views.agreements import AgreementViews
from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, login_clients
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import PositionFactory
from ..orgs.factories import EnterpriseFactory, user_with_role
from ..schools.factories import SchoolMajorFactory
from .factories import AgreementMemberFactory
from .factories_agreements import OpenAgreementFactory, RunningAgreementFactory, in_days, sides

API = "/api/v1/cooperation/agreements/"


def audits(obj, verb):
    return AuditLog.objects.filter(object_id=str(obj.pk), verb=verb, content_type__model="agreement").count()


class TestAgreement(ModelTests, ImportTests):
    views = AgreementViews
    api_url = API
    factory = OpenAgreementFactory
    update_data = {"title": "数控订单班（更名）"}

    @pytest.fixture(autouse=True)
    def _setup(self, db):
        self.major = SchoolMajorFactory()
        self.enterprise = EnterpriseFactory()

    def form_data(self):
        return {
            "kind": "order_class",
            "title": "数控订单班",
            "school": self.major.school_id,
            "enterprise": self.enterprise.credit_code,
            "school_major": self.major.pk,
            "cohort": 2024,
            "planned_headcount": 30,
            "start_date": in_days(0).isoformat(),
            "end_date": in_days(900).isoformat(),
            "confirm_deadline": in_days(30).isoformat(),
            "training_plan": "2+1 培养",
            "cost_sharing": "企业承担实训耗材",
        }

    def api_data(self):
        return {
            "kind": "order_class",
            "title": "数控订单班",
            "school": self.major.school.code,
            "enterprise": self.enterprise.credit_code,
            "school_major": self.major.pk,
            "cohort": 2024,
            "planned_headcount": 30,
            "start_date": in_days(0).isoformat(),
            "end_date": in_days(900).isoformat(),
        }

    def import_rows(self):
        return [
            {
                "学校代码": self.major.school.code,
                "协议名称": f"订单班{n}",
                "年级": "2024",
                "合作形式": "订单班",
                "企业统一社会信用代码": self.enterprise.credit_code,
                "专业代码": self.major.major.code,
                "计划人数": "30",
                "开始日期": "2024-09-01",
                "结束日期": "2027-06-30",
                "学生确认截止日期": "2024-10-31",
                "培养方案": "",
                "成本分担": "",
            }
            for n in range(2)
        ]


# --- writers and the other party ----------------------------------------------------------------------------
def test_a_school_admin_creates_for_own_school_with_positions_of_the_agreement_enterprise_only():
    major = SchoolMajorFactory()
    admin = user_with_role(Role.SCHOOL_ADMIN, school=major.school)
    enterprise = EnterpriseFactory()
    data = {
        "kind": "modern_apprenticeship",
        "title": "学徒班",
        "school": major.school,
        "enterprise": enterprise,
        "school_major": major,
        "cohort": 2024,
        "planned_headcount": 10,
        "start_date": in_days(0),
        "end_date": in_days(700),
    }
    stranger = PositionFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_create(actor=admin, data=data | {"positions": [stranger]})
    assert "协议企业的岗位" in excinfo.value.message_dict["positions"][0]
    own = PositionFactory(enterprise=enterprise)
    agreement = services.agreement_create(actor=admin, data=data | {"positions": [own]})
    assert agreement.status == AgreementStatus.DRAFT and list(agreement.positions.all()) == [own]
    # Another school in the data is replaced by the writer's own school, never written.
    other = services.agreement_create(
        actor=admin, data=data | {"title": "另一个", "school": SchoolMajorFactory(school__code="X1").school}
    )
    assert other.school_id == major.school_id


def test_hr_of_another_enterprise_and_a_teacher_may_not_write():
    agreement = OpenAgreementFactory()
    teacher = user_with_role(Role.TEACHER, school=agreement.school)
    stranger = user_with_role(Role.ENTERPRISE_HR)
    for actor in (teacher, stranger):
        with pytest.raises(PermissionDenied):
            services.agreement_update(actor=actor, instance=agreement, data={"title": "改"})


# --- workflow -----------------------------------------------------------------------------------------------
def test_propose_then_approve_by_the_other_side_makes_it_active_with_one_audit_each():
    agreement = OpenAgreementFactory()
    school, hr = sides(agreement)
    assert agreement_steps(school, agreement) == ["propose", "cancel"]
    services.agreement_propose(actor=school, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PROPOSED and agreement.school_approved_by == school
    assert agreement_steps(school, agreement) == ["return", "cancel"]  # no approving its own proposal
    assert "approve" in agreement_steps(hr, agreement)
    with pytest.raises(ValidationError, match="已确认过"):
        services.agreement_approve(actor=school, agreement=agreement)
    services.agreement_approve(actor=hr, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and agreement.enterprise_approved_by == hr
    assert audits(agreement, "agreement_propose") == 1 and audits(agreement, "agreement_approve") == 1
    assert "invite" in agreement_steps(school, agreement) and "invite" not in agreement_steps(hr, agreement)


def test_edits_while_proposed_are_refused_until_returned_with_a_note():
    agreement = OpenAgreementFactory()
    school, hr = sides(agreement)
    services.agreement_propose(actor=hr, agreement=agreement)
    with pytest.raises(ValidationError, match="请先退回"):
        services.agreement_update(actor=hr, instance=agreement, data={"title": "改"})
    with pytest.raises(ValidationError, match="退回理由"):
        services.agreement_return(actor=school, agreement=agreement, note=" ")
    services.agreement_return(actor=school, agreement=agreement, note="计划人数需调整")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.enterprise_approved_at is None and agreement.school_approved_at is None
    services.agreement_update(actor=hr, instance=agreement, data={"planned_headcount": 20})
    assert Agreement.objects.get(pk=agreement.pk).planned_headcount == 20


def test_workflow_refusals_wrong_state_wrong_org_and_missing_deadline():
    agreement = OpenAgreementFactory(confirm_deadline=None)
    school, hr = sides(agreement)
    with pytest.raises(ValidationError, match="确认截止日期"):
        services.agreement_propose(actor=school, agreement=agreement)
    with pytest.raises(ValidationError, match="不能确认协议"):
        services.agreement_approve(actor=hr, agreement=agreement)
    with pytest.raises(PermissionDenied):
        services.agreement_propose(actor=user_with_role(Role.SCHOOL_ADMIN), agreement=agreement)
    with pytest.raises(PermissionDenied):
        services.agreement_propose(actor=user_with_role(Role.GOV_OFFICER), agreement=agreement)
    with pytest.raises(ValidationError, match="不能结束协议"):
        services.agreement_end(actor=school, agreement=agreement)
    with pytest.raises(ValidationError, match="终止理由"):
        services.agreement_cancel(actor=school, agreement=agreement, note="")


def test_end_and_cancel():
    running = RunningAgreementFactory()
    school, hr = sides(running)
    services.agreement_end(actor=hr, agreement=running, note="期满")
    assert Agreement.objects.get(pk=running.pk).status == AgreementStatus.ENDED
    other = RunningAgreementFactory()
    school, _hr = sides(other)
    services.agreement_cancel(actor=school, agreement=other, note="企业停产")
    assert Agreement.objects.get(pk=other.pk).status == AgreementStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.agreement_delete(actor=school, instance=other)


def test_detail_page_shows_only_the_steps_the_user_may_take_and_posting_them_works():
    agreement = OpenAgreementFactory()
    school, hr = sides(agreement)
    page, _api = login_clients(school)
    body = page.get(agreement.get_absolute_url()).content.decode()
    assert "提交对方确认" in body and "确认协议" not in body
    response = page.post(f"{agreement.get_absolute_url()}propose/")
    assert response.status_code == 302
    hr_page, hr_api = login_clients(hr)
    body = hr_page.get(agreement.get_absolute_url()).content.decode()
    assert "确认协议" in body and "提交对方确认" not in body
    response = hr_api.post(f"{API}{agreement.pk}/approve/")
    assert response.status_code == 200 and response.data["status"] == "active"
    # The API refuses a step taken twice, in Chinese.
    response = hr_api.post(f"{API}{agreement.pk}/return/", {"note": "x"}, format="json")
    assert response.status_code == 400 and "不能退回修改" in str(response.data)


# --- scoping ------------------------------------------------------------------------------------------------
def _may(table):
    return lambda action, is_own: table.get(action, (False, False))[0 if is_own else 1]


@pytest.mark.parametrize(
    "role,rights",
    [
        (
            Role.SCHOOL_ADMIN,
            {
                "view": (True, False),
                "add": (True, False),
                "change": (True, False),
                "delete": (True, False),
                "export": (True, False),
                "import": (True, False),
            },
        ),
        (
            Role.ENTERPRISE_HR,
            {
                "view": (True, False),
                "add": (True, False),
                "change": (True, False),
                "delete": (True, False),
                "export": (True, False),
                "import": (True, False),
            },
        ),
        (Role.GOV_OFFICER, {"view": (True, True), "export": (True, True)}),
        (Role.TEACHER, {"view": (True, False)}),
        (Role.ENTERPRISE_MENTOR, {"view": (True, False)}),
        (Role.STUDENT, {"view": (True, False)}),
        (Role.RESEARCHER, {}),
    ],
)
def test_access_by_role(role, rights):
    own, other = OpenAgreementFactory(), OpenAgreementFactory()
    org = {}
    if role in (Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT):
        org = {"school": own.school}
    elif role in (Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR):
        org = {"enterprise": own.enterprise}
    user = user_with_role(role, **org)
    if role == Role.STUDENT:
        member = AgreementMemberFactory(agreement=own)
        member.student.user = user
        member.student.save(update_fields=["user"])
    check_access(user, AgreementViews, API, _may(rights), own, other, label=role)


def test_a_running_agreement_is_read_only_for_its_writers():
    agreement = RunningAgreementFactory()
    school, _hr = sides(agreement)
    page = Client()
    page.force_login(school)
    assert page.get(AgreementViews.url_for("edit", agreement)).status_code == 403
    assert page.get(agreement.get_absolute_url()).status_code == 200


def test_a_school_chooses_among_the_enterprises_public_positions_and_those_already_named():
    from xiaoqitong.cooperation.forms.agreements import AgreementForm
    from xiaoqitong.enterprises.choices import PositionStatus

    agreement = OpenAgreementFactory()
    school, hr = sides(agreement)
    named = PositionFactory(enterprise=agreement.enterprise, title="已选草稿岗位")
    agreement.positions.add(named)
    public = PositionFactory(enterprise=agreement.enterprise, status=PositionStatus.PUBLISHED)
    draft = PositionFactory(enterprise=agreement.enterprise, title="未发布岗位")
    choices = {
        user: set(AgreementForm(instance=agreement, user=user).fields["positions"].queryset)
        for user in (school, hr)
    }
    assert choices == {school: {named, public}, hr: {named, public, draft}}
    _page, api = login_clients(school)
    response = api.patch(f"{API}{agreement.pk}/", {"positions": [draft.pk]}, format="json")
    assert response.status_code == 400 and "未发布岗位" not in str(response.data)
    response = api.patch(f"{API}{agreement.pk}/", {"positions": [named.pk, public.pk]}, format="json")
    assert response.status_code == 200 and set(response.data["positions"]) == {named.pk, public.pk}
