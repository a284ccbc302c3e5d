"""Matching follows what happens elsewhere without those apps knowing of it (they never import matching)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from xiaoqitong.enterprises.models import Application

from . import services


@receiver(post_save, sender=Application, dispatch_uid="matching.application_closes_invitation")
def application_closes_invitation(sender, instance: Application, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        services.close_invitation_on_application(instance)
