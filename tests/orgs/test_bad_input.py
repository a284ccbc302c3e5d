"""Bad input is refused with a Chinese message naming the field (or row and column); nothing is saved."""

import pytest
from rest_framework.test import APIClient

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.orgs.validators import make_credit_code

from .factories import EnterpriseFactory, UserFactory, county, industry_leaf

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    county()
    industry_leaf()
    client.force_login(UserFactory(is_superuser=True))
    return client


def row(**overrides):
    base = {
        "统一社会信用代码": make_credit_code("431002", 12345678),
        "企业名称": "郴州好企业有限公司",
        "企业规模": "小型",
        "行业代码": "3874",
        "所在县市区或园区代码": "431002",
        "在本市注册": "是",
        "从业人数": "30",
        "地址": "",
        "联系电话": "",
    }
    return base | overrides


def import_job(client, rows, capture):
    with capture(execute=True):
        client.post("/orgs/enterprises/import/", {"file": csv_upload(rows)})
    return ImportJob.objects.latest("pk")


def test_every_bad_row_and_column_is_named(officer_client, django_capture_on_commit_callbacks):
    rows = [
        row(),
        row(**{"统一社会信用代码": "91430000MA4L0000X1", "企业名称": "坏代码公司"}),
        row(**{"统一社会信用代码": make_credit_code("431002", 2), "所在县市区或园区代码": "999999"}),
        row(**{"统一社会信用代码": make_credit_code("431002", 3), "行业代码": "0000"}),
        row(**{"统一社会信用代码": make_credit_code("431002", 4), "企业规模": "超大型"}),
        row(**{"统一社会信用代码": make_credit_code("431002", 5), "从业人数": "很多"}),
    ]
    job = import_job(officer_client, rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "校验位" in found[(3, "统一社会信用代码")]
    assert "999999" in found[(4, "所在县市区或园区代码")]
    assert "0000" in found[(5, "行业代码")]
    assert "超大型" in found[(6, "企业规模")] and "大型" in found[(6, "企业规模")]
    assert (7, "从业人数") in found
    assert not any(e["row"] == 2 for e in job.errors)
    assert Enterprise.objects.count() == 0


def test_duplicate_key_in_file_and_missing_columns(officer_client, django_capture_on_commit_callbacks):
    job = import_job(officer_client, [row(), row()], django_capture_on_commit_callbacks)
    assert job.errors == [{"row": 3, "column": "统一社会信用代码", "message": "与第 2 行重复"}]
    job = import_job(
        officer_client, [{"企业名称": "缺列公司", "奇怪的列": "x"}], django_capture_on_commit_callbacks
    )
    messages = {e["message"]: e["column"] for e in job.errors}
    assert "统一社会信用代码" in messages["缺少列"]
    assert messages["无法识别的列（请使用下载的模板）"] == "奇怪的列"
    assert Enterprise.objects.count() == 0


def test_malformed_file(officer_client, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Not a spreadsheet at all: refused at the upload (core.uploads), no job.
    response = officer_client.post(
        "/orgs/enterprises/import/", {"file": SimpleUploadedFile("e.xlsx", b"garbage")}
    )
    assert response.status_code == 400 and "文件内容与扩展名 .xlsx 不符" in response.content.decode()
    assert not ImportJob.objects.exists()
    # A well-formed package whose workbook is garbage: passes the upload check, the reader says why it failed.
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "garbage")
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            "/orgs/enterprises/import/", {"file": SimpleUploadedFile("e.xlsx", buffer.getvalue())}
        )
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    assert "无法读取电子表格" in job.errors[0]["message"]
    response = officer_client.post(
        "/orgs/enterprises/import/", {"file": SimpleUploadedFile("e.pdf", b"%PDF")}
    )
    assert response.status_code == 400
    assert "请上传 xlsx、xls、ods 或 csv 文件" in response.content.decode()


def test_api_names_the_field():
    county()
    industry_leaf()
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    existing = EnterpriseFactory()
    payload = {
        "credit_code": "91430000MA4L0000X1",
        "name": "坏企业",
        "size": "small",
        "industry": "C3874",
        "county": "431002",
        "employees": 1,
    }
    response = api.post("/api/v1/orgs/enterprises/", payload, format="json")
    assert response.status_code == 400 and "校验位" in str(response.data["credit_code"])
    response = api.post(
        "/api/v1/orgs/enterprises/", payload | {"credit_code": existing.credit_code}, format="json"
    )
    assert response.status_code == 400 and "已存在" in str(response.data["credit_code"])
    response = api.post(
        "/api/v1/orgs/enterprises/",
        payload | {"credit_code": make_credit_code("431002", 9), "county": "999999"},
        format="json",
    )
    assert response.status_code == 400 and "county" in response.data
    response = api.post(
        "/api/v1/orgs/enterprises/",
        payload | {"credit_code": make_credit_code("431002", 9), "industry": "C38"},
        format="json",
    )
    assert response.status_code == 400 and "industry" in response.data
    assert Enterprise.objects.count() == 1


def test_enterprise_page_refuses_a_non_leaf_industry(officer_client):
    from xiaoqitong.core import services
    from xiaoqitong.reference.models import Industry, Region

    with pytest.raises(Exception) as exc:
        services.object_create(
            actor=None,
            model=Enterprise,
            data={
                "credit_code": make_credit_code("431002", 11),
                "name": "中类企业",
                "size": "small",
                "industry": Industry.objects.get(code="C387"),
                "county": Region.objects.get(code="431002"),
            },
        )
    assert "行业小类" in str(exc.value)


def test_yes_no_filter(officer_client):
    EnterpriseFactory(registered_in_city=True)
    EnterpriseFactory(registered_in_city=False)
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    assert api.get("/api/v1/orgs/enterprises/?registered_in_city=false").data["count"] == 1
    assert api.get("/api/v1/orgs/enterprises/?registered_in_city=").data["count"] == 2
    html = officer_client.get("/orgs/enterprises/?registered_in_city=true").content.decode()
    assert "全部" in html and "未知" not in html
