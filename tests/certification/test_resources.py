"""Import and export of certification: the incentives ledger imported through the import page (validate, then
commit; the same file twice changes nothing; a changed amount updates its row), every bad row and column
reported in Chinese with nothing written, the importer's scope as in ``services.incentives`` (an officer
imports their own department's incentives; the lead department any department's), an exported file that
imports again unchanged; the export-only formats of applications, titles, reviews and criteria (their
columns, who may export, formulas escaped, no query per row) and their refusal to import."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.orgs.factories import EnterpriseFactory, user_with_role
from xiaoqitong.certification.models import Application, Certification, Criterion, Incentive, Review
from xiaoqitong.certification.resources.incentives import IncentiveResource
from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.testing import csv_upload, login_clients
from xiaoqitong.orgs.choices import Role

from .factories import departments, hr, lead_officer, make_certification, officer, submitted

pytestmark = pytest.mark.django_db

HEADERS = [
    "统一社会信用代码",
    "年度",
    "激励类型",
    "激励措施",
    "金额（万元）",
    "落实部门代码",
    "落实日期",
    "认定编号",
    "文号或凭证",
    "备注",
]


class Scene:
    def __init__(self):
        self.depts = departments()
        self.lead = lead_officer()
        self.edu = officer(self.depts["市教育局"])
        self.hrss = officer(self.depts["市人社局"])
        self.a = EnterpriseFactory()
        self.b = EnterpriseFactory()
        self.title = make_certification(self.a)


@pytest.fixture
def s():
    return Scene()


def rows(s, department: str = "") -> list[dict]:
    """Three valid rows of the ledger (金额 by its label, 激励类型 by its Chinese label)."""
    return [
        {
            "统一社会信用代码": s.a.credit_code.lower(),  # read in either case
            "年度": "2026",
            "激励类型": "财政",
            "激励措施": "学徒培训补贴",
            "金额（万元）": "12.5",
            "落实部门代码": department,
            "落实日期": "2026-05-10",
            "认定编号": s.title.number,
            "文号或凭证": "郴人社发〔2026〕3号",
            "备注": "",
        },
        {
            "统一社会信用代码": s.a.credit_code,
            "年度": "2026",
            "激励类型": "金融",
            "激励措施": "产教融合贷款贴息",
            "金额（万元）": "1,200万元",
            "落实部门代码": department,
            "落实日期": "2026/6/1",
            "认定编号": "",
            "文号或凭证": "",
            "备注": "",
        },
        {
            "统一社会信用代码": s.b.credit_code,
            "年度": "2026",
            "激励类型": "信用",
            "激励措施": "信用评价加分",
            "金额（万元）": "",
            "落实部门代码": department,
            "落实日期": "2026年7月1日",
            "认定编号": "",
            "文号或凭证": "",
            "备注": "",
        },
    ]


def dataset(items: list[dict]) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(items[0]))
    for item in items:
        data.append(list(item.values()))
    return data


def run(actor, items: list[dict], dry_run: bool = False):
    resource = resource_for(Incentive)()
    resource.actor = actor
    return run_import(resource, dataset(items), dry_run=dry_run)


def by_cell(errors) -> dict[tuple, str]:
    return {(e["row"], e["column"]): e["message"] for e in errors}


def export_csv(user, list_name: str) -> list[list[str]]:
    response = login_clients(user)[0].get(reverse(f"certification:{list_name}") + "?export=csv")
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the incentives ledger: import -------------------------------------------------------------------------
def test_import_through_the_page_validates_commits_and_twice_changes_nothing(
    s, django_capture_on_commit_callbacks
):
    client = login_clients(s.hrss)[0]
    url = reverse("certification:incentive_import")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"file": csv_upload(rows(s))}).status_code == 302
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    assert job.summary == {"new": 3, "update": 0, "skip": 0}
    assert not Incentive.objects.exists()  # validated only
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Incentive.objects.count() == 3
    first = Incentive.objects.get(enterprise=s.a, kind="fiscal")
    assert (first.title, first.amount, first.certification, first.granted_on) == (
        "学徒培训补贴",
        Decimal("12.50"),
        s.title,
        dt.date(2026, 5, 10),
    )
    assert Incentive.objects.get(kind="finance").amount == Decimal("1200.00")
    assert Incentive.objects.get(kind="credit").amount is None
    # a row without 落实部门代码 is the importer's own department's
    assert set(Incentive.objects.values_list("department", flat=True)) == {s.depts["市人社局"].pk}
    assert AuditLog.objects.filter(action="import", verb="incentive_import").count() == 3
    assert AuditLog.objects.get(verb="incentive_import", object_id=str(first.pk)).actor == s.hrss

    before = list(Incentive.objects.order_by("pk").values())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": csv_upload(rows(s), encoding="gb18030")})
    again = ImportJob.objects.latest("pk")
    assert again.status == ImportJob.Status.VALID, again.errors
    assert again.summary == {"new": 0, "update": 0, "skip": 3}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/core/imports/{again.pk}/confirm/")
    again.refresh_from_db()
    assert again.status == ImportJob.Status.DONE
    assert list(Incentive.objects.order_by("pk").values()) == before
    assert AuditLog.objects.filter(verb="incentive_import").count() == 3


def test_a_changed_row_updates_its_incentive_by_the_natural_key(s):
    errors, totals = run(s.hrss, rows(s))
    assert errors == [] and totals == {"new": 3, "update": 0, "skip": 0}
    changed = rows(s)
    changed[0]["金额（万元）"] = "15"
    changed[0]["激励类型"] = "fiscal"  # the value is accepted as well as the label
    errors, totals = run(s.hrss, changed)
    assert errors == [] and totals == {"new": 0, "update": 1, "skip": 2}
    incentive = Incentive.objects.get(enterprise=s.a, kind="fiscal")
    assert incentive.amount == Decimal("15.00")
    entry = AuditLog.objects.filter(verb="incentive_import", object_id=str(incentive.pk)).latest("id")
    assert entry.changes == {"amount": ["12.50", "15.00"]}


def test_bad_rows_are_reported_in_chinese_and_nothing_is_written(s):
    items = rows(s)
    items[0] |= {"统一社会信用代码": "91431000NOSUCHCODE"}
    items[1] |= {"激励类型": "奖励", "金额（万元）": "一千"}
    items[2] |= {"落实日期": "2025-12-31"}
    items.append(rows(s)[2] | {"激励措施": "负数", "金额（万元）": "-1"})
    items.append(rows(s)[2] | {"激励措施": "无类型", "激励类型": "", "落实日期": "2026-13-01"})
    items.append(rows(s)[2] | {"激励措施": "他人的认定", "认定编号": s.title.number})
    items.append(rows(s)[2] | {"激励措施": "无认定", "认定编号": "CJRH-S-1999-001"})
    errors, _totals = run(s.hrss, items)
    cells = by_cell(errors)
    assert "找不到代码为“91431000NOSUCHCODE”的企业" in cells[(2, "统一社会信用代码")]
    assert "“奖励”不是可选值，可选：金融、财政、土地、信用、税费" in cells[(3, "激励类型")]
    assert "“一千”不是金额（万元）" in cells[(3, "金额（万元）")]
    assert "落实日期须在所填年度内" in cells[(4, "落实日期")]
    assert "大于或等于0" in cells[(5, "金额（万元）")]
    assert "不是日期" in cells[(6, "落实日期")]
    assert "不能为空" in cells[(6, "激励类型")]
    assert "所选认定不属于该企业" in cells[(7, "认定编号")]
    assert "找不到代码为“CJRH-S-1999-001”的认定" in cells[(8, "认定编号")]
    assert {e["row"] for e in errors} == {2, 3, 4, 5, 6, 7, 8}
    assert not Incentive.objects.exists()
    assert not AuditLog.objects.filter(verb="incentive_import").exists()

    # a natural key twice in one file (the kind once by its label, once by its value)
    items = [*rows(s), rows(s)[2] | {"激励类型": "credit"}]
    errors, _totals = run(s.hrss, items)
    assert errors == [{"row": 5, "column": "激励措施", "message": "与第 4 行重复"}]
    errors, _totals = run(s.hrss, [*rows(s), rows(s)[0]])  # the same cells twice: found before any row
    assert errors == [
        {"row": 5, "column": "统一社会信用代码、年度、激励类型、激励措施", "message": "与第 2 行重复"}
    ]
    assert not Incentive.objects.exists()


def test_a_missing_column_is_reported_before_any_row(s):
    items = [{k: v for k, v in row.items() if k != "激励措施"} for row in rows(s)]
    errors, _totals = run(s.hrss, items)
    assert errors == [{"row": 1, "column": "激励措施", "message": "缺少列"}]
    assert not Incentive.objects.exists()


def test_an_officer_imports_only_their_own_departments_incentives(s):
    own, other = s.depts["市人社局"].code, s.depts["市教育局"].code
    items = rows(s, department=own)
    items[2]["落实部门代码"] = other
    errors, _totals = run(s.hrss, items)
    assert [(e["row"], e["column"]) for e in errors] == [(4, "落实部门代码")]
    assert "只能导入本部门（测试市人力资源和社会保障局）落实的激励" in errors[0]["message"]
    assert not Incentive.objects.exists()

    # the lead department imports for any department; a row left empty is its own
    items[1]["落实部门代码"] = ""
    errors, totals = run(s.lead, items)
    assert errors == [] and totals["new"] == 3
    departments_of = dict(Incentive.objects.values_list("kind", "department__code"))
    assert departments_of == {"fiscal": own, "finance": s.depts["市发改委"].code, "credit": other}

    # a stored row of another department is not changed by an officer, whatever the file says
    changed = [rows(s, department=other)[2] | {"备注": "改"}]
    errors, _totals = run(s.hrss, changed)
    assert errors and errors[0]["message"] == "您无权导入或修改此记录。"
    assert Incentive.objects.get(kind="credit").note == ""
    errors, totals = run(s.edu, changed)
    assert errors == [] and totals["update"] == 1
    assert Incentive.objects.get(kind="credit").note == "改"


def test_who_may_import(s, django_capture_on_commit_callbacks):
    for user in (hr(s.a), user_with_role(Role.RESEARCHER), user_with_role(Role.STUDENT)):
        page = login_clients(user)[0]
        assert page.get(reverse("certification:incentive_import")).status_code == 403, user.role
        response = page.post(reverse("certification:incentive_import"), {"file": csv_upload(rows(s))})
        assert response.status_code == 403, user.role
    assert not ImportJob.objects.exists()
    assert login_clients(s.edu)[0].get(reverse("certification:incentive_import")).status_code == 200


def test_the_template_and_an_exported_file_import_again_unchanged(s):
    assert IncentiveResource().headers() == HEADERS
    run(s.hrss, rows(s))
    exported = export_csv(s.edu, "incentive_list")
    assert exported[0] == [*HEADERS[:1], "企业名称", *HEADERS[1:6], "落实部门", *HEADERS[6:]]
    data = tablib.Dataset(*exported[1:], headers=exported[0])
    resource = resource_for(Incentive)()
    resource.actor = s.hrss
    errors, totals = run_import(resource, data, dry_run=False)
    assert errors == [] and totals == {"new": 0, "update": 0, "skip": 3}


# --- exports -----------------------------------------------------------------------------------------------
def test_incentive_export_columns_values_and_formulas_escaped(s):
    run(s.hrss, rows(s))
    Incentive.objects.filter(kind="credit").update(note='=HYPERLINK("http://x")', title="+加分")
    table = export_csv(s.edu, "incentive_list")
    header, data = table[0], table[1:]
    assert header == [
        "统一社会信用代码",
        "企业名称",
        "年度",
        "激励类型",
        "激励措施",
        "金额（万元）",
        "落实部门代码",
        "落实部门",
        "落实日期",
        "认定编号",
        "文号或凭证",
        "备注",
    ]
    by_kind = {row[3]: dict(zip(header, row, strict=True)) for row in data}
    assert set(by_kind) == {"财政", "金融", "信用"}
    fiscal = by_kind["财政"]
    assert fiscal["企业名称"] == s.a.name and fiscal["金额（万元）"] == "12.50"
    assert fiscal["落实部门"] == "测试市人力资源和社会保障局" and fiscal["认定编号"] == s.title.number
    assert fiscal["落实日期"] == "2026-05-10"
    assert by_kind["信用"]["备注"] == '\'=HYPERLINK("http://x")' and by_kind["信用"]["激励措施"] == "'+加分"
    assert by_kind["信用"]["金额（万元）"] == ""
    student = login_clients(user_with_role(Role.STUDENT))[0]
    assert student.get(reverse("certification:incentive_list") + "?export=csv").status_code == 403


def test_application_export_is_the_lead_departments(s):
    applicant = hr()
    from .factories import meet_municipal

    meet_municipal(applicant.enterprise)
    application = submitted(applicant)
    table = export_csv(s.lead, "application_list")
    assert table[0] == [
        "申请编号",
        "企业名称",
        "统一社会信用代码",
        "县市区或园区",
        "申报级别",
        "申报年度",
        "状态",
        "联系人",
        "联系电话",
        "提交时间",
        "受理时间",
        "征求意见截止日期",
        "办结时间",
        "审核意见",
    ]
    row = dict(zip(table[0], table[1], strict=True))
    assert (
        row["申请编号"] == str(application.pk) and row["统一社会信用代码"] == applicant.enterprise.credit_code
    )
    assert (row["申报级别"], row["状态"]) == ("市级", "待受理")
    assert row["提交时间"] and row["受理时间"] == ""
    page = login_clients(applicant)[0]
    assert page.get(reverse("certification:application_list") + "?export=csv").status_code == 403
    # another department reads only what it was asked about, and exports nothing
    assert (
        login_clients(s.edu)[0].get(reverse("certification:application_list") + "?export=csv").status_code
        == 403
    )


def test_certification_review_and_criterion_exports(s):
    s.title.status_note = "=1+1"
    s.title.save()
    Review.objects.create(certification=s.title, sequence=1, year=2027, due_date=dt.date(2027, 3, 2))
    researcher = user_with_role(Role.RESEARCHER)
    table = export_csv(researcher, "certification_list")
    assert table[0] == [
        "认定编号",
        "企业名称",
        "统一社会信用代码",
        "级别",
        "县市区或园区",
        "所属行业",
        "认定日期",
        "有效期至",
        "认定文号",
        "状态",
        "失效或撤销日期",
        "状态说明",
    ]
    row = dict(zip(table[0], table[1], strict=True))
    assert (row["认定编号"], row["企业名称"], row["级别"], row["状态"]) == (
        s.title.number,
        s.a.name,
        "市级",
        "有效",
    )
    assert row["所属行业"] == s.a.industry.name and row["状态说明"] == "'=1+1"

    table = export_csv(researcher, "review_list")
    assert table[0] == [
        "企业名称",
        "统一社会信用代码",
        "认定编号",
        "考核类型",
        "第几次考核",
        "考核年度",
        "报送截止日期",
        "状态",
        "报送时间",
        "整改截止日期",
        "整改要求",
        "考核时间",
        "考核意见",
    ]
    assert table[1][:8] == [
        s.a.name,
        s.a.credit_code,
        s.title.number,
        "年度考核",
        "1",
        "2027",
        "2027-03-02",
        "待企业报送",
    ]

    table = export_csv(s.edu, "criterion_list")
    assert table[0] == [
        "代码",
        "条件",
        "说明",
        "数据来源",
        "市级门槛",
        "省级门槛",
        "单位",
        "必备条件",
        "须附证明材料",
        "依据",
        "启用",
        "排序",
    ]
    rows_by_code = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert len(rows_by_code) == Criterion.objects.count()
    interns = Criterion.objects.get(code="interns")
    assert rows_by_code["interns"]["条件"] == interns.name
    assert rows_by_code["interns"]["数据来源"] == interns.get_measure_display()
    assert rows_by_code["interns"]["市级门槛"] == f"{interns.min_municipal.normalize():f}"
    assert rows_by_code["credit"]["须附证明材料"] == "是"
    # who may export: officers and researchers; not the enterprises or students
    for user in (hr(s.a), user_with_role(Role.STUDENT)):
        page = login_clients(user)[0]
        for name in ("certification_list", "review_list", "criterion_list"):
            assert page.get(reverse(f"certification:{name}") + "?export=csv").status_code == 403, name


def test_exports_have_no_query_per_row(s):
    lead = login_clients(s.lead)[0]

    def count(name: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = lead.get(reverse(f"certification:{name}") + "?export=csv")
        assert response.status_code == 200
        return len(queries)

    def one_more():
        enterprise = EnterpriseFactory()
        Application.objects.create(
            enterprise=enterprise,
            year=2026,
            statement="共建基地",
            contact_person="李",
            contact_phone="0735-2",
            status="submitted",
        )
        title = make_certification(enterprise)
        Review.objects.create(certification=title, sequence=1, year=2027, due_date=dt.date(2027, 3, 2))
        Incentive.objects.create(
            enterprise=enterprise,
            certification=title,
            year=2026,
            kind="tax",
            title="减免",
            department=s.depts["市教育局"],
            granted_on=dt.date(2026, 4, 1),
        )

    one_more()
    names = ("application_list", "certification_list", "review_list", "incentive_list")
    few = {name: count(name) for name in names}
    for _ in range(4):
        one_more()
    assert {name: count(name) for name in names} == few


def test_export_only_formats_refuse_to_import(s):
    for model, words in (
        (Application, "认定申请不能导入"),
        (Certification, "产教融合型企业名单不能导入"),
        (Review, "年度考核不能导入"),
        (Criterion, "认定条件不能导入"),
    ):
        resource = resource_for(model)()
        resource.actor = s.lead
        data = tablib.Dataset(*[], headers=resource.export(queryset=model.objects.none()).headers)
        data.append(["x"] * len(data.headers))
        before = model.objects.count()
        errors, _totals = run_import(resource, data, dry_run=False)
        assert errors and words in errors[0]["message"], model
        assert model.objects.count() == before


def test_the_ledger_is_an_import_target_with_its_template(s):
    # Applications, titles, reviews and criteria are never import targets (the criteria are edited on their
    # pages); their formats refuse every file too (test_export_only_formats_refuse_to_import).
    for user, expected in (
        (s.hrss, {"certification.Incentive"}),
        (s.lead, {"certification.Incentive"}),
    ):
        targets = {
            t["target"]: t for t in login_clients(user)[1].get("/api/v1/core/import-jobs/targets/").data
        }
        mine = {label for label in targets if label.startswith("certification.")}
        assert mine == expected, user.role
        headers = [c["header"] for c in targets["certification.Incentive"]["columns"]]
        assert [h for h in headers if h in HEADERS] == HEADERS
    response = login_clients(s.lead)[1].get(
        "/api/v1/core/import-jobs/template/", {"target": "certification.Incentive", "filetype": "csv"}
    )
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].split(",") == HEADERS
