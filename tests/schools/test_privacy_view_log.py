"""个人信息查看记录: who opened which student's full profile — for the student ("谁查看了我的档案"), the
school administrator (the school's students) and the platform administrator (all); filters, exports, API."""

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools import privacy

from ..orgs.factories import EnterpriseFactory, user_with_role
from .factories import StudentFactory, student_account

pytestmark = pytest.mark.django_db
PAGE = "/schools/profile-views/"
API = "/api/v1/schools/profile-views/"


@pytest.fixture
def scene():
    """Two schools' students viewed by two enterprises' HR, a teacher and the student themself."""
    mine = StudentFactory(name="林晓雨", student_no="LXY01", consent="full")
    other = StudentFactory(name="周子墨", student_no="ZZM01", consent="full")
    own = student_account(mine)
    hr_a = user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory(name="郴州甲机械有限公司"))
    hr_a.display_name = "人事甲"
    hr_a.save()
    hr_b = user_with_role(Role.ENTERPRISE_HR, enterprise=EnterpriseFactory(name="郴州乙电子有限公司"))
    teacher = user_with_role(Role.TEACHER, school=mine.school)
    page = Client()
    for user, student in ((hr_a, mine), (hr_b, mine), (hr_a, other), (teacher, mine), (own, mine)):
        page.force_login(user)
        assert page.get(student.get_absolute_url()).status_code == 200
    api = APIClient()
    api.force_authenticate(hr_b)
    assert api.get(f"/api/v1/schools/students/{other.pk}/").status_code == 200
    return {"mine": mine, "other": other, "own": own, "hr_a": hr_a, "hr_b": hr_b, "teacher": teacher}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_student_sees_who_viewed_their_profile_not_their_own_looks(scene):
    html = logged_in(scene["own"]).get(PAGE).content.decode()
    assert "谁查看了我的档案" in html
    assert "人事甲" in html and "郴州甲机械有限公司" in html and "郴州乙电子有限公司" in html
    assert "求职档案（含姓名）" in html and "完整（手机号打码）" in html  # the teacher's view
    assert "共 3 条记录" in html
    assert "周子墨" not in html  # another student's views
    rows = privacy.profile_view_rows(privacy.profile_views_for(scene["own"]), with_student=False)
    assert {r["organization"] for r in rows} == {
        "郴州甲机械有限公司",
        "郴州乙电子有限公司",
        scene["mine"].school.name,
    }


def test_the_school_administrator_sees_the_schools_students_only(scene):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=scene["mine"].school)
    html = logged_in(admin).get(PAGE).content.decode()
    assert "林晓雨" in html and "周子墨" not in html and "共 4 条记录" in html  # the student's own look too
    platform = user_with_role(Role.PLATFORM_ADMIN)
    html = logged_in(platform).get(PAGE).content.decode()
    assert "林晓雨" in html and "周子墨" in html and "共 6 条记录" in html


def test_filters_by_student_viewer_organization_access_and_date(scene):
    platform = logged_in(user_with_role(Role.PLATFORM_ADMIN))
    count = lambda **query: platform.get(PAGE, query).context["page"].paginator.count  # noqa: E731
    assert count(student="周子墨") == 2
    assert count(student="LXY01") == 4
    assert count(viewer="人事甲") == 2
    assert count(organization="乙电子") == 2
    assert count(access="school") == 1
    today = dt.date.today()
    assert count(date_after=today - dt.timedelta(days=1)) == 6
    assert count(date_before=today - dt.timedelta(days=1)) == 0
    # a school administrator's student filter never reaches another school's students
    admin = logged_in(user_with_role(Role.SCHOOL_ADMIN, school=scene["mine"].school))
    assert admin.get(PAGE, {"student": "周子墨"}).context["page"].paginator.count == 0


def test_exports_csv_and_xlsx(scene):
    admin = logged_in(user_with_role(Role.SCHOOL_ADMIN, school=scene["mine"].school))
    csv = admin.get(PAGE, {"export": "csv", "viewer": "人事甲"})
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]
    text = csv.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "查看时间,学生,学号,学校,查看人,角色,所属单位,访问级别"
    assert len(lines) == 2 and "林晓雨,LXY01" in lines[1] and "郴州甲机械有限公司" in lines[1]
    xlsx = admin.get(PAGE, {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 5  # header + the school's 4 views
    own = logged_in(scene["own"]).get(PAGE, {"export": "csv"}).content.decode("utf-8-sig")
    assert (
        own.splitlines()[0] == "查看时间,查看人,角色,所属单位,访问级别" and len(own.strip().splitlines()) == 4
    )


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR, Role.TEACHER, Role.GOV_OFFICER])
def test_others_may_not_read_the_log(scene, role):
    user = user_with_role(role, **({"school": scene["mine"].school} if role == Role.TEACHER else {}))
    assert logged_in(user).get(PAGE).status_code == 403
    assert logged_in(user).get(PAGE, {"export": "csv"}).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(API).status_code == 403


def test_the_api_lists_and_filters(scene):
    api = APIClient()
    api.force_authenticate(user_with_role(Role.SCHOOL_ADMIN, school=scene["mine"].school))
    data = api.get(API).data
    assert data["count"] == 4
    row = api.get(API, {"viewer": "人事甲"}).data["results"][0]
    assert row["student_name"] == "林晓雨" and row["organization"] == "郴州甲机械有限公司"
    assert row["access"] == "full" and row["access_display"] == "求职档案（含姓名）"
    api.force_authenticate(scene["own"])
    assert api.get(API).data["count"] == 3
    api.force_authenticate(None)
    assert api.get(API).status_code in {401, 403}


def test_lists_are_not_views_and_the_log_costs_few_queries(scene, django_assert_max_num_queries):
    before = AuditLog.objects.filter(verb="student_profile_view").count()
    logged_in(scene["hr_a"]).get("/schools/students/")
    assert AuditLog.objects.filter(verb="student_profile_view").count() == before
    platform = logged_in(user_with_role(Role.PLATFORM_ADMIN))
    for _ in range(20):
        logged_in(scene["hr_b"]).get(scene["mine"].get_absolute_url())
    with django_assert_max_num_queries(12):
        platform.get(PAGE)
