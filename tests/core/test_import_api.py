"""Bulk import through the API: upload, poll, confirm; the same checks as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from xiaoqitong.core.testing import csv_upload
from xiaoqitong.orgs.models import School

from ..orgs.factories import UserFactory, county, user_with_role

pytestmark = pytest.mark.django_db

ROWS = [
    {
        "学校代码": "4143077001",
        "学校名称": "接口导入学校",
        "办学层次": "中职",
        "办学性质": "公办",
        "所在县市区代码": "431002",
        "地址": "",
        "网站": "",
        "联系电话": "",
    }
]


def test_upload_poll_confirm(django_capture_on_commit_callbacks):
    county()
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/core/import-jobs/",
            {"target": "orgs.School", "file": csv_upload(ROWS)},
            format="multipart",
        )
    assert response.status_code == 201, response.data
    job_id = response.data["id"]
    job = api.get(f"/api/v1/core/import-jobs/{job_id}/").data
    assert job["status"] == "valid" and job["summary"]["new"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/core/import-jobs/{job_id}/confirm/")
    assert response.status_code == 200
    assert api.get(f"/api/v1/core/import-jobs/{job_id}/").data["status"] == "done"
    assert School.objects.filter(code="4143077001").exists()


def test_refusals():
    county()
    api = APIClient()
    teacher = user_with_role("teacher")
    api.force_authenticate(teacher)
    response = api.post(
        "/api/v1/core/import-jobs/", {"target": "orgs.School", "file": csv_upload(ROWS)}, format="multipart"
    )
    assert response.status_code == 403
    response = api.post(
        "/api/v1/core/import-jobs/", {"target": "nosuch.Model", "file": csv_upload(ROWS)}, format="multipart"
    )
    assert response.status_code == 400 and "target" in response.data
    other = APIClient()
    root = UserFactory(is_superuser=True)
    other.force_authenticate(root)
    job_id = other.post(
        "/api/v1/core/import-jobs/", {"target": "orgs.School", "file": csv_upload(ROWS)}, format="multipart"
    ).data["id"]
    assert api.get(f"/api/v1/core/import-jobs/{job_id}/").status_code == 404  # another person's job


def test_an_unfilled_template_is_refused_not_valid(django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    template = api.get("/api/v1/core/import-jobs/template/", {"target": "orgs.School"}).content
    upload = SimpleUploadedFile("学校导入模板.xlsx", template)
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(
            "/api/v1/core/import-jobs/", {"target": "orgs.School", "file": upload}, format="multipart"
        )
    job = api.get(f"/api/v1/core/import-jobs/{job.data['id']}/").data
    assert job["status"] == "invalid"
    assert "没有数据行" in job["errors"][0]["message"]


def test_targets_list_only_importable_models_and_refuse_export_only_ones():
    """The fuzzing found ``targets/`` failing for an administrator: the grades' resource is export-only (its
    key names no import column). It is not a target, and uploading for it is refused."""
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    response = api.get("/api/v1/core/import-jobs/targets/")
    assert response.status_code == 200
    targets = {t["target"] for t in response.data}
    assert "orgs.School" in targets and "quality.Grade" not in targets
    response = api.post(
        "/api/v1/core/import-jobs/", {"target": "quality.Grade", "file": csv_upload(ROWS)}, format="multipart"
    )
    assert response.status_code == 400 and "不能导入的对象类型" in response.data["target"][0]
