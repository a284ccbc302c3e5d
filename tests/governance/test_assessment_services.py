"""The assessment's services: indicators kept by the lead department of annex task 7 (found in the
responsibility list, else by the code CZ-JYJ), the computation of a year for every school with its inputs,
totals and ranks, recomputing a draft, publishing, and every refusal; a fixed number of queries whatever the
number of schools."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orgs.factories import DepartmentFactory, SchoolFactory, user_with_role
from xiaoqitong.core.models import AuditLog, Notification
from xiaoqitong.governance.choices import AssessmentStatus, Direction, PartyRole
from xiaoqitong.governance.models import Assessment, Indicator, IndicatorScore, SchoolScore, Task, TaskParty
from xiaoqitong.governance.policies.assessment import is_assessment_lead
from xiaoqitong.governance.services import assessment as services
from xiaoqitong.orgs.choices import Role

from .factories_assessment import YEAR, assessor, officer, only_indicators, school_with_records

pytestmark = pytest.mark.django_db
D = Decimal


def test_seeded_indicators_are_a_marked_proposal():
    seeded = Indicator.objects.filter(code__startswith="XQ-")
    assert seeded.count() == 7
    assert sum(i.weight for i in seeded) == D("100")
    assert all("建议" in i.source and "市教育局" in i.source for i in seeded)
    assert {i.measure for i in seeded} >= {"local_employment", "target_attainment", "local_interns"}


def test_compute_scores_every_school_with_inputs_totals_and_ranks():
    actor = assessor()
    only_indicators(
        {"code": "I1", "measure": "local_interns", "weight": D("40"), "floor": D("0.3"), "full": D("0.6")},
        {"code": "I2", "measure": "local_employment", "weight": D("60"), "floor": D("0"), "full": D("1")},
    )
    a, _sm = school_with_records(interns=10, local=6, employed=10, employed_local=5)
    b, _sm = school_with_records(interns=10, local=3, employed=4, employed_local=4)
    c, _sm = school_with_records(interns=10, local=6, employed=10, employed_local=5)  # ties with a
    empty = SchoolFactory()  # no records at all
    assessment = services.assessment_compute(actor=actor, year=YEAR)
    assert assessment.status == AssessmentStatus.DRAFT and assessment.computed_at
    assert [i["code"] for i in assessment.indicators] == ["I1", "I2"]
    scores = {s.school_id: s for s in SchoolScore.objects.filter(assessment=assessment)}
    assert set(scores) == {a.pk, b.pk, c.pk, empty.pk}
    assert scores[a.pk].total == D("70.00")  # 40 + 60 × 0.5
    assert scores[b.pk].total == D("60.00")  # 0 + 60 × 1
    assert scores[a.pk].rank == scores[c.pk].rank == 1 and scores[b.pk].rank == 3
    assert scores[empty.pk].total == 0 and scores[empty.pk].rank == 4
    line = IndicatorScore.objects.get(score=scores[a.pk], indicator__code="I1")
    assert (line.numerator, line.denominator, line.value, line.points) == (D(6), D(10), D("0.6"), D("40.00"))
    none = IndicatorScore.objects.get(score=scores[empty.pk], indicator__code="I2")
    assert none.value is None and none.points == 0 and none.note == "暂无数据"
    assert AuditLog.objects.filter(verb="assessment_compute").count() == 1


def test_recompute_a_draft_replaces_its_scores_and_keeps_the_indicators_as_used():
    actor = assessor()
    (indicator,) = only_indicators(
        {"code": "I1", "measure": "local_interns", "floor": D("0"), "full": D("1")}
    )
    school, _sm = school_with_records(interns=4, local=2)
    services.assessment_compute(actor=actor, year=YEAR)
    services.indicator_update(actor=actor, instance=indicator, data={"full": D("0.5"), "weight": D("20")})
    assessment = services.assessment_compute(actor=actor, year=YEAR)
    assert Assessment.objects.count() == 1
    assert SchoolScore.objects.filter(assessment=assessment).count() == 1
    assert SchoolScore.objects.get(assessment=assessment, school=school).total == D("20.00")
    assert assessment.indicators[0]["full"] == "0.5000" and assessment.indicators[0]["weight"] == "20.00"


def test_publish_tells_the_schools_and_then_nothing_changes(django_capture_on_commit_callbacks):
    actor = assessor()
    only_indicators({"code": "I1", "measure": "local_interns"})
    school, _sm = school_with_records()
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
    assessment = services.assessment_compute(actor=actor, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_publish(actor=actor, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.PUBLISHED and assessment.published_by == actor
    assert Notification.objects.filter(user=admin, url=assessment.get_absolute_url()).exists()
    with pytest.raises(ValidationError, match="已发布，不能重新计算"):
        services.assessment_compute(actor=actor, year=YEAR)
    with pytest.raises(ValidationError, match="已经发布"):
        services.assessment_publish(actor=actor, assessment=assessment)


def test_refusals():
    actor = assessor()
    SchoolFactory()
    for user in (officer(), user_with_role(Role.SCHOOL_ADMIN), user_with_role(Role.RESEARCHER)):
        with pytest.raises(PermissionDenied, match="牵头部门"):
            services.assessment_compute(actor=user, year=YEAR)
        with pytest.raises(PermissionDenied):
            services.indicator_create(actor=user, data={"code": "X"})
    Indicator.objects.update(is_active=False)
    with pytest.raises(ValidationError, match="没有启用的考核指标"):
        services.assessment_compute(actor=actor, year=YEAR)
    only_indicators({"code": "Z", "weight": D("0")})
    with pytest.raises(ValidationError, match="分值合计为 0"):
        services.assessment_compute(actor=actor, year=YEAR)
    assert not Assessment.objects.exists()
    only_indicators({"code": "Z2"})
    draft = services.assessment_compute(actor=actor, year=YEAR)
    SchoolScore.objects.all().delete()
    with pytest.raises(ValidationError, match="请先计算"):
        services.assessment_publish(actor=actor, assessment=draft)


def test_indicator_rules():
    actor = assessor()
    base = {
        "code": "N1",
        "name": "新指标",
        "group": "校企合作",
        "weight": D("5"),
        "floor": D("0"),
        "full": D("1"),
    }
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(actor=actor, data={**base, "measure": "nonsense"})
    assert "measure" in exc.value.message_dict
    with pytest.raises(ValidationError, match="满分值应高于零分值"):
        services.indicator_create(actor=actor, data={**base, "measure": "local_interns", "full": D("-1")})
    with pytest.raises(ValidationError, match="满分值应低于零分值"):
        services.indicator_create(
            actor=actor, data={**base, "measure": "local_interns", "direction": Direction.LOWER}
        )
    made = services.indicator_create(actor=actor, data={**base, "measure": "local_interns"})
    SchoolFactory()
    only_indicators()
    services.indicator_update(actor=actor, instance=made, data={"is_active": True})
    services.assessment_compute(actor=actor, year=YEAR)
    with pytest.raises(ValidationError, match="请停用而不是删除"):
        services.indicator_delete(actor=actor, instance=made)
    unused = services.indicator_create(actor=actor, data={**base, "code": "N2", "measure": "practice_days"})
    services.indicator_delete(actor=actor, instance=unused)
    assert not Indicator.objects.filter(code="N2").exists()


def test_the_lead_comes_from_the_responsibility_list():
    edu = assessor()
    other = DepartmentFactory(code="X-LEAD", name="另一个部门")
    task = Task.objects.filter(number=7).first() or Task.objects.create(
        number=7, text="研究职业院校办学质量考核办法", lead_text="市教育局", responsible_text="…"
    )
    TaskParty.objects.filter(task=task, role=PartyRole.LEAD).delete()
    assert is_assessment_lead(edu)  # no lead party: the department code CZ-JYJ
    TaskParty.objects.create(task=task, role=PartyRole.LEAD, department=other)
    assert not is_assessment_lead(edu)
    assert is_assessment_lead(officer(other))


def test_compute_runs_a_fixed_number_of_queries():
    actor = assessor()
    only_indicators(
        *[
            {"code": f"Q{k}", "measure": k}
            for k in (
                "agreement_share",
                "integration_bases",
                "local_interns",
                "enterprise_teachers",
                "practice_days",
                "local_employment",
                "target_attainment",
            )
        ]
    )
    school_with_records(interns=2, employed=2)
    with CaptureQueriesContext(connection) as few:
        services.assessment_compute(actor=actor, year=YEAR)
    for _ in range(4):
        school_with_records(interns=2, employed=2)
    with CaptureQueriesContext(connection) as many:
        services.assessment_compute(actor=actor, year=YEAR)
    assert SchoolScore.objects.count() == 5
    assert len(many) <= len(few) + 2, [q["sql"][:120] for q in many.captured_queries]
