"""Apprenticeship subsidy claims (T17): the computation (whole months × rate ÷ 12, to the fen), every step
with its refusals, scoping, query counts, the payment import, the summary, and the whole flow on the pages:
HR claims, an officer of another department cannot review, the reviewing department approves and records
the payment, the export lists it."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import (
    AgreementKind,
    AgreementStatus,
    ChangeStatus,
    ClaimStatus,
    MemberStatus,
    RuleKey,
)
from xiaoqitong.cooperation.models import AgreementChange, SubsidyClaim
from xiaoqitong.cooperation.selectors.subsidies import subsidy_summary, whole_months
from xiaoqitong.cooperation.services import subsidies as services
from xiaoqitong.cooperation.views.subsidies import SubsidyClaimViews
from xiaoqitong.core.models import AuditAction, AuditLog
from xiaoqitong.core.navigation import counters_for
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import DepartmentFactory, user_with_role
from .factories import ActiveAgreementFactory, AgreementMemberFactory
from .factories_subsidies import AFTER_THE_PERIOD, SubsidyRateFactory, apprenticeship, set_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _months_over(monkeypatch):
    """The agreements of these tests run 2025-2027; every month of them is over."""
    set_today(monkeypatch, AFTER_THE_PERIOD)


API = "/api/v1/cooperation/subsidy-claims/"


@pytest.fixture
def department():
    return DepartmentFactory(name="郴州市人力资源和社会保障局")


@pytest.fixture
def rates(department):
    return {
        year: SubsidyRateFactory(year=year, amount=Decimal("5000.00"), reviewing_department=department)
        for year in (2025, 2026, 2027)
    }


@pytest.fixture
def agreement():
    return apprenticeship(members=2)


@pytest.fixture
def hr(agreement):
    return user_with_role(Role.ENTERPRISE_HR, enterprise=agreement.enterprise)


@pytest.fixture
def reviewer(department):
    return user_with_role(Role.GOV_OFFICER, department=department)


@pytest.fixture
def other_officer():
    return user_with_role(Role.GOV_OFFICER)


def audits(claim, verb) -> int:
    return AuditLog.objects.filter(
        object_id=str(claim.pk), verb=verb, content_type__model="subsidyclaim"
    ).count()


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def submitted(hr, agreement, year=2026):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=year)
    return services.subsidy_claim_submit(actor=hr, claim=claim)


# --- the computation ---------------------------------------------------------------------------------------
def test_whole_months():
    start, end = dt.date(2025, 9, 1), dt.date(2027, 6, 30)
    assert [whole_months(start, end, y) for y in (2024, 2025, 2026, 2027, 2028)] == [0, 4, 12, 6, 0]
    # a month counts only when it lies wholly within the period
    assert whole_months(dt.date(2025, 9, 2), end, 2025) == 3
    assert whole_months(start, dt.date(2027, 6, 29), 2027) == 5
    assert whole_months(dt.date(2026, 2, 1), dt.date(2026, 2, 28), 2026) == 1
    assert whole_months(dt.date(2024, 2, 1), dt.date(2024, 2, 28), 2024) == 0  # leap year: 29 days
    assert whole_months(dt.date(2026, 3, 10), dt.date(2026, 3, 31), 2026) == 0
    assert whole_months(dt.date(2026, 5, 1), dt.date(2026, 4, 1), 2026) == 0


def test_line_amounts_are_exact_to_the_fen():
    assert services.line_amount(Decimal("5000"), 4) == Decimal("1666.67")
    assert services.line_amount(Decimal("5000"), 10) == Decimal("4166.67")
    assert services.line_amount(Decimal("5000"), 12) == Decimal("5000.00")
    assert services.line_amount(Decimal("5000"), 1) == Decimal("416.67")
    assert services.line_amount(Decimal("6500"), 3) == Decimal("1625.00")
    assert services.line_amount(Decimal("5000.10"), 1) == Decimal("416.68")  # 416.675: half up


def test_claim_counts_whole_months_of_confirmed_apprentices(hr, agreement, rates):
    claim_2025 = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2025)
    assert claim_2025.apprentices == 2
    assert [(line.months, line.amount) for line in claim_2025.lines.all()] == [(4, Decimal("1666.67"))] * 2
    assert claim_2025.amount == Decimal("3333.34")
    assert claim_2025.rate == rates[2025] and claim_2025.status == ClaimStatus.DRAFT
    claim_2026 = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    assert claim_2026.amount == Decimal("10000.00")
    assert {line.months for line in claim_2026.lines.all()} == {12}
    claim_2027 = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2027)
    assert claim_2027.amount == Decimal("5000.00")  # 2 × 6 months
    assert audits(claim_2025, "subsidyclaim_create") == 1


def test_a_claim_during_the_year_counts_only_the_months_that_are_over(hr, agreement, rates, monkeypatch):
    set_today(monkeypatch, dt.date(2026, 5, 15))  # January to April are over
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    assert {line.months for line in claim.lines.all()} == {4}
    assert claim.amount == Decimal("3333.34")
    with pytest.raises(ValidationError, match="2027"):
        services.subsidy_claim_create(actor=hr, agreement=agreement, year=2027)  # nothing over yet


def test_only_confirmed_apprentices_and_transfers_up_to_the_move(hr, agreement, rates):
    for status in (MemberStatus.INVITED, MemberStatus.DECLINED, MemberStatus.EXPIRED, MemberStatus.LEFT):
        AgreementMemberFactory(agreement=agreement, status=status)
    # one apprentice moved out on 2026-04-10 (approved change): January to March count
    moved = AgreementMemberFactory(agreement=agreement, status=MemberStatus.TRANSFERRED)
    other = ActiveAgreementFactory(
        kind=AgreementKind.MODERN_APPRENTICESHIP,
        enterprise=agreement.enterprise,
        school_major=agreement.school_major,
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2027, 6, 30),
    )
    decided = timezone.make_aware(dt.datetime(2026, 4, 10, 10, 0))
    AgreementChange.objects.create(
        member=moved, to_agreement=other, reason="转企业", status=ChangeStatus.APPROVED, decided_at=decided
    )
    arrived = AgreementMemberFactory(agreement=other, student=moved.student)
    # a transfer with no dated decision counts nothing (when they left is not known)
    AgreementMemberFactory(agreement=agreement, status=MemberStatus.TRANSFERRED)

    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    months = {line.student_id: line.months for line in claim.lines.all()}
    assert months[moved.student_id] == 3
    assert sorted(months.values()) == [3, 12, 12] and claim.apprentices == 3
    assert claim.amount == Decimal("10000.00") + Decimal("1250.00")
    # in the agreement they moved to, they count from the move: May to December
    claim_other = services.subsidy_claim_create(actor=hr, agreement=other, year=2026)
    assert [(line.student_id, line.months) for line in claim_other.lines.all()] == [(arrived.student_id, 8)]


# --- create: refusals --------------------------------------------------------------------------------------
def test_create_refusals(hr, agreement, rates, reviewer):
    for role in (Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.STUDENT, Role.ENTERPRISE_MENTOR):
        with pytest.raises(PermissionDenied):
            services.subsidy_claim_create(actor=user_with_role(role), agreement=agreement, year=2026)
    with pytest.raises(PermissionDenied, match="本企业"):
        services.subsidy_claim_create(
            actor=user_with_role(Role.ENTERPRISE_HR), agreement=agreement, year=2026
        )

    order_class = ActiveAgreementFactory(enterprise=agreement.enterprise, kind=AgreementKind.ORDER_CLASS)
    with pytest.raises(ValidationError, match="不是学徒制协议"):
        services.subsidy_claim_create(actor=hr, agreement=order_class, year=2026)

    for status in (AgreementStatus.DRAFT, AgreementStatus.PROPOSED, AgreementStatus.CANCELLED):
        pending = apprenticeship(members=1, enterprise=agreement.enterprise, status=status)
        with pytest.raises(ValidationError, match="只有执行中或已结束"):
            services.subsidy_claim_create(actor=hr, agreement=pending, year=2026)
    ended = apprenticeship(members=1, enterprise=agreement.enterprise, status=AgreementStatus.ENDED)
    services.subsidy_claim_create(actor=hr, agreement=ended, year=2026)

    enterprise_kind = apprenticeship(
        members=1, enterprise=agreement.enterprise, kind=AgreementKind.ENTERPRISE_APPRENTICESHIP
    )
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_claim_create(actor=hr, agreement=enterprise_kind, year=2026)
    assert "2026 年度尚未设置“企业新型学徒制”" in excinfo.value.messages[0]
    with pytest.raises(ValidationError, match="尚未设置"):
        services.subsidy_claim_create(actor=hr, agreement=agreement, year=2024)

    SubsidyRateFactory(year=2028, reviewing_department=rates[2026].reviewing_department)
    with pytest.raises(ValidationError, match="没有满整月的学徒"):
        services.subsidy_claim_create(actor=hr, agreement=agreement, year=2028)
    no_one = apprenticeship(members=0, enterprise=agreement.enterprise)
    with pytest.raises(ValidationError, match="没有满整月的学徒"):
        services.subsidy_claim_create(actor=hr, agreement=no_one, year=2026)

    first = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    assert (
        first.get_absolute_url() in excinfo.value.messages[0]
        and f"编号 {first.pk}" in excinfo.value.messages[0]
    )
    assert SubsidyClaim.objects.filter(agreement=agreement).count() == 1


# --- the steps ---------------------------------------------------------------------------------------------
def test_recompute_follows_members_and_rate(hr, agreement, rates, reviewer, department):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    AgreementMemberFactory(agreement=agreement)
    rate = rates[2026]
    services.subsidy_rate_update(actor=reviewer, instance=rate, data={"amount": Decimal("6000")})
    claim = services.subsidy_claim_recompute(actor=hr, claim=claim)
    assert claim.apprentices == 3 and claim.amount == Decimal("18000.00")
    assert claim.lines.count() == 3
    entry = AuditLog.objects.get(verb="subsidyclaim_recompute", object_id=str(claim.pk))
    assert "lines" in entry.changes and entry.changes["amount"] == ["10000.00", "18000.00"]
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_recompute(actor=user_with_role(Role.ENTERPRISE_HR), claim=claim)
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_recompute(actor=reviewer, claim=claim)
    services.subsidy_claim_submit(actor=hr, claim=claim)
    with pytest.raises(ValidationError, match="待审核"):
        services.subsidy_claim_recompute(actor=hr, claim=claim)


def test_submit_and_its_refusals(hr, agreement, rates, reviewer):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_submit(actor=reviewer, claim=claim)
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_submit(actor=user_with_role(Role.ENTERPRISE_HR), claim=claim)
    claim = services.subsidy_claim_submit(actor=hr, claim=claim)
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_at is not None
    assert audits(claim, "subsidyclaim_submit") == 1
    with pytest.raises(ValidationError, match="草稿、退回修改"):
        services.subsidy_claim_submit(actor=hr, claim=claim)


def test_review_is_for_the_rates_department(hr, agreement, rates, reviewer, other_officer):
    claim = submitted(hr, agreement)
    for actor in (other_officer, hr, user_with_role(Role.SCHOOL_ADMIN, school=agreement.school)):
        with pytest.raises(PermissionDenied):
            services.subsidy_claim_approve(actor=actor, claim=claim)
        with pytest.raises(PermissionDenied):
            services.subsidy_claim_return(actor=actor, claim=claim, note="材料不全")
        with pytest.raises(PermissionDenied):
            services.subsidy_claim_reject(actor=actor, claim=claim, note="不符合")
    with pytest.raises(PermissionDenied, match="郴州市人力资源和社会保障局"):
        services.subsidy_claim_approve(actor=other_officer, claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    admin = user_with_role(Role.PLATFORM_ADMIN)
    assert services.subsidy_claim_approve(actor=admin, claim=claim).status == ClaimStatus.APPROVED


def test_approve_amount_rules(hr, agreement, rates, reviewer):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    with pytest.raises(ValidationError, match="草稿"):
        services.subsidy_claim_approve(actor=reviewer, claim=claim)
    claim = services.subsidy_claim_submit(actor=hr, claim=claim)
    with pytest.raises(ValidationError, match="不能超过申请金额 10,000 元"):
        services.subsidy_claim_approve(actor=reviewer, claim=claim, approved_amount=Decimal("10000.01"))
    with pytest.raises(ValidationError, match="大于 0"):
        services.subsidy_claim_approve(actor=reviewer, claim=claim, approved_amount=Decimal("0"))
    claim = services.subsidy_claim_approve(
        actor=reviewer, claim=claim, approved_amount=Decimal("9000"), note="核减"
    )
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount == Decimal("9000.00")
    assert claim.reviewed_by == reviewer and claim.review_note == "核减"
    assert audits(claim, "subsidyclaim_approve") == 1
    with pytest.raises(ValidationError, match="审核通过"):
        services.subsidy_claim_approve(actor=reviewer, claim=claim)
    other = submitted(hr, agreement, year=2027)
    assert services.subsidy_claim_approve(actor=reviewer, claim=other).approved_amount == other.amount


def test_return_then_resubmit_and_reject(hr, agreement, rates, reviewer):
    claim = submitted(hr, agreement)
    with pytest.raises(ValidationError, match="退回理由"):
        services.subsidy_claim_return(actor=reviewer, claim=claim, note="  ")
    claim = services.subsidy_claim_return(actor=reviewer, claim=claim, note="请补充学徒名册")
    assert claim.status == ClaimStatus.RETURNED and claim.review_note == "请补充学徒名册"
    with pytest.raises(ValidationError, match="退回修改"):
        services.subsidy_claim_return(actor=reviewer, claim=claim, note="again")
    services.subsidy_claim_recompute(actor=hr, claim=claim)
    claim = services.subsidy_claim_submit(actor=hr, claim=claim)
    with pytest.raises(ValidationError, match="理由"):
        services.subsidy_claim_reject(actor=reviewer, claim=claim, note="")
    claim = services.subsidy_claim_reject(actor=reviewer, claim=claim, note="学徒未签订培训合同")
    assert claim.status == ClaimStatus.REJECTED
    assert audits(claim, "subsidyclaim_reject") == 1 and audits(claim, "subsidyclaim_return") == 1
    with pytest.raises(ValidationError):
        services.subsidy_claim_submit(actor=hr, claim=claim)
    with pytest.raises(ValidationError):
        services.subsidy_claim_pay(actor=reviewer, claim=claim, paid_at=yesterday(), payment_ref="X")


def test_pay_and_its_refusals(hr, agreement, rates, reviewer, other_officer):
    claim = submitted(hr, agreement)
    with pytest.raises(ValidationError, match="待审核"):
        services.subsidy_claim_pay(actor=reviewer, claim=claim, paid_at=yesterday(), payment_ref="CZ-1")
    claim = services.subsidy_claim_approve(actor=reviewer, claim=claim)
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_pay(actor=other_officer, claim=claim, paid_at=yesterday(), payment_ref="CZ-1")
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_pay(actor=hr, claim=claim, paid_at=yesterday(), payment_ref="CZ-1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_claim_pay(actor=reviewer, claim=claim, paid_at=tomorrow, payment_ref=" ")
    assert set(excinfo.value.message_dict) == {"paid_at", "payment_ref"}
    claim = services.subsidy_claim_pay(actor=reviewer, claim=claim, paid_at=yesterday(), payment_ref="CZ-1")
    assert claim.status == ClaimStatus.PAID and claim.payment_ref == "CZ-1"
    assert audits(claim, "subsidyclaim_pay") == 1
    with pytest.raises(ValidationError, match="已拨付"):
        services.subsidy_claim_pay(actor=reviewer, claim=claim, paid_at=yesterday(), payment_ref="CZ-2")


def test_delete_only_own_drafts(hr, agreement, rates):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    with pytest.raises(PermissionDenied):
        services.subsidy_claim_delete(actor=user_with_role(Role.ENTERPRISE_HR), instance=claim)
    other = submitted(hr, agreement, year=2027)
    with pytest.raises(ValidationError, match="草稿"):
        services.subsidy_claim_delete(actor=hr, instance=other)
    services.subsidy_claim_delete(actor=hr, instance=claim)
    assert not SubsidyClaim.objects.filter(pk=claim.pk).exists()


# --- scoping and query counts ------------------------------------------------------------------------------
def test_who_sees_which_claims(hr, agreement, rates, reviewer, other_officer):
    own = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)
    elsewhere = apprenticeship(members=1)
    other_hr = user_with_role(Role.ENTERPRISE_HR, enterprise=elsewhere.enterprise)
    other = services.subsidy_claim_create(actor=other_hr, agreement=elsewhere, year=2026)
    school_admin = user_with_role(Role.SCHOOL_ADMIN, school=agreement.school)

    def seen(user):
        page, api = Client(), APIClient()
        page.force_login(user)
        api.force_authenticate(user)
        result = set()
        for claim in (own, other):
            status = page.get(SubsidyClaimViews.url_for("detail", claim)).status_code
            assert status in (200, 404)
            assert api.get(f"{API}{claim.pk}/").status_code in ((200, 404) if status == 200 else (404, 403))
            if status == 200:
                result.add(claim.pk)
        if result:
            assert {row["id"] for row in api.get(API).data["results"]} == result
        return result

    assert seen(hr) == {own.pk}
    assert seen(other_hr) == {other.pk}
    assert seen(school_admin) == {own.pk}
    assert seen(reviewer) == {own.pk, other.pk}
    assert seen(other_officer) == {own.pk, other.pk}
    for role in (Role.STUDENT, Role.TEACHER, Role.RESEARCHER, Role.ENTERPRISE_MENTOR):
        user = user_with_role(role)
        page = Client()
        page.force_login(user)
        assert page.get(SubsidyClaimViews.url_for("list")).status_code == 403
        assert page.get(SubsidyClaimViews.url_for("detail", own)).status_code == 404
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(API).status_code == 403
    # the school reads but takes no step
    page = Client()
    page.force_login(school_admin)
    page.post(SubsidyClaimViews.url_for("detail", own) + "submit/")
    own.refresh_from_db()
    assert own.status == ClaimStatus.DRAFT
    assert page.get(SubsidyClaimViews.url_for("add")).status_code == 403


def _claims(n, department):
    for _ in range(n):
        agreement = apprenticeship(members=2)
        hr = user_with_role(Role.ENTERPRISE_HR, enterprise=agreement.enterprise)
        services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)


def test_list_page_api_and_export_run_no_query_per_row(rates, department, reviewer):
    page, api = Client(), APIClient()
    page.force_login(reviewer)
    api.force_authenticate(reviewer)
    _claims(2, department)
    counts = []
    for _ in range(2):
        row = []
        for url, client in (
            (SubsidyClaimViews.url_for("list"), page),
            (API, api),
            (SubsidyClaimViews.url_for("list") + "?export=csv", page),
            (API + "summary/?year=2026", api),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
        _claims(5, department)
    assert counts[0] == counts[1]


# --- pages -------------------------------------------------------------------------------------------------
def test_detail_page_explains_the_computation(hr, agreement, rates):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2025)
    page = Client()
    page.force_login(hr)
    body = page.get(claim.get_absolute_url()).content.decode()
    assert "5,000 元 × 4 个月 ÷ 12 = 1,666.67 元" in body
    assert rules.cite(RuleKey.APPRENTICE_SUBSIDY_MIN) in body
    assert agreement.members.first().student.name in body
    assert "提交审核" in body and "重新计算" in body
    # a rate changed since: the page says to recompute
    rates[2025].amount = Decimal("6000")
    rates[2025].save()
    assert "data-stale" in page.get(claim.get_absolute_url()).content.decode()


def test_home_counters(hr, agreement, rates, reviewer, other_officer):
    claim = services.subsidy_claim_create(actor=hr, agreement=agreement, year=2026)

    def counter(user, label):
        return next(c["value"] for c in counters_for(user) if c["label"] == label)

    assert counter(hr, "待提交的学徒补贴申请") == 1
    services.subsidy_claim_submit(actor=hr, claim=claim)
    assert counter(hr, "待提交的学徒补贴申请") == 0
    assert counter(reviewer, "待我审核的学徒补贴") == 1
    assert counter(other_officer, "待我审核的学徒补贴") == 0
    page = Client()
    page.force_login(reviewer)
    response = page.get(SubsidyClaimViews.url_for("list") + "?status=submitted&mine=true")
    assert response.context["table"].paginator.count == 1
    page.force_login(other_officer)
    response = page.get(SubsidyClaimViews.url_for("list") + "?status=submitted&mine=true")
    assert response.context["table"].paginator.count == 0


def _upload(rows, name="payments.csv"):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buf.getvalue().encode("utf-8"), content_type="text/csv")


def test_payment_import_all_or_nothing(hr, agreement, rates, reviewer, other_officer):
    a = services.subsidy_claim_approve(actor=reviewer, claim=submitted(hr, agreement, 2025))
    b = services.subsidy_claim_approve(actor=reviewer, claim=submitted(hr, agreement, 2026))
    pending = submitted(hr, agreement, 2027)
    day = yesterday().isoformat()
    good = [
        {
            "申请编号": a.pk,
            "统一社会信用代码": "",
            "协议名称": "",
            "年度": "",
            "拨付日期": day,
            "拨付凭证号": "P-1",
            "核定金额": "",
        },
        {
            "申请编号": "",
            "统一社会信用代码": agreement.enterprise.credit_code,
            "协议名称": agreement.title,
            "年度": "2026",
            "拨付日期": yesterday().strftime("%Y/%m/%d"),
            "拨付凭证号": "P-2",
            "核定金额": "9,000",
        },
    ]
    bad = [
        *good,
        {
            "申请编号": pending.pk,
            "统一社会信用代码": "",
            "协议名称": "",
            "年度": "",
            "拨付日期": day,
            "拨付凭证号": "P-3",
            "核定金额": "",
        },
        {
            "申请编号": "999999",
            "统一社会信用代码": "",
            "协议名称": "",
            "年度": "",
            "拨付日期": day,
            "拨付凭证号": "P-4",
            "核定金额": "",
        },
        {
            "申请编号": a.pk,
            "统一社会信用代码": "",
            "协议名称": "",
            "年度": "",
            "拨付日期": "明天",
            "拨付凭证号": "",
            "核定金额": "1",
        },
    ]
    result = services.subsidy_payment_import(actor=reviewer, upload=_upload(bad))
    messages = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert "待审核" in messages[(4, "申请编号")]
    assert "找不到编号为“999999”" in messages[(5, "申请编号")]
    assert "同一份申请" in messages[(6, "申请编号")]
    assert result["paid"] == 0
    assert SubsidyClaim.objects.filter(status=ClaimStatus.PAID).count() == 0
    # another department may not record these payments
    result = services.subsidy_payment_import(actor=other_officer, upload=_upload(good))
    assert len(result["errors"]) == 2 and "审核部门" in result["errors"][0]["message"]
    with pytest.raises(PermissionDenied):
        services.subsidy_payment_import(actor=hr, upload=_upload(good))

    result = services.subsidy_payment_import(actor=reviewer, upload=_upload(good))
    assert result == {"errors": [], "paid": 2, "skipped": 0}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.payment_ref, a.approved_amount) == (ClaimStatus.PAID, "P-1", a.amount)
    assert (b.status, b.paid_at, b.approved_amount) == (ClaimStatus.PAID, yesterday(), Decimal("9000.00"))
    assert AuditLog.objects.filter(verb="subsidyclaim_pay_import", action=AuditAction.IMPORT).count() == 2
    assert AuditLog.objects.filter(verb="subsidy_payment_import").count() == 1
    # the same file again changes nothing; another reference for a paid claim is refused
    assert services.subsidy_payment_import(actor=reviewer, upload=_upload(good)) == {
        "errors": [],
        "paid": 0,
        "skipped": 2,
    }
    changed = [dict(good[0], 拨付凭证号="P-9")]
    assert (
        "已登记拨付"
        in services.subsidy_payment_import(actor=reviewer, upload=_upload(changed))["errors"][0]["message"]
    )
    missing = [{"拨付日期": day, "拨付凭证号": "X"}]
    errors = services.subsidy_payment_import(actor=reviewer, upload=_upload(missing))["errors"]
    assert errors[0]["row"] == 1 and "申请编号" in errors[0]["column"]
    with pytest.raises(ValidationError):
        services.subsidy_payment_import(
            actor=reviewer, upload=SimpleUploadedFile("x.txt", b"abc", content_type="text/plain")
        )


def test_summary(hr, agreement, rates, reviewer, department):
    a = services.subsidy_claim_approve(
        actor=reviewer, claim=submitted(hr, agreement, 2026), approved_amount=9000
    )
    services.subsidy_claim_pay(actor=reviewer, claim=a, paid_at=yesterday(), payment_ref="P")
    elsewhere = apprenticeship(members=1)
    other_hr = user_with_role(Role.ENTERPRISE_HR, enterprise=elsewhere.enterprise)
    services.subsidy_claim_create(actor=other_hr, agreement=elsewhere, year=2026)  # a draft
    third = apprenticeship(members=3)
    services.subsidy_claim_submit(
        actor=user_with_role(Role.ENTERPRISE_HR, enterprise=third.enterprise),
        claim=services.subsidy_claim_create(
            actor=user_with_role(Role.ENTERPRISE_HR, enterprise=third.enterprise), agreement=third, year=2026
        ),
    )
    summary = subsidy_summary(reviewer, 2026)
    by_status = {row["status"]: row for row in summary["by_status"]}
    assert by_status["paid"]["claims"] == 1 and by_status["paid"]["approved"] == Decimal("9000.00")
    assert by_status["draft"]["claims"] == 1 and by_status["submitted"]["apprentices"] == 3
    assert [row["credit_code"] for row in summary["by_enterprise"]] == [
        third.enterprise.credit_code,
        agreement.enterprise.credit_code,
    ]
    assert summary["totals"] == {
        "claims": 2,
        "apprentices": 5,
        "claimed": Decimal("25000.00"),
        "approved": Decimal("9000.00"),
        "paid": Decimal("9000.00"),
    }
    page, api = Client(), APIClient()
    page.force_login(reviewer)
    api.force_authenticate(reviewer)
    body = page.get("/cooperation/subsidy-claims/summary/?year=2026").content.decode()
    assert "25,000.00" in body and agreement.enterprise.name in body
    export = page.get("/cooperation/subsidy-claims/summary/?year=2026&export=csv").content.decode("utf-8-sig")
    lines = export.strip().splitlines()
    assert lines[0].startswith("企业,统一社会信用代码,申请数") and lines[-1].startswith("合计,,2,5,25000.00")
    assert page.get("/cooperation/subsidy-claims/summary/?year=2026&export=xlsx").status_code == 200
    data = api.get(API + "summary/?year=2026").data
    assert data["totals"]["claimed"] == "25000.00" and data["years"] == [2026]
    assert api.get(API + "summary/?year=abc").status_code == 400
    for user in (hr, user_with_role(Role.SCHOOL_ADMIN), user_with_role(Role.RESEARCHER)):
        page.force_login(user)
        api.force_authenticate(user)
        assert page.get("/cooperation/subsidy-claims/summary/").status_code == 403
        assert api.get(API + "summary/").status_code == 403


# --- the API -----------------------------------------------------------------------------------------------
def test_api_create_and_steps(hr, agreement, rates, reviewer, other_officer):
    api = APIClient()
    api.force_authenticate(hr)
    response = api.post(API, {"agreement": agreement.pk, "year": 2025}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["amount"] == "3333.34" and len(response.data["lines"]) == 2
    pk = response.data["id"]
    response = api.post(API, {"agreement": agreement.pk, "year": 2025}, format="json")
    assert response.status_code == 400 and f"/cooperation/subsidy-claims/{pk}/" in str(response.data)
    assert api.post(f"{API}{pk}/recompute/").status_code == 200
    assert api.post(f"{API}{pk}/submit/").status_code == 200
    assert api.post(f"{API}{pk}/approve/").status_code == 403
    api.force_authenticate(other_officer)
    assert api.post(f"{API}{pk}/approve/").status_code == 403
    api.force_authenticate(reviewer)
    response = api.post(f"{API}{pk}/return/", {"note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.data
    response = api.post(f"{API}{pk}/approve/", {"approved_amount": "3000"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "approved"
    response = api.post(
        f"{API}{pk}/pay/", {"paid_at": yesterday().isoformat(), "payment_ref": "API-1"}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "paid"
    rows = [{"申请编号": pk, "拨付日期": yesterday().isoformat(), "拨付凭证号": "API-1"}]
    response = api.post(f"{API}payments/", {"file": _upload(rows)}, format="multipart")
    assert response.status_code == 200 and response.data["skipped"] == 1
    api.force_authenticate(user_with_role(Role.STUDENT))
    assert api.post(f"{API}{pk}/approve/").status_code == 404


# --- the whole flow on the pages ---------------------------------------------------------------------------
def test_end_to_end_on_the_pages(hr, agreement, rates, reviewer, other_officer):
    page = Client()
    page.force_login(hr)
    form = page.get(SubsidyClaimViews.url_for("add"))
    assert form.status_code == 200 and agreement.title in form.content.decode()
    response = page.post(SubsidyClaimViews.url_for("add"), {"agreement": agreement.pk, "year": 2026})
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = SubsidyClaim.objects.get(agreement=agreement, year=2026)
    assert claim.amount == Decimal("10000.00")
    response = page.post(SubsidyClaimViews.url_for("add"), {"agreement": agreement.pk, "year": 2026})
    assert response.status_code == 400 and claim.get_absolute_url() in response.content.decode()
    page.post(f"{claim.get_absolute_url()}submit/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    # an officer of another department reads it but cannot review it
    page.force_login(other_officer)
    detail = page.get(claim.get_absolute_url()).content.decode()
    assert "您当前没有可办理的步骤" in detail and f"{claim.get_absolute_url()}approve/" not in detail
    response = page.post(f"{claim.get_absolute_url()}approve/", follow=True)
    assert "审核部门" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    # the reviewing department approves and records the payment
    page.force_login(reviewer)
    detail = page.get(claim.get_absolute_url()).content.decode()
    for step in ("approve", "return", "reject"):
        assert f"{claim.get_absolute_url()}{step}/" in detail
    response = page.post(
        f"{claim.get_absolute_url()}approve/", {"approved_amount": "10000.00", "note": "同意"}
    )
    assert response.status_code == 302
    response = page.post(
        f"{claim.get_absolute_url()}pay/",
        {"paid_at": yesterday().isoformat(), "payment_ref": "CZRS-2026-001"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.payment_ref == "CZRS-2026-001"

    export = page.get(SubsidyClaimViews.url_for("list") + "?export=csv").content.decode("utf-8-sig")
    header, row = export.strip().splitlines()
    assert header.split(",")[:4] == ["申请编号", "企业", "统一社会信用代码", "协议名称"]
    assert agreement.enterprise.credit_code in row and "已拨付" in row and "CZRS-2026-001" in row
    assert "10000.00" in row
    assert page.get(SubsidyClaimViews.url_for("list") + "?export=xlsx").status_code == 200
    page.force_login(hr)
    assert "CZRS-2026-001" in page.get(SubsidyClaimViews.url_for("list") + "?export=csv").content.decode(
        "utf-8-sig"
    )


def test_payment_import_page(hr, agreement, rates, reviewer):
    claim = services.subsidy_claim_approve(actor=reviewer, claim=submitted(hr, agreement))
    page = Client()
    page.force_login(hr)
    assert page.get("/cooperation/subsidy-claims/payments/").status_code == 403
    page.force_login(reviewer)
    response = page.get("/cooperation/subsidy-claims/payments/")
    assert response.status_code == 200 and "拨付凭证号" in response.content.decode()
    template = page.get("/cooperation/subsidy-claims/payments/?template=csv").content.decode("utf-8-sig")
    assert template.strip() == "申请编号,统一社会信用代码,协议名称,年度,拨付日期,拨付凭证号,核定金额"
    assert page.get("/cooperation/subsidy-claims/payments/?template=xlsx").status_code == 200
    bad = [{"申请编号": claim.pk, "拨付日期": "2026-13-01", "拨付凭证号": "P-1"}]
    response = page.post("/cooperation/subsidy-claims/payments/", {"file": _upload(bad)})
    assert response.status_code == 400 and "不是日期" in response.content.decode()
    good = [{"申请编号": claim.pk, "拨付日期": yesterday().isoformat(), "拨付凭证号": "P-1"}]
    response = page.post("/cooperation/subsidy-claims/payments/", {"file": _upload(good)})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    # the list links the summary and the import for officers only
    body = page.get(SubsidyClaimViews.url_for("list")).content.decode()
    assert "/cooperation/subsidy-claims/payments/" in body and "/cooperation/subsidy-claims/summary/" in body
    page.force_login(hr)
    body = page.get(SubsidyClaimViews.url_for("list")).content.decode()
    assert "/cooperation/subsidy-claims/payments/" not in body and "申请学徒补贴" in body


def test_api_refuses_another_enterprises_agreement_as_unknown(hr, rates):
    elsewhere = apprenticeship(members=1)
    api = APIClient()
    api.force_authenticate(hr)
    response = api.post(API, {"agreement": elsewhere.pk, "year": 2026}, format="json")
    assert response.status_code == 400 and "agreement" in response.data
    assert not SubsidyClaim.objects.exists()


def test_summary_export_escapes_formulae_and_reads_one_sheet_as_csv(hr, agreement, rates, reviewer):
    agreement.enterprise.name = "=HYPERLINK(1)"
    agreement.enterprise.save(update_fields=["name"])
    services.subsidy_claim_approve(actor=reviewer, claim=submitted(hr, agreement))
    page = Client()
    page.force_login(reviewer)
    url = "/cooperation/subsidy-claims/summary/?year=2026&export=csv"
    rows = list(csv.reader(io.StringIO(page.get(url).content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"
    by_status = page.get(url + "&table=status").content.decode("utf-8-sig")
    assert by_status.startswith("状态,申请数")
    assert page.get("/cooperation/subsidy-claims/summary/?year=2026&export=pdf").status_code == 404
