"""Policies of the core's own models: the audit log is for platform administrators; an import job is
visible to the person who submitted it."""

from .models import AuditLog, ImportJob
from .policy import ALL, ANY_ROLE, Policy, register


def own_jobs(qs, user):
    return qs.filter(created_by=user)


@register(AuditLog)
class AuditLogPolicy(Policy):
    rules = {}


@register(ImportJob)
class ImportJobPolicy(Policy):
    # Anyone may submit a file; whether they may import into the target is the service's check.
    rules = {"view": {ANY_ROLE: own_jobs}, "change": {ANY_ROLE: own_jobs}, "add": {ANY_ROLE: ALL}}
