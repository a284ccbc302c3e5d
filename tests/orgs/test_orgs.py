"""Pages, API, import/export and audit for every organization model (from the core base classes)."""

import pytest

from xiaoqitong.core.testing import ImportTests, ModelTests
from xiaoqitong.orgs import views
from xiaoqitong.orgs.validators import make_credit_code

from .factories import (
    DepartmentFactory,
    EnterpriseFactory,
    ResearchInstitutionFactory,
    SchoolEnrolmentFactory,
    SchoolFactory,
    county,
    industry_leaf,
)


@pytest.fixture(autouse=True)
def _catalog(db):
    county()
    county("431003", "苏仙区")
    industry_leaf()


class TestSchool(ImportTests, ModelTests):
    views = views.SchoolViews
    api_url = "/api/v1/orgs/schools/"
    factory = SchoolFactory
    update_data = {"name": "郴州市新名称职业学校"}

    def form_data(self):
        from xiaoqitong.reference.models import Region

        return {
            "code": "4143099001",
            "name": "郴州市表单职业学校",
            "school_type": "secondary",
            "ownership": "public",
            "county": Region.objects.get(code="431002").pk,
        }

    def api_data(self):
        return {
            "code": "4143099002",
            "name": "郴州市接口职业学校",
            "school_type": "associate",
            "ownership": "private",
            "county": "431003",
        }

    def import_rows(self):
        return [
            {
                "学校代码": "4143099101",
                "学校名称": "郴州导入一校",
                "办学层次": "中职",
                "办学性质": "公办",
                "所在县市区代码": "431002",
                "地址": "",
                "网站": "",
                "联系电话": "",
            },
            {
                "学校代码": "4143099102",
                "学校名称": "郴州导入二校",
                "办学层次": "高职专科",
                "办学性质": "民办",
                "所在县市区代码": "431003",
                "地址": "苏仙区",
                "网站": "",
                "联系电话": "0735-2222222",
            },
        ]


class TestEnterprise(ImportTests, ModelTests):
    views = views.EnterpriseViews
    api_url = "/api/v1/orgs/enterprises/"
    factory = EnterpriseFactory
    update_data = {"employees": 999}

    def form_data(self):
        from xiaoqitong.reference.models import Industry, Region

        return {
            "credit_code": make_credit_code("431002", 55555555),
            "name": "郴州表单科技有限公司",
            "size": "small",
            "industry": Industry.objects.get(code="C3874").pk,
            "county": Region.objects.get(code="431002").pk,
            "registered_in_city": "on",
            "employees": 40,
        }

    def api_data(self):
        return {
            "credit_code": make_credit_code("431003", 66666666),
            "name": "郴州接口科技有限公司",
            "size": "micro",
            "industry": "C3874",
            "county": "431003",
            "registered_in_city": True,
            "employees": 8,
        }

    def import_rows(self):
        return [
            {
                "统一社会信用代码": make_credit_code("431002", 77777771),
                "企业名称": "郴州导入甲有限公司",
                "企业规模": "小型",
                "行业代码": "3874",
                "所在县市区或园区代码": "431002",
                "在本市注册": "是",
                "从业人数": "25",
                "地址": "",
                "联系电话": "",
            },
            {
                "统一社会信用代码": make_credit_code("431003", 77777772).lower(),
                "企业名称": "郴州导入乙有限公司",
                "企业规模": "大型",
                "行业代码": "C3874",
                "所在县市区或园区代码": "431003",
                "在本市注册": "否",
                "从业人数": "2500",
                "地址": "",
                "联系电话": "",
            },
        ]


class TestResearchInstitution(ImportTests, ModelTests):
    views = views.ResearchInstitutionViews
    api_url = "/api/v1/orgs/research-institutions/"
    factory = ResearchInstitutionFactory
    update_data = {"name": "郴州职业教育发展研究院"}

    def form_data(self):
        return {"code": "RI-FORM", "name": "表单研究所", "kind": "research"}

    def api_data(self):
        return {"code": "RI-API", "name": "接口智库", "kind": "think_tank"}

    def import_rows(self):
        return [{"编号": "RI-IMP1", "名称": "导入研究所", "类别": "科研机构", "所在县市区代码": "431002"}]


class TestDepartment(ImportTests, ModelTests):
    views = views.DepartmentViews
    api_url = "/api/v1/orgs/departments/"
    factory = DepartmentFactory
    update_data = {"short_name": "新简称"}

    def form_data(self):
        return {
            "code": "T-FORM",
            "name": "表单局",
            "short_name": "表单局",
            "kind": "government",
            "sort_order": 1,
        }

    def api_data(self):
        return {"code": "T-API", "name": "接口局", "kind": "government", "sort_order": 2}

    def import_rows(self):
        return [
            {
                "编号": "T-IMP",
                "名称": "导入局",
                "简称": "导入",
                "类别": "政府部门",
                "区划代码": "431000",
                "排序": "3",
            }
        ]


class TestSchoolEnrolment(ImportTests, ModelTests):
    views = views.SchoolEnrolmentViews
    api_url = "/api/v1/orgs/school-enrolments/"
    factory = SchoolEnrolmentFactory
    update_data = {"full_time_students": 2345}

    def form_data(self):
        return {"school": SchoolFactory(code="4143098888").pk, "year": 2024, "full_time_students": 1500}

    def api_data(self):
        return {"school": SchoolFactory(code="4143098889").code, "year": 2025, "full_time_students": 1600}

    def unique_form_keys(self):
        return ["school", "year"]

    def import_rows(self):
        SchoolFactory(code="4143097777")
        return [
            {"学校代码": "4143097777", "年度": "2023", "全日制在校生数": "3100"},
            {"学校代码": "4143097777", "年度": "2024", "全日制在校生数": "3300"},
        ]
