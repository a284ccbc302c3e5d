"""The permission matrix: every role x organization model x action, over pages and API.

The expected table is written out by hand (not derived from the policies) so that a policy change that
widens access fails here until someone decides it is right. "all": any row; "own": only the rows of the
user's own organization; "": refused. A refusal never reveals that a row exists: rows outside the user's
view scope answer 404 exactly like rows that do not exist.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.orgs import views
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import SchoolEnrolment

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
ACTIONS = ["view", "add", "change", "delete", "export"]

A, OWN, N = "all", "own", ""
# role order: admin, gov, school_admin, teacher, hr, mentor, student, researcher
MATRIX = {
    "school": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, N, N, N, N, N, N],
        "change": [A, A, OWN, N, N, N, N, N],
        "delete": [A, A, N, N, N, N, N, N],
        "export": [A, A, A, N, A, N, N, A],
    },
    "enterprise": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, N, N, N, N, N, N],
        "change": [A, A, N, N, OWN, N, N, N],
        "delete": [A, A, N, N, N, N, N, N],
        "export": [A, A, A, N, N, N, N, A],
    },
    "researchinstitution": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, A, N, N, N, N, N, N],
        "change": [A, A, N, N, N, N, N, OWN],
        "delete": [A, A, N, N, N, N, N, N],
        "export": [A, A, N, N, N, N, N, A],
    },
    "department": {
        "view": [A, A, A, A, A, A, A, A],
        "add": [A, N, N, N, N, N, N, N],
        "change": [A, N, N, N, N, N, N, N],
        "delete": [A, N, N, N, N, N, N, N],
        "export": [A, A, N, N, N, N, N, A],
    },
    "schoolenrolment": {
        "view": [A, A, OWN, OWN, N, N, N, A],
        "add": [A, A, OWN, N, N, N, N, N],
        "change": [A, A, OWN, N, N, N, N, N],
        "delete": [A, A, OWN, N, N, N, N, N],
        "export": [A, A, OWN, N, N, N, N, A],
    },
    "user": {
        "view": [A, N, N, N, N, N, N, N],
        "add": [A, N, N, N, N, N, N, N],
        "change": [A, N, N, N, N, N, N, N],
        "delete": [A, N, N, N, N, N, N, N],
        "export": [A, N, N, N, N, N, N, N],
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
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    api_base = f"/api/v1/orgs/{api_plural}/"
    own, other = own_and_other(model_name, user)
    can_list = MATRIX[model_name]["view"][ROLES.index(role)] != N

    # list and export
    assert page.get(config.url_for("list")).status_code == (200 if can_list else 403)
    response = api.get(api_base)
    assert response.status_code == (200 if can_list else 403)
    can_export = MATRIX[model_name]["export"][ROLES.index(role)] != N
    assert page.get(config.url_for("list") + "?export=csv").status_code == (200 if can_export else 403)
    can_add = MATRIX[model_name]["add"][ROLES.index(role)] != N
    assert page.get(config.url_for("add")).status_code == (200 if can_add else 403)
    assert api.post(api_base, {}, format="json").status_code == (400 if can_add else 403)

    assert page.get(config.url_for("list") + "99999999/").status_code == 404

    for target, is_own in ((own, True), (other, False)):
        if target is None:
            continue
        visible = allowed(model_name, role, "view", is_own)
        where = f"{model_name} {role} {'own' if is_own else 'other'}"
        expected_view = 200 if visible else 404
        assert page.get(config.url_for("detail", target)).status_code == expected_view, where
        assert page.get(config.url_for("history", target)).status_code == expected_view, where
        api_view = api.get(f"{api_base}{target.pk}/").status_code
        assert api_view == (200 if visible else (404 if can_list else 403)), where
        for action, url in (
            ("change", config.url_for("edit", target)),
            ("delete", config.url_for("delete", target)),
        ):
            expected = 200 if allowed(model_name, role, action, is_own) else (403 if visible else 404)
            assert page.get(url).status_code == expected, f"{where} {action}"
        # API writes: refused ones must not change anything
        if not allowed(model_name, role, "delete", is_own):
            status = api.delete(f"{api_base}{target.pk}/").status_code
            assert status in ((403,) if visible else (403, 404)), f"{where} api delete"
            assert type(target).objects.filter(pk=target.pk).exists()
        if not allowed(model_name, role, "change", is_own):
            status = api.patch(f"{api_base}{target.pk}/", {}, format="json").status_code
            assert status in ((403,) if visible else (403, 404)), f"{where} api patch"
        if not visible and can_list:
            # indistinguishable from a row that does not exist
            assert api.get(f"{api_base}99999999/").status_code == api_view


@pytest.mark.django_db
def test_list_shows_only_rows_in_scope():
    county()
    teacher = user_with_role(Role.TEACHER)
    SchoolEnrolmentFactory(school=teacher.school, year=2024)
    SchoolEnrolmentFactory(year=2024)
    api = APIClient()
    api.force_authenticate(teacher)
    response = api.get("/api/v1/orgs/school-enrolments/")
    assert response.data["count"] == 1
    assert SchoolEnrolment.objects.count() == 2
