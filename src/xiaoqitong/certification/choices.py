"""Choices of the certification app: levels, the states of an application, a title, an annual review and a
department's opinion, the kinds of incentive, and what a criterion of the checklist measures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    MUNICIPAL = "municipal", _("市级")
    PROVINCIAL = "provincial", _("省级")


class ApplicationStatus(models.TextChoices):
    """draft → submitted → under review → certified | returned (edit and submit again) | rejected."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回补充")
    CERTIFIED = "certified", _("已认定")
    REJECTED = "rejected", _("未予认定")
    WITHDRAWN = "withdrawn", _("已撤回")


#: An application the enterprise may still edit (its claims and documents).
EDITABLE_APPLICATION = {ApplicationStatus.DRAFT, ApplicationStatus.RETURNED}
#: An application in the reviewers' hands.
OPEN_APPLICATION = {ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW}
#: An application that blocks another one of the same enterprise.
PENDING_APPLICATION = EDITABLE_APPLICATION | OPEN_APPLICATION


class OpinionStance(models.TextChoices):
    AGREE = "agree", _("同意认定")
    CONDITIONAL = "conditional", _("原则同意，有保留意见")
    DISAGREE = "disagree", _("不同意认定")


class CertificationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    RECTIFICATION = "rectification", _("整改中")
    EXPIRED = "expired", _("已失效")
    REVOKED = "revoked", _("已撤销")


#: A title that counts (T12, T2) and that has reviews falling due.
HELD = {CertificationStatus.ACTIVE, CertificationStatus.RECTIFICATION}


class ReviewKind(models.TextChoices):
    ANNUAL = "annual", _("年度考核")
    RENEWAL = "renewal", _("三年复核授牌")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待企业报送")
    SUBMITTED = "submitted", _("待考核")
    PASSED = "passed", _("考核合格")
    RECTIFICATION = "rectification", _("限期整改")
    FAILED = "failed", _("考核不合格")
    MISSED = "missed", _("逾期未报送")
    CANCELLED = "cancelled", _("已终止")


#: A review the enterprise still has to report on (the first report, or the rectification report).
AWAITING_ENTERPRISE = {ReviewStatus.OPEN, ReviewStatus.RECTIFICATION}
#: A review that is over.
CLOSED_REVIEW = {ReviewStatus.PASSED, ReviewStatus.FAILED, ReviewStatus.MISSED, ReviewStatus.CANCELLED}


class IncentiveKind(models.TextChoices):
    """“金融+财政+土地+信用”组合式激励 and the tax policies (四（十一）, annex task 10)."""

    FINANCE = "finance", _("金融")
    FISCAL = "fiscal", _("财政")
    LAND = "land", _("土地")
    CREDIT = "credit", _("信用")
    TAX = "tax", _("税费")


class Measure(models.TextChoices):
    """What a criterion's figure is: counted from platform records over the twelve months before the day it
    is computed, or (``CLAIMED``) only what the enterprise declares, with its documents."""

    BASES = "bases", _("共建在用的实习实训基地（个）")
    INTERNS = "interns", _("接收实习学生（人）")
    APPRENTICES = "apprentices", _("在训学徒（人）")
    ORDER_CLASSES = "order_classes", _("订单班、预备员工制协议（个）")
    PART_TIME_TEACHERS = "part_time_teachers", _("在职业院校兼职任教的员工（人）")
    MENTORS = "mentors", _("带教实习生的企业导师（人）")
    CLAIMED = "claimed", _("企业申报（附证明材料）")


class DocumentKind(models.TextChoices):
    APPLICATION = "application", _("申报材料")
    REVIEW = "review", _("考核材料")
