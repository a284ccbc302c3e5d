"""The incentives ledger, the criteria and the setup: an officer records their own department's incentives
(whatever the data says), the lead department any department's; the ledger's own checks (one row per
enterprise, year, kind and measure; the date within the year; the title of the same enterprise; no negative
amount); the criteria and the setup are the lead department's; every write audited."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.orgs.factories import DepartmentFactory, EnterpriseFactory, user_with_role
from xiaoqitong.certification.models import Claim, Criterion, Incentive
from xiaoqitong.certification.selectors.setup import setup
from xiaoqitong.certification.services import incentives as services
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role

from .factories import (
    START,
    audit_verbs,
    departments,
    draft,
    hr,
    lead_officer,
    make_certification,
    officer,
    set_today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(monkeypatch):
    set_today(monkeypatch, START)
    depts = departments()
    finance = DepartmentFactory(name="测试市财政局", short_name="市财政局")
    tax = DepartmentFactory(name="国家税务总局测试市税务局", short_name="市税务局")
    return SimpleNamespace(
        depts=depts,
        finance=finance,
        tax=tax,
        lead=lead_officer(),
        finance_officer=officer(finance),
        tax_officer=officer(tax),
        enterprise=EnterpriseFactory(),
    )


def data(s, **overrides) -> dict:
    return {
        "enterprise": s.enterprise,
        "year": 2026,
        "kind": "fiscal",
        "title": "产教融合型企业奖补资金",
        "amount": Decimal("50"),
        "granted_on": dt.date(2026, 5, 10),
        "document_ref": "郴财教〔2026〕3号",
    } | overrides


# --- the ledger --------------------------------------------------------------------------------------------
def test_an_officer_records_their_departments_incentive_whatever_the_data_says(s):
    incentive = services.incentive_create(actor=s.finance_officer, data=data(s, department=s.tax))
    assert incentive.department == s.finance
    assert (incentive.amount, incentive.kind, incentive.year) == (Decimal("50"), "fiscal", 2026)
    log = AuditLog.objects.get(verb="incentive_create", object_id=str(incentive.pk))
    assert log.actor == s.finance_officer and log.changes["department_id"] == [None, s.finance.pk]


def test_the_lead_department_records_any_departments_incentive(s):
    named = services.incentive_create(
        actor=s.lead, data=data(s, department=s.tax, kind="tax", title="税费抵免")
    )
    assert named.department == s.tax
    own = services.incentive_create(
        actor=s.lead, data=data(s, kind="credit", title="信用评价加分", amount=None)
    )
    assert own.department == s.depts["市发改委"] and own.amount is None


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.RESEARCHER, Role.SCHOOL_ADMIN, Role.STUDENT])
def test_only_government_officers_record_incentives(s, role):
    with pytest.raises(PermissionDenied, match="激励台账由落实激励的政府部门填写"):
        services.incentive_create(actor=user_with_role(role), data=data(s))
    assert not Incentive.objects.exists()


def test_an_officer_without_a_department_is_refused(s):
    with pytest.raises(PermissionDenied):
        services.incentive_create(actor=user_with_role(Role.GOV_OFFICER, department=None), data=data(s))


def test_one_row_per_enterprise_year_kind_and_measure(s):
    services.incentive_create(actor=s.finance_officer, data=data(s))
    with pytest.raises(ValidationError):
        services.incentive_create(actor=s.finance_officer, data=data(s, amount=Decimal("10")))
    services.incentive_create(
        actor=s.finance_officer, data=data(s, year=2027, granted_on=dt.date(2027, 1, 5))
    )
    services.incentive_create(actor=s.finance_officer, data=data(s, title="实训设备补助"))
    assert Incentive.objects.count() == 3


def test_the_ledgers_checks(s):
    with pytest.raises(ValidationError) as error:
        services.incentive_create(actor=s.finance_officer, data=data(s, granted_on=dt.date(2025, 12, 31)))
    assert error.value.message_dict["granted_on"] == ["落实日期须在所填年度内。"]
    with pytest.raises(ValidationError) as error:
        services.incentive_create(actor=s.finance_officer, data=data(s, amount=Decimal("-1")))
    assert "amount" in error.value.message_dict
    other_title = make_certification(EnterpriseFactory())
    with pytest.raises(ValidationError) as error:
        services.incentive_create(actor=s.finance_officer, data=data(s, certification=other_title))
    assert error.value.message_dict["certification"] == ["所选认定不属于该企业。"]
    own_title = make_certification(s.enterprise)
    assert services.incentive_create(actor=s.finance_officer, data=data(s, certification=own_title)).pk
    assert Incentive.objects.count() == 1


def test_an_officer_changes_only_their_departments_incentives(s):
    incentive = services.incentive_create(actor=s.finance_officer, data=data(s))
    services.incentive_update(
        actor=s.finance_officer, instance=incentive, data={"amount": Decimal("60"), "department": s.tax}
    )
    incentive.refresh_from_db()
    assert (incentive.amount, incentive.department) == (Decimal("60"), s.finance)  # never moved away
    assert audit_verbs(incentive) == ["incentive_create", "incentive_update"]
    for actor in (s.tax_officer, officer(s.depts["市教育局"]), hr(s.enterprise)):
        with pytest.raises(PermissionDenied):
            services.incentive_update(actor=actor, instance=incentive, data={"amount": Decimal("1")})
        with pytest.raises(PermissionDenied, match="只能修改本部门落实的激励"):
            services.incentive_delete(actor=actor, instance=incentive)
    incentive.refresh_from_db()
    assert incentive.amount == Decimal("60")


def test_the_lead_department_changes_and_deletes_any_departments_incentive(s):
    incentive = services.incentive_create(actor=s.finance_officer, data=data(s))
    services.incentive_update(actor=s.lead, instance=incentive, data={"note": "已核实", "department": s.tax})
    incentive.refresh_from_db()
    assert (incentive.note, incentive.department) == ("已核实", s.tax)
    pk = incentive.pk
    services.incentive_delete(actor=s.lead, instance=incentive)
    assert not Incentive.objects.filter(pk=pk).exists()
    assert AuditLog.objects.filter(verb="incentive_delete", object_id=str(pk), actor=s.lead).count() == 1


def test_an_officer_deletes_their_departments_incentive(s):
    incentive = services.incentive_create(actor=s.tax_officer, data=data(s, kind="tax", title="税费抵免"))
    services.incentive_delete(actor=s.tax_officer, instance=incentive)
    assert not Incentive.objects.exists()


# --- the criteria ------------------------------------------------------------------------------------------
CRITERION = {
    "code": "rnd_centre",
    "name": "共建研发中心",
    "measure": "claimed",
    "min_municipal": Decimal("1"),
    "source": "郴政发〔2021〕9号 四（九）",
}


def test_the_lead_department_keeps_the_criteria(s):
    made = services.criterion_create(actor=s.lead, data=CRITERION)
    assert (made.required, made.active, made.min_provincial) == (True, True, None)
    services.criterion_update(actor=s.lead, instance=made, data={"min_provincial": Decimal("2")})
    made.refresh_from_db()
    assert made.threshold("provincial") == Decimal("2") and made.threshold("municipal") == Decimal("1")
    pk = made.pk
    services.criterion_delete(actor=s.lead, instance=made)
    assert not Criterion.objects.filter(pk=pk).exists()
    assert [
        v for v in AuditLog.objects.filter(object_id=str(pk)).order_by("id").values_list("verb", flat=True)
    ] == ["criterion_create", "criterion_update", "criterion_delete"]


def test_only_the_lead_department_keeps_the_criteria(s):
    interns = Criterion.objects.get(code="interns")
    for actor in (s.finance_officer, officer(s.depts["市教育局"]), hr(), user_with_role(Role.RESEARCHER)):
        with pytest.raises(PermissionDenied, match="认定条件由牵头部门维护"):
            services.criterion_create(actor=actor, data=CRITERION)
        with pytest.raises(PermissionDenied):
            services.criterion_update(actor=actor, instance=interns, data={"min_municipal": Decimal("1")})
        with pytest.raises(PermissionDenied):
            services.criterion_delete(actor=actor, instance=interns)
    interns.refresh_from_db()
    assert interns.min_municipal == Decimal("20")


def test_a_criterion_that_claims_refer_to_is_deactivated_not_deleted(s):
    credit = Criterion.objects.get(code="credit")
    Claim.objects.create(application=draft(hr()), criterion=credit, value=Decimal("1"))
    with pytest.raises(ValidationError, match="已有申请或考核引用“信用记录良好”，请停用而不是删除"):
        services.criterion_delete(actor=s.lead, instance=credit)
    services.criterion_update(actor=s.lead, instance=credit, data={"active": False})
    credit.refresh_from_db()
    assert credit.active is False


def test_a_negative_threshold_is_refused(s):
    with pytest.raises(ValidationError) as error:
        services.criterion_create(actor=s.lead, data=CRITERION | {"min_municipal": Decimal("-1")})
    assert "min_municipal" in error.value.message_dict


# --- the setup ---------------------------------------------------------------------------------------------
def test_the_lead_department_changes_the_setup(s):
    config = setup()
    assert config.lead_department == s.depts["市发改委"]
    assert set(config.opinion_departments.all()) == {s.depts["市教育局"], s.depts["市人社局"]}
    services.setup_update(
        actor=s.lead,
        instance=config,
        data={"opinion_days": 10, "opinion_departments": [s.depts["市教育局"], s.finance]},
    )
    config = setup()
    assert config.opinion_days == 10
    assert set(config.opinion_departments.all()) == {s.depts["市教育局"], s.finance}
    log = AuditLog.objects.get(verb="setup_update")
    assert log.actor == s.lead and log.changes["opinion_days"] == [15, 10]


def test_setup_refusals(s):
    config = setup()
    with pytest.raises(PermissionDenied):
        services.setup_update(actor=s.finance_officer, instance=config, data={"opinion_days": 10})
    for field, value in (("opinion_days", 0), ("review_open_days", 6), ("rectification_days", 400)):
        with pytest.raises(ValidationError) as error:
            services.setup_update(actor=s.lead, instance=config, data={field: value})
        assert field in error.value.message_dict
    config.refresh_from_db()
    assert (config.opinion_days, config.review_open_days, config.rectification_days) == (15, 60, 90)


def test_the_setup_is_made_once_from_the_departments_names(s):
    assert setup().pk == setup().pk
    assert setup().lead_department.short_name == "市发改委"
