"""The reward fund's services: the seeded coefficients (a marked proposal), an allocation on a published
assessment split by score and by weighted students in whole yuan adding up exactly to the fund, its
workings, finalizing, and every refusal; the apportionment's sum checked with hypothesis."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.orgs.factories import SchoolFactory, user_with_role
from tests.schools.factories import SchoolMajorFactory
from xiaoqitong.core.models import Notification
from xiaoqitong.governance.choices import AllocationStatus
from xiaoqitong.governance.models import AllocationLine, FundingRule
from xiaoqitong.governance.selectors.funding import apportion, pools, weighted_students
from xiaoqitong.governance.services import funding as services
from xiaoqitong.governance.services.assessment import assessment_compute
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import MajorCategory

from .factories_assessment import (  # noqa: F401  (an autouse fixture)
    YEAR,
    _seeded_funding_rules,
    assessor,
    officer,
    only_indicators,
    publish,
    treasurer,
)

pytestmark = pytest.mark.django_db
D = Decimal


def data(assessment, **kw):
    return {
        "title": "奖补资金",
        "year": YEAR,
        "assessment": assessment,
        "fund": D("1000000"),
        "score_share": D("0.5"),
        "min_score": D("0"),
    } | kw


@pytest.fixture
def world():
    """Three schools: a (secondary 装备制造 66, 100 students), b (100 students in 61 农林牧渔), c (no majors);
    indicator scores 60, 30, 10 from a count measure (integration bases) with full marks at 6 bases."""
    from tests.cooperation.factories import PracticeBaseFactory

    only_indicators({"code": "B", "measure": "integration_bases", "weight": D("60"), "full": D("6")})
    a, b, c = SchoolFactory(), SchoolFactory(), SchoolFactory()
    for school, n in ((a, 6), (b, 3), (c, 1)):
        for _ in range(n):
            PracticeBaseFactory(owner_school=school)
    SchoolMajorFactory(school=a, year=YEAR, students_enrolled=100)  # 660103 数控技术应用: category 66
    from xiaoqitong.reference.models import Major

    farm = Major.objects.filter(major_class__category__code="61").order_by("code").first()
    SchoolMajorFactory(school=b, year=YEAR, major=farm, students_enrolled=100)
    assessment = publish()
    return {"a": a, "b": b, "c": c, "assessment": assessment, "lead": treasurer()}


def test_seeded_coefficients_are_a_marked_proposal():
    rules = {r.category.code: r for r in FundingRule.objects.select_related("category")}
    assert len(rules) == MajorCategory.objects.count() == 57
    assert rules["46"].coefficient == D("1.2") and rules["66"].coefficient == D("1.2")
    assert rules["61"].coefficient == D("1.3") and rules["73"].coefficient == D("1")
    assert all("建议" in r.source and "市财政局" in r.source for r in rules.values())


def test_weighted_students_by_category(world):
    figures = weighted_students(YEAR)
    assert figures[world["a"].pk]["weighted"] == D("120")
    assert figures[world["b"].pk]["weighted"] == D("130")
    assert world["c"].pk not in figures
    (cat,) = figures[world["a"].pk]["categories"]
    assert cat["code"] == "66" and cat["students"] == 100 and D(cat["coefficient"]) == D("1.2")


def test_allocation_splits_the_fund_exactly_with_workings(world, django_capture_on_commit_callbacks):
    lead = world["lead"]
    allocation = services.allocation_create(actor=lead, data=data(world["assessment"]))
    allocation = services.allocation_compute(actor=lead, allocation=allocation)
    lines = {line.school_id: line for line in AllocationLine.objects.filter(allocation=allocation)}
    assert sum(line.amount for line in lines.values()) == D("1000000")
    a, b, c = lines[world["a"].pk], lines[world["b"].pk], lines[world["c"].pk]
    # score pool 500,000 by 60 : 30 : 10; student pool 500,000 by 120 : 130 : 0
    assert (a.by_score, b.by_score, c.by_score) == (D(300000), D(150000), D(50000))
    assert (a.by_students, b.by_students, c.by_students) == (D(240000), D(260000), D(0))
    assert a.amount == a.by_score + a.by_students
    assert a.workings["categories"][0]["code"] == "66" and a.workings["score_sum"] == "100"
    assert allocation.rules["66"] == "1.200"
    admin = user_with_role(Role.SCHOOL_ADMIN, school=world["a"])
    with django_capture_on_commit_callbacks(execute=True):
        final = services.allocation_finalize(actor=lead, allocation=allocation)
    assert final.status == AllocationStatus.FINAL
    assert Notification.objects.filter(user=admin).exists()
    with pytest.raises(ValidationError, match="已定稿"):
        services.allocation_compute(actor=lead, allocation=final)
    with pytest.raises(ValidationError, match="已定稿"):
        services.allocation_update(actor=lead, instance=final, data={"title": "x"})


def test_min_score_leaves_schools_out_of_the_score_pool(world):
    lead = world["lead"]
    allocation = services.allocation_create(actor=lead, data=data(world["assessment"], min_score=D("20")))
    services.allocation_compute(actor=lead, allocation=allocation)
    lines = {line.school_id: line for line in AllocationLine.objects.filter(allocation=allocation)}
    assert lines[world["c"].pk].by_score == 0 and lines[world["c"].pk].workings["score_eligible"] is False
    assert lines[world["a"].pk].by_score == D("333333") + 1  # 500,000 × 60/90, the spare yuan to the largest
    assert sum(line.amount for line in lines.values()) == D("1000000")


def test_refusals(world):
    lead = world["lead"]
    for user in (assessor(), officer(), user_with_role(Role.SCHOOL_ADMIN)):
        with pytest.raises(PermissionDenied, match="牵头部门"):
            services.allocation_create(actor=user, data=data(world["assessment"]))
        with pytest.raises(PermissionDenied):
            services.fundingrule_update(actor=user, instance=FundingRule.objects.first(), data={})
    draft = assessment_compute(actor=assessor(), year=YEAR - 1)
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(actor=lead, data=data(draft))
    assert "assessment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(actor=lead, data=data(world["assessment"], fund=D("100.50")))
    assert "fund" in exc.value.message_dict
    allocation = services.allocation_create(actor=lead, data=data(world["assessment"], min_score=D("99")))
    with pytest.raises(ValidationError, match="最低得分"):
        services.allocation_compute(actor=lead, allocation=allocation)
    services.allocation_update(actor=lead, instance=allocation, data={"min_score": D("0"), "year": 2001})
    with pytest.raises(ValidationError, match="在校生数"):
        services.allocation_compute(actor=lead, allocation=allocation)
    with pytest.raises(ValidationError, match="请先测算"):
        services.allocation_finalize(actor=lead, allocation=allocation)
    services.allocation_delete(actor=lead, instance=allocation)


def test_coefficient_changes_are_the_lead_s():
    lead = treasurer()
    rule = FundingRule.objects.get(category__code="73")
    services.fundingrule_update(actor=lead, instance=rule, data={"coefficient": D("1.1")})
    rule.refresh_from_db()
    assert rule.coefficient == D("1.1")
    services.fundingrule_delete(actor=lead, instance=rule)
    services.fundingrule_create(actor=lead, data={"category": rule.category, "coefficient": D("0.9")})


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=40),
)
def test_apportion_adds_up_exactly(total, weights):
    if sum(weights) <= 0:
        weights = [*weights, D(1)]
    shares = apportion(total, weights)
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = D(total) * weight / whole
        assert share >= 0 and abs(D(share) - exact) < 1  # within a yuan of the exact share
        if weight == 0:
            assert share == 0


# The fixture is shared by the examples on purpose: each example deletes its allocation at the end.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fund=st.integers(min_value=1, max_value=10**8),
    share=st.decimals(min_value=0, max_value=1, places=4),
)
def test_allocation_adds_up_to_the_fund(world, fund, share):
    lead = world["lead"]
    allocation = services.allocation_create(
        actor=lead, data=data(world["assessment"], fund=D(fund), score_share=share)
    )
    services.allocation_compute(actor=lead, allocation=allocation)
    lines = list(AllocationLine.objects.filter(allocation=allocation))
    assert sum(line.amount for line in lines) == D(fund)
    score_pool, student_pool = pools(D(fund), share)
    assert sum(line.by_score for line in lines) == score_pool
    assert sum(line.by_students for line in lines) == student_pool
    services.allocation_delete(actor=lead, instance=allocation)
