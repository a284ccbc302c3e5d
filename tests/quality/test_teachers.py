"""The teachers' records of quality: “双师型”教师培训基地 (officers write, everyone reads), 特岗教师经费 and
技术服务收入 (a school administrator writes their school's rows, officers all; researchers read no row): the
generic pages, API, export and import (natural keys), the services and their refusals, and who sees what."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import SpecialPostFunding, TeacherTrainingBase
from xiaoqitong.quality.services import teachers as services
from xiaoqitong.quality.views.teachers import (
    SpecialPostFundingViews,
    TeacherTrainingBaseViews,
    TechServiceIncomeViews,
)

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from .factories_teachers import (
    SpecialPostFundingFactory,
    TeacherTrainingBaseFactory,
    TechServiceIncomeFactory,
)

API = "/api/v1/quality/"


class TestTeacherTrainingBase(ImportTests, ModelTests):
    views = TeacherTrainingBaseViews
    api_url = f"{API}teacher-training-bases/"
    factory = TeacherTrainingBaseFactory
    update_data = {"recognized_year": 2023}

    def form_data(self):
        return {
            "name": "郴州职业技术学院“双师型”教师培训基地",
            "level": "province",
            "host_school": SchoolFactory().pk,
            "host_enterprise": "",
            "recognized_by": "湖南省教育厅",
            "recognized_year": 2022,
        }

    def api_data(self):
        return {
            "name": "国家级“双师型”教师培训基地",
            "level": "national",
            "host_enterprise": EnterpriseFactory().credit_code,
            "recognized_year": 2024,
        }

    def import_rows(self):
        school, enterprise = SchoolFactory(), EnterpriseFactory()
        return [
            {
                "基地名称": "湘南“双师型”教师培训基地",
                "级别": "省级",
                "依托学校代码": school.code,
                "依托企业统一社会信用代码": "",
                "认定部门": "湖南省教育厅",
                "认定年度": "2022",
            },
            {
                "基地名称": "郴州有色金属“双师型”教师培训基地",
                "级别": "国家级",
                "依托学校代码": "",
                "依托企业统一社会信用代码": enterprise.credit_code,
                "认定部门": "教育部",
                "认定年度": "2024",
            },
        ]

    def test_a_base_needs_a_host(self):
        officer = user_with_role(Role.GOV_OFFICER)
        with pytest.raises(ValidationError, match="依托学校或依托企业"):
            services.teacher_training_base_create(
                actor=officer, data={"name": "无依托", "level": "province", "recognized_year": 2022}
            )


class TestSpecialPostFunding(ImportTests, ModelTests):
    views = SpecialPostFundingViews
    api_url = f"{API}special-post-fundings/"
    factory = SpecialPostFundingFactory
    update_data = {"posts": 3}

    def form_data(self):
        return {
            "school": SchoolFactory().pk,
            "year": 2025,
            "posts": 2,
            "amount": "140000",
            "source": "市财政",
        }

    def api_data(self):
        return {"school": SchoolFactory().code, "year": 2025, "posts": 1, "amount": "70000.00"}

    def import_rows(self):
        a, b = SchoolFactory(), SchoolFactory()
        return [
            {
                "学校代码": a.code,
                "年度": "2025",
                "特岗数": "2",
                "保障经费（元）": "140,000",
                "经费来源": "市财政",
            },
            {"学校代码": b.code, "年度": "2025", "特岗数": "3", "保障经费（元）": "180000元", "经费来源": ""},
        ]

    def test_import_reads_amounts_and_refuses_bad_cells_in_chinese(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        rows = self.import_rows()
        rows[0]["特岗数"] = "两个"
        rows[1]["保障经费（元）"] = "很多"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        by_column = {e["column"]: e["message"] for e in job.errors}
        assert "不是整数" in by_column["特岗数"] and "不是金额" in by_column["保障经费（元）"], job.errors
        assert not SpecialPostFunding.objects.exists()


class TestTechServiceIncome(ImportTests, ModelTests):
    views = TechServiceIncomeViews
    api_url = f"{API}tech-service-incomes/"
    factory = TechServiceIncomeFactory
    update_data = {"paid_to_teachers": "90000"}

    def form_data(self):
        return {
            "school": SchoolFactory().pk,
            "year": 2025,
            "income": "500000",
            "surplus": "200000",
            "paid_to_teachers": "100000",
        }

    def api_data(self):
        return {
            "school": SchoolFactory().code,
            "year": 2025,
            "income": "300000",
            "surplus": "100000",
            "paid_to_teachers": "60000",
        }

    def import_rows(self):
        return [
            {
                "学校代码": SchoolFactory().code,
                "年度": "2025",
                "技术服务等收入（元）": "300000",
                "收入结余（元）": "100000",
                "用于教师劳动报酬（元）": "50000",
            }
            for _n in range(2)
        ]

    def test_model_rules_come_back_in_chinese(self):
        officer = user_with_role(Role.GOV_OFFICER)
        data = {"school": SchoolFactory(), "year": 2025, "income": 100, "surplus": 200, "paid_to_teachers": 0}
        with pytest.raises(ValidationError, match="结余不能多于收入"):
            services.tech_service_income_create(actor=officer, data=data)
        data |= {"surplus": 100, "paid_to_teachers": 150}
        with pytest.raises(ValidationError, match="不能多于结余"):
            services.tech_service_income_create(actor=officer, data=data)


# --- services -----------------------------------------------------------------------------------------------
def funding_data(**extra):
    return {"year": 2025, "posts": 2, "amount": Decimal("150000"), **extra}


def test_a_school_admin_writes_their_own_school_only():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    row = services.special_post_funding_create(actor=admin, data=funding_data())
    assert row.school == admin.school  # filled in
    services.special_post_funding_update(actor=admin, instance=row, data={"posts": 3})
    row.refresh_from_db()
    assert row.posts == 3
    with pytest.raises(PermissionDenied, match="本校"):
        services.special_post_funding_create(actor=admin, data=funding_data(school=SchoolFactory()))
    with pytest.raises(PermissionDenied, match="本校"):
        services.special_post_funding_update(actor=admin, instance=row, data={"school": SchoolFactory()})
    other = SpecialPostFundingFactory()
    with pytest.raises(PermissionDenied):
        services.special_post_funding_update(actor=admin, instance=other, data={"posts": 9})
    with pytest.raises(PermissionDenied):
        services.special_post_funding_delete(actor=admin, instance=other)
    services.special_post_funding_delete(actor=admin, instance=row)
    verbs = list(
        AuditLog.objects.filter(verb__startswith="special_post").order_by("id").values_list("verb", flat=True)
    )
    assert verbs == [
        "special_post_funding_create",
        "special_post_funding_update",
        "special_post_funding_delete",
    ]


def test_teachers_researchers_and_enterprises_write_nothing():
    for role in (Role.TEACHER, Role.RESEARCHER, Role.ENTERPRISE_HR, Role.STUDENT):
        actor = user_with_role(role)
        with pytest.raises(PermissionDenied):
            services.special_post_funding_create(actor=actor, data=funding_data(school=SchoolFactory()))
        with pytest.raises(PermissionDenied):
            services.tech_service_income_create(
                actor=actor,
                data={
                    "school": SchoolFactory(),
                    "year": 2025,
                    "income": 1,
                    "surplus": 1,
                    "paid_to_teachers": 1,
                },
            )
        with pytest.raises(PermissionDenied, match="政府部门"):
            services.teacher_training_base_create(
                actor=actor, data={"name": "x", "level": "province", "recognized_year": 2022}
            )


def test_only_officers_write_training_bases():
    base = TeacherTrainingBaseFactory()
    admin = user_with_role(Role.SCHOOL_ADMIN, school=base.host_school)
    with pytest.raises(PermissionDenied, match="政府部门"):
        services.teacher_training_base_update(actor=admin, instance=base, data={"recognized_year": 2020})
    with pytest.raises(PermissionDenied, match="政府部门"):
        services.teacher_training_base_delete(actor=admin, instance=base)
    officer = user_with_role(Role.GOV_OFFICER)
    services.teacher_training_base_update(actor=officer, instance=base, data={"recognized_year": 2020})
    services.teacher_training_base_delete(actor=officer, instance=base)
    assert not TeacherTrainingBase.objects.exists()


def test_one_row_per_school_and_year():
    officer = user_with_role(Role.GOV_OFFICER)
    row = SpecialPostFundingFactory()
    with pytest.raises(ValidationError) as exc:
        services.special_post_funding_create(
            actor=officer, data=funding_data(school=row.school, year=row.year)
        )
    assert "已经存在" in str(exc.value)


def test_a_school_admin_import_of_another_school_is_refused(client, django_capture_on_commit_callbacks):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    client.force_login(admin)
    rows = [
        {
            "学校代码": admin.school.code,
            "年度": "2025",
            "特岗数": "1",
            "保障经费（元）": "70000",
            "经费来源": "",
        },
        {
            "学校代码": SchoolFactory().code,
            "年度": "2025",
            "特岗数": "1",
            "保障经费（元）": "70000",
            "经费来源": "",
        },
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SpecialPostFundingViews.url_for("import"), {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    assert any(e["row"] == 3 and "无权" in e["message"] for e in job.errors), job.errors
    assert not SpecialPostFunding.objects.exists()


# --- who sees what ------------------------------------------------------------------------------------------
def school_money_rights(role):
    def may(action, is_own):
        if role == Role.GOV_OFFICER:
            return True
        if role == Role.SCHOOL_ADMIN:
            return is_own
        if role == Role.TEACHER:
            return action == "view" and is_own
        return False

    return may


@pytest.mark.parametrize(
    "role", [Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER, Role.RESEARCHER, Role.STUDENT]
)
@pytest.mark.parametrize(
    "views,factory,api",
    [
        (SpecialPostFundingViews, SpecialPostFundingFactory, "special-post-fundings/"),
        (TechServiceIncomeViews, TechServiceIncomeFactory, "tech-service-incomes/"),
    ],
)
def test_school_money_access(role, views, factory, api):
    user = user_with_role(role)
    own = factory(school=user.school) if user.school_id else None
    other = factory()
    check_access(user, views, f"{API}{api}", school_money_rights(role), own, other, label=role)


@pytest.mark.parametrize("role", [Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.RESEARCHER, Role.ENTERPRISE_HR])
def test_training_bases_are_read_by_everyone_and_written_by_officers(role):
    user = user_with_role(role)
    base = TeacherTrainingBaseFactory()

    def may(action, is_own):
        return action in ("view", "export") or role == Role.GOV_OFFICER

    check_access(user, TeacherTrainingBaseViews, f"{API}teacher-training-bases/", may, None, base, label=role)


def test_school_admin_api_create_defaults_to_their_school():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    _page, api = login_clients(admin)
    response = api.post(
        f"{API}special-post-fundings/", {"year": 2025, "posts": 1, "amount": "70000"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["school"] == admin.school.code
    other = SchoolFactory()
    response = api.post(
        f"{API}special-post-fundings/",
        {"school": other.code, "year": 2025, "posts": 1, "amount": "70000"},
        format="json",
    )
    assert response.status_code == 403
    assert "本校" in str(response.data)
