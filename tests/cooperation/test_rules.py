import pytest

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import RuleKey

from .factories import AgreementMemberFactory, PlacementFactory, PracticeBaseFactory

pytestmark = pytest.mark.django_db


def test_every_rule_is_seeded_with_its_source():
    for key in RuleKey:
        row = rules.rule(key)
        assert row.target[0] in "TR" and row.target[1:].isdigit() and "郴政发〔2021〕9号" in row.source
    assert rules.value(RuleKey.LOCAL_INTERN_SHARE) == rules.value(RuleKey.LOCAL_INTERN_SHARE).__class__("0.6")
    assert rules.cite(RuleKey.LOCAL_INTERN_SHARE) == "T16，郴政发〔2021〕9号 四（十一）"


def test_factories_build_valid_rows():
    for obj in (AgreementMemberFactory(), PlacementFactory(), PracticeBaseFactory()):
        obj.full_clean()
