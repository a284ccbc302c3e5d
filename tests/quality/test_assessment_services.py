"""The services of dual-mentor assessment (R5): plans and their graders, ``grade_set`` with every refusal,
the history, the combined grade, closing, the grade import and the copy of internship evaluations."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import audit_count, csv_upload
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import GradePart, GradeSource, PlanStatus
from xiaoqitong.quality.models import AssessmentPlan, Grade, GradeRevision
from xiaoqitong.quality.selectors import assessment as selectors
from xiaoqitong.quality.services import assessment as services

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories_assessment import (
    AssessmentPlanFactory,
    closing_evaluation,
    dual_plan,
    internship_for,
)

pytestmark = pytest.mark.django_db
THEORY, PRACTICE = GradePart.THEORY, GradePart.PRACTICE
R5_WORDS = "理论教学由专业教师考核、实践操作由职业技师考核（R5）"


def give(dual, part, score, student=None, actor=None, comment=""):
    actor = actor or (dual.teacher if part == THEORY else dual.mentor)
    return services.grade_set(
        actor=actor,
        plan=dual.plan,
        student=student or dual.students[0],
        part=part,
        score=score,
        comment=comment,
    )


# --- grade_set: success, history, audit ---------------------------------------------------------------------
def test_a_teacher_gives_theory_with_a_revision_and_an_audit_record():
    dual = dual_plan()
    grade = give(dual, THEORY, "85.5", comment="概念清楚")
    assert (grade.part, grade.score, grade.grader, grade.source) == (
        THEORY,
        Decimal("85.5"),
        dual.teacher,
        "manual",
    )
    assert list(grade.revisions.values_list("score", "grader", "comment")) == [
        (Decimal("85.5"), dual.teacher.pk, "概念清楚")
    ]
    entry = AuditLog.objects.get(verb="grade_set", object_id=str(grade.pk))
    assert entry.action == "create" and entry.actor == dual.teacher


def test_a_technician_gives_practice():
    dual = dual_plan()
    grade = give(dual, PRACTICE, 92)
    assert (grade.part, grade.score, grade.grader) == (PRACTICE, Decimal("92"), dual.mentor)


def test_the_same_score_again_changes_nothing_and_a_new_one_is_kept_in_the_history():
    dual = dual_plan()
    grade = give(dual, THEORY, 80, comment="良好")
    give(dual, THEORY, "80.0", comment="良好")
    assert GradeRevision.objects.filter(grade=grade).count() == 1
    assert audit_count(Grade, grade.pk) == 1
    give(dual, THEORY, 86, comment="良好")
    grade.refresh_from_db()
    assert grade.score == 86
    assert [r.score for r in grade.revisions.all()] == [Decimal("80"), Decimal("86")]
    update = AuditLog.objects.get(verb="grade_set", object_id=str(grade.pk), action="update")
    assert update.changes["score"] == ["80.0", "86.0"]


# --- grade_set: every refusal -------------------------------------------------------------------------------
def test_a_teacher_may_not_grade_practice():
    dual = dual_plan()
    with pytest.raises(PermissionDenied) as exc:
        give(dual, PRACTICE, 90, actor=dual.teacher)
    assert R5_WORDS in str(exc.value) and "实践操作" in str(exc.value)
    assert not Grade.objects.exists()


def test_a_technician_may_not_grade_theory():
    dual = dual_plan()
    with pytest.raises(PermissionDenied) as exc:
        give(dual, THEORY, 90, actor=dual.mentor)
    assert R5_WORDS in str(exc.value) and "理论教学" in str(exc.value)
    assert not Grade.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["other_school_teacher", "unnamed_teacher", "school_admin", "hr", "other_mentor", "superuser", "student"],
)
def test_nobody_else_grades_either_part(who):
    dual = dual_plan()
    plan = dual.plan
    actor = {
        "other_school_teacher": lambda: user_with_role(Role.TEACHER, school=SchoolFactory()),
        "unnamed_teacher": lambda: user_with_role(Role.TEACHER, school=plan.school),
        "school_admin": lambda: user_with_role(Role.SCHOOL_ADMIN, school=plan.school),
        "hr": lambda: user_with_role(Role.ENTERPRISE_HR, enterprise=plan.enterprise),
        "other_mentor": lambda: user_with_role(Role.ENTERPRISE_MENTOR, enterprise=EnterpriseFactory()),
        "superuser": lambda: user_with_role(Role.PLATFORM_ADMIN),
        "student": lambda: user_with_role(Role.STUDENT, school=plan.school),
    }[who]()
    if who == "other_school_teacher":
        plan.teachers.add(actor)  # named on the plan, but a teacher of another school
    for part in (THEORY, PRACTICE):
        with pytest.raises(PermissionDenied, match="R5"):
            give(dual, part, 70, actor=actor)
    assert not Grade.objects.exists()


def test_refused_on_a_closed_plan():
    dual = dual_plan()
    AssessmentPlan.objects.filter(pk=dual.plan.pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(ValidationError, match="已结束"):
        give(dual, THEORY, 80)
    assert not Grade.objects.exists()


@pytest.mark.parametrize("outsider", ["other_cohort", "other_major", "other_school"])
def test_refused_for_a_student_outside_the_plan(outsider):
    dual = dual_plan()
    plan = dual.plan
    student = {
        "other_cohort": lambda: StudentFactory(school_major=plan.school_major, grade=2023),
        "other_major": lambda: StudentFactory(school_major=SchoolMajorFactory(school=plan.school, year=2023)),
        "other_school": lambda: StudentFactory(),
    }[outsider]()
    with pytest.raises(ValidationError, match="不在本计划的考核范围内"):
        give(dual, THEORY, 80, student=student)


@pytest.mark.parametrize("score", ["-1", "100.5", "abc", "85.55", "", "NaN"])
def test_refused_for_a_score_outside_0_to_100(score):
    dual = dual_plan()
    with pytest.raises(ValidationError) as exc:
        give(dual, THEORY, score)
    assert "成绩" in " ".join(exc.value.messages)
    assert not Grade.objects.exists()


def test_the_edges_0_and_100_are_scores():
    dual = dual_plan()
    assert give(dual, THEORY, 0).score == 0
    assert give(dual, PRACTICE, 100).score == 100


def test_refused_for_an_unknown_part():
    dual = dual_plan()
    with pytest.raises(ValidationError, match="考核部分"):
        give(dual, "both", 80)


# --- combined grade -----------------------------------------------------------------------------------------
def test_the_combined_grade_weighs_both_parts_and_needs_both():
    dual = dual_plan(students=2)  # theory 40%, practice 60%
    first, second = dual.students
    give(dual, THEORY, 80, student=first)
    give(dual, PRACTICE, 90, student=first)
    give(dual, THEORY, 95, student=second)
    rows = {row.student.pk: row for row in selectors.grid(dual.plan)}
    assert rows[first.pk].combined == Decimal("86.0") and rows[first.pk].passed is True
    assert rows[second.pk].combined is None and rows[second.pk].passed is None
    assert selectors.combined_score(dual.plan, Decimal("50"), Decimal("60")) == Decimal("56.0")
    assert selectors.passed(dual.plan, Decimal("59.9")) is False
    assert selectors.grid_summary(list(rows.values())) == {
        "students": 2,
        "theory": 2,
        "practice": 1,
        "combined": 1,
        "passed": 1,
    }


def test_the_combined_grade_rounds_half_up_to_one_decimal():
    plan = AssessmentPlanFactory(theory_weight=33, practice_weight=67)
    # 81.5 × 33 + 70 × 67 = 7379.5 → 73.795 → 73.8
    assert selectors.combined_score(plan, Decimal("81.5"), Decimal("70")) == Decimal("73.8")


# --- plans --------------------------------------------------------------------------------------------------
def plan_data(school_major, enterprise, **extra):
    return {
        "school_major": school_major,
        "cohort": 2024,
        "course": "机械制图",
        "term": "2025-2026 学年第一学期",
        "enterprise": enterprise,
        "theory_weight": 50,
        "practice_weight": 50,
        "pass_score": 60,
        **extra,
    }


def test_a_school_admin_creates_a_plan_of_their_school_with_its_graders():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school)
    enterprise = EnterpriseFactory()
    teacher = user_with_role(Role.TEACHER, school=admin.school)
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise)
    plan = services.assessment_plan_create(
        actor=admin, data=plan_data(major, enterprise, teachers=[teacher], mentors=[mentor])
    )
    assert plan.school == admin.school
    assert list(plan.teachers.all()) == [teacher] and list(plan.mentors.all()) == [mentor]
    assert AuditLog.objects.filter(verb="assessment_plan_create", object_id=str(plan.pk)).count() == 1


def test_graders_must_be_the_schools_teachers_and_the_enterprises_technicians():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school)
    enterprise = EnterpriseFactory()
    other_teacher = user_with_role(Role.TEACHER, school=SchoolFactory())
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise)
    other_mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=EnterpriseFactory())
    with pytest.raises(ValidationError) as exc:
        services.assessment_plan_create(
            actor=admin,
            data=plan_data(major, enterprise, teachers=[other_teacher], mentors=[hr, other_mentor]),
        )
    errors = exc.value.message_dict
    assert other_teacher.username in errors["teachers"][0] and "R5" in errors["teachers"][0]
    assert hr.username in errors["mentors"][0] and other_mentor.username in errors["mentors"][0]
    mentor_as_teacher = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise)
    with pytest.raises(ValidationError, match="不是"):
        services.assessment_plan_create(
            actor=admin, data=plan_data(major, enterprise, teachers=[mentor_as_teacher])
        )
    assert not AssessmentPlan.objects.exists()


def test_plan_refusals_weights_other_school_and_roles():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school)
    enterprise = EnterpriseFactory()
    with pytest.raises(ValidationError, match="100%"):
        services.assessment_plan_create(
            actor=admin, data=plan_data(major, enterprise, theory_weight=50, practice_weight=40)
        )
    with pytest.raises(ValidationError, match="本校专业"):
        services.assessment_plan_create(actor=admin, data=plan_data(SchoolMajorFactory(), enterprise))
    with pytest.raises(PermissionDenied):
        services.assessment_plan_create(
            actor=admin, data=plan_data(SchoolMajorFactory(), enterprise, school=SchoolFactory())
        )
    teacher = user_with_role(Role.TEACHER, school=admin.school)
    with pytest.raises(PermissionDenied, match="学校管理员"):
        services.assessment_plan_create(actor=teacher, data=plan_data(major, enterprise))
    other_internship = internship_for(dual_plan())
    with pytest.raises(ValidationError, match="本校的实习计划"):
        services.assessment_plan_create(
            actor=admin, data=plan_data(major, enterprise, internship_plan=other_internship)
        )


def test_a_graded_plan_keeps_its_class_and_is_not_deleted():
    dual = dual_plan()
    give(dual, THEORY, 70)
    admin = dual.admin
    with pytest.raises(ValidationError, match="不能再改专业或年级"):
        services.assessment_plan_update(actor=admin, instance=dual.plan, data={"cohort": 2023})
    plan = services.assessment_plan_update(actor=admin, instance=dual.plan, data={"course": "数控编程（二）"})
    assert plan.course == "数控编程（二）"
    with pytest.raises(ValidationError, match="已有 1 条成绩"):
        services.assessment_plan_delete(actor=admin, instance=dual.plan)
    other_admin = user_with_role(Role.SCHOOL_ADMIN)
    with pytest.raises(PermissionDenied):
        services.assessment_plan_update(actor=other_admin, instance=dual.plan, data={"course": "x"})


def test_changing_the_enterprise_checks_the_technicians_again():
    dual = dual_plan()
    with pytest.raises(ValidationError) as exc:
        services.assessment_plan_update(
            actor=dual.admin, instance=dual.plan, data={"enterprise": EnterpriseFactory()}
        )
    assert dual.mentor.username in exc.value.message_dict["mentors"][0]


def test_an_ungraded_plan_is_deleted():
    dual = dual_plan()
    services.assessment_plan_delete(actor=dual.admin, instance=dual.plan)
    assert not AssessmentPlan.objects.exists()


def test_close_and_reopen_by_the_school_admin_only():
    dual = dual_plan()
    with pytest.raises(PermissionDenied):
        services.plan_close(actor=dual.teacher, plan=dual.plan)
    with pytest.raises(PermissionDenied):
        services.plan_close(actor=user_with_role(Role.SCHOOL_ADMIN), plan=dual.plan)
    plan = services.plan_close(actor=dual.admin, plan=dual.plan)
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(ValidationError, match="已是"):
        services.plan_close(actor=dual.admin, plan=plan)
    with pytest.raises(ValidationError, match="已结束"):
        give(dual, THEORY, 80)
    plan = services.plan_reopen(actor=dual.admin, plan=plan)
    assert plan.status == PlanStatus.OPEN
    assert give(dual, THEORY, 80).score == 80
    assert list(
        AuditLog.objects.filter(object_id=str(plan.pk), verb__startswith="plan_")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["plan_close", "plan_reopen"]


# --- grades from internships --------------------------------------------------------------------------------
def test_internship_evaluations_feed_the_practice_part_without_overwriting_a_technicians_grade():
    dual = dual_plan(students=4)
    internship = internship_for(dual)
    first, second, third, fourth = dual.students
    closing_evaluation(internship, first, 88)
    evaluation = closing_evaluation(internship, second, 75)
    closing_evaluation(internship, third, 66)
    give(dual, PRACTICE, 91, student=third)  # graded by hand: kept
    counts = services.grades_from_internships(actor=dual.mentor, plan=dual.plan)
    assert counts == {"set": 2, "unchanged": 0, "skipped": 1, "without_evaluation": 1}
    grades = {g.student_id: g for g in Grade.objects.filter(plan=dual.plan, part=PRACTICE)}
    assert grades[first.pk].score == 88 and grades[first.pk].source == GradeSource.INTERNSHIP
    assert grades[second.pk].grader == evaluation.evaluator and grades[second.pk].comment == "操作规范"
    assert grades[third.pk].score == 91 and grades[third.pk].source == GradeSource.MANUAL
    assert fourth.pk not in grades
    assert not Grade.objects.filter(part=THEORY).exists()  # the school side never feeds a grade
    # Again: nothing changes; a changed evaluation is copied again.
    again = services.grades_from_internships(actor=dual.admin, plan=dual.plan)
    assert again == {"set": 0, "unchanged": 2, "skipped": 1, "without_evaluation": 1}
    evaluation.score = 79
    evaluation.save()
    assert services.grades_from_internships(actor=dual.admin, plan=dual.plan)["set"] == 1
    assert AuditLog.objects.filter(verb="grades_from_internships").count() == 3


def test_grades_from_internships_refusals():
    dual = dual_plan()
    with pytest.raises(ValidationError, match="没有关联实习计划"):
        services.grades_from_internships(actor=dual.mentor, plan=dual.plan)
    internship_for(dual)
    for actor in (dual.teacher, user_with_role(Role.ENTERPRISE_HR, enterprise=dual.plan.enterprise)):
        with pytest.raises(PermissionDenied):
            services.grades_from_internships(actor=actor, plan=dual.plan)
    AssessmentPlan.objects.filter(pk=dual.plan.pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(ValidationError, match="已结束"):
        services.grades_from_internships(actor=dual.mentor, plan=dual.plan)


# --- grade import -------------------------------------------------------------------------------------------
def rows_for(students, scores):
    return [
        {"学号": s.student_no, "成绩": str(score), "评语": "认真"}
        for s, score in zip(students, scores, strict=True)
    ]


def test_a_teacher_imports_theory_all_at_once_and_the_same_file_again_changes_nothing():
    dual = dual_plan()
    rows = rows_for(dual.students, [81, "77.5", 90])
    counts = services.grades_import(actor=dual.teacher, plan=dual.plan, upload=csv_upload(rows))
    assert counts == {"set": 3, "unchanged": 0}
    grades = Grade.objects.filter(plan=dual.plan)
    assert {(g.part, g.source, g.grader_id) for g in grades} == {
        (THEORY, GradeSource.IMPORT, dual.teacher.pk)
    }
    assert sorted(g.score for g in grades) == [Decimal("77.5"), Decimal("81"), Decimal("90")]
    counts = services.grades_import(
        actor=dual.teacher, plan=dual.plan, upload=csv_upload(rows, encoding="gb18030")
    )
    assert counts == {"set": 0, "unchanged": 3}
    assert GradeRevision.objects.count() == 3


def test_a_technicians_import_sets_practice():
    dual = dual_plan(students=1)
    services.grades_import(
        actor=dual.mentor, plan=dual.plan, upload=csv_upload(rows_for(dual.students, [66]))
    )
    assert Grade.objects.get().part == PRACTICE


def test_an_import_reports_every_bad_row_and_saves_nothing():
    dual = dual_plan()
    outsider = StudentFactory()
    first, second, third = dual.students
    rows = [
        {"学号": first.student_no, "成绩": "80", "评语": ""},
        {"学号": outsider.student_no, "成绩": "80", "评语": ""},
        {"学号": second.student_no, "成绩": "120", "评语": ""},
        {"学号": first.student_no, "成绩": "70", "评语": ""},
        {"学号": third.student_no, "成绩": "", "评语": ""},
        {"学号": "", "成绩": "60", "评语": ""},
    ]
    with pytest.raises(ValidationError) as exc:
        services.grades_import(actor=dual.teacher, plan=dual.plan, upload=csv_upload(rows))
    messages = exc.value.messages
    assert len(messages) == 5, messages
    assert any("第 3 行" in m and outsider.student_no in m for m in messages)
    assert any("第 4 行" in m and "0 到 100" in m for m in messages)
    assert any("第 5 行" in m and "与第 2 行重复" in m for m in messages)
    assert any("第 6 行" in m and "请填写成绩" in m for m in messages)
    assert any("第 7 行" in m and "请填写学号" in m for m in messages)
    assert not Grade.objects.exists()


def test_import_refusals_columns_file_type_and_who():
    dual = dual_plan()
    with pytest.raises(ValidationError, match="缺少列"):
        services.grades_import(
            actor=dual.teacher, plan=dual.plan, upload=csv_upload([{"学号": "1", "分数": "2"}])
        )
    with pytest.raises(ValidationError):
        services.grades_import(
            actor=dual.teacher,
            plan=dual.plan,
            upload=SimpleUploadedFile("a.txt", b"x", content_type="text/plain"),
        )
    for actor in (dual.admin, user_with_role(Role.TEACHER, school=dual.plan.school)):
        with pytest.raises(PermissionDenied, match="R5"):
            services.grades_import(
                actor=actor, plan=dual.plan, upload=csv_upload(rows_for(dual.students[:1], [80]))
            )
    AssessmentPlan.objects.filter(pk=dual.plan.pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(ValidationError, match="已结束"):
        services.grades_import(
            actor=dual.teacher, plan=dual.plan, upload=csv_upload(rows_for(dual.students[:1], [80]))
        )


def test_an_xlsx_grade_file_is_read():
    import tablib

    dual = dual_plan(students=2)
    data = tablib.Dataset(headers=["学号", "成绩", "评语"])
    for student in dual.students:
        data.append([student.student_no, 75, "良"])
    upload = SimpleUploadedFile("grades.xlsx", data.export("xlsx"))
    assert services.grades_import(actor=dual.mentor, plan=dual.plan, upload=upload) == {
        "set": 2,
        "unchanged": 0,
    }


# --- to grade -----------------------------------------------------------------------------------------------
def test_plans_to_grade_lists_open_plans_with_students_missing_the_users_part():
    dual = dual_plan(students=2)
    other = dual_plan(students=1)
    assert [p.pk for p in selectors.plans_to_grade(dual.teacher)] == [dual.plan.pk]
    give(dual, THEORY, 80, student=dual.students[0])
    plan = selectors.plans_to_grade(dual.teacher)[0]
    assert (plan.students, plan.graded, plan.missing) == (2, 1, 1)
    give(dual, THEORY, 80, student=dual.students[1])
    assert selectors.plans_to_grade(dual.teacher) == []
    assert [p.pk for p in selectors.plans_to_grade(dual.mentor)] == [dual.plan.pk]  # practice still to give
    services.plan_close(actor=dual.admin, plan=dual.plan)
    assert selectors.plans_to_grade(dual.mentor) == []
    assert [p.pk for p in selectors.plans_to_grade(other.mentor)] == [other.plan.pk]
    assert selectors.plans_to_grade(dual.admin) == []
