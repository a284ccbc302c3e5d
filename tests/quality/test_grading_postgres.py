"""Grading at the same moment (PostgreSQL, parallel API requests, each in its own thread and connection):
``grade_set`` locks the plan's row and then the grade's, so grades of one plan are written one after the
other. No part is lost when the teacher and the technician grade a student at once, two teachers giving the
same student's theory grade at once both land (one row, a revision and an audit record each), and each audit
record's "before" is the grade its predecessor left (no change is based on a stale read)."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import GradePart
from xiaoqitong.quality.models import Grade, GradeRevision
from xiaoqitong.quality.selectors import assessment as selectors

from ..concurrency import committed_catalogs, parallel
from ..orgs.factories import user_with_role
from .factories_assessment import dual_plan

GRADES = "/api/v1/quality/grades/"
THEORY, PRACTICE = GradePart.THEORY, GradePart.PRACTICE


@pytest.fixture
def _catalogs_and_rules(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


def _give(user, plan, student, part, score):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        payload = {"plan": plan.pk, "student_no": student.student_no, "part": part, "score": str(score)}
        response = client.post(GRADES, payload, format="json")
        return response.status_code, response.data

    return call


def _more_teachers(dual, count: int) -> list:
    teachers = [dual.teacher]
    for _ in range(count - 1):
        teacher = user_with_role(Role.TEACHER, school=dual.plan.school)
        dual.plan.teachers.add(teacher)
        teachers.append(teacher)
    return teachers


def _audit_chain(grade: Grade) -> list[tuple]:
    """(score before, score after) of each audit record of the grade, oldest first."""
    entries = AuditLog.objects.filter(verb="grade_set", object_id=str(grade.pk)).order_by("pk")
    return [tuple(entry.changes.get("score", [None, None])) for entry in entries]


def _assert_chained(grade: Grade, revisions: int) -> None:
    chain = _audit_chain(grade)
    assert len(chain) == revisions, chain
    assert chain[0][0] is None  # the first record creates the grade
    for previous, current in itertools.pairwise(chain):
        assert Decimal(str(current[0])) == Decimal(str(previous[1])), (
            f"a change based on a stale read: {chain}"
        )
    assert Decimal(str(chain[-1][1])) == grade.score
    assert grade.revisions.order_by("pk").last().score == grade.score


@pytest.mark.postgres
def test_teacher_and_technician_grade_the_same_students_at_once(_catalogs_and_rules, transactional_db):
    assert connection.vendor == "postgresql"
    dual = dual_plan(students=4, theory_weight=40, practice_weight=60)
    calls = []
    for i, student in enumerate(dual.students):
        calls.append(_give(dual.teacher, dual.plan, student, THEORY, 70 + i))
        calls.append(_give(dual.mentor, dual.plan, student, PRACTICE, 90 - i))
    results = parallel(calls)
    assert [code for code, _data in results] == [201] * len(calls), results

    rows = {row.student.pk: row for row in selectors.grid(dual.plan)}
    for i, student in enumerate(dual.students):
        row = rows[student.pk]
        assert (row.theory.score, row.practice.score) == (Decimal(70 + i), Decimal(90 - i))
        assert row.combined == Decimal(70 + i) * Decimal("0.4") + Decimal(90 - i) * Decimal("0.6")
    assert Grade.objects.filter(plan=dual.plan).count() == 8
    assert GradeRevision.objects.filter(grade__plan=dual.plan).count() == 8


@pytest.mark.postgres
def test_two_teachers_giving_a_first_grade_at_once_both_land(_catalogs_and_rules, transactional_db):
    dual = dual_plan(students=3)
    teachers = _more_teachers(dual, 2)
    calls = [
        _give(teacher, dual.plan, student, THEORY, score)
        for student in dual.students
        for teacher, score in zip(teachers, (66, 88), strict=True)
    ]
    results = parallel(calls)
    assert [code for code, _data in results] == [201] * len(calls), results
    for student in dual.students:
        grade = Grade.objects.get(plan=dual.plan, student=student, part=THEORY)
        assert sorted(grade.revisions.values_list("score", flat=True)) == [Decimal(66), Decimal(88)]
        assert set(grade.revisions.values_list("grader", flat=True)) == {t.pk for t in teachers}
        _assert_chained(grade, 2)


@pytest.mark.postgres
def test_teachers_changing_one_grade_at_once_lose_no_change(_catalogs_and_rules, transactional_db):
    dual = dual_plan(students=1)
    student = dual.students[0]
    teachers = _more_teachers(dual, 4)
    assert parallel([_give(dual.teacher, dual.plan, student, THEORY, 60)])[0][0] == 201
    scores = [71, 72, 73, 74]
    results = parallel(
        [_give(t, dual.plan, student, THEORY, s) for t, s in zip(teachers, scores, strict=True)]
    )
    assert [code for code, _data in results] == [201] * 4, results
    grade = Grade.objects.get(plan=dual.plan, student=student, part=THEORY)
    assert sorted(grade.revisions.values_list("score", flat=True)) == [Decimal(s) for s in (60, *scores)]
    _assert_chained(grade, 5)
