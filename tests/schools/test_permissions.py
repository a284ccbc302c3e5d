"""The permission matrix: every role x school model x action, over pages and API.

Written out by hand (not derived from the policies): a policy change that widens access fails here until
someone decides it is right. "all": any row; "own": only the rows in the user's own sphere; "": refused.
The sphere is the user's school for school roles, the student's own record for a student, and the students
who consent to be seen for an enterprise (its "other" row is a student who does not consent). Rows outside
the view scope answer 404 exactly like rows that do not exist.
"""

import pytest

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import check_access, csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools import views
from xiaoqitong.schools.models import SchoolMajor, Student, Teacher

from ..orgs.factories import SchoolFactory, user_with_role
from .factories import (
    SchoolMajorFactory,
    StudentFactory,
    TeacherFactory,
    TeacherPracticeFactory,
    student_account,
)

ROLES = [
    Role.PLATFORM_ADMIN,
    Role.GOV_OFFICER,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.ENTERPRISE_HR,
    Role.ENTERPRISE_MENTOR,
    Role.STUDENT,
    Role.RESEARCHER,
]
A, OWN, N = "all", "own", ""
# role order: admin, gov, school_admin, teacher, hr, mentor, student, researcher
MATRIX = {
    "schoolmajor": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, OWN, N, N, N, N, N],
        "change": [A, A, OWN, N, N, N, N, N],
        "delete": [A, A, OWN, N, N, N, N, N],
        "export": [A, A, A, N, N, N, N, A],
        "import": [A, A, OWN, N, N, N, N, N],
    },
    "student": {
        "view": [A, N, OWN, OWN, OWN, OWN, OWN, N],
        "add": [A, N, OWN, N, N, N, N, N],
        "change": [A, N, OWN, N, N, N, OWN, N],
        "delete": [A, N, OWN, N, N, N, N, N],
        "export": [A, N, OWN, N, N, N, N, N],
        "import": [A, N, OWN, N, N, N, N, N],
    },
    "teacher": {
        "view": [A, A, OWN, OWN, N, N, N, N],
        "add": [A, N, OWN, N, N, N, N, N],
        "change": [A, N, OWN, N, N, N, N, N],
        "delete": [A, N, OWN, N, N, N, N, N],
        "export": [A, A, OWN, N, N, N, N, N],
        "import": [A, N, OWN, N, N, N, N, N],
    },
    "teacherpractice": {
        "view": [A, A, OWN, OWN, N, N, N, N],
        "add": [A, N, OWN, N, N, N, N, N],
        "change": [A, N, OWN, N, N, N, N, N],
        "delete": [A, N, OWN, N, N, N, N, N],
        "export": [A, A, OWN, N, N, N, N, N],
        "import": [A, N, OWN, N, N, N, N, N],
    },
}
CONFIGS = {
    "schoolmajor": (views.SchoolMajorViews, "school-majors"),
    "student": (views.StudentViews, "students"),
    "teacher": (views.TeacherViews, "teachers"),
    "teacherpractice": (views.TeacherPracticeViews, "teacher-practices"),
}


def own_and_other(model_name: str, user):
    """A row of the user's sphere (None where the notion does not apply) and a row outside it."""
    school = user.school
    if model_name == "schoolmajor":
        return (SchoolMajorFactory(school=school) if school else None), SchoolMajorFactory()
    if model_name == "student":
        if user.role == Role.STUDENT:
            own = StudentFactory(school_major__school=school)
            student_account_link(own, user)
            return own, StudentFactory(school_major__school=school)  # a classmate
        if user.role in (Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR):
            return StudentFactory(consent="deidentified"), StudentFactory(consent="none")
        return (StudentFactory(school_major__school=school) if school else None), StudentFactory(
            consent="full"
        )
    if model_name == "teacher":
        return (TeacherFactory(school=school) if school else None), TeacherFactory()
    if model_name == "teacherpractice":
        return (TeacherPracticeFactory(teacher__school=school) if school else None), TeacherPracticeFactory()
    raise AssertionError(model_name)


def student_account_link(student, user):
    Student.objects.filter(pk=student.pk).update(user=user)
    student.user = user


def allowed(model_name: str, role: str, action: str, is_own: bool) -> bool:
    rule = MATRIX[model_name][action][ROLES.index(role)]
    return rule == A or (rule == OWN and is_own)


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(model_name, role):
    user = user_with_role(role)
    config, api_plural = CONFIGS[model_name]
    own, other = own_and_other(model_name, user)
    check_access(
        user,
        config,
        f"/api/v1/schools/{api_plural}/",
        lambda action, is_own: allowed(model_name, role, action, is_own),
        own,
        other,
        f"{model_name} {role}",
    )


# --- writes across schools ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_school_admin_cannot_write_another_schools_rows():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    other_major = SchoolMajorFactory()
    other_school = other_major.school
    page, api = login_clients(admin)
    payload = {"major": "660103", "year": 2025, "students_enrolled": 10}

    refused = api.post(
        "/api/v1/schools/school-majors/", payload | {"school": other_school.code}, format="json"
    )
    unknown = api.post("/api/v1/schools/school-majors/", payload | {"school": "4143999999"}, format="json")
    assert refused.status_code == unknown.status_code == 400
    assert str(refused.data).replace(other_school.code, "?") == str(unknown.data).replace("4143999999", "?")

    student = {"student_no": "X1", "name": "越权", "grade": 2024, "school_major": other_major.pk}
    response = api.post("/api/v1/schools/students/", student | {"school": other_school.code}, format="json")
    assert response.status_code == 400 and "school" in response.data and "school_major" in response.data
    response = page.post(
        views.StudentViews.url_for("add"), student | {"school": other_school.pk, "consent": "none"}
    )
    assert response.status_code == 400
    assert not Student.objects.exists()

    teacher = TeacherFactory(school=admin.school)
    response = api.patch(
        f"/api/v1/schools/teachers/{teacher.pk}/", {"school": other_school.code}, format="json"
    )
    assert response.status_code in (400, 403)
    teacher.refresh_from_db()
    assert teacher.school_id == admin.school_id
    assert not Teacher.objects.filter(school=other_school).exists()
    # its own school's rows it keeps
    own = api.post("/api/v1/schools/school-majors/", payload | {"school": admin.school.code}, format="json")
    assert own.status_code == 201, own.data
    assert SchoolMajor.objects.filter(school=admin.school).count() == 1


@pytest.mark.django_db
def test_school_admin_imports_only_its_own_schools_rows(django_capture_on_commit_callbacks):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    other = SchoolFactory()
    page, _api = login_clients(admin)
    row = {
        "学校代码": admin.school.code,
        "工号": "T1",
        "姓名": "本校老师",
        "聘任方式": "专任",
        "“双师型”教师": "否",
        "“双师型”认定日期": "",
        "“双师型”认定依据": "",
        "职称": "初级",
        "教学名师": "",
        "特岗教师": "否",
        "手机号": "",
        "本职单位统一社会信用代码": "",
    }
    rows = [row, row | {"学校代码": other.code, "工号": "T2", "姓名": "外校老师"}]
    with django_capture_on_commit_callbacks(execute=True):
        page.post(views.TeacherViews.url_for("import"), {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    assert [e["row"] for e in job.errors] == [3]
    assert job.errors[0]["message"] == "您无权导入或修改此记录。"
    assert not Teacher.objects.exists()


@pytest.mark.django_db
def test_a_student_keeps_consent_and_preferences_but_not_school_records():
    student = StudentFactory(consent="none", status="studying")
    user = student_account(student)
    page, api = login_clients(user)
    url = f"/api/v1/schools/students/{student.pk}/"

    response = api.patch(url, {"consent": "full", "skills": "机械制图:精通"}, format="json")
    assert response.status_code == 200, response.data
    response = api.patch(url, {"status": "graduated"}, format="json")
    assert response.status_code == 400 and "status" in response.data
    response = api.patch(url, {"name": "改名"}, format="json")
    assert response.status_code == 400 and "name" in response.data
    student.refresh_from_db()
    assert student.consent == "full" and student.status == "studying" and student.name != "改名"
    assert [(s.skill.name, s.level) for s in student.skill_levels.all()] == [("机械制图", "expert")]
    # The edit page offers the same: the school's fields show locked.
    form = page.get(views.StudentViews.url_for("edit", student)).context["form"]
    assert form.fields["name"].disabled and form.fields["status"].disabled
    assert not form.fields["consent"].disabled and "id_card" not in form.fields
    # Another student's record stays out of reach.
    classmate = StudentFactory(school_major=student.school_major)
    assert (
        api.patch(f"/api/v1/schools/students/{classmate.pk}/", {"consent": "full"}, format="json").status_code
        == 404
    )


@pytest.mark.django_db
def test_teachers_read_their_schools_students_and_write_nothing():
    teacher = user_with_role(Role.TEACHER)
    student = StudentFactory(school_major__school=teacher.school)
    page, api = login_clients(teacher)
    assert api.get("/api/v1/schools/students/").data["count"] == 1
    assert (
        api.patch(f"/api/v1/schools/students/{student.pk}/", {"name": "改"}, format="json").status_code == 403
    )
    assert page.get(views.StudentViews.url_for("edit", student)).status_code == 403
