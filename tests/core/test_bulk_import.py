"""core.imports.BulkResource: the batched import keeps the row-by-row import's behaviour — refusals in the
importer's scope for new and for changed rows, duplicate keys, bad key cells named by their column, one
audit record per written row — and its writers (``insert_instances``, ``insert_rows``) do what
``bulk_create`` does."""

import datetime as dt

import pytest
import tablib

from xiaoqitong.core import audit
from xiaoqitong.core.imports import (
    BulkResource,
    CodeWidget,
    IntegerWidget,
    insert_instances,
    insert_rows,
    new_row_changes,
    resource_for,
    run_import,
)
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School, SchoolEnrolment
from xiaoqitong.schools.models import Student

from ..orgs.factories import SchoolEnrolmentFactory, SchoolFactory, UserFactory, county, user_with_role
from ..schools.factories import StudentFactory

pytestmark = pytest.mark.django_db
HEADERS = ["学校代码", "年度", "全日制在校生数"]
REFUSED = "您无权导入或修改此记录。"


class EnrolmentBulkResource(BulkResource):
    """The enrolment format (orgs.resources.SchoolEnrolmentResource) on the batched path."""

    school = BulkResource.column("school", "学校代码", CodeWidget(School, label="学校"))
    year = BulkResource.column("year", "年度", IntegerWidget())
    full_time_students = BulkResource.column("full_time_students", "全日制在校生数", IntegerWidget())

    class Meta(BulkResource.Meta):
        model = SchoolEnrolment
        import_id_fields = ("school", "year")
        fields = ("school", "year", "full_time_students")


def run(rows, actor, resource_class=EnrolmentBulkResource, dry_run=False):
    resource = resource_class()
    resource.actor = actor
    data = tablib.Dataset(*rows, headers=HEADERS)
    return run_import(resource, data, dry_run=dry_run)


def audited():
    return AuditLog.objects.filter(verb="schoolenrolment_import")


@pytest.fixture
def admin():
    county()
    return user_with_role(Role.SCHOOL_ADMIN)


def test_new_rows_are_written_in_batches_audited_and_a_second_import_changes_nothing(admin, monkeypatch):
    monkeypatch.setattr(EnrolmentBulkResource, "FLUSH_EVERY", 2)
    rows = [[admin.school.code, str(2020 + i), str(100 + i)] for i in range(5)]
    errors, totals = run(rows, admin)
    assert errors == [] and totals == {"new": 5, "update": 0, "skip": 0}
    stored = list(SchoolEnrolment.objects.filter(school=admin.school).order_by("year"))
    assert [(e.year, e.full_time_students) for e in stored] == [(2020 + i, 100 + i) for i in range(5)]
    assert all(e.created_at is not None and e.updated_at is not None for e in stored)
    for enrolment in stored:
        entry = audited().get(object_id=str(enrolment.pk))
        assert entry.actor == admin and entry.action == "import"
        assert entry.changes == audit.diff({}, audit.snapshot(enrolment))
        assert entry.object_repr == str(enrolment)
    errors, totals = run(rows, admin)
    assert errors == [] and totals == {"new": 0, "update": 0, "skip": 5}
    assert audited().count() == 5


def test_a_changed_row_is_saved_and_audited_with_its_changes(admin):
    row = SchoolEnrolmentFactory(school=admin.school, year=2023, full_time_students=100)
    errors, totals = run([[admin.school.code, "2023", "250"]], admin)
    assert errors == [] and totals == {"new": 0, "update": 1, "skip": 0}
    row.refresh_from_db()
    assert row.full_time_students == 250
    assert audited().get(object_id=str(row.pk)).changes == {"full_time_students": [100, 250]}


def test_a_new_row_outside_the_scope_fails_the_file_named_by_its_row(admin):
    other = SchoolFactory()
    rows = [[admin.school.code, "2024", "900"], [other.code, "2024", "999"], [admin.school.code, "2025", "1"]]
    errors, _totals = run(rows, admin)
    assert errors == [{"row": 3, "column": "", "message": REFUSED}]
    assert not SchoolEnrolment.objects.exists()  # all or nothing
    assert not audited().exists()


def test_a_changed_row_outside_the_scope_is_refused_alone_and_left_as_it_was(admin):
    other = SchoolEnrolmentFactory(year=2023, full_time_students=100)
    earlier = SchoolEnrolmentFactory(school=other.school, year=2022, full_time_students=90)
    rows = [
        [admin.school.code, "2024", "900"],
        [other.school.code, "2023", "999"],  # another school's stored row
        [other.school.code, "2022", "很多"],  # another, with a bad cell: only the refusal is said
    ]
    errors, _totals = run(rows, admin)
    assert errors == [
        {"row": 3, "column": "", "message": REFUSED},
        {"row": 4, "column": "", "message": REFUSED},
    ]
    other.refresh_from_db()
    earlier.refresh_from_db()
    assert (other.full_time_students, earlier.full_time_students) == (100, 90)
    assert not SchoolEnrolment.objects.filter(school=admin.school).exists()
    assert not audited().exists()


def test_a_key_written_twice_in_the_file_is_a_duplicate(admin):
    # 2024 and 2024.0 are one year: check_file's comparison of the texts cannot see it, the keys' can.
    rows = [[admin.school.code, "2024", "1"], [admin.school.code, "2024.0", "2"]]
    errors, _totals = run(rows, admin)
    assert errors == [{"row": 3, "column": "年度", "message": "与第 2 行重复"}]
    assert not SchoolEnrolment.objects.exists()


def test_the_same_key_twice_is_refused_before_any_row_is_read(admin):
    rows = [[admin.school.code, "2024", "1"], [admin.school.code, "2024", "2"]]
    errors, _totals = run(rows, admin)
    assert errors == [{"row": 3, "column": "学校代码、年度", "message": "与第 2 行重复"}]


@pytest.mark.parametrize("resource_class", [EnrolmentBulkResource, resource_for(SchoolEnrolment)])
def test_a_bad_key_cell_is_named_by_its_column(admin, resource_class):
    """On both paths: the unknown code leaves the row new, and reading the row names the cell."""
    rows = [
        [admin.school.code, "2024", "1"],
        ["4143999999", "2024", "2"],
        [admin.school.code, "二〇二四", "3"],
    ]
    errors, _totals = run(rows, UserFactory(is_superuser=True), resource_class=resource_class)
    assert errors == [
        {"row": 3, "column": "学校代码", "message": "找不到代码为“4143999999”的学校"},
        {"row": 4, "column": "年度", "message": "“二〇二四”不是整数"},
    ]
    assert not SchoolEnrolment.objects.exists()


def test_a_dry_run_writes_nothing(admin):
    errors, totals = run([[admin.school.code, "2024", "1"]], admin, dry_run=True)
    assert errors == [] and totals["new"] == 1
    assert not SchoolEnrolment.objects.exists() and not audited().exists()


# --- the writers -------------------------------------------------------------------------------------------
def test_insert_instances_sets_keys_and_timestamps_like_bulk_create():
    county()
    schools = [SchoolFactory.build(code=f"41439{i:05d}") for i in range(3)]
    insert_instances(schools)
    stored = {s.pk: s for s in School.objects.filter(code__startswith="41439")}
    assert sorted(stored) == sorted(s.pk for s in schools) and None not in stored
    for school in schools:
        assert stored[school.pk].code == school.code and stored[school.pk].name == school.name
        assert stored[school.pk].created_at == school.created_at is not None
        assert not school._state.adding
    # Several statements (a few hundred rows each): every key is its own row's.
    rows = [SchoolEnrolment(school=schools[0], year=1000 + i, full_time_students=i) for i in range(1200)]
    insert_instances(rows)
    stored = dict(SchoolEnrolment.objects.values_list("pk", "full_time_students"))
    assert len(stored) == 1200 and all(stored[row.pk] == row.full_time_students for row in rows)


def test_insert_rows_writes_plain_rows(reference_data):
    student = StudentFactory()
    region = county()
    insert_rows(Student.preferred_counties.through, ("student_id", "region_id"), [(student.pk, region.pk)])
    assert list(student.preferred_counties.all()) == [region]


def test_the_audit_changes_of_a_new_row_are_the_snapshots(reference_data):
    """``new_row_changes`` takes shortcuts for plain values, dates and lists: the result is still the
    audit's own."""
    student = StudentFactory(
        entry_date=dt.date(2024, 9, 1), preferred_position_types=["full_time"], salary_expectation=None
    )
    attnames = sorted(audit.snapshot(student))
    assert new_row_changes(student, attnames) == audit.diff({}, audit.snapshot(student))
