"""Choices of the events app: event states, who registers, the states of a registration, an intention and a
commitment."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


class ParticipantKind(models.TextChoices):
    """Who a registration is for: an enterprise's booth, a school's delegation, one student."""

    ENTERPRISE = "enterprise", _("企业展位")
    SCHOOL = "school", _("学校代表团")
    STUDENT = "student", _("学生")


class RegistrationStatus(models.TextChoices):
    """Enterprises wait for the organizer's approval; schools and students are approved on registering."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    DECLINED = "declined", _("未通过")
    CANCELLED = "cancelled", _("已取消")


#: A registration in these states holds its place (capacity, booths, slots).
ACTIVE_REGISTRATION = {RegistrationStatus.PENDING, RegistrationStatus.APPROVED}


class IntentionKind(models.TextChoices):
    """What an intention signed at an event becomes once both sides have signed."""

    JOB = "job", _("求职意向（转为求职申请）")
    COOPERATION = "cooperation", _("合作意向（转为校企合作协议草稿）")


class IntentionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待对方签署")
    SIGNED = "signed", _("已签署")
    DECLINED = "declined", _("已拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    DROPPED = "dropped", _("已取消")


#: A commitment in these states is still followed up (and can be overdue).
OPEN_COMMITMENT = {CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS}


#: How long after an event its participants may still propose intentions met there (a working rule of the
#: platform, not a policy number).
PROPOSE_AFTER = dt.timedelta(days=30)
