"""The policy's numbers this app reports against (T3, T4, T6, T18-T23). They are rows of the one policy-rule
table that cooperation keeps (``cooperation.models.Rule``, edited on /cooperation/rules/), seeded for this
app by ``quality/migrations/0002_seed_rules``."""

from xiaoqitong.cooperation.choices import RuleKey
from xiaoqitong.cooperation.rules import cite, rule, value

__all__ = ["RuleKey", "cite", "rule", "value"]
