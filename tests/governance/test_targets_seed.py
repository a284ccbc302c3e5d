"""Every target and rule of POLICY.md is a Target row with the section POLICY.md cites."""

import re
from pathlib import Path

from xiaoqitong.governance.models import Target
from xiaoqitong.governance.selectors.targets import COMPUTE

POLICY = Path(__file__).resolve().parents[2] / "docs" / "policy" / "POLICY.md"  # kept in the repository


def policy_rows() -> dict[str, str]:
    """``{code: section}`` from the table of POLICY.md (T21 and T22 name two figures: a and b here)."""
    rows = {}
    for line in POLICY.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (T\d+|R\d+) \|.*\| ([^|]+) \|$", line)
        if m:
            rows[m.group(1)] = m.group(2).strip().replace("annex task ", "附件任务 ")
    return rows


def test_every_target_and_rule_of_the_policy_is_seeded_with_its_section():
    rows = policy_rows()
    assert len(rows) == 30  # T1-T25, R1-R5
    seeded = {t.code: t for t in Target.objects.all()}
    for code, section in rows.items():
        codes = [f"{code}a", f"{code}b"] if code in ("T21", "T22") else [code]
        for c in codes:
            assert c in seeded, c
            assert seeded[c].source == f"郴政发〔2021〕9号 {section}", c
    assert set(seeded) == set(COMPUTE)


def test_targets_with_a_rule_name_a_seeded_rule():
    from xiaoqitong.cooperation.models import Rule

    keys = set(Rule.objects.values_list("key", flat=True))
    for target in Target.objects.exclude(rule_key=""):
        assert target.rule_key in keys, target.code
