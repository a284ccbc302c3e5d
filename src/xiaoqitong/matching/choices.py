"""Choices of the matching app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvitationStatus(models.TextChoices):
    """An enterprise invites a recommended student to apply; the student accepts (so applies) or declines."""

    SENT = "sent", _("待回复")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已婉拒")
    WITHDRAWN = "withdrawn", _("已撤回")
