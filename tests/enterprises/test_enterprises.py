"""Pages, API, import/export and audit for every demand model (from the core base classes)."""

import pytest

from xiaoqitong.core.testing import ImportTests, ModelTests
from xiaoqitong.enterprises import views
from xiaoqitong.enterprises.models import Position
from xiaoqitong.reference.models import Certificate, Region, Skill

from ..orgs.factories import EnterpriseFactory, SchoolFactory
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import (
    ApplicationFactory,
    GraduateOutcomeFactory,
    PositionFactory,
    PublishedPositionFactory,
    in_days,
)


class TestPosition(ImportTests, ModelTests):
    views = views.PositionViews
    api_url = "/api/v1/enterprises/positions/"
    factory = PositionFactory
    update_data = {"headcount": 8}

    def form_data(self):
        skills = list(Skill.objects.order_by("pk")[:2])
        return {
            "enterprise": EnterpriseFactory().credit_code,
            "title": "模具钳工",
            "position_type": "full_time",
            "description": "负责冲压模具的装配与维修，能看懂模具图纸，男女不限，提供食宿。",
            "wanted_majors": "660103、6601",
            "required_skills": [skills[0].pk],
            "bonus_skills": [skills[1].pk],
            "min_education": "secondary",
            "headcount": 4,
            "salary_min": 5000,
            "salary_max": 8000,
            "county": Region.objects.get(code="431002").pk,
            "valid_until": in_days(30).isoformat(),
        }

    def api_data(self):
        return {
            "enterprise": EnterpriseFactory().credit_code,
            "title": "光伏组件质检员",
            "description": "负责光伏组件 EL 检测与外观检验，做好检验记录，男女不限。",
            "position_type": "full_time",
            "wanted_majors": ["6601"],
            "required_certificates": [Certificate.objects.order_by("pk").first().code],
            "min_education": "secondary",
            "headcount": 2,
            "county": "431002",
            "valid_until": in_days(20).isoformat(),
        }

    def import_rows(self):
        enterprise = EnterpriseFactory()
        skill = Skill.objects.order_by("pk").first()
        base = {
            "企业统一社会信用代码": enterprise.credit_code,
            "岗位名称": "",
            "有效期至": in_days(40).isoformat(),
            "岗位类型": "全职",
            "岗位描述": "负责生产线设备巡检，男女不限，提供住宿。",
            "需求专业代码": "660103、6601",
            "必备技能": skill.name,
            "加分技能": "",
            "必备证书编号": "",
            "加分证书编号": "",
            "最低学历": "中职",
            "招聘人数": "3",
            "月薪下限": "4500",
            "月薪上限": "6000",
            "工作地点代码": "431002",
            "到岗日期": "",
        }
        return [base | {"岗位名称": "设备巡检员"}, base | {"岗位名称": "设备维修工", "有效期至": "2030/6/30"}]

    def test_imported_positions_are_drafts_with_their_lists(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        from xiaoqitong.core.testing import csv_upload

        rows = self.import_rows()
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        from xiaoqitong.core.models import ImportJob

        job = ImportJob.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(f"/core/imports/{job.pk}/confirm/")
        position = Position.objects.get(title="设备维修工")
        assert position.status == "draft"
        assert str(position.valid_until) == "2030-06-30"
        assert [m.code for m in position.majors.all()] == ["660103"]
        assert position.skill_requirements.filter(required=True).count() == 1

    def test_import_refuses_discriminatory_rows_by_column(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        from xiaoqitong.core.models import ImportJob
        from xiaoqitong.core.testing import csv_upload

        rows = self.import_rows()
        rows[1]["岗位描述"] = "限男性，本地户籍"
        rows[0]["需求专业代码"] = "999999"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == "invalid"
        by_cell = {(e["row"], e["column"]): e["message"] for e in job.errors}
        assert "“限男性”" in by_cell[(3, "岗位描述")] and "“本地户籍”" in by_cell[(3, "岗位描述")]
        assert "999999" in by_cell[(2, "需求专业代码")]
        assert not Position.objects.exists()

    def test_export_round_trips(self, client_admin, django_capture_on_commit_callbacks):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from xiaoqitong.core.models import ImportJob

        position = PublishedPositionFactory()
        position.majors.set([])
        response = client_admin.get(self.views.url_for("list") + "?export=csv")
        body = response.content.decode("utf-8-sig")
        assert "已发布" in body and position.enterprise.credit_code in body
        upload = SimpleUploadedFile("export.csv", body.encode("utf-8"), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": upload})
        job = ImportJob.objects.latest("pk")
        assert job.summary == {"new": 0, "update": 0, "skip": 1}, job.errors


class TestApplication(ModelTests):
    views = views.ApplicationViews
    api_url = "/api/v1/enterprises/applications/"
    factory = ApplicationFactory
    update_data = {"note": "补充：已取得数控车铣加工（中级）证书。"}

    def form_data(self):
        student = StudentFactory()
        return {
            "position": PublishedPositionFactory().pk,
            "school": student.school_id,
            "student_no": student.student_no,
            "note": "希望应聘",
        }

    def api_data(self):
        return {"position": PublishedPositionFactory().pk, "student": StudentFactory().pk, "note": "希望应聘"}

    def test_edit_page_records_before_and_after(self, client_admin):
        application = self.factory()
        response = client_admin.post(self.views.url_for("edit", application), self.update_data)
        assert response.status_code == 302, response.content.decode()[:2000]
        application.refresh_from_db()
        assert application.note == self.update_data["note"]

    def test_export(self, client_admin):
        # Applications have no import format: their export is tested here without the import template.
        self.factory.create_batch(2)
        response = client_admin.get(self.views.url_for("list") + "?export=csv")
        assert response.status_code == 200
        assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 3


class TestGraduateOutcome(ImportTests, ModelTests):
    views = views.GraduateOutcomeViews
    api_url = "/api/v1/enterprises/graduate-outcomes/"
    factory = GraduateOutcomeFactory
    update_data = {"employer_name": "郴州市新单位有限公司"}

    def form_data(self):
        student = StudentFactory(status="graduated")
        return {
            "school": student.school_id,
            "student_no": student.student_no,
            "year": 2025,
            "outcome": "employed",
            "employer_name": "郴州市某电子有限公司",
            "in_city": "true",
            "related_to_major": "unknown",
        }

    def api_data(self):
        student = StudentFactory(status="graduated")
        return {
            "student": {"school": student.school.code, "student_no": student.student_no},
            "year": 2025,
            "outcome": "employed",
            "employer_name": "郴州市某物流有限公司",
            "in_city": True,
        }

    def unique_form_keys(self):
        return []

    def test_edit_page_records_before_and_after(self, client_admin):
        outcome = self.factory()
        data = self.form_data() | self.update_data
        data |= {
            "school": outcome.student.school_id,
            "student_no": outcome.student.student_no,
            "year": outcome.year,
        }
        response = client_admin.post(self.views.url_for("edit", outcome), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        outcome.refresh_from_db()
        assert outcome.employer_name == "郴州市新单位有限公司"

    def import_rows(self):
        school = SchoolFactory()
        rows = []
        for n, (outcome, level, employer) in enumerate(
            [("就业", "", "郴州市某电子有限公司"), ("升学", "职业本科", ""), ("参军", "", "")]
        ):
            student = StudentFactory(school_major=SchoolMajorFactory(school=school), status="graduated")
            rows.append(
                {
                    "学校代码": school.code,
                    "学号": student.student_no,
                    "姓名": student.name if n else "",
                    "毕业年度": "2025",
                    "毕业去向": outcome,
                    "就业单位统一社会信用代码": "",
                    "就业单位名称": employer,
                    "在本市就业": "是" if employer else "",
                    "专业对口": "",
                    "升学层次": level,
                }
            )
        return rows


@pytest.mark.django_db
def test_templates_are_in_chinese(client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root2", "r@example.invalid", "a-Long-pass-2026")
    client.force_login(admin)
    response = client.get(views.PositionViews.url_for("import") + "?template=csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("企业统一社会信用代码,岗位名称,有效期至")
    assert "状态" not in header and "企业名称" not in header
    response = client.get(views.GraduateOutcomeViews.url_for("import") + "?template=csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("学校代码,学号,姓名,毕业年度,毕业去向") and "来源" not in header
