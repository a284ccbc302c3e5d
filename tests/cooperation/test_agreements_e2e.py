"""End to end with the test client: a school administrator and an enterprise's HR set up an order class
(create, propose, approve); the school invites two students, who both confirm with their own accounts; an
invitation after the deadline is refused; a change request approved by every party moves a student."""

import pytest
from django.test import Client

from xiaoqitong.cooperation.choices import AgreementStatus, ChangeStatus, MemberStatus
from xiaoqitong.cooperation.models import Agreement, AgreementChange, AgreementMember
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import EnterpriseFactory, user_with_role
from ..schools.factories import SchoolMajorFactory
from .factories_agreements import RunningAgreementFactory, eligible_student, in_days

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_order_class_from_creation_to_a_transfer():
    major = SchoolMajorFactory()
    enterprise = EnterpriseFactory()
    school = client_for(user_with_role(Role.SCHOOL_ADMIN, school=major.school))
    hr_user = user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise)
    hr = client_for(hr_user)

    # The school creates the order class as a draft and proposes it; the enterprise approves.
    response = school.post(
        "/cooperation/agreements/add/",
        {
            "kind": "order_class",
            "title": "数控订单班",
            "enterprise": enterprise.credit_code,
            "school_major": major.pk,
            "cohort": 2024,
            "planned_headcount": 2,
            "start_date": in_days(0).isoformat(),
            "end_date": in_days(900).isoformat(),
            "confirm_deadline": in_days(20).isoformat(),
            "training_plan": "企业导师驻校授课",
            "cost_sharing": "企业承担实训耗材",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get(title="数控订单班")
    assert agreement.school_id == major.school_id and agreement.status == AgreementStatus.DRAFT
    assert school.post(f"/cooperation/agreements/{agreement.pk}/propose/").status_code == 302
    assert "确认协议" in hr.get(agreement.get_absolute_url()).content.decode()
    hr.post(f"/cooperation/agreements/{agreement.pk}/approve/")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE

    # The school invites two students (one chosen, one by 学号); both confirm with their own accounts.
    first, second = (eligible_student(agreement, account=True) for _ in range(2))
    response = school.post(
        f"/cooperation/agreements/{agreement.pk}/invite/",
        {"students": [first.pk], "student_nos": second.student_no},
    )
    assert response.status_code == 302
    for student in (first, second):
        me = client_for(student.user)
        body = me.get("/cooperation/agreements/mine/").content.decode()
        assert "数控订单班" in body and agreement.confirm_deadline.isoformat() in body
        member = AgreementMember.objects.get(agreement=agreement, student=student)
        me.post(f"/cooperation/agreement-members/{member.pk}/respond/", {"accept": "1"})
    assert AgreementMember.objects.filter(agreement=agreement, status=MemberStatus.CONFIRMED).count() == 2
    body = school.get(agreement.get_absolute_url()).content.decode()
    assert "2 / 2" in body  # places filled against the plan

    # After the deadline a third invitation is refused, with the date shown.
    Agreement.objects.filter(pk=agreement.pk).update(confirm_deadline=in_days(-1))
    third = eligible_student(agreement)
    response = school.post(
        f"/cooperation/agreements/{agreement.pk}/invite/", {"student_nos": third.student_no}, follow=True
    )
    assert in_days(-1).isoformat() in response.content.decode() and "已过" in response.content.decode()
    assert not AgreementMember.objects.filter(student=third).exists()

    # The first student asks to move to another enterprise's order class; every party approves.
    target = RunningAgreementFactory(school_major=major, title="乙企业订单班")
    target_hr = client_for(user_with_role(Role.ENTERPRISE_HR, enterprise=target.enterprise))
    member = AgreementMember.objects.get(agreement=agreement, student=first)
    me = client_for(first.user)
    response = me.post(
        "/cooperation/agreement-changes/add/",
        {"member": member.pk, "to_agreement": target.pk, "reason": "更适合乙企业岗位"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = AgreementChange.objects.get(member=member)
    for client in (school, hr, target_hr):
        assert (
            client.post(f"/cooperation/agreement-changes/{change.pk}/decide/", {"approve": "1"}).status_code
            == 302
        )
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert AgreementMember.objects.get(pk=member.pk).status == MemberStatus.TRANSFERRED
    assert AgreementMember.objects.get(agreement=target, student=first).status == MemberStatus.CONFIRMED
