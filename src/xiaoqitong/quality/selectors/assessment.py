"""Reads of dual-mentor assessment: a plan's students (its school major and cohort), its grading grid (one
row per student: theory, practice, combined grade; three queries whatever the class size), a student's
grades with their history, and the plans a teacher or technician still has grades to give in."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from xiaoqitong.schools.models import Student

from ..choices import GradePart, PlanStatus
from ..models import AssessmentPlan, Grade, GradeRevision
from ..policies.assessment import PART_ROLE

ONE_PLACE = Decimal("0.1")
PLAN_RELATED = ("school", "school_major__major", "enterprise", "internship_plan")


def plan_students(plan: AssessmentPlan) -> QuerySet:
    """The plan's students: the students of its school major in its cohort (年级), by 学号."""
    return Student.objects.filter(school_major_id=plan.school_major_id, grade=plan.cohort).order_by(
        "student_no", "pk"
    )


def combined_score(plan: AssessmentPlan, theory, practice) -> Decimal | None:
    """theory × theory weight + practice × practice weight (÷ 100), one decimal, half up; ``None`` unless
    both parts are graded (a half-graded student has no combined grade yet)."""
    if theory is None or practice is None:
        return None
    total = Decimal(theory) * plan.theory_weight + Decimal(practice) * plan.practice_weight
    return (total / 100).quantize(ONE_PLACE, ROUND_HALF_UP)


def passed(plan: AssessmentPlan, combined: Decimal | None) -> bool | None:
    """Whether the combined grade reaches the plan's pass mark (``None`` without a combined grade)."""
    return None if combined is None else combined >= plan.pass_score


@dataclass
class GridRow:
    """One student's line of a plan's grid."""

    student: Student
    theory: Grade | None = None
    practice: Grade | None = None
    plan: AssessmentPlan | None = None

    @property
    def combined(self) -> Decimal | None:
        return combined_score(
            self.plan,
            self.theory.score if self.theory else None,
            self.practice.score if self.practice else None,
        )

    @property
    def passed(self) -> bool | None:
        return passed(self.plan, self.combined)

    @property
    def parts(self) -> list[tuple[str, Grade | None]]:
        """Both parts in the grid's order: ``[(theory, grade), (practice, grade)]``."""
        return [(GradePart.THEORY, self.theory), (GradePart.PRACTICE, self.practice)]


def grid(plan: AssessmentPlan) -> list[GridRow]:
    """One row per student of the plan, with both parts (and their graders) where given."""
    rows = {s.pk: GridRow(student=s, plan=plan) for s in plan_students(plan)}
    grades = Grade.objects.filter(plan=plan, student_id__in=list(rows)).select_related("grader")
    for grade in grades:
        row = rows[grade.student_id]
        if grade.part == GradePart.THEORY:
            row.theory = grade
        else:
            row.practice = grade
    return list(rows.values())


def grid_summary(rows: list[GridRow]) -> dict:
    """How far grading has come: each part's count, the combined grades and the passes."""
    combined = [row.combined for row in rows]
    return {
        "students": len(rows),
        "theory": sum(1 for row in rows if row.theory),
        "practice": sum(1 for row in rows if row.practice),
        "combined": sum(1 for value in combined if value is not None),
        "passed": sum(1 for row in rows if row.passed),
    }


# --- a student's grades -------------------------------------------------------------------------------------
@dataclass
class MyPlan:
    plan: AssessmentPlan
    student: Student
    theory: Grade | None = None
    practice: Grade | None = None
    grades: list[Grade] = field(default_factory=list)

    @property
    def combined(self) -> Decimal | None:
        return combined_score(
            self.plan,
            self.theory.score if self.theory else None,
            self.practice.score if self.practice else None,
        )

    @property
    def passed(self) -> bool | None:
        return passed(self.plan, self.combined)


def my_grades(user) -> list[MyPlan]:
    """The plans of the signed-in student's class, newest cohort and term first, each with both parts of
    their grade and every revision of each part (who gave which score when). Four queries."""
    students = list(Student.objects.filter(user_id=getattr(user, "pk", None)))
    if not students:
        return []
    out = []
    by_key = {(s.school_major_id, s.grade): s for s in students}
    plans = (
        AssessmentPlan.objects.restrict(user, "view")
        .filter(school_major_id__in=[s.school_major_id for s in students])
        .select_related(*PLAN_RELATED)
        .order_by("-cohort", "-term", "course")
    )
    plans = [p for p in plans if (p.school_major_id, p.cohort) in by_key]
    revisions = Prefetch(
        "revisions", queryset=GradeRevision.objects.select_related("grader").order_by("created_at", "pk")
    )
    grades = (
        Grade.objects.filter(plan__in=plans, student__in=students)
        .select_related("grader")
        .prefetch_related(revisions)
    )
    by_plan: dict[int, list[Grade]] = {}
    for grade in grades:
        by_plan.setdefault(grade.plan_id, []).append(grade)
    for plan in plans:
        row = MyPlan(plan=plan, student=by_key[(plan.school_major_id, plan.cohort)])
        for grade in sorted(by_plan.get(plan.pk, []), key=lambda g: g.part != GradePart.THEORY):
            row.grades.append(grade)
            setattr(row, grade.part, grade)
        out.append(row)
    return out


# --- to grade -----------------------------------------------------------------------------------------------
def user_part(user) -> str | None:
    """The part the user's role grades (R5): theory for teachers, practice for enterprise mentors."""
    role = getattr(user, "role", "")
    return next((part for part, part_role in PART_ROLE.items() if part_role == role), None)


def plans_to_grade(user) -> list[AssessmentPlan]:
    """The open plans that name the user as a grader of their role's part and still have students without
    that part's grade, each with ``students``, ``graded`` and ``missing`` counts. One query."""
    part = user_part(user)
    if part is None or getattr(user, "is_superuser", False):
        return []
    plans = AssessmentPlan.objects.filter(status=PlanStatus.OPEN)
    if part == GradePart.THEORY:
        plans = plans.filter(teachers=user, school_id=user.school_id)
    else:
        plans = plans.filter(mentors=user, enterprise_id=user.enterprise_id)
    students = (
        Student.objects.filter(school_major_id=OuterRef("school_major_id"), grade=OuterRef("cohort"))
        .order_by()
        .values("school_major_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    graded = (
        Grade.objects.filter(
            plan_id=OuterRef("pk"),
            part=part,
            student__school_major_id=OuterRef("school_major_id"),
            student__grade=OuterRef("cohort"),
        )
        .order_by()
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    plans = (
        plans.annotate(
            students=Coalesce(Subquery(students, output_field=IntegerField()), Value(0)),
            graded=Coalesce(Subquery(graded, output_field=IntegerField()), Value(0)),
        )
        .select_related(*PLAN_RELATED)
        .order_by("-cohort", "term", "course")
    )
    out = []
    for plan in plans:
        plan.missing = plan.students - plan.graded
        plan.part = part
        if plan.missing > 0:
            out.append(plan)
    return out
