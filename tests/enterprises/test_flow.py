"""The issue's "done when", on the pages as a new user would go: an enterprise posts, a discriminatory
posting is refused, the officer publishes the good one, students apply, the enterprise hires up to the
headcount and no further."""

from django.test import Client

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.enterprises.views import ApplicationViews, PositionViews
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Region

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import in_days


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_post_review_apply_hire_on_the_pages():
    hr = logged_in(user_with_role(Role.ENTERPRISE_HR))
    officer = logged_in(user_with_role(Role.GOV_OFFICER))
    form = {
        "title": "数控车床操作工",
        "position_type": "full_time",
        "description": "按图纸加工零件，限男性。",
        "min_education": "secondary",
        "headcount": 2,
        "county": Region.objects.get(code="431002").pk,
        "valid_until": in_days(30).isoformat(),
        "wanted_majors": "660103",
    }
    form["enterprise"] = hr.get(PositionViews.url_for("add")).context["form"]["enterprise"].initial
    response = hr.post(PositionViews.url_for("add"), form)
    assert response.status_code == 400 and "“限男性”" in response.content.decode()
    response = hr.post(PositionViews.url_for("add"), form | {"description": "按图纸加工零件，男女不限。"})
    position = Position.objects.get()
    assert response["Location"] == PositionViews.url_for("detail", position)
    hr.post(f"/enterprises/positions/{position.pk}/submit/")
    officer.post(f"/enterprises/positions/{position.pk}/publish/", {"note": "符合要求"})
    position.refresh_from_db()
    assert position.status == "published"

    ids = []
    for _ in range(3):
        student = logged_in(student_account(StudentFactory()))
        assert "投递简历" in student.get(PositionViews.url_for("detail", position)).content.decode()
        student.post(f"/enterprises/positions/{position.pk}/apply/", {"note": "您好"})
        ids.append(Application.objects.latest("pk").pk)
    for pk in ids[:2]:
        hr.post(f"/enterprises/applications/{pk}/advance/", {"to_status": "offered"})
    response = hr.post(f"/enterprises/applications/{ids[2]}/advance/", {"to_status": "offered"}, follow=True)
    assert "名额已满" in response.content.decode()
    assert Application.objects.filter(status="offered").count() == 2
    html = hr.get(ApplicationViews.url_for("list")).content.decode()
    assert "共 3 条记录" in html


def test_an_enterprise_imports_only_its_own_drafts(django_capture_on_commit_callbacks):
    user = user_with_role(Role.ENTERPRISE_HR)
    other = user_with_role(Role.ENTERPRISE_HR).enterprise
    row = {
        "企业统一社会信用代码": user.enterprise.credit_code,
        "岗位名称": "仓库管理员",
        "有效期至": in_days(20).isoformat(),
        "岗位类型": "全职",
        "岗位描述": "负责出入库登记，男女不限。",
        "需求专业代码": "",
        "必备技能": "",
        "加分技能": "",
        "必备证书编号": "",
        "加分证书编号": "",
        "最低学历": "中职",
        "招聘人数": "1",
        "月薪下限": "",
        "月薪上限": "",
        "工作地点代码": "431002",
        "到岗日期": "",
    }
    page = logged_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        page.post(
            PositionViews.url_for("import"),
            {"file": csv_upload([row, row | {"企业统一社会信用代码": other.credit_code}])},
        )
    job = ImportJob.objects.latest("pk")
    assert job.status == "invalid"
    assert [e["row"] for e in job.errors] == [3]
    with django_capture_on_commit_callbacks(execute=True):
        page.post(PositionViews.url_for("import"), {"file": csv_upload([row])})
    job = ImportJob.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    position = Position.objects.get()
    assert position.enterprise == user.enterprise and position.status == "draft"
    # Once published, the posting is no longer the import's to change.
    Position.objects.filter(pk=position.pk).update(status="published")
    with django_capture_on_commit_callbacks(execute=True):
        page.post(PositionViews.url_for("import"), {"file": csv_upload([row | {"招聘人数": "5"}])})
    job = ImportJob.objects.latest("pk")
    assert job.status == "invalid" and "无权" in job.errors[0]["message"]
