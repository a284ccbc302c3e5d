"""The targets dashboard, a target's page, the change form and the API: who sees what, exports, refusals."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.orgs.factories import SchoolFactory, user_with_role
from xiaoqitong.core.models import AuditLog
from xiaoqitong.governance.models import Target
from xiaoqitong.governance.services.targets import target_update

D = Decimal


@pytest.fixture
def officer():
    return user_with_role("gov_officer")


def test_dashboard_lists_every_target_with_its_state(client, officer, django_assert_max_num_queries):
    SchoolFactory()
    client.force_login(officer)
    with django_assert_max_num_queries(150):
        response = client.get(reverse("governance:targets"), {"year": 2025})
    assert response.status_code == 200
    body = response.content.decode()
    for code in Target.objects.values_list("code", flat=True):
        assert f'data-target="{code}"' in body
    assert 'data-matrix="school"' in body


def test_dashboard_query_count_does_not_grow_with_schools(client, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    SchoolFactory()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("governance:targets"), {"year": 2025})
    for _ in range(4):
        SchoolFactory()
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("governance:targets"), {"year": 2025})
    assert len(five.captured_queries) == len(one.captured_queries)


def test_dashboard_filters_by_state_and_exports(client, officer):
    client.force_login(officer)
    response = client.get(reverse("governance:targets"), {"year": 2025, "state": "no_data"})
    assert 'data-target="T24"' in response.content.decode()
    response = client.get(reverse("governance:targets"), {"year": 2025, "state": "red"})
    assert 'data-target="T7"' in response.content.decode()  # no fair held: 0 of 2
    # the state badge carries its colour and label
    assert '<span class="badge text-bg-danger">未达标</span>' in response.content.decode()
    assert 'data-target="T24"' not in response.content.decode()
    xlsx = client.get(reverse("governance:targets"), {"year": 2025, "export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(reverse("governance:targets"), {"year": 2025, "export": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert "编号" in text.splitlines()[0]
    assert "T24" in text


def test_school_staff_see_their_own_school_only_and_enterprises_nothing(client):
    own = SchoolFactory()
    SchoolFactory(name="另一所学校")
    teacher = user_with_role("teacher", school=own)
    client.force_login(teacher)
    body = client.get(reverse("governance:targets"), {"year": 2025}).content.decode()
    assert own.name in body
    assert "另一所学校" not in body
    client.force_login(user_with_role("enterprise_hr"))
    assert client.get(reverse("governance:targets")).status_code == 403
    assert client.get(reverse("governance:target_detail", args=["T1"])).status_code == 403


def test_target_page_drills_down_with_history_and_records(client, officer):
    SchoolFactory()
    client.force_login(officer)
    response = client.get(reverse("governance:target_detail", args=["T18"]), {"year": 2025})
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-history" in body and 'data-year="2021"' in body
    assert 'data-scope="school"' in body
    assert "/schools/teachers/" in body  # the records behind
    assert client.get(reverse("governance:target_detail", args=["T99"])).status_code == 404


def test_change_form_for_officers_only(client, officer):
    target = Target.objects.get(code="T1")
    url = reverse("governance:target_edit", args=["T1"])
    client.force_login(user_with_role("researcher"))
    assert client.get(url).status_code == 403
    client.force_login(officer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"value": "1.5", "amber_band": "0.1"})
    assert response.status_code == 200
    assert "0 到 1" in response.content.decode()
    response = client.post(url, {"value": "0.45", "amber_band": "0.05", "note": "2026 年调整"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.amber_band) == (D("0.45"), D("0.05"))
    assert AuditLog.objects.filter(verb="target_update", object_id=str(target.pk)).exists()


# --- the service ---------------------------------------------------------------------------------------
def test_update_refusals(officer):
    from django.core.exceptions import PermissionDenied, ValidationError

    t1 = Target.objects.get(code="T1")
    with pytest.raises(PermissionDenied):
        target_update(actor=user_with_role("school_admin"), target=t1, data={"value": D("0.5")})
    with pytest.raises(ValidationError, match="负数"):
        target_update(actor=officer, target=Target.objects.get(code="T4"), data={"value": D("-1")})
    with pytest.raises(ValidationError, match="没有定量目标值"):
        target_update(actor=officer, target=Target.objects.get(code="T5"), data={"value": D("0.1")})
    with pytest.raises(ValidationError, match="上限"):
        target_update(actor=officer, target=Target.objects.get(code="T10"), data={"upper": D("1")})
    with pytest.raises(ValidationError, match="不能修改"):
        target_update(actor=officer, target=t1, data={"code": "X"})
    with pytest.raises(ValidationError, match="请填写"):
        target_update(actor=officer, target=t1, data={"value": None})


def test_update_of_a_rule_target_changes_the_rule(officer):
    from xiaoqitong.cooperation.models import Rule

    target_update(actor=officer, target=Target.objects.get(code="T16"), data={"value": D("0.7")})
    assert Rule.objects.get(key="local_intern_share").value == D("0.7")


# --- the API -------------------------------------------------------------------------------------------
def test_api_results_scoped_and_filtered(client, officer):
    school = SchoolFactory()
    client.force_login(officer)
    url = "/api/v1/governance/target-results/"
    rows = client.get(url, {"year": 2025, "code": "T18", "scope": "school"}).json()
    assert [r["key"] for r in rows] == [school.pk]
    city = client.get(url, {"year": 2025, "code": "T24", "scope": "city"}).json()
    assert city[0]["state"] == "no_data" and city[0]["value"] is None
    assert client.get(url, {"year": 1999}).status_code == 400
    client.force_login(user_with_role("enterprise_mentor"))
    assert client.get(url).status_code == 403


def test_api_targets_history_and_patch(client, officer):
    client.force_login(officer)
    rows = client.get("/api/v1/governance/targets/T12/history/", {"first": 2024, "last": 2025}).json()
    assert [r["year"] for r in rows] == [2024, 2025]
    response = client.patch("/api/v1/governance/targets/T1/", {"value": "2"}, content_type="application/json")
    assert response.status_code == 400
    response = client.patch(
        "/api/v1/governance/targets/T1/", {"value": "0.42"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["value"] == "0.4200"
    client.force_login(user_with_role("researcher"))
    response = client.patch(
        "/api/v1/governance/targets/T1/", {"value": "0.5"}, content_type="application/json"
    )
    assert response.status_code == 403
