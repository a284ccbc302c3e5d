"""Import templates: a data sheet and a “填写说明” sheet read from the resource; the same through the API."""

import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from xiaoqitong.core import import_templates
from xiaoqitong.core.imports import read_table, resource_for
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.schools.models import Student

from ..orgs.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_columns_say_what_is_required_and_what_is_accepted():
    cols = {c.header: c for c in import_templates.columns(resource_for(Student)())}
    assert cols["学校代码"].required and cols["学号"].required and cols["姓名"].required
    assert not cols["手机号"].required and not cols["性别"].required
    assert cols["性别"].hint == "可选：男、女"
    assert "2024-09-01" in cols["入学日期"].hint and cols["入学日期"].numeric
    assert "学校代码" in cols["学校代码"].hint and not cols["学校代码"].numeric
    assert all(c.hint for c in cols.values()), [c.header for c in cols.values() if not c.hint]


def test_the_xlsx_template_reads_back_as_an_empty_table_of_the_right_columns(tmp_path):
    body, name = import_templates.template_bytes(School, "xlsx")
    assert name == "学校导入模板.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["导入数据", "填写说明"]
    data_sheet = book["导入数据"]
    headers = [c.value for c in data_sheet[1]]
    assert headers == resource_for(School)().headers()
    assert data_sheet["A1"].comment is not None and "必填" in data_sheet["A1"].comment.text
    assert data_sheet["A2"].number_format == "@"  # codes stay text
    notes = "\n".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    assert "学校代码" in notes and "必填" in notes and "重复导入" in notes
    path = tmp_path / name
    path.write_bytes(body)
    table = read_table(path)  # the importer reads the data sheet only
    assert table.headers == headers and len(table) == 0


def test_the_csv_template_has_a_bom_and_the_headers():
    body, name = import_templates.template_bytes(School, "csv")
    assert name.endswith(".csv") and body.startswith("\ufeff".encode())
    assert body.decode("utf-8-sig").strip() == ",".join(resource_for(School)().headers())
    with pytest.raises(ValueError, match="xlsx 或 csv"):
        import_templates.template_bytes(School, "pdf")


def test_api_lists_targets_per_role_and_serves_templates():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    api = APIClient()
    api.force_authenticate(admin)
    targets = {t["target"]: t for t in api.get("/api/v1/core/import-jobs/targets/").data}
    assert "schools.Student" in targets and "orgs.School" not in targets  # only what the role imports
    student = targets["schools.Student"]
    assert (
        student["name"] == "学生"
        and {"header": "学号", "required": True} | {"hint": student["columns"][1]["hint"]}
        in student["columns"]
    )
    response = api.get(student["template"])
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "导入数据"
    csv = api.get("/api/v1/core/import-jobs/template/", {"target": "schools.Student", "filetype": "csv"})
    assert csv.status_code == 200 and "学号" in csv.content.decode("utf-8-sig")


def test_api_template_refusals():
    api = APIClient()
    api.force_authenticate(user_with_role(Role.TEACHER))
    response = api.get("/api/v1/core/import-jobs/template/", {"target": "Student"})
    assert response.status_code == 400 and "schools.Student" in response.data["target"][0]  # the options
    response = api.get("/api/v1/core/import-jobs/template/", {"target": "orgs.School"})
    assert response.status_code == 403
    root = APIClient()
    root.force_authenticate(UserFactory(is_superuser=True))
    response = root.get("/api/v1/core/import-jobs/template/", {"target": "orgs.School", "filetype": "pdf"})
    assert response.status_code == 400 and "filetype" in response.data
    assert APIClient().get("/api/v1/core/import-jobs/targets/").status_code in (401, 403)


def test_import_page_lists_columns_with_requirements(client):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    client.force_login(admin)
    html = client.get("/schools/students/import/").content.decode()
    assert "填写要求" in html and "可选：男、女" in html and "text-danger" in html
