"""The school imports' fast path (core.imports.BulkResource) keeps the core's behaviour: batches
of new rows, their links, skills and search text; updates with their audit record; natural keys written in
two ways; refusals in scope."""

import pytest
import tablib

from xiaoqitong.core import search
from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import SchoolMajor, Student
from xiaoqitong.schools.resources import StudentResource

from ..orgs.factories import SchoolFactory, UserFactory, user_with_role
from .factories import SchoolMajorFactory
from .test_pipl import student_row

pytestmark = pytest.mark.django_db


def run(model, rows, actor, dry_run=False):
    resource = resource_for(model)()
    resource.actor = actor
    data = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        data.append(list(row.values()))
    return run_import(resource, data, dry_run=dry_run)


def test_new_rows_in_several_batches(monkeypatch):
    monkeypatch.setattr(StudentResource, "FLUSH_EVERY", 2)
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    rows = [
        student_row(
            school_major.school,
            学号=f"N{i}",
            技能="机械制图:精通、CAD绘图" if i % 2 else "",
            意向产业链="装备制造、新材料" if i % 3 else "",
            意向工作地="北湖区" if i % 2 else "",
            意向岗位类型="全职、实习",
        )
        for i in range(5)
    ]
    errors, totals = run(Student, rows, admin)
    assert errors == [] and totals == {"new": 5, "update": 0, "skip": 0}
    for i, student in enumerate(Student.objects.order_by("student_no")):
        assert student.student_no == f"N{i}"
        skills = sorted((s.skill.name, s.level) for s in student.skill_levels.all())
        assert skills == ([("CAD绘图", "proficient"), ("机械制图", "expert")] if i % 2 else [])
        assert student.preferred_chains.count() == (2 if i % 3 else 0)
        assert student.preferred_position_types == ["full_time", "internship"]
        # The text indexed before the row and its links existed is the text of the stored row.
        assert student.search_text == search.search_text_for(student)
        entry = AuditLog.objects.get(verb="student_import", object_id=str(student.pk))
        assert entry.actor == admin and entry.changes["name"] == [None, student.name]
        assert ("skills" in entry.changes) is bool(i % 2)
        assert ("preferred_chains" in entry.changes) is bool(i % 3)
    # The same file again: nothing changes.
    errors, totals = run(Student, rows, admin)
    assert errors == [] and totals == {"new": 0, "update": 0, "skip": 5}


def test_changed_rows_are_updated_and_audited():
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    row = student_row(school_major.school, 技能="机械制图:熟练", 意向产业链="装备制造")
    run(Student, [row], admin)
    student = Student.objects.get()
    changed = row | {"姓名": "钟一改", "技能": "机械制图:精通、三维建模", "意向产业链": "新材料"}
    errors, totals = run(Student, [changed], admin)
    assert errors == [] and totals == {"new": 0, "update": 1, "skip": 0}
    student.refresh_from_db()
    assert student.name == "钟一改"
    assert sorted((s.skill.name, s.level) for s in student.skill_levels.all()) == [
        ("三维建模", "proficient"),
        ("机械制图", "expert"),
    ]
    assert [c.name for c in student.preferred_chains.all()] == ["新材料"]
    assert student.search_text == search.search_text_for(student)
    entry = AuditLog.objects.filter(verb="student_import", object_id=str(student.pk)).order_by("id").last()
    assert entry.changes["name"] == ["钟一", "钟一改"]
    assert entry.changes["skills"] == [
        [["机械制图", "proficient"]],
        [["三维建模", "proficient"], ["机械制图", "expert"]],
    ]
    assert "preferred_chains" in entry.changes and "grade" not in entry.changes


def test_a_natural_key_written_two_ways_is_a_duplicate():
    school = SchoolFactory(school_type="associate")
    row = {
        "学校代码": school.code,
        "专业代码": "520101",
        "年度": "2024",
        "学制": "三年制",
        "招生计划": "",
        "实际招生": "",
        "在校生数": "",
        "预计毕业生数": "",
        "实际毕业生数": "",
        "省级高水平专业（群）": "",
        "优质专业（群）": "",
        "对接产业链": "",
    }
    errors, _totals = run(SchoolMajor, [row, row | {"专业代码": "520101K"}], UserFactory(is_superuser=True))
    assert errors == [{"row": 3, "column": "年度", "message": "与第 2 行重复"}]
    assert not SchoolMajor.objects.exists()


def test_rows_of_another_school_are_refused_after_the_batch():
    school_major = SchoolMajorFactory(year=2024)
    other = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    rows = [
        student_row(school_major.school, 学号="A1"),
        student_row(other.school, 学号="B1"),
        student_row(school_major.school, 学号="A2"),
    ]
    errors, _totals = run(Student, rows, admin)
    assert errors == [{"row": 3, "column": "", "message": "您无权导入或修改此记录。"}]
    assert not Student.objects.exists()
    assert not AuditLog.objects.filter(verb="student_import").exists()


def test_a_dry_run_writes_nothing():
    school_major = SchoolMajorFactory(year=2024)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    errors, totals = run(Student, [student_row(school_major.school, 技能="机械制图")], admin, dry_run=True)
    assert errors == [] and totals["new"] == 1
    assert not Student.objects.exists() and not AuditLog.objects.filter(verb="student_import").exists()
