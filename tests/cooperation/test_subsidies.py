"""The policy rules (pages, API, ``rule_set``) and the apprenticeship subsidy rates (CRUD with the T17
minimum and apprenticeship kinds only)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import AgreementKind, RuleKey
from xiaoqitong.cooperation.models import Rule, SubsidyRate
from xiaoqitong.cooperation.services import subsidies as services
from xiaoqitong.cooperation.views.rules import RuleViews
from xiaoqitong.cooperation.views.subsidies import SubsidyRateViews
from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import ModelTests, login_clients
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import DepartmentFactory, user_with_role
from .factories_subsidies import SubsidyRateFactory, apprenticeship

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return user_with_role(Role.GOV_OFFICER)


# --- rules -------------------------------------------------------------------------------------------------
def test_rule_set_changes_the_value_and_is_audited(officer):
    rule = services.rule_set(actor=officer, key=RuleKey.APPRENTICE_SUBSIDY_MIN, value="5500", note="调整")
    assert rule.value == Decimal("5500") and rule.note == "调整"
    assert rules.value(RuleKey.APPRENTICE_SUBSIDY_MIN) == Decimal("5500")
    entry = AuditLog.objects.get(verb="rule_set", object_id=str(rule.pk))
    assert entry.actor == officer and entry.changes["value"] == ["5000.0000", "5500"]


def test_rule_set_refusals(officer):
    for role in (Role.ENTERPRISE_HR, Role.SCHOOL_ADMIN, Role.STUDENT, Role.RESEARCHER):
        with pytest.raises(PermissionDenied):
            services.rule_set(actor=user_with_role(role), key=RuleKey.LOCAL_INTERN_SHARE, value="0.5")
    with pytest.raises(ValidationError, match="0 到 1"):
        services.rule_set(actor=officer, key=RuleKey.LOCAL_INTERN_SHARE, value="1.2")
    with pytest.raises(ValidationError, match="整数"):
        services.rule_set(actor=officer, key=RuleKey.INTEGRATION_BASES_PER_SCHOOL, value="2.5")
    with pytest.raises(ValidationError, match="整数"):
        services.rule_set(actor=officer, key=RuleKey.SHARED_BASES_PER_COUNTY, value="0.5")
    with pytest.raises(ValidationError, match="负数"):
        services.rule_set(actor=officer, key=RuleKey.APPRENTICE_SUBSIDY_MIN, value="-1")
    with pytest.raises(ValidationError, match="数字"):
        services.rule_set(actor=officer, key=RuleKey.APPRENTICE_SUBSIDY_MIN, value="五千")
    assert rules.value(RuleKey.LOCAL_INTERN_SHARE) == Decimal("0.6")
    assert not AuditLog.objects.filter(verb="rule_set").exists()
    # the edges are fine
    services.rule_set(actor=officer, key=RuleKey.LOCAL_INTERN_SHARE, value="1")
    services.rule_set(actor=officer, key=RuleKey.INTEGRATION_BASES_PER_SCHOOL, value="3")


def test_rule_pages_everyone_reads_officers_edit(officer, django_assert_max_num_queries):
    student = user_with_role(Role.STUDENT)
    page, _api = login_clients(student)
    response = page.get(RuleViews.url_for("list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "T17" in body and "郴政发〔2021〕9号" in body and "5000" in body
    rule = Rule.objects.get(key=RuleKey.APPRENTICE_SUBSIDY_MIN)
    assert page.get(RuleViews.url_for("detail", rule)).status_code == 200
    assert page.get(RuleViews.url_for("edit", rule)).status_code == 403
    assert page.post(RuleViews.url_for("edit", rule), {"value": "1", "note": ""}).status_code == 403
    assert page.get(RuleViews.url_for("add")).status_code == 403
    assert page.post(RuleViews.url_for("delete", rule)).status_code == 403

    page, _api = login_clients(officer)
    with django_assert_max_num_queries(12):
        assert page.get(RuleViews.url_for("list")).status_code == 200
    response = page.post(RuleViews.url_for("edit", rule), {"value": "6000", "note": "2026 年起"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.value == Decimal("6000")
    shares = Rule.objects.get(key=RuleKey.LOCAL_INTERN_SHARE)
    response = page.post(RuleViews.url_for("edit", shares), {"value": "60", "note": ""})
    assert response.status_code == 400 and "0 到 1" in response.content.decode()
    assert page.get(RuleViews.url_for("history", rule)).status_code == 200
    assert page.get(RuleViews.url_for("list") + "?export=csv").status_code == 200


def test_rule_api_read_and_update(officer):
    hr = user_with_role(Role.ENTERPRISE_HR)
    api = APIClient()
    api.force_authenticate(hr)
    response = api.get("/api/v1/cooperation/rules/")
    assert response.status_code == 200 and response.data["count"] == len(RuleKey)
    response = api.get("/api/v1/cooperation/rules/local_intern_share/")
    assert response.data["target"] == "T16" and Decimal(response.data["value"]) == Decimal("0.6")
    assert api.patch("/api/v1/cooperation/rules/local_intern_share/", {"value": "0.5"}).status_code == 403
    assert api.post("/api/v1/cooperation/rules/", {}).status_code in (403, 405)

    api.force_authenticate(officer)
    response = api.patch("/api/v1/cooperation/rules/local_intern_share/", {"value": "1.5"}, format="json")
    assert response.status_code == 400 and "value" in response.data
    response = api.patch(
        "/api/v1/cooperation/rules/local_intern_share/", {"value": "0.7", "note": "新"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert Decimal(response.data["value"]) == Decimal("0.7") and response.data["note"] == "新"
    # the key, target and source are fixed
    response = api.patch("/api/v1/cooperation/rules/local_intern_share/", {"target": "T99"}, format="json")
    assert Rule.objects.get(key=RuleKey.LOCAL_INTERN_SHARE).target == "T16"
    assert api.delete("/api/v1/cooperation/rules/local_intern_share/").status_code in (403, 405)
    assert APIClient().get("/api/v1/cooperation/rules/").status_code in (401, 403)


# --- rates ------------------------------------------------------------------------------------------------
class TestSubsidyRate(ModelTests):
    views = SubsidyRateViews
    api_url = "/api/v1/cooperation/subsidy-rates/"
    factory = SubsidyRateFactory
    update_data = {"amount": "7000.00"}

    def form_data(self):
        return {
            "year": 2026,
            "kind": AgreementKind.MODERN_APPRENTICESHIP,
            "amount": "6000",
            "reviewing_department": DepartmentFactory().pk,
            "source": "郴人社发〔2026〕1号",
        }

    def api_data(self):
        return {
            "year": 2026,
            "kind": AgreementKind.ENTERPRISE_APPRENTICESHIP,
            "amount": "5000",
            "reviewing_department": DepartmentFactory().code,
            "source": "郴人社发〔2026〕1号",
        }


def test_rate_refuses_non_apprenticeship_kinds_and_amounts_below_the_rule(officer):
    department = DepartmentFactory()
    data = {"year": 2026, "amount": Decimal("6000"), "reviewing_department": department, "source": "文件"}
    for kind in (AgreementKind.ORDER_CLASS, AgreementKind.PREPARATORY):
        with pytest.raises(ValidationError, match="只适用于学徒制") as excinfo:
            services.subsidy_rate_create(actor=officer, data={**data, "kind": kind})
        assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_rate_create(
            actor=officer,
            data={**data, "kind": AgreementKind.MODERN_APPRENTICESHIP, "amount": Decimal("4999.99")},
        )
    message = excinfo.value.message_dict["amount"][0]
    assert "5,000" in message and rules.cite(RuleKey.APPRENTICE_SUBSIDY_MIN) in message
    assert not SubsidyRate.objects.exists()
    # the minimum follows the rule, not a literal
    services.rule_set(actor=officer, key=RuleKey.APPRENTICE_SUBSIDY_MIN, value="4000")
    rate = services.subsidy_rate_create(
        actor=officer, data={**data, "kind": AgreementKind.MODERN_APPRENTICESHIP, "amount": Decimal("4500")}
    )
    with pytest.raises(ValidationError, match="4,000"):
        services.subsidy_rate_update(actor=officer, instance=rate, data={"amount": Decimal("3999")})
    with pytest.raises(ValidationError, match="只适用于学徒制"):
        services.subsidy_rate_update(actor=officer, instance=rate, data={"kind": AgreementKind.ORDER_CLASS})


def test_rate_writes_are_for_officers_only(officer):
    rate = SubsidyRateFactory()
    data = {
        "year": 2030,
        "kind": AgreementKind.MODERN_APPRENTICESHIP,
        "amount": Decimal("6000"),
        "reviewing_department": DepartmentFactory(),
        "source": "文件",
    }
    for role in (Role.ENTERPRISE_HR, Role.SCHOOL_ADMIN, Role.RESEARCHER):
        user = user_with_role(role)
        with pytest.raises(PermissionDenied):
            services.subsidy_rate_create(actor=user, data=data)
        with pytest.raises(PermissionDenied):
            services.subsidy_rate_update(actor=user, instance=rate, data={"amount": Decimal("8000")})
        with pytest.raises(PermissionDenied):
            services.subsidy_rate_delete(actor=user, instance=rate)


def test_rate_in_use_keeps_its_year_and_kind_and_is_not_deleted(officer):
    from xiaoqitong.cooperation.services.subsidies import subsidy_claim_create

    agreement = apprenticeship(members=1)
    rate = SubsidyRateFactory(year=2026)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=agreement.enterprise)
    subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    with pytest.raises(ValidationError, match="不能修改年度"):
        services.subsidy_rate_update(actor=officer, instance=rate, data={"year": 2027})
    with pytest.raises(ValidationError, match="仍被其他记录引用"):
        services.subsidy_rate_delete(actor=officer, instance=rate)
    services.subsidy_rate_update(actor=officer, instance=rate, data={"amount": Decimal("8000")})


@pytest.mark.parametrize(
    ("role", "reads", "writes"),
    [
        (Role.GOV_OFFICER, True, True),
        (Role.ENTERPRISE_HR, True, False),
        (Role.SCHOOL_ADMIN, True, False),
        (Role.TEACHER, False, False),
        (Role.STUDENT, False, False),
        (Role.RESEARCHER, False, False),
        (Role.ENTERPRISE_MENTOR, False, False),
    ],
)
def test_who_reads_and_writes_rates(role, reads, writes):
    rate = SubsidyRateFactory()
    user = user_with_role(role)
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    assert page.get(SubsidyRateViews.url_for("list")).status_code == (200 if reads else 403)
    assert page.get(SubsidyRateViews.url_for("detail", rate)).status_code == (200 if reads else 404)
    assert api.get(f"/api/v1/cooperation/subsidy-rates/{rate.pk}/").status_code == (200 if reads else 403)
    assert page.get(SubsidyRateViews.url_for("add")).status_code == (200 if writes else 403)
    response = api.patch(f"/api/v1/cooperation/subsidy-rates/{rate.pk}/", {"amount": "9000"}, format="json")
    assert response.status_code == (200 if writes else 403)


def test_share_refusal_gives_the_current_share_as_example(officer):
    services.rule_set(actor=officer, key=RuleKey.LOCAL_INTERN_SHARE, value="0.7")
    with pytest.raises(ValidationError, match=r"0\.7 表示 70%"):
        services.rule_set(actor=officer, key=RuleKey.LOCAL_INTERN_SHARE, value="70")
