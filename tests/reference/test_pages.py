"""Pages of the catalogs: the core's model tests for the editable lists, and read/refusal checks for all."""

import pytest
from django.test import Client

from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.testing import ImportTests, ModelTests, csv_upload
from xiaoqitong.reference import views
from xiaoqitong.reference.models import Major, Region, Skill

from .factories import CertificateFactory, IndustryChainFactory, SkillFactory


class TestSkill(ImportTests, ModelTests):
    views = views.SkillViews
    api_url = "/api/v1/reference/skills/"
    factory = SkillFactory
    update_data = {"category": "新类别"}

    def form_data(self):
        return {"name": "表单技能", "synonyms": "甲、乙", "category": "测试"}

    def api_data(self):
        return {"name": "接口技能", "synonyms": ["接口别名"], "category": "测试"}

    def import_rows(self):
        return [
            {
                "技能": "导入技能一",
                "同义词": "甲一、乙一",
                "类别": "测试",
                "产业链编号": "",
                "专业类代码": "",
                "平台初始词表": "否",
            },
            {
                "技能": "导入技能二",
                "同义词": "",
                "类别": "测试",
                "产业链编号": "",
                "专业类代码": "",
                "平台初始词表": "否",
            },
        ]


class TestCertificate(ImportTests, ModelTests):
    views = views.CertificateViews
    api_url = "/api/v1/reference/certificates/"
    factory = CertificateFactory
    update_data = {"issuer": "某培训评价组织"}

    def form_data(self):
        return {"code": "T-FORM", "name": "表单证书", "kind": "1+x", "level": "junior", "issuer": ""}

    def api_data(self):
        return {"code": "T-API", "name": "接口证书", "kind": "skill_level", "level": "senior"}

    def import_rows(self):
        return [
            {
                "编号": f"T-IMP-{n}",
                "证书名称": f"导入证书{n}",
                "类别": "1+X 职业技能等级证书",
                "等级": "初级",
                "发证机构": "",
                "产业链编号": "",
                "相关专业类代码": "",
                "平台初始目录": "否",
            }
            for n in (1, 2)
        ]


class TestIndustryChain(ImportTests, ModelTests):
    views = views.IndustryChainViews
    api_url = "/api/v1/reference/industry-chains/"
    factory = IndustryChainFactory
    update_data = {"description": "新的说明"}

    def form_data(self):
        return {"code": "form-chain", "name": "表单产业链", "sort_order": 50, "description": "", "source": ""}

    def api_data(self):
        return {"code": "api-chain", "name": "接口产业链", "sort_order": 60}

    def import_rows(self):
        return [
            {
                "编号": f"imp-chain-{n}",
                "名称": f"导入产业链{n}",
                "排序": str(70 + n),
                "说明": "",
                "对应行业代码": "",
                "对应专业类代码": "",
                "依据": "",
            }
            for n in (1, 2)
        ]


# --- every catalog: read by anyone signed in, written by platform admins only ---------------------------
ALL_VIEWS = [
    views.RegionViews,
    views.MajorCategoryViews,
    views.MajorClassViews,
    views.MajorFamilyViews,
    views.MajorViews,
    views.IndustryViews,
    views.IndustryChainViews,
    views.SkillViews,
    views.CertificateViews,
]


@pytest.fixture
def student_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("student-pages", role="student"))
    return client


@pytest.fixture
def admin_client(django_user_model):
    client = Client()
    client.force_login(
        django_user_model.objects.create_superuser(
            "root-pages", "root@example.invalid", "a-Long-pass-2026", role="platform_admin"
        )
    )
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("config", ALL_VIEWS, ids=lambda c: c.model._meta.model_name)
def test_student_reads_and_exports_but_cannot_add(student_client, reference_data, config):
    response = student_client.get(config.url_for("list"))
    assert response.status_code == 200
    obj = config.model.objects.order_by("pk").first()
    assert student_client.get(config.url_for("detail", obj)).status_code == 200
    response = student_client.get(config.url_for("list") + "?export=csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert student_client.get(config.url_for("add")).status_code == 403
    assert student_client.post(config.url_for("delete", obj)).status_code == 403
    assert student_client.get(config.url_for("import")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("config", ALL_VIEWS, ids=lambda c: c.model._meta.model_name)
def test_list_pages_run_a_fixed_number_of_queries(
    admin_client, reference_data, config, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = admin_client.get(config.url_for("list") + "?per_page=200")
    assert response.status_code == 200


@pytest.mark.django_db
def test_filters_on_pages(student_client, reference_data):
    url = views.MajorViews.url_for("list")
    body = student_client.get(url + "?level=secondary&class=6601").content.decode()
    assert "数控技术应用" in body and "460103" not in body
    body = student_client.get(
        views.RegionViews.url_for("list") + "?parent=431000&level=park"
    ).content.decode()
    assert "郴州高新区" in body and "北湖区" not in body


@pytest.mark.django_db
def test_admin_adds_a_major_with_k_suffix_and_a_park(admin_client, reference_data):
    response = admin_client.post(
        views.MajorViews.url_for("add"),
        {
            "code": "520199K",
            "name": "2024年新增国控专业",
            "education_level": "associate",
            "major_class": "5201",
            "source": "教育部 2024 年增补",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    major = Major.objects.get(code="520199")
    assert major.is_controlled and major.major_class.code == "5201"
    assert AuditLog.objects.filter(object_id=str(major.pk), action="create").count() == 1
    response = admin_client.post(
        views.RegionViews.url_for("add"),
        {"code": "431000P03", "name": "测试园区", "level": "park", "parent": "431000"},
    )
    assert response.status_code == 302
    assert Region.objects.get(code="431000P03").parent.code == "431000"


@pytest.mark.django_db
def test_model_rules_refuse_inconsistent_rows(admin_client, reference_data):
    response = admin_client.post(
        views.MajorViews.url_for("add"),
        {
            "code": "460198",
            "name": "层次不符",
            "education_level": "secondary",
            "major_class": "4601",
            "source": "x",
        },
    )
    assert response.status_code == 400 and "层次不一致" in response.content.decode()
    response = admin_client.post(
        views.RegionViews.url_for("add"),
        {"code": "431099", "name": "错误", "level": "county", "parent": "430000"},
    )
    assert response.status_code == 400 and "上级应为" in response.content.decode()


@pytest.mark.django_db
def test_skill_import_links_by_codes_and_reports_unknown_ones(
    admin_client, reference_data, django_capture_on_commit_callbacks
):
    rows = [
        {
            "技能": "导入的氢能技能",
            "同义词": "氢能、燃料电池",
            "类别": "新能源",
            "产业链编号": "new-energy、equipment",
            "专业类代码": "4303，6303",
            "平台初始词表": "否",
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(views.SkillViews.url_for("import"), {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/core/imports/{job.pk}/confirm/")
    skill = Skill.objects.get(name="导入的氢能技能")
    assert skill.synonyms == ["氢能", "燃料电池"]
    assert set(skill.chains.values_list("code", flat=True)) == {"new-energy", "equipment"}
    assert set(skill.major_classes.values_list("code", flat=True)) == {"4303", "6303"}

    rows[0] |= {"技能": "另一个技能", "产业链编号": "no-such-chain"}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(views.SkillViews.url_for("import"), {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    assert any("no-such-chain" in e["message"] for e in job.errors), job.errors


@pytest.mark.django_db
def test_skill_detail_shows_synonyms_as_text(student_client, reference_data):
    skill = Skill.objects.get(name="PLC编程")
    body = student_client.get(views.SkillViews.url_for("detail", skill)).content.decode()
    assert "可编程控制器、可编程逻辑控制器" in body and "[&#x27;" not in body
