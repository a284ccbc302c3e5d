from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Education(models.TextChoices):
    """Minimum education of a position (ordered from lowest)."""

    SECONDARY = "secondary", _("中职")
    ASSOCIATE = "associate", _("高职专科")
    VOCATIONAL_BACHELOR = "vocational_bachelor", _("职业本科")
    BACHELOR = "bachelor", _("本科")


EDUCATION_ORDER = [
    Education.SECONDARY,
    Education.ASSOCIATE,
    Education.VOCATIONAL_BACHELOR,
    Education.BACHELOR,
]


class PositionStatus(models.TextChoices):
    """draft → submitted → published → closed or expired; a reviewer may return a submitted (or published)
    posting to the enterprise with reasons, which edits and submits it again."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


# Postings the enterprise may still edit (never seen by the public in this state).
EDITABLE_POSITION = {PositionStatus.DRAFT, PositionStatus.RETURNED}
# Postings that passed review and were made public (closed and expired ones stay readable as a record).
PUBLIC_POSITION = {PositionStatus.PUBLISHED, PositionStatus.CLOSED, PositionStatus.EXPIRED}


class ApplicationStatus(models.TextChoices):
    """已投递 → 筛选 → 面试 → 录用 → 已入职, or 未录用 / 已撤回."""

    SUBMITTED = "submitted", _("已投递")
    SCREENING = "screening", pgettext_lazy("application status", "筛选")
    INTERVIEW = "interview", _("面试")
    OFFERED = "offered", _("录用")
    ONBOARDED = "onboarded", _("已入职")
    REJECTED = "rejected", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


# Places taken against a position's headcount.
HIRED = {ApplicationStatus.OFFERED, ApplicationStatus.ONBOARDED}
# Applications still in the pipeline.
ACTIVE_APPLICATION = {
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFERED,
}
# Where an application may go from each status. The enterprise may skip screening or the interview, but
# onboarding always follows an offer (the step that takes a place against the headcount).
APPLICATION_NEXT = {
    ApplicationStatus.SUBMITTED: [
        ApplicationStatus.SCREENING,
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.OFFERED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ],
    ApplicationStatus.SCREENING: [
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.OFFERED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ],
    ApplicationStatus.INTERVIEW: [
        ApplicationStatus.OFFERED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ],
    ApplicationStatus.OFFERED: [
        ApplicationStatus.ONBOARDED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ],
    ApplicationStatus.ONBOARDED: [],
    ApplicationStatus.REJECTED: [],
    ApplicationStatus.WITHDRAWN: [],
}


class Outcome(models.TextChoices):
    """毕业去向."""

    EMPLOYED = "employed", _("就业")
    FURTHER_STUDY = "further_study", _("升学")
    MILITARY = "military", _("参军")
    ENTREPRENEURSHIP = "entrepreneurship", _("自主创业")
    UNEMPLOYED = "unemployed", _("待就业")


class FurtherLevel(models.TextChoices):
    """The level a 升学 graduate went on to (all three count for target T1)."""

    ASSOCIATE = "associate", _("高职专科")
    VOCATIONAL_BACHELOR = "vocational_bachelor", _("职业本科")
    BACHELOR = "bachelor", _("本科")


class OutcomeSource(models.TextChoices):
    SCHOOL_REPORT = "school_report", _("学校上报")
    HIRE_RECORD = "hire_record", _("平台录用记录")
