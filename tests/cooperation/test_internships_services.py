"""Every internship service: its success and each refusal (wrong role, wrong organization, wrong state, a rule
breach with its numbers and source)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoqitong.cooperation.choices import LeaveStatus, LogStatus, MentorSide, PlacementStatus
from xiaoqitong.cooperation.models import CheckIn, InternshipLog, Placement
from xiaoqitong.cooperation.services import internships as services
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory, student_account
from .factories import InternshipPlanFactory, PlacementFactory
from .factories_internships import (
    CurrentPlacementFactory,
    CurrentPlanFactory,
    InternshipLogFactory,
    days,
    hr,
    mentor,
    monday,
    out_of_city_enterprise,
    running_placement,
    school_admin,
    teacher,
    today,
)

pytestmark = pytest.mark.django_db


def _message(exc) -> str:
    return " ".join(exc.value.messages) if hasattr(exc.value, "messages") else str(exc.value)


# --- plans --------------------------------------------------------------------------------------------------
def _plan_data(major, **extra):
    return {
        "school_major": major,
        "cohort": 2024,
        "title": "2027 年顶岗实习",
        "period_start": dt.date(2027, 3, 1),
        "period_end": dt.date(2027, 6, 30),
        "planned_interns": 10,
        "planned_local": 6,
    } | extra


def test_plan_create_by_the_school_admin_for_own_school():
    major = SchoolMajorFactory()
    actor = school_admin(major.school)
    plan = services.internship_plan_create(actor=actor, data=_plan_data(major))
    assert plan.school_id == major.school_id
    assert AuditLog.objects.filter(verb="internship_plan_create", object_id=str(plan.pk)).count() == 1


def test_plan_refused_under_t16_with_the_numbers_and_the_source():
    major = SchoolMajorFactory()
    with pytest.raises(ValidationError) as exc:
        services.internship_plan_create(
            actor=school_admin(major.school), data=_plan_data(major, planned_local=5)
        )
    assert exc.value.message_dict["planned_local"] == [
        "本计划安排市域内企业实习 5 人，占计划实习人数 10 人的 50.0%，"
        "低于 60%（T16，郴政发〔2021〕9号 四（十一））。"
    ]


def test_plan_refused_when_overlapping_plans_together_fall_under_t16():
    major = SchoolMajorFactory()
    actor = school_admin(major.school)
    # Plans written before the rule (or changed since) are part of the school's share all the same.
    InternshipPlanFactory(
        school_major=major,
        title="春季实习",
        period_start=dt.date(2027, 2, 1),
        period_end=dt.date(2027, 4, 30),
        planned_interns=10,
        planned_local=5,
    )
    InternshipPlanFactory(
        school_major=major,
        title="往年实习",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        planned_interns=10,
        planned_local=0,
    )
    data = _plan_data(major, planned_interns=20, planned_local=12, title="新计划")
    with pytest.raises(ValidationError) as exc:
        services.internship_plan_create(actor=actor, data=data)
    message = exc.value.message_dict["planned_local"][0]
    assert message == (
        "本计划与本校实习期重叠的其他计划（“春季实习”）合计安排市域内企业实习 17 人，占计划实习人数 30 人的 "
        "56.7%，低于 60%（T16，郴政发〔2021〕9号 四（十一））。"
    )
    # 5 + 13 = 18 of 30 is exactly 60%: accepted.
    services.internship_plan_create(actor=actor, data=data | {"planned_local": 13})


@pytest.mark.parametrize("role", [Role.TEACHER, Role.GOV_OFFICER, Role.ENTERPRISE_HR, Role.STUDENT])
def test_plan_refused_for_other_roles(role):
    major = SchoolMajorFactory()
    kwargs = {"school": major.school} if role in (Role.TEACHER, Role.STUDENT) else {}
    with pytest.raises(PermissionDenied):
        services.internship_plan_create(actor=user_with_role(role, **kwargs), data=_plan_data(major))


def test_plan_refused_for_another_school():
    major = SchoolMajorFactory()
    with pytest.raises(PermissionDenied):
        services.internship_plan_create(
            actor=school_admin(SchoolFactory()), data=_plan_data(major, school=major.school)
        )


def test_plan_update_checks_t16_and_delete_refused_with_placements():
    plan = InternshipPlanFactory()
    actor = school_admin(plan.school)
    with pytest.raises(ValidationError) as exc:
        services.internship_plan_update(actor=actor, instance=plan, data={"planned_local": 4})
    assert "40.0%" in exc.value.message_dict["planned_local"][0]
    services.internship_plan_update(actor=actor, instance=plan, data={"planned_local": 9})
    PlacementFactory(plan=plan)
    with pytest.raises(ValidationError):
        services.internship_plan_delete(actor=actor, instance=plan)


# --- placements ---------------------------------------------------------------------------------------------
def _placement_data(plan, **extra):
    return {
        "plan": plan,
        "student": StudentFactory(school_major=plan.school_major),
        "enterprise": EnterpriseFactory(),
        "start_date": dt.date(2026, 3, 2),
        "end_date": dt.date(2026, 5, 31),
    } | extra


def test_placement_create_derives_in_city_and_records_mentors():
    plan = InternshipPlanFactory()
    enterprise = EnterpriseFactory()
    data = _placement_data(
        plan, enterprise=enterprise, school_mentor=teacher(plan.school), enterprise_mentor=mentor(enterprise)
    )
    placement = services.placement_create(actor=school_admin(plan.school), data=data)
    assert placement.in_city and placement.flags == [] and placement.status == PlacementStatus.PLANNED
    assert AuditLog.objects.filter(verb="placement_create", object_id=str(placement.pk)).count() == 1


def test_placement_shorter_than_t15_is_refused_with_the_numbers():
    plan = InternshipPlanFactory()
    with pytest.raises(ValidationError) as exc:
        services.placement_create(
            actor=school_admin(plan.school),
            data=_placement_data(plan, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 31)),
        )
    message = exc.value.message_dict["end_date"][0]
    assert message == (
        "实习时间 2026-03-02 至 2026-03-31 共 30 天，不足 1 个月：到市域内企业实习单次不得少于 1 个月，"
        "结束日期应不早于 2026-04-01（T15，郴政发〔2021〕9号 四（十一））。"
    )
    # Exactly one calendar month is enough; an out-of-city enterprise is not bound by T15.
    services.placement_create(
        actor=school_admin(plan.school),
        data=_placement_data(plan, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 4, 1)),
    )
    services.placement_create(
        actor=school_admin(plan.school),
        data=_placement_data(plan, enterprise=out_of_city_enterprise(), end_date=dt.date(2026, 3, 10)),
    )


def test_min_end_date_counts_calendar_months():
    assert services.min_end_date(dt.date(2026, 1, 31), Decimal("1")) == dt.date(2026, 2, 27)
    assert services.min_end_date(dt.date(2026, 3, 1), Decimal("1")) == dt.date(2026, 3, 31)
    assert services.min_end_date(dt.date(2026, 11, 15), Decimal("2")) == dt.date(2027, 1, 14)


def test_placement_taking_the_plan_under_t16_is_saved_and_flagged_then_cleared():
    plan = InternshipPlanFactory()
    actor = school_admin(plan.school)
    local = services.placement_create(actor=actor, data=_placement_data(plan))
    away = services.placement_create(
        actor=actor, data=_placement_data(plan, enterprise=out_of_city_enterprise())
    )
    assert away.pk and not away.in_city
    assert away.flags[0]["rule"] == "T16"
    assert away.flags[0]["source"] == "郴政发〔2021〕9号 四（十一）"
    assert "已安排实习 2 人，其中市域内企业 1 人，占 50.0%，低于 60%" in away.flags[0]["message"]
    local.refresh_from_db()
    assert local.flags == []
    # Two more in the city: 3 of 4 = 75%, the flag is cleared.
    services.placement_create(actor=actor, data=_placement_data(plan))
    services.placement_create(actor=actor, data=_placement_data(plan))
    away.refresh_from_db()
    assert away.flags == []


@pytest.mark.parametrize(
    "change, field",
    [
        ("other_school_student", "student"),
        ("other_major_student", "student"),
        ("outside_period", "end_date"),
        ("hr_as_mentor", "enterprise_mentor"),
        ("mentor_of_another_enterprise", "enterprise_mentor"),
        ("teacher_of_another_school", "school_mentor"),
        ("overlap", "start_date"),
    ],
)
def test_placement_refusals(change, field):
    plan = InternshipPlanFactory()
    actor = school_admin(plan.school)
    data = _placement_data(plan)
    if change == "other_school_student":
        data["student"] = StudentFactory()
    elif change == "other_major_student":
        other = (
            Major.objects.filter(education_level="secondary").exclude(pk=plan.school_major.major_id).first()
        )
        data["student"] = StudentFactory(school_major=SchoolMajorFactory(school=plan.school, major=other))
    elif change == "outside_period":
        data["end_date"] = dt.date(2026, 7, 31)
    elif change == "hr_as_mentor":
        data["enterprise_mentor"] = hr(data["enterprise"])
    elif change == "mentor_of_another_enterprise":
        data["enterprise_mentor"] = mentor(EnterpriseFactory())
    elif change == "teacher_of_another_school":
        data["school_mentor"] = teacher(SchoolFactory())
    elif change == "overlap":
        PlacementFactory(
            plan=plan, student=data["student"], start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 6, 30)
        )
    with pytest.raises(ValidationError) as exc:
        services.placement_create(actor=actor, data=data)
    assert field in exc.value.message_dict, exc.value.message_dict


def test_placement_refused_for_another_school_and_for_teachers():
    plan = InternshipPlanFactory()
    with pytest.raises(PermissionDenied):
        services.placement_create(actor=school_admin(SchoolFactory()), data=_placement_data(plan))
    with pytest.raises(PermissionDenied):
        services.placement_create(actor=teacher(plan.school), data=_placement_data(plan))


def test_placement_steps_and_their_refusals():
    placement = CurrentPlacementFactory()
    actor = school_admin(placement.plan.school)
    with pytest.raises(PermissionDenied):
        services.placement_start(actor=teacher(placement.plan.school), placement=placement)
    with pytest.raises(PermissionDenied):
        services.placement_start(actor=school_admin(SchoolFactory()), placement=placement)
    with pytest.raises(ValidationError) as exc:
        services.placement_complete(actor=actor, placement=placement)
    assert "待上岗" in _message(exc)
    services.placement_start(actor=actor, placement=placement)
    with pytest.raises(ValidationError) as exc:
        services.placement_complete(actor=actor, placement=placement)
    assert "中止实习" in _message(exc)
    with pytest.raises(ValidationError):
        services.placement_terminate(actor=actor, placement=placement, reason=" ")
    placement = services.placement_terminate(actor=actor, placement=placement, reason="学生生病退出")
    assert placement.status == PlacementStatus.TERMINATED
    entry = AuditLog.objects.filter(verb="placement_terminate").get()
    assert entry.changes["reason"] == [None, "学生生病退出"]


def test_placement_not_started_before_its_start_date_and_completed_in_the_last_week():
    placement = CurrentPlacementFactory(start_date=days(3), end_date=days(90))
    actor = school_admin(placement.plan.school)
    with pytest.raises(ValidationError) as exc:
        services.placement_start(actor=actor, placement=placement)
    assert "尚未到开始日期" in _message(exc)
    ending = CurrentPlacementFactory(status=PlacementStatus.ACTIVE, start_date=days(-50), end_date=days(3))
    done = services.placement_complete(actor=school_admin(ending.plan.school), placement=ending)
    assert done.status == PlacementStatus.COMPLETED


# --- logs ---------------------------------------------------------------------------------------------------
def test_log_written_submitted_countersigned_by_the_enterprise_mentor():
    placement = running_placement()
    student = placement.student.user
    log = services.internship_log_create(
        actor=student, placement=placement, week_start=today(), content="本周学习了数控编程。", hours=40
    )
    assert log.week_start == monday() and log.status == LogStatus.DRAFT
    services.internship_log_submit(actor=student, log=log)
    log = services.internship_log_countersign(actor=placement.enterprise_mentor, log=log, comment="认真")
    assert log.status == LogStatus.COUNTERSIGNED and log.countersigned_by == placement.enterprise_mentor


def test_log_countersign_refused_for_a_wrong_mentor_hr_and_admin(admin_user):
    log = InternshipLogFactory(placement=running_placement())
    enterprise = log.placement.enterprise
    others = (
        mentor(enterprise),
        hr(enterprise),
        log.placement.school_mentor,
        mentor(EnterpriseFactory()),
        admin_user,
    )
    for actor in others:
        with pytest.raises(PermissionDenied) as exc:
            services.internship_log_countersign(actor=actor, log=log)
        assert "企业导师本人" in str(exc.value)
    log.refresh_from_db()
    assert log.status == LogStatus.SUBMITTED


def test_log_return_needs_a_comment_and_the_student_resubmits():
    placement = running_placement()
    log = InternshipLogFactory(placement=placement)
    with pytest.raises(ValidationError):
        services.internship_log_return(actor=placement.enterprise_mentor, log=log, comment="")
    services.internship_log_return(actor=placement.enterprise_mentor, log=log, comment="请补充加工参数")
    log = services.internship_log_update(
        actor=placement.student.user, instance=log, data={"content": "补充：主轴转速 800 转。"}
    )
    log = services.internship_log_submit(actor=placement.student.user, log=log)
    assert log.status == LogStatus.SUBMITTED
    with pytest.raises(ValidationError):
        services.internship_log_update(actor=placement.student.user, instance=log, data={"content": "x"})


def test_log_refusals():
    placement = running_placement()
    student = placement.student.user
    other = student_account(StudentFactory())
    with pytest.raises(PermissionDenied):
        services.internship_log_create(actor=other, placement=placement, week_start=today(), content="x")
    with pytest.raises(ValidationError) as exc:
        services.internship_log_create(actor=student, placement=placement, week_start=days(-40), content="x")
    assert "不在实习期" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.internship_log_create(actor=student, placement=placement, week_start=days(7), content="x")
    assert "提前" in _message(exc)
    services.internship_log_create(actor=student, placement=placement, week_start=today(), content="x")
    with pytest.raises(ValidationError) as exc:
        services.internship_log_create(actor=student, placement=placement, week_start=today(), content="y")
    assert "已经写过" in _message(exc)
    planned = CurrentPlacementFactory(
        student=placement.student, start_date=days(70), end_date=days(110), plan=placement.plan
    )
    with pytest.raises(ValidationError) as exc:
        services.internship_log_create(actor=student, placement=planned, week_start=today(), content="x")
    assert "待上岗" in _message(exc)


# --- check-ins ----------------------------------------------------------------------------------------------
def test_check_in_once_a_day_on_a_running_placement():
    placement = running_placement()
    student = placement.student.user
    services.check_in_create(actor=student, placement=placement, location="郴州高新区")
    with pytest.raises(ValidationError) as exc:
        services.check_in_create(actor=student, placement=placement)
    assert "已经签到" in _message(exc)
    assert CheckIn.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.check_in_create(actor=placement.enterprise_mentor, placement=placement)


def test_check_in_refused_outside_the_dates_and_before_the_start():
    placement = running_placement()
    Placement.objects.filter(pk=placement.pk).update(start_date=days(1))
    placement.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.check_in_create(actor=placement.student.user, placement=placement)
    assert "不在实习期" in _message(exc)
    Placement.objects.filter(pk=placement.pk).update(start_date=days(-10), status=PlacementStatus.PLANNED)
    placement.refresh_from_db()
    with pytest.raises(ValidationError):
        services.check_in_create(actor=placement.student.user, placement=placement)


# --- leave --------------------------------------------------------------------------------------------------
def _leave(placement):
    return services.leave_request_create(
        actor=placement.student.user,
        placement=placement,
        start_date=days(2),
        end_date=days(3),
        reason="回家探亲",
    )


def test_leave_approved_when_both_mentors_approve():
    placement = running_placement()
    leave = _leave(placement)
    leave = services.leave_request_decide(
        actor=placement.school_mentor, leave=leave, side=MentorSide.SCHOOL, approve=True
    )
    assert leave.status == LeaveStatus.PENDING
    leave = services.leave_request_decide(
        actor=placement.enterprise_mentor, leave=leave, side=MentorSide.ENTERPRISE, approve=True
    )
    assert leave.status == LeaveStatus.APPROVED


def test_leave_rejected_when_either_rejects_and_decided_only_once():
    placement = running_placement()
    leave = _leave(placement)
    leave = services.leave_request_decide(
        actor=placement.enterprise_mentor, leave=leave, side=MentorSide.ENTERPRISE, approve=False
    )
    assert leave.status == LeaveStatus.REJECTED
    with pytest.raises(ValidationError):
        services.leave_request_decide(
            actor=placement.school_mentor, leave=leave, side=MentorSide.SCHOOL, approve=True
        )


def test_a_teacher_cannot_decide_the_enterprise_side():
    placement = running_placement()
    leave = _leave(placement)
    with pytest.raises(PermissionDenied) as exc:
        services.leave_request_decide(
            actor=placement.school_mentor, leave=leave, side=MentorSide.ENTERPRISE, approve=True
        )
    assert "企业导师" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.leave_request_decide(
            actor=teacher(placement.plan.school), leave=leave, side=MentorSide.SCHOOL, approve=True
        )
    services.leave_request_decide(
        actor=placement.school_mentor, leave=leave, side=MentorSide.SCHOOL, approve=True
    )
    with pytest.raises(ValidationError) as exc:
        services.leave_request_decide(
            actor=placement.school_mentor, leave=leave, side=MentorSide.SCHOOL, approve=True
        )
    assert "已经审批" in _message(exc)


def test_leave_cancelled_by_the_student_while_pending_and_refusals():
    placement = running_placement()
    leave = _leave(placement)
    with pytest.raises(PermissionDenied):
        services.leave_request_cancel(actor=placement.school_mentor, leave=leave)
    leave = services.leave_request_cancel(actor=placement.student.user, leave=leave)
    assert leave.status == LeaveStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.leave_request_cancel(actor=placement.student.user, leave=leave)
    with pytest.raises(ValidationError) as exc:
        services.leave_request_create(
            actor=placement.student.user,
            placement=placement,
            start_date=days(100),
            end_date=days(101),
            reason="x",
        )
    assert "实习期" in _message(exc)
    no_mentors = CurrentPlacementFactory(status=PlacementStatus.ACTIVE)
    student_account(no_mentors.student)
    with pytest.raises(ValidationError) as exc:
        services.leave_request_create(
            actor=no_mentors.student.user,
            placement=no_mentors,
            start_date=days(1),
            end_date=days(1),
            reason="x",
        )
    assert "双方导师" in _message(exc)


# --- subsidies ----------------------------------------------------------------------------------------------
def test_subsidy_recorded_by_hr_or_school_admin_once_a_month():
    placement = running_placement()
    month = days(-20).replace(day=15)
    subsidy = services.internship_subsidy_create(
        actor=hr(placement.enterprise),
        data={"placement": placement, "month": month, "amount": Decimal("1800")},
    )
    assert subsidy.month == month.replace(day=1)
    with pytest.raises(ValidationError) as exc:
        services.internship_subsidy_create(
            actor=school_admin(placement.plan.school),
            data={"placement": placement, "month": month, "amount": Decimal("1800")},
        )
    assert "已登记" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.internship_subsidy_create(
            actor=school_admin(placement.plan.school),
            data={"placement": placement, "month": days(200), "amount": Decimal("1")},
        )
    assert "不在实习期" in _message(exc)
    for actor in (hr(EnterpriseFactory()), placement.enterprise_mentor, school_admin(SchoolFactory())):
        with pytest.raises(PermissionDenied):
            services.internship_subsidy_create(
                actor=actor, data={"placement": placement, "month": days(-1), "amount": Decimal("1")}
            )


# --- evaluations --------------------------------------------------------------------------------------------
def _ending_placement():
    placement = running_placement()
    Placement.objects.filter(pk=placement.pk).update(end_date=days(3))
    placement.refresh_from_db()
    return placement


def test_evaluation_by_each_side_once_from_the_last_week():
    placement = _ending_placement()
    school = services.evaluation_create(
        actor=placement.school_mentor, placement=placement, side=MentorSide.SCHOOL, score=88, comment="良好"
    )
    services.evaluation_create(
        actor=placement.enterprise_mentor, placement=placement, side=MentorSide.ENTERPRISE, score=92
    )
    with pytest.raises(ValidationError):
        services.evaluation_create(
            actor=placement.school_mentor, placement=placement, side=MentorSide.SCHOOL, score=90
        )
    school = services.evaluation_update(actor=placement.school_mentor, instance=school, data={"score": 90})
    assert school.score == 90


def test_evaluation_by_the_wrong_side_or_too_early_or_out_of_range_refused():
    placement = _ending_placement()
    with pytest.raises(PermissionDenied):
        services.evaluation_create(
            actor=placement.school_mentor, placement=placement, side=MentorSide.ENTERPRISE, score=80
        )
    with pytest.raises(PermissionDenied):
        services.evaluation_create(
            actor=hr(placement.enterprise), placement=placement, side=MentorSide.ENTERPRISE, score=80
        )
    with pytest.raises(ValidationError):
        services.evaluation_create(
            actor=placement.school_mentor, placement=placement, side=MentorSide.SCHOOL, score=101
        )
    early = running_placement()
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(
            actor=early.school_mentor, placement=early, side=MentorSide.SCHOOL, score=80
        )
    assert "最后一周" in _message(exc)


def test_logs_counted_for_the_student_and_the_mentor():
    from xiaoqitong.cooperation.selectors.internships import (
        logs_awaiting_countersign,
        logs_to_write_this_week,
    )

    placement = running_placement()
    assert logs_to_write_this_week(placement.student.user) == 1
    InternshipLogFactory(placement=placement)
    assert logs_to_write_this_week(placement.student.user) == 0
    assert logs_awaiting_countersign(placement.enterprise_mentor).count() == 1
    assert logs_awaiting_countersign(mentor(placement.enterprise)).count() == 0
    assert InternshipLog.objects.count() == 1


def test_current_plan_factory_is_around_today():
    plan = CurrentPlanFactory()
    assert plan.period_start < today() < plan.period_end
