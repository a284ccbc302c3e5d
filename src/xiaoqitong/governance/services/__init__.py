"""Governance, split per area: targets (every T and R of POLICY.md), the responsibility list (the annex's 15
tasks), school assessment (R2) with funding allocation, and the annual quality report (R3)."""
