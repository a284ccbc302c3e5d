"""The permission matrix: every role x organization model x action, over pages and API.

The expected table is written out by hand (not derived from the policies) so that a policy change that
widens access fails here until someone decides it is right. "all": any row; "own": only the rows of the
user's own organization; "": refused. A refusal never reveals that a row exists: rows outside the user's
view scope answer 404 exactly like rows that do not exist.
"""

import pytest

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import check_access, csv_upload, login_clients
from xiaoqitong.orgs import views
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, ResearchInstitution, School, SchoolEnrolment

from .factories import (
    DepartmentFactory,
    EnterpriseFactory,
    ResearchInstitutionFactory,
    SchoolEnrolmentFactory,
    SchoolFactory,
    UserFactory,
    county,
    industry_leaf,
    user_with_role,
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
ACTIONS = ["view", "add", "change", "delete", "export", "import"]

A, OWN, N = "all", "own", ""
# role order: admin, gov, school_admin, teacher, hr, mentor, student, researcher
MATRIX = {
    "school": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, N, N, N, N, N, N],
        "change": [A, A, OWN, N, N, N, N, N],
        "delete": [A, A, N, N, N, N, N, N],
        "export": [A, A, A, N, A, N, N, A],
        "import": [A, A, N, N, N, N, N, N],
    },
    "enterprise": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, N, N, N, N, N, N],
        "change": [A, A, N, N, OWN, N, N, N],
        "delete": [A, A, N, N, N, N, N, N],
        "export": [A, A, A, N, N, N, N, A],
        "import": [A, A, N, N, N, N, N, N],
    },
    "researchinstitution": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, N, N, N, N, N, N],
        "change": [A, A, N, N, N, N, N, OWN],
        "delete": [A, A, N, N, N, N, N, N],
        "export": [A, A, N, N, N, N, N, A],
        "import": [A, A, N, N, N, N, N, N],
    },
    "department": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, N, N, N, N, N, N, N],
        "change": [A, N, N, N, N, N, N, N],
        "delete": [A, N, N, N, N, N, N, N],
        "export": [A, A, N, N, N, N, N, A],
        "import": [A, N, N, N, N, N, N, N],
    },
    "schoolenrolment": {
        "view": [A, A, OWN, OWN, N, N, N, A],
        "add": [A, A, OWN, N, N, N, N, N],
        "change": [A, A, OWN, N, N, N, N, N],
        "delete": [A, A, OWN, N, N, N, N, N],
        "export": [A, A, OWN, N, N, N, N, A],
        "import": [A, A, N, N, N, N, N, N],
    },
    "user": {
        "view": [A, N, N, N, N, N, N, N],
        "add": [A, N, N, N, N, N, N, N],
        "change": [A, N, N, N, N, N, N, N],
        "delete": [A, N, N, N, N, N, N, N],
        "export": [A, N, N, N, N, N, N, N],
        "import": [A, N, N, N, N, N, N, N],
    },
}
CONFIGS = {
    "school": (views.SchoolViews, "schools"),
    "enterprise": (views.EnterpriseViews, "enterprises"),
    "researchinstitution": (views.ResearchInstitutionViews, "research-institutions"),
    "department": (views.DepartmentViews, "departments"),
    "schoolenrolment": (views.SchoolEnrolmentViews, "school-enrolments"),
    "user": (views.UserViews, "users"),
}


def own_and_other(model_name: str, user):
    """A row of the user's own organization (where the notion exists) and a row of another."""
    if model_name == "school":
        return user.school, SchoolFactory()
    if model_name == "enterprise":
        return user.enterprise, EnterpriseFactory()
    if model_name == "researchinstitution":
        return user.institution, ResearchInstitutionFactory()
    if model_name == "department":
        return user.department, DepartmentFactory()
    if model_name == "schoolenrolment":
        own = SchoolEnrolmentFactory(school=user.school) if user.school_id else None
        return own, SchoolEnrolmentFactory()
    if model_name == "user":
        return None, UserFactory(role=Role.PLATFORM_ADMIN)
    raise AssertionError(model_name)


def allowed(model_name: str, role: str, action: str, is_own: bool) -> bool:
    rule = MATRIX[model_name][action][ROLES.index(role)]
    return rule == A or (rule == OWN and is_own)


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(model_name, role):
    county()
    industry_leaf()
    user = user_with_role(role)
    config, api_plural = CONFIGS[model_name]
    own, other = own_and_other(model_name, user)
    check_access(
        user,
        config,
        f"/api/v1/orgs/{api_plural}/",
        lambda action, is_own: allowed(model_name, role, action, is_own),
        own,
        other,
        f"{model_name} {role}",
    )


@pytest.mark.django_db
def test_list_shows_only_rows_in_scope():
    county()
    teacher = user_with_role(Role.TEACHER)
    SchoolEnrolmentFactory(school=teacher.school, year=2024)
    SchoolEnrolmentFactory(year=2024)
    _page, api = login_clients(teacher)
    response = api.get("/api/v1/orgs/school-enrolments/")
    assert response.data["count"] == 1
    assert SchoolEnrolment.objects.count() == 2


# --- writes across organizations --------------------------------------------------------------------
# Every role with an own-scope write right (school_admin: its school and its enrolment rows;
# enterprise_hr: its enterprise; researcher: its institution) tries to write another organization's rows.


@pytest.mark.django_db
def test_school_admin_cannot_add_an_enrolment_for_another_school():
    county()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    other = SchoolFactory()
    page, api = login_clients(admin)
    url = "/api/v1/orgs/school-enrolments/"
    payload = {"year": 2024, "full_time_students": 999}

    refused = api.post(url, payload | {"school": other.code}, format="json")
    unknown = api.post(url, payload | {"school": "4143999999"}, format="json")
    assert refused.status_code == 400 and "school" in refused.data
    # Another school's code reads exactly like a code that does not exist.
    assert unknown.status_code == refused.status_code
    assert str(refused.data).replace(other.code, "?") == str(unknown.data).replace("4143999999", "?")

    form = {"year": 2024, "full_time_students": 999}
    refused_page = page.post(views.SchoolEnrolmentViews.url_for("add"), form | {"school": other.pk})
    unknown_page = page.post(views.SchoolEnrolmentViews.url_for("add"), form | {"school": 99999999})
    assert refused_page.status_code == unknown_page.status_code == 400
    assert refused_page.context["form"].errors["school"] == unknown_page.context["form"].errors["school"]
    assert not SchoolEnrolment.objects.exists()

    # Its own school is fine, through both doors.
    assert api.post(url, payload | {"school": admin.school.code}, format="json").status_code == 201
    response = page.post(
        views.SchoolEnrolmentViews.url_for("add"), form | {"school": admin.school.pk, "year": 2025}
    )
    assert response.status_code == 302
    assert set(SchoolEnrolment.objects.values_list("school_id", flat=True)) == {admin.school_id}


@pytest.mark.django_db
def test_school_admin_cannot_move_its_enrolment_row_to_another_school():
    county()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    other = SchoolFactory()
    row = SchoolEnrolmentFactory(school=admin.school, year=2024, full_time_students=1000)
    page, api = login_clients(admin)

    response = api.patch(f"/api/v1/orgs/school-enrolments/{row.pk}/", {"school": other.code}, format="json")
    assert response.status_code in (400, 403) and (response.status_code == 403 or "school" in response.data)
    response = page.post(
        views.SchoolEnrolmentViews.url_for("edit", row),
        {"school": other.pk, "year": 2024, "full_time_students": 1000},
    )
    assert response.status_code in (400, 403)
    row.refresh_from_db()
    assert row.school_id == admin.school_id
    assert not SchoolEnrolment.objects.filter(school=other).exists()

    response = api.patch(
        f"/api/v1/orgs/school-enrolments/{row.pk}/", {"full_time_students": 1100}, format="json"
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.full_time_students == 1100


OWN_ORG_WRITERS = [
    (Role.SCHOOL_ADMIN, School, SchoolFactory, "schools", views.SchoolViews, "school"),
    (Role.ENTERPRISE_HR, Enterprise, EnterpriseFactory, "enterprises", views.EnterpriseViews, "enterprise"),
    (
        Role.RESEARCHER,
        ResearchInstitution,
        ResearchInstitutionFactory,
        "research-institutions",
        views.ResearchInstitutionViews,
        "institution",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "model", "factory", "plural", "config", "org_field"), OWN_ORG_WRITERS)
def test_own_organization_writer_cannot_change_another(role, model, factory, plural, config, org_field):
    county()
    industry_leaf()
    user = user_with_role(role)
    other = factory()
    own = getattr(user, org_field)
    page, api = login_clients(user)
    name_before = other.name

    assert api.patch(f"/api/v1/orgs/{plural}/{other.pk}/", {"name": "改名"}, format="json").status_code == 403
    assert api.put(f"/api/v1/orgs/{plural}/{other.pk}/", {"name": "改名"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/orgs/{plural}/{other.pk}/").status_code == 403
    assert page.post(config.url_for("edit", other), {"name": "改名"}).status_code == 403
    assert page.post(config.url_for("delete", other)).status_code == 403
    other.refresh_from_db()
    assert other.name == name_before

    # Its own organization it may keep.
    response = api.patch(f"/api/v1/orgs/{plural}/{own.pk}/", {"name": f"{own.name}（新）"}, format="json")
    assert response.status_code == 200, response.data
    assert model.objects.get(pk=own.pk).name.endswith("（新）")


@pytest.mark.django_db
def test_school_admin_may_not_import_schools(django_capture_on_commit_callbacks):
    county()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    page, _api = login_clients(admin)
    row = {
        "学校代码": admin.school.code,
        "学校名称": "改名职校",
        "办学层次": "中职",
        "办学性质": "公办",
        "所在县市区代码": "431002",
        "地址": "",
        "网站": "",
        "联系电话": "",
    }
    assert page.get(views.SchoolViews.url_for("import")).status_code == 403
    assert page.get(views.SchoolViews.url_for("import") + "?template=csv").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(views.SchoolViews.url_for("import"), {"file": csv_upload([row])})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    admin.school.refresh_from_db()
    assert admin.school.name != "改名职校"
