"""The school assessment and the reward fund of the demo city (governance, R2 and 六（十七）).

Nothing here is drawn at random: the assessment of the last full calendar year before ``as_of`` (2025 for a
city seen in 2026) is computed by ``governance.services.assessment.assessment_compute`` from the records the
earlier steps made, with the seeded indicator model, and published; then a reward fund of 5,000,000 元 is
allocated on it by ``allocation_compute`` (half by score, half by students weighted by the seeded
coefficients) and finalized. The actors are the lead departments' officers where the demo has one (demo-gov
for 市教育局), else the platform administrator.

The seeded indicators and coefficients are made again first (``governance`` migration 0004's ``seed``,
idempotent): the coefficients need the major catalog, which a fresh database loads after ``migrate``."""

import importlib
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q

from xiaoqitong.governance.models import Allocation, AllocationLine, Assessment, IndicatorScore, SchoolScore
from xiaoqitong.governance.policies.assessment import is_assessment_lead, is_funding_lead
from xiaoqitong.governance.selectors.assessment import assessment_lead_id, funding_lead_id
from xiaoqitong.governance.services import assessment as assessment_services
from xiaoqitong.governance.services import funding as funding_services
from xiaoqitong.orgs.choices import Role

from ..context import Context

FUND = Decimal("5000000")


def _actor(department_id, check):
    """An active officer of the department who passes ``check``, else a platform administrator."""
    User = get_user_model()
    officers = User.objects.filter(
        role=Role.GOV_OFFICER, department_id=department_id, is_active=True
    ).order_by("-is_demo", "pk")
    for user in officers:
        if check(user):
            return user
    return User.objects.filter(Q(is_superuser=True), is_active=True).order_by("-is_demo", "pk").first()


def make_assessment(ctx: Context) -> None:
    """The published assessment of ``as_of.year - 1`` and its final reward fund allocation."""
    importlib.import_module("xiaoqitong.governance.migrations.0004_assessment").seed(apps, None)
    year = ctx.as_of.year - 1
    assessor = _actor(assessment_lead_id(), is_assessment_lead)
    if assessor is None or Assessment.objects.filter(year=year).exists():
        return
    assessment = assessment_services.assessment_compute(actor=assessor, year=year)
    assessment = assessment_services.assessment_publish(actor=assessor, assessment=assessment)
    ctx.record_existing(Assessment, [assessment.pk])
    scores = list(SchoolScore.objects.filter(assessment=assessment).values_list("pk", flat=True))
    ctx.record_existing(SchoolScore, scores)
    ctx.record_existing(
        IndicatorScore, IndicatorScore.objects.filter(score__in=scores).values_list("pk", flat=True)
    )

    treasurer = _actor(funding_lead_id(), is_funding_lead)
    if treasurer is None:
        return
    allocation = funding_services.allocation_create(
        actor=treasurer,
        data={
            "title": f"{year} 年度职业院校奖补资金",
            "year": year,
            "assessment": assessment,
            "fund": FUND,
            "score_share": Decimal("0.5"),
            "min_score": Decimal("0"),
            "note": "演示数据：一半按考核得分、一半按专业大类折算学生数分配。",
        },
    )
    allocation = funding_services.allocation_compute(actor=treasurer, allocation=allocation)
    allocation = funding_services.allocation_finalize(actor=treasurer, allocation=allocation)
    ctx.record_existing(Allocation, [allocation.pk])
    ctx.record_existing(
        AllocationLine, AllocationLine.objects.filter(allocation=allocation).values_list("pk", flat=True)
    )
    ctx.objects["assessment"] = assessment
    ctx.objects["allocation"] = allocation
