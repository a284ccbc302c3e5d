"""Generic page, API, import/export and audit tests of internship plans and placements (``ModelTests``)."""

import datetime as dt

import pytest

from xiaoqitong.cooperation.models import InternshipPlan, Placement
from xiaoqitong.cooperation.views.internships import InternshipPlanViews, PlacementViews
from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import ImportTests, ModelTests, csv_upload

from ..orgs.factories import EnterpriseFactory
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import InternshipPlanFactory, PlacementFactory
from .factories_internships import out_of_city_enterprise


class TestInternshipPlan(ImportTests, ModelTests):
    views = InternshipPlanViews
    api_url = "/api/v1/cooperation/internship-plans/"
    factory = InternshipPlanFactory
    update_data = {"planned_interns": 11}

    def update_data_api(self):
        return {"planned_interns": 19}

    def form_data(self):
        return {
            "school_major": SchoolMajorFactory().pk,
            "cohort": 2024,
            "title": "2026 年数控专业顶岗实习",
            "period_start": "2026-03-01",
            "period_end": "2026-06-30",
            "planned_interns": 10,
            "planned_local": 7,
            "note": "",
        }

    def api_data(self):
        return {
            "school_major": SchoolMajorFactory().pk,
            "cohort": 2024,
            "title": "2026 年跟岗实习",
            "period_start": "2026-09-01",
            "period_end": "2026-12-31",
            "planned_interns": 20,
            "planned_local": 12,
        }

    def import_rows(self):
        major = SchoolMajorFactory()
        base = {
            "学校代码": major.school.code,
            "计划名称": "",
            "专业代码": major.major.code,
            "年级": "2024",
            "实习开始日期": "2026-03-01",
            "实习结束日期": "2026-06-30",
            "计划实习人数": "10",
            "其中市域内企业人数": "6",
            "说明": "",
        }
        return [
            base | {"计划名称": "顶岗实习一期"},
            base | {"计划名称": "顶岗实习二期", "其中市域内企业人数": "9"},
        ]

    def test_import_refuses_a_plan_under_t16_with_the_numbers(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        rows = self.import_rows()
        rows[0]["其中市域内企业人数"] = "5"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        messages = " ".join(e["message"] for e in job.errors)
        assert "5 人" in messages and "10 人" in messages and "50.0%" in messages and "T16" in messages
        assert not InternshipPlan.objects.exists()


class TestPlacement(ImportTests, ModelTests):
    views = PlacementViews
    api_url = "/api/v1/cooperation/placements/"
    factory = PlacementFactory
    update_data = {"end_date": "2026-06-20"}

    def form_data(self):
        plan = InternshipPlanFactory()
        student = StudentFactory(school_major=plan.school_major)
        return {
            "plan": plan.pk,
            "student_no": student.student_no,
            "enterprise_code": EnterpriseFactory().credit_code,
            "start_date": "2026-03-02",
            "end_date": "2026-06-30",
            "school_mentor_username": "",
            "enterprise_mentor_username": "",
        }

    def api_data(self):
        plan = InternshipPlanFactory()
        student = StudentFactory(school_major=plan.school_major)
        return {
            "plan": plan.pk,
            "student_no": student.student_no,
            "enterprise": EnterpriseFactory().credit_code,
            "start_date": "2026-03-02",
            "end_date": "2026-05-31",
        }

    def import_rows(self):
        plan = InternshipPlanFactory()
        students = StudentFactory.create_batch(2, school_major=plan.school_major)
        enterprise = EnterpriseFactory()
        return [
            {
                "学校代码": plan.school.code,
                "学号": student.student_no,
                "统一社会信用代码": enterprise.credit_code,
                "开始日期": "2026-03-02",
                "结束日期": "2026-05-31",
                "实习计划": plan.title if i == 0 else "",
                "学校导师账号": "",
                "企业导师账号": "",
            }
            for i, student in enumerate(students)
        ]

    def test_import_refuses_t15_and_flags_t16(self, client_admin, admin, django_capture_on_commit_callbacks):
        rows = self.import_rows()
        rows[0]["结束日期"] = "2026-03-20"  # 19 days in a city enterprise: T15
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        assert any("T15" in e["message"] and "2026-04-01" in e["message"] for e in job.errors), job.errors

        rows = self.import_rows()
        rows[1]["统一社会信用代码"] = out_of_city_enterprise().credit_code
        rows[0]["统一社会信用代码"] = out_of_city_enterprise().credit_code
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.VALID, job.errors
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(f"/core/imports/{job.pk}/confirm/")
        placements = list(Placement.objects.filter(in_city=False))
        assert len(placements) == 2
        assert all(p.flags and p.flags[0]["rule"] == "T16" for p in placements)

    def test_import_that_lifts_the_plan_to_the_rule_clears_its_flags(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        rows = self.import_rows()
        plan = InternshipPlan.objects.get(title=rows[0]["实习计划"])
        flagged = PlacementFactory(plan=plan, enterprise=out_of_city_enterprise())
        flagged.flags = [{"rule": "T16", "source": "x", "message": "低于"}]
        flagged.save()
        # both imported rows are in city enterprises: 2 of 3 placements, 66.7% >= 60%
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.VALID, job.errors
        flagged.refresh_from_db()
        assert flagged.flags  # validation writes nothing
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(f"/core/imports/{job.pk}/confirm/")
        flagged.refresh_from_db()
        assert flagged.flags == []

    @pytest.mark.parametrize("end", [dt.date(2026, 4, 1)])
    def test_export_names_the_flags(self, client_admin, end):
        placement = PlacementFactory(enterprise=out_of_city_enterprise())
        placement.flags = [{"rule": "T16", "source": "x", "message": "低于 60%"}]
        placement.save()
        body = client_admin.get(self.views.url_for("list") + "?export=csv").content.decode("utf-8-sig")
        assert "低于 60%" in body and "规则提示" in body.splitlines()[0]
