"""Factories of the dual-mentor assessment tests: plans (a school major's 2024 cohort with a partner
enterprise), a plan with its graders and class (:func:`dual_plan`), and enterprise-side closing evaluations
of an internship plan's placements."""

from dataclasses import dataclass

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.cooperation.choices import MentorSide, PlacementStatus
from xiaoqitong.cooperation.models import Evaluation, InternshipPlan
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import User
from xiaoqitong.quality.models import AssessmentPlan
from xiaoqitong.schools.models import Student

from ..cooperation.factories import InternshipPlanFactory, PlacementFactory
from ..orgs.factories import EnterpriseFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory, student_account

COHORT = 2024


class AssessmentPlanFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentPlan

    school_major = factory.SubFactory(SchoolMajorFactory)
    school = factory.SelfAttribute("school_major.school")
    cohort = COHORT
    course = factory.Sequence(lambda n: f"数控车削编程与加工{n}")
    term = "2025-2026 学年第二学期"
    enterprise = factory.SubFactory(EnterpriseFactory)
    theory_weight = 40
    practice_weight = 60
    pass_score = 60


@dataclass
class DualPlan:
    """A plan with one teacher (theory) and one technician (practice) named on it, and its class."""

    plan: AssessmentPlan
    teacher: User
    mentor: User
    students: list[Student]

    @property
    def admin(self) -> User:
        return user_with_role(Role.SCHOOL_ADMIN, school=self.plan.school)


def dual_plan(students: int = 3, **kwargs) -> DualPlan:
    plan = AssessmentPlanFactory(**kwargs)
    teacher = user_with_role(Role.TEACHER, school=plan.school)
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=plan.enterprise)
    plan.teachers.add(teacher)
    plan.mentors.add(mentor)
    pupils = [StudentFactory(school_major=plan.school_major) for _ in range(students)]
    return DualPlan(plan, teacher, mentor, pupils)


def student_user(student: Student) -> User:
    return student_account(student)


def internship_for(dual: DualPlan) -> InternshipPlan:
    """An internship plan of the assessment plan's class, linked to it."""
    internship = InternshipPlanFactory(school_major=dual.plan.school_major, cohort=dual.plan.cohort)
    AssessmentPlan.objects.filter(pk=dual.plan.pk).update(internship_plan=internship)
    dual.plan.internship_plan = internship
    return internship


def closing_evaluation(internship: InternshipPlan, student: Student, score: int, evaluator=None, **kwargs):
    """A completed placement of the student in the internship plan with its enterprise mentor's closing
    evaluation (and, for contrast, a school-side evaluation that must never be copied)."""
    placement = PlacementFactory(plan=internship, student=student, status=PlacementStatus.COMPLETED, **kwargs)
    evaluator = evaluator or user_with_role(Role.ENTERPRISE_MENTOR, enterprise=placement.enterprise)
    Evaluation.objects.create(
        placement=placement, side=MentorSide.SCHOOL, evaluator=None, score=max(score - 30, 0), comment="校方"
    )
    return Evaluation.objects.create(
        placement=placement, side=MentorSide.ENTERPRISE, evaluator=evaluator, score=score, comment="操作规范"
    )
