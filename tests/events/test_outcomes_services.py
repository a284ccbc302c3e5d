"""Intentions and the survey: every refusal of proposing, signing, declining and withdrawing; the conversions
(a signed job intention is an application the enterprise sees; a signed cooperation intention an agreement
draft); the notifications; the survey's one answer after the end."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoqitong.cooperation.models import Agreement
from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.enterprises.models import Application
from xiaoqitong.events.choices import EventStatus, IntentionStatus, RegistrationStatus
from xiaoqitong.events.models import Intention, SurveyResponse
from xiaoqitong.events.services import outcomes as services
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import ApplicationFactory, PublishedPositionFactory
from ..orgs.factories import user_with_role
from ..schools.factories import SchoolMajorFactory
from .factories import (
    EnterpriseRegistrationFactory,
    PastEventFactory,
    RegistrationFactory,
    SlotFactory,
    outcome_scene,
    student_with_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return outcome_scene()


def propose_job(s, **kwargs):
    values = {"actor": s.hr, "event": s.event, "kind": "job", "position": s.position, "student": s.student}
    return services.intention_propose(**(values | kwargs))


def propose_coop(s, actor=None, **kwargs):
    values = {
        "actor": actor or s.hr,
        "event": s.event,
        "kind": "cooperation",
        "school_major": s.major,
        "agreement_kind": "order_class",
        "planned_students": 30,
        "note": "订单班培养数控技术人才",
    }
    if actor is not None and actor.role == Role.SCHOOL_ADMIN:
        values["enterprise"] = s.enterprise
    return services.intention_propose(**(values | kwargs))


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


# --- proposing ---------------------------------------------------------------------------------------------
def test_hr_proposes_a_job_intention_and_the_student_is_told(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intention = propose_job(scene, note="欢迎加入")
    assert intention.status == IntentionStatus.PROPOSED and intention.proposed_by == scene.hr
    assert intention.enterprise == scene.enterprise
    assert AuditLog.objects.filter(verb="intention_propose", object_id=str(intention.pk)).count() == 1
    (text,) = texts(scene.student_user)
    assert scene.enterprise.name in text and "签署" in text


def test_proposing_is_refused_with_the_reason(scene):
    other = user_with_role(Role.GOV_OFFICER)
    with pytest.raises(PermissionDenied, match="企业人事、学校管理员或学生"):
        services.intention_propose(actor=other, event=scene.event, kind="job", position=scene.position)
    # a booth still waiting for approval
    scene.booth.status = RegistrationStatus.PENDING
    scene.booth.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="尚待主办方审核"):
        propose_job(scene)
    scene.booth.status = RegistrationStatus.APPROVED
    scene.booth.save(update_fields=["status"])
    # an enterprise that did not register
    stranger = user_with_role(Role.ENTERPRISE_HR)
    with pytest.raises(ValidationError, match="未报名"):
        propose_job(scene, actor=stranger)
    # a position the booth does not bring
    other_position = PublishedPositionFactory(enterprise=scene.enterprise)
    with pytest.raises(ValidationError, match="不在贵企业本次展位携带的岗位中"):
        propose_job(scene, position=other_position)
    # a student not registered
    _user, outsider = student_with_user()
    outsider.consent = "full"
    outsider.save(update_fields=["consent"])
    with pytest.raises(ValidationError, match="没有本活动已通过的报名"):
        propose_job(scene, student=outsider)
    # a student who keeps their profile from enterprises and never met the booth
    _user, shy = student_with_user()
    RegistrationFactory(event=scene.event, student=shy)
    with pytest.raises(ValidationError, match="按签到码发起"):
        propose_job(scene, student=shy)
    # a position no longer recruiting
    scene.position.valid_until = timezone.localdate() - dt.timedelta(days=1)
    scene.position.save(update_fields=["valid_until"])
    with pytest.raises(ValidationError, match="当前不在招聘中"):
        propose_job(scene)


def test_no_proposing_more_than_thirty_days_after_the_event(scene):
    from xiaoqitong.events.models import Event
    from xiaoqitong.events.selectors.outcomes import proposable_events

    ended = timezone.now() - dt.timedelta(days=31)
    Event.objects.filter(pk=scene.event.pk).update(starts_at=ended - dt.timedelta(hours=8), ends_at=ended)
    scene.event.refresh_from_db()
    with pytest.raises(ValidationError, match="须在活动结束后 30 天内发起"):
        propose_job(scene)
    assert scene.event not in proposable_events(scene.hr)


def test_a_student_met_at_the_booth_or_named_by_code_may_be_proposed_to(scene):
    _user, shy = student_with_user()
    registration = RegistrationFactory(event=scene.event, student=shy)
    by_code = propose_job(scene, student=None, checkin_code=registration.checkin_code)
    assert by_code.student == shy
    _user, met = student_with_user()
    slot = SlotFactory(booth=scene.booth)
    slot.booked_by = RegistrationFactory(event=scene.event, student=met)
    slot.save(update_fields=["booked_by"])
    assert propose_job(scene, student=met).student == met
    with pytest.raises(ValidationError, match="找不到签到码"):
        propose_job(scene, student=None, checkin_code="nope")
    without_account = RegistrationFactory(event=scene.event)  # registered by the school's batch
    with pytest.raises(ValidationError, match="还没有平台账号"):
        propose_job(scene, student=None, checkin_code=without_account.checkin_code)


def test_a_second_live_intention_on_the_same_parts_is_refused(scene):
    propose_job(scene)
    with pytest.raises(ValidationError, match="已有签约意向（待对方签署）"):
        propose_job(scene)


def test_a_cancelled_or_draft_event_takes_no_intention(scene):
    scene.event.status = EventStatus.CANCELLED
    scene.event.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="已取消"):
        propose_job(scene)


def test_a_school_proposes_no_job_intention_and_a_student_no_cooperation(scene):
    with pytest.raises(ValidationError, match="合作意向"):
        services.intention_propose(
            actor=scene.school_admin, event=scene.event, kind="job", position=scene.position
        )
    with pytest.raises(ValidationError, match="学生不能发起合作意向"):
        propose_coop(scene, actor=scene.student_user)


def test_cooperation_proposals_check_the_other_side_and_the_numbers(scene):
    foreign_major = SchoolMajorFactory()
    with pytest.raises(ValidationError, match="没有本活动已通过的报名"):
        propose_coop(scene, school_major=foreign_major)
    with pytest.raises(ValidationError, match="只能以本校开设的专业"):
        propose_coop(scene, actor=scene.school_admin, school_major=foreign_major)
    no_booth = user_with_role(Role.ENTERPRISE_HR).enterprise
    with pytest.raises(ValidationError, match="没有已通过的展位"):
        propose_coop(scene, actor=scene.school_admin, enterprise=no_booth)
    with pytest.raises(ValidationError, match="合作形式"):
        propose_coop(scene, agreement_kind="")
    with pytest.raises(ValidationError, match="计划人数"):
        propose_coop(scene, planned_students=0)


# --- signing a job intention -------------------------------------------------------------------------------
def test_signing_a_job_intention_creates_the_application_the_enterprise_sees(
    scene, django_capture_on_commit_callbacks
):
    intention = propose_job(scene)
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.intention_sign(actor=scene.student_user, intention=intention)
    assert signed.status == IntentionStatus.SIGNED and signed.signed_by == scene.student_user
    application = Application.objects.get(student=scene.student, position=scene.position)
    assert signed.application == application and application.status == "submitted"
    assert application.note.startswith(f"在活动“{scene.event.title}”签署的求职意向")
    assert Application.objects.restrict(scene.hr, "view").filter(pk=application.pk).exists()
    assert AuditLog.objects.filter(verb="application_create", object_id=str(application.pk)).exists()
    assert AuditLog.objects.filter(verb="intention_sign", object_id=str(intention.pk)).count() == 1
    assert any("已签署" in t and "求职申请" in t for t in texts(scene.hr))


def test_an_earlier_application_is_linked_not_refused(scene):
    earlier = ApplicationFactory(student=scene.student, position=scene.position)
    intention = propose_job(scene)
    signed = services.intention_sign(actor=scene.student_user, intention=intention)
    assert signed.application == earlier
    assert Application.objects.filter(student=scene.student, position=scene.position).count() == 1


def test_the_enterprises_refusal_stands_and_the_intention_waits(scene):
    intention = propose_job(scene)
    scene.position.status = "closed"
    scene.position.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="不在招聘中"):
        services.intention_sign(actor=scene.student_user, intention=intention)
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.PROPOSED and intention.application is None


def test_only_the_other_side_signs_and_only_once(scene):
    intention = propose_job(scene)
    with pytest.raises(ValidationError, match="由贵方发起，须由对方签署"):
        services.intention_sign(actor=scene.hr, intention=intention)
    _user, other_student = student_with_user()
    with pytest.raises(PermissionDenied):
        services.intention_sign(actor=other_student.user, intention=intention)
    with pytest.raises(PermissionDenied):
        services.intention_sign(actor=user_with_role(Role.PLATFORM_ADMIN), intention=intention)
    services.intention_sign(actor=scene.student_user, intention=intention)
    with pytest.raises(ValidationError, match="当前状态为“已签署”，不能签署"):
        services.intention_sign(actor=scene.student_user, intention=intention)


def test_a_student_proposes_to_a_booth_position_and_hr_signs(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        intention = services.intention_propose(
            actor=scene.student_user, event=scene.event, kind="job", position=scene.position, note="想来实习"
        )
    assert intention.enterprise == scene.enterprise and intention.student == scene.student
    assert any("想来实习" not in t and scene.student.name in t for t in texts(scene.hr))
    not_brought = PublishedPositionFactory()
    with pytest.raises(ValidationError, match="不是本活动已通过展位携带的岗位"):
        services.intention_propose(
            actor=scene.student_user, event=scene.event, kind="job", position=not_brought
        )
    signed = services.intention_sign(actor=scene.hr, intention=intention)
    assert signed.application.student == scene.student
    assert signed.application.note == "想来实习"


def test_the_signed_application_is_on_the_enterprise_list_page(scene, client):
    intention = propose_job(scene)
    services.intention_sign(actor=scene.student_user, intention=intention)
    client.force_login(scene.hr)
    body = client.get("/enterprises/applications/").content.decode()
    assert scene.student.name in body or scene.position.title in body


# --- signing a cooperation intention -----------------------------------------------------------------------
def test_signing_a_cooperation_intention_creates_an_agreement_draft(
    scene, django_capture_on_commit_callbacks
):
    intention = propose_coop(scene)
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.intention_sign(actor=scene.school_admin, intention=intention)
    agreement = signed.agreement
    assert agreement.status == "draft" and agreement.kind == "order_class"
    assert (agreement.school, agreement.enterprise, agreement.school_major) == (
        scene.school,
        scene.enterprise,
        scene.major,
    )
    today = timezone.localdate()
    cohort = today.year if today.month >= 9 else today.year - 1
    assert agreement.cohort == cohort and agreement.planned_headcount == 30
    assert agreement.start_date == today and agreement.end_date == dt.date(cohort + 3, 8, 31)
    assert "订单班培养数控技术人才" in agreement.training_plan
    assert Agreement.objects.restrict(scene.hr, "view").filter(pk=agreement.pk).exists()
    assert any("合作协议草稿" in t for t in texts(scene.hr))


def test_a_school_proposes_cooperation_and_hr_signs(scene):
    intention = propose_coop(scene, actor=scene.school_admin)
    with pytest.raises(ValidationError, match="须由对方签署"):
        services.intention_sign(actor=scene.school_admin, intention=intention)
    signed = services.intention_sign(actor=scene.hr, intention=intention)
    assert signed.agreement.enterprise == scene.enterprise and signed.agreement.status == "draft"


def test_a_signature_on_a_cancelled_event_is_refused(scene):
    intention = propose_coop(scene)
    scene.event.status = EventStatus.CANCELLED
    scene.event.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="已取消，不能再签署"):
        services.intention_sign(actor=scene.school_admin, intention=intention)


# --- declining and withdrawing -----------------------------------------------------------------------------
def test_declining_tells_the_proposer_with_the_reason(scene, django_capture_on_commit_callbacks):
    intention = propose_job(scene)
    with pytest.raises(ValidationError, match="如不再需要请撤回"):
        services.intention_decline(actor=scene.hr, intention=intention)
    with django_capture_on_commit_callbacks(execute=True):
        declined = services.intention_decline(
            actor=scene.student_user, intention=intention, reason="已签约别家"
        )
    assert declined.status == IntentionStatus.DECLINED
    assert any("被对方拒绝" in t and "已签约别家" in t for t in texts(scene.hr))
    with pytest.raises(ValidationError, match="不能拒绝"):
        services.intention_decline(actor=scene.student_user, intention=intention)


def test_withdrawing_is_the_proposers_before_an_answer(scene, django_capture_on_commit_callbacks):
    intention = propose_coop(scene)
    with pytest.raises(PermissionDenied, match="只有发起方可以撤回"):
        services.intention_withdraw(actor=scene.school_admin, intention=intention)
    colleague = user_with_role(Role.ENTERPRISE_HR, enterprise=scene.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.intention_withdraw(actor=colleague, intention=intention)
    assert withdrawn.status == IntentionStatus.WITHDRAWN
    assert any("撤回" in t for t in texts(scene.school_admin))
    with pytest.raises(ValidationError, match="不能撤回"):
        services.intention_withdraw(actor=scene.hr, intention=intention)
    # a withdrawn intention no longer blocks a new one on the same parts
    assert propose_coop(scene).status == IntentionStatus.PROPOSED


# --- the survey --------------------------------------------------------------------------------------------
@pytest.fixture
def held():
    return outcome_scene(PastEventFactory())


def answer(actor, event, **kwargs):
    values = {"satisfaction": 5, "usefulness": 4, "would_return": True, "comment": "很有收获"}
    return services.survey_response_submit(actor=actor, event=event, **(values | kwargs))


def test_each_side_answers_once_after_the_end(held):
    response = answer(held.student_user, held.event)
    assert response.registration == held.student_reg
    assert AuditLog.objects.filter(verb="survey_response_submit").count() == 1
    with pytest.raises(ValidationError, match=r"已于 .* 填写过"):
        answer(held.student_user, held.event)
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=held.enterprise)
    assert answer(mentor, held.event).registration == held.booth
    with pytest.raises(ValidationError, match="填写过"):
        answer(held.hr, held.event)
    assert answer(held.school_admin, held.event).registration == held.delegation
    assert SurveyResponse.objects.filter(event=held.event).count() == 3


def test_the_survey_is_refused_before_the_end_and_to_outsiders(scene, held):
    with pytest.raises(ValidationError, match="活动尚未结束"):
        answer(scene.student_user, scene.event)
    with pytest.raises(PermissionDenied, match="参加活动的企业、学校和学生"):
        answer(user_with_role(Role.RESEARCHER), held.event)
    with pytest.raises(PermissionDenied):
        answer(user_with_role(Role.STUDENT), held.event)
    held.booth.status = RegistrationStatus.CANCELLED
    held.booth.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="报名状态为“已取消”"):
        answer(held.hr, held.event)
    with pytest.raises(ValidationError, match=r"总体满意度|确保"):
        answer(held.student_user, held.event, satisfaction=6)
    held.event.status = EventStatus.CANCELLED
    held.event.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="已取消，无需填写"):
        answer(held.school_admin, held.event)


def test_a_booth_of_another_event_does_not_answer_here(held):
    other = EnterpriseRegistrationFactory(event=PastEventFactory())
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=other.enterprise)
    with pytest.raises(PermissionDenied):
        answer(hr, held.event)
    assert not Intention.objects.exists()
