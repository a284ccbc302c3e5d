"""The permission matrix of the demand side: every role x model x action, over pages and API, and the
pipeline steps (submit, publish, return, close, advance, withdraw) by role.

The expected table is written out by hand (not derived from the policies), so that a policy change that
widens access fails here until someone decides it is right. Rows outside the user's view scope answer 404
exactly like rows that do not exist.

Codes (which probe rows a role may take the action on):
  A   every row                  N   none
  P   published postings (and the record of closed/expired ones)
  O   its own enterprise's rows  OP  its own or published   OE  its own drafts or returned postings
  S   rows of its own school's students                     M   its own (the student's own record)
  MA  its own open applications
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.enterprises import views
from xiaoqitong.enterprises.models import Application
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import ApplicationFactory, GraduateOutcomeFactory, PositionFactory, PublishedPositionFactory

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
A, N = "A", "N"
# role order: admin, gov, school_admin, teacher, hr, mentor, student, researcher
MATRIX = {
    "position": {
        "view": [A, A, "P", "P", "OP", "OP", "P", "P"],
        "add": [A, N, N, N, "O", N, N, N],
        "change": [A, N, N, N, "OE", N, N, N],
        "delete": [A, N, N, N, "OE", N, N, N],
        "export": [A, A, "P", N, "O", N, N, "P"],
        "import": [A, N, N, N, "OE", N, N, N],
    },
    "application": {
        "view": [A, N, "S", "S", "O", "O", "M", N],
        "add": [A, N, N, N, N, N, "M", N],
        "change": [A, N, N, N, N, N, "MA", N],
        "delete": [A, N, N, N, N, N, N, N],
        "export": [A, N, "S", N, "O", N, N, N],
        "import": [N, N, N, N, N, N, N, N],  # no import format: applications are made on the platform
    },
    "graduateoutcome": {
        "view": [A, A, "S", "S", N, N, "M", N],  # researchers: analytics' suppressed aggregates only
        "add": [A, A, "S", N, N, N, N, N],
        "change": [A, A, "S", N, N, N, N, N],
        "delete": [A, A, "S", N, N, N, N, N],
        "export": [A, A, "S", N, N, N, N, N],
        "import": [A, A, "S", N, N, N, N, N],
    },
}
# Pipeline steps: who may take them on a row in the right state ("O": only on its own enterprise's).
STEPS = {
    "submit": [A, N, N, N, "O", N, N, N],
    "publish": [A, A, N, N, N, N, N, N],
    "return": [A, A, N, N, N, N, N, N],
    "close": [A, A, N, N, "O", N, N, N],
    "advance": [A, N, N, N, "O", N, N, N],  # screening, interview, offer, hire, reject
    "withdraw": [A, N, N, N, N, N, "M", N],
}
CONFIGS = {
    "position": (views.PositionViews, "positions"),
    "application": (views.ApplicationViews, "applications"),
    "graduateoutcome": (views.GraduateOutcomeViews, "graduate-outcomes"),
}


def rule(table, action, role):
    return table[action][ROLES.index(role)]


def allowed(code: str, facts: set[str]) -> bool:
    """Whether a rule code admits a row with these facts (own, public, editable, school, mine, open)."""
    return {
        A: True,
        N: False,
        "P": "public" in facts,
        "O": "own" in facts,
        "OP": "own" in facts or "public" in facts,
        "OE": "own" in facts and "editable" in facts,
        "S": "school" in facts,
        "M": "mine" in facts,
        "MA": "mine" in facts and "open" in facts,
    }[code]


def student_of(user):
    """The user's own student record (a student account), or a student of the user's school."""
    if user.role == Role.STUDENT:
        student = StudentFactory(school_major=SchoolMajorFactory(school=user.school))
        student.user = user
        student.save(update_fields=["user"])
        return student
    if user.school_id:
        return StudentFactory(school_major=SchoolMajorFactory(school=user.school))
    return StudentFactory()


def probe_rows(model_name, user):
    """Rows with the facts that decide access: ``[(row, facts)]``."""
    own_enterprise = user.enterprise or EnterpriseFactory()
    owns = user.enterprise_id is not None
    if model_name == "position":
        rows = [
            (PositionFactory(enterprise=own_enterprise), {"editable"} | ({"own"} if owns else set())),
            (PublishedPositionFactory(enterprise=own_enterprise), {"public"} | ({"own"} if owns else set())),
            (PositionFactory(), {"editable"}),
            (PublishedPositionFactory(), {"public"}),
        ]
        return rows
    if model_name == "application":
        student = student_of(user)
        school_facts = {"school"} if user.school_id else set()
        mine = {"mine"} if user.role == Role.STUDENT else set()
        own = ApplicationFactory(
            student=student, position=PublishedPositionFactory(enterprise=own_enterprise)
        )
        other = ApplicationFactory()
        return [
            (own, {"open"} | school_facts | mine | ({"own"} if owns else set())),
            (other, {"open"}),
        ]
    student = student_of(user)
    facts = ({"school"} if user.school_id else set()) | ({"mine"} if user.role == Role.STUDENT else set())
    return [(GraduateOutcomeFactory(student=student), facts), (GraduateOutcomeFactory(), set())]


@pytest.mark.parametrize("model_name", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(model_name, role):
    table = MATRIX[model_name]
    user = user_with_role(role)
    config, plural = CONFIGS[model_name]
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    api_base = f"/api/v1/enterprises/{plural}/"
    rows = probe_rows(model_name, user)
    can_list = rule(table, "view", role) != N

    assert page.get(config.url_for("list")).status_code == (200 if can_list else 403)
    response = api.get(api_base)
    assert response.status_code == (200 if can_list else 403)
    if can_list:
        expected = {row.pk for row, facts in rows if allowed(rule(table, "view", role), facts)}
        listed = {item["id"] for item in response.data["results"]}
        assert listed & {row.pk for row, _f in rows} == expected, f"{model_name} {role} list"

    can_export = rule(table, "export", role) != N
    response = page.get(config.url_for("list") + "?export=csv")
    assert response.status_code == (200 if can_export else 403)
    if can_export:
        exportable = [row for row, facts in rows if allowed(rule(table, "export", role), facts)]
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert len(lines) - 1 == len(exportable), f"{model_name} {role} export"

    can_add = rule(table, "add", role) != N
    assert page.get(config.url_for("add")).status_code == (200 if can_add else 403)
    assert api.post(api_base, {}, format="json").status_code == (400 if can_add else 403)
    assert page.get(config.url_for("list") + "99999999/").status_code == 404

    if config.importable:
        can_import = rule(table, "import", role) != N
        assert page.get(config.url_for("import")).status_code == (200 if can_import else 403)
        if not can_import:
            upload = csv_upload([{"学校代码": "X"}])
            assert page.post(config.url_for("import"), {"file": upload}).status_code == 403
            assert not ImportJob.objects.exists()

    for row, facts in rows:
        visible = allowed(rule(table, "view", role), facts)
        where = f"{model_name} {role} {sorted(facts)}"
        assert page.get(config.url_for("detail", row)).status_code == (200 if visible else 404), where
        may_change = allowed(rule(table, "change", role), facts)
        expected_history = 200 if may_change else (403 if visible else 404)
        assert page.get(config.url_for("history", row)).status_code == expected_history, where
        api_view = api.get(f"{api_base}{row.pk}/").status_code
        assert api_view == (200 if visible else (404 if can_list else 403)), where
        for action, url in (
            ("change", config.url_for("edit", row)),
            ("delete", config.url_for("delete", row)),
        ):
            expected = 200 if allowed(rule(table, action, role), facts) else (403 if visible else 404)
            assert page.get(url).status_code == expected, f"{where} {action}"
        if not allowed(rule(table, "delete", role), facts):
            status = api.delete(f"{api_base}{row.pk}/").status_code
            assert status in ((403,) if visible else (403, 404)), f"{where} api delete"
            assert type(row).objects.filter(pk=row.pk).exists()
        if not may_change:
            status = api.patch(f"{api_base}{row.pk}/", {}, format="json").status_code
            assert status in ((403,) if visible else (403, 404)), f"{where} api patch"
        if not visible and can_list:
            assert api.get(f"{api_base}99999999/").status_code == api_view


# --- pipeline steps -----------------------------------------------------------------------------------------
def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def expected_step(code, facts, visible):
    if allowed(code, facts):
        return 200
    return 403 if visible else 404


@pytest.mark.parametrize("role", ROLES)
def test_position_steps_by_role(role):
    user = user_with_role(role)
    api = api_as(user)
    own_enterprise = user.enterprise or EnterpriseFactory()
    facts = {"own"} if user.enterprise_id else set()
    view = MATRIX["position"]["view"][ROLES.index(role)]
    for step, state in (
        ("submit", "draft"),
        ("publish", "submitted"),
        ("return", "submitted"),
        ("close", "published"),
    ):
        for enterprise, row_facts in ((own_enterprise, facts), (EnterpriseFactory(), set())):
            position = PositionFactory(enterprise=enterprise, status=state)
            visible = allowed(view, row_facts | ({"public"} if state == "published" else set()))
            response = api.post(
                f"/api/v1/enterprises/positions/{position.pk}/{step}/", {"note": "理由"}, format="json"
            )
            expected = expected_step(rule(STEPS, step, role), row_facts, visible)
            assert response.status_code == expected, f"{step} {role} {sorted(row_facts)}: {response.data}"
            position.refresh_from_db()
            assert (position.status != state) == (expected == 200)
            page = Client()
            page.force_login(user)
            position = PositionFactory(enterprise=enterprise, status=state)
            status = page.post(f"/enterprises/positions/{position.pk}/{step}/", {"note": "理由"}).status_code
            assert status == (302 if expected == 200 else expected), f"page {step} {role}"


@pytest.mark.parametrize("role", ROLES)
def test_application_steps_by_role(role):
    user = user_with_role(role)
    api = api_as(user)
    own_enterprise = user.enterprise or EnterpriseFactory()
    student = student_of(user)
    view = MATRIX["application"]["view"][ROLES.index(role)]
    own = ApplicationFactory(student=student, position=PublishedPositionFactory(enterprise=own_enterprise))
    own_facts = (
        ({"own"} if user.enterprise_id else set())
        | ({"school"} if user.school_id else set())
        | ({"mine"} if role == Role.STUDENT else set())
    )
    other = ApplicationFactory()
    for application, facts in ((own, own_facts), (other, set())):
        visible = allowed(view, facts)
        url = f"/api/v1/enterprises/applications/{application.pk}/advance/"
        step_facts = facts - {"mine"} if role != Role.STUDENT else facts
        response = api.post(url, {"to_status": "screening"})
        assert response.status_code == expected_step(rule(STEPS, "advance", role), step_facts, visible), role
        application.refresh_from_db()
        response = api.post(url, {"to_status": "withdrawn"})
        assert response.status_code == expected_step(rule(STEPS, "withdraw", role), facts, visible), role


def test_a_school_sees_its_students_applications_but_moves_nothing():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    application = ApplicationFactory(
        student=StudentFactory(school_major=SchoolMajorFactory(school=admin.school))
    )
    ApplicationFactory(student=StudentFactory(school_major=SchoolMajorFactory(school=SchoolFactory())))
    response = api_as(admin).get("/api/v1/enterprises/applications/")
    assert [a["id"] for a in response.data["results"]] == [application.pk]
    assert Application.objects.restrict(admin, "change").count() == 0


def test_researchers_and_government_see_no_applications():
    ApplicationFactory()
    for role in (Role.RESEARCHER, Role.GOV_OFFICER):
        assert Application.objects.restrict(user_with_role(role)).count() == 0


@pytest.mark.parametrize(
    ("role", "own", "shown"),
    [
        (Role.ENTERPRISE_HR, True, True),
        (Role.ENTERPRISE_MENTOR, True, True),
        (Role.ENTERPRISE_HR, False, False),
        (Role.STUDENT, False, False),
        (Role.SCHOOL_ADMIN, False, False),
        (Role.TEACHER, False, False),
        (Role.GOV_OFFICER, False, False),
        (Role.PLATFORM_ADMIN, False, True),
    ],
)
def test_only_the_posting_enterprise_is_linked_to_the_applications_received(role, own, shown):
    user = user_with_role(role)
    position = PublishedPositionFactory(**({"enterprise": user.enterprise} if own else {}))
    client = Client()
    client.force_login(user)
    html = client.get(views.PositionViews.url_for("detail", position)).content.decode()
    link = f"/enterprises/applications/?position={position.pk}"
    assert (link in html) is shown, role
    assert ("查看收到的申请" in html) is shown, role
