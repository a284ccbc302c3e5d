"""Invitations: an enterprise invites a student the matching engine recommends for one of its positions.

The index and the recommendations themselves are not stored in the database: the engine ranks from the
records (``selectors.py``); its snapshot lives under ``VAR_DIR/matching/`` (``services.py``).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.schools.models import Student

from .choices import InvitationStatus


class Invitation(BaseModel):
    """An enterprise's invitation to a student to apply for a position; accepting it applies."""

    position = models.ForeignKey(
        Position, verbose_name=_("岗位"), on_delete=models.CASCADE, related_name="invitations"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("邀请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("邀请留言"), blank=True, help_text=_("企业写给学生的话"))
    score = models.FloatField(_("邀请时的匹配度"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.SENT,
        db_index=True,
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    application = models.OneToOneField(
        Application,
        verbose_name=_("投递记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    class Meta:
        verbose_name = _("投递邀请")
        verbose_name_plural = _("投递邀请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["position", "student"], name="invitation_position_student_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position.title} → {self.student_id}"

    def get_absolute_url(self) -> str:
        return reverse("matching:invitation_detail", kwargs={"pk": self.pk})
