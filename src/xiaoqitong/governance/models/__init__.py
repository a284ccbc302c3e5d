"""Governance (POLICY.md, 六（十六）（十七） and the annex): targets, the responsibility list, school
assessment with funding allocation, and the annual quality report; one module per area."""

from .assessment import (
    Allocation,
    AllocationLine,
    Assessment,
    FundingRule,
    Indicator,
    IndicatorScore,
    SchoolScore,
)
from .reports import QualityReport
from .targets import Target
from .tasks import Milestone, ProgressAttachment, ProgressReport, Task, TaskParty

__all__ = [
    "Allocation",
    "AllocationLine",
    "Assessment",
    "FundingRule",
    "Indicator",
    "IndicatorScore",
    "Milestone",
    "ProgressAttachment",
    "ProgressReport",
    "QualityReport",
    "SchoolScore",
    "Target",
    "Task",
    "TaskParty",
]
