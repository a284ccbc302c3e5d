"""Imports write row by row in the importer's scope, and each row lands in its object's history."""

import pytest
import tablib

from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.models import SchoolEnrolment

from ..orgs.factories import SchoolEnrolmentFactory, SchoolFactory, UserFactory, county, user_with_role

pytestmark = pytest.mark.django_db


def dataset(rows):
    data = tablib.Dataset(headers=["学校代码", "年度", "全日制在校生数"])
    for row in rows:
        data.append(row)
    return data


def importer(actor):
    resource = resource_for(SchoolEnrolment)()
    resource.actor = actor
    return resource


def test_rows_outside_the_importers_scope_are_refused_alike():
    county()
    admin = user_with_role("school_admin")
    own = admin.school
    other = SchoolFactory()
    SchoolEnrolmentFactory(school=other, year=2023, full_time_students=100)
    rows = [
        [own.code, "2024", "900"],  # own school, new row: fine
        [other.code, "2023", "999"],  # another school's existing row
        [other.code, "2024", "999"],  # another school, new row
    ]
    errors, _totals = run_import(importer(admin), dataset(rows), dry_run=False)
    by_row = {e["row"]: e["message"] for e in errors}
    assert set(by_row) == {3, 4}
    assert by_row[3] == by_row[4] == "您无权导入或修改此记录。"
    assert SchoolEnrolment.objects.get(school=other, year=2023).full_time_students == 100
    assert not SchoolEnrolment.objects.filter(school=own).exists()  # all or nothing
    assert not AuditLog.objects.filter(verb="schoolenrolment_import").exists()


def test_an_imported_change_shows_in_the_objects_history(client):
    county()
    root = UserFactory(is_superuser=True)
    row = SchoolEnrolmentFactory(year=2022, full_time_students=100)
    errors, totals = run_import(importer(root), dataset([[row.school.code, "2022", "250"]]), dry_run=False)
    assert errors == [] and totals["update"] == 1
    entry = AuditLog.objects.get(verb="schoolenrolment_import", object_id=str(row.pk))
    assert entry.actor == root and entry.changes == {"full_time_students": [100, 250]}
    client.force_login(root)
    html = client.get(f"/orgs/school-enrolments/{row.pk}/history/").content.decode()
    assert "250" in html and "全日制在校生数" in html


def test_uploaded_files_are_deleted_once_the_job_ends(client, django_capture_on_commit_callbacks):
    import os

    from xiaoqitong.core.models import ImportJob
    from xiaoqitong.core.testing import csv_upload

    county()
    client.force_login(UserFactory(is_superuser=True))
    rows = [
        {
            "学校代码": "4143055001",
            "学校名称": "清理文件学校",
            "办学层次": "中职",
            "办学性质": "公办",
            "所在县市区代码": "431002",
            "地址": "",
            "网站": "",
            "联系电话": "",
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/orgs/schools/import/", {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID and os.path.exists(job.file.path)  # kept for the confirmation
    path = job.file.path
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert not job.file and not os.path.exists(path)
    bad = [dict(rows[0], 办学层次="大学")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/orgs/schools/import/", {"file": csv_upload(bad)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID and not job.file
