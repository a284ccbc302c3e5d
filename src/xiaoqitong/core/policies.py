"""Policies of the core's own models: the audit log is for platform administrators; an import job is
visible to the person who submitted it; a notification to its recipient alone."""

from .models import AuditLog, ImportJob, Notification, PendingTask, TaskRun
from .policy import ACTIONS, ALL, ANY_ROLE, Policy, Scope, register


def own_jobs(qs, user):
    return qs.filter(created_by=user)


@register(AuditLog)
class AuditLogPolicy(Policy):
    rules = {}


@register(ImportJob)
class ImportJobPolicy(Policy):
    # Anyone may submit a file; whether they may import into the target is the service's check.
    rules = {"view": {ANY_ROLE: own_jobs}, "change": {ANY_ROLE: own_jobs}, "add": {ANY_ROLE: ALL}}


def own_notifications(qs, user):
    return qs.filter(user=user)


@register(Notification)
class NotificationPolicy(Policy):
    """Everyone sees and marks read their own notifications, and nobody else's: platform administrators
    included (a notification is personal mail, not platform data). Nobody adds, edits or deletes them by
    hand: ``notify`` writes them, the nightly clean-up deletes the old read ones."""

    rules = {"view": {ANY_ROLE: own_notifications}, "change": {ANY_ROLE: own_notifications}}

    def rule(self, user, action: str) -> Scope | None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        # no superuser shortcut here, unlike every other policy
        return self.rules.get(action, {}).get(ANY_ROLE)


@register(TaskRun)
class TaskRunPolicy(Policy):
    """Background jobs are the platform administrators' concern (superusers pass every policy); a person
    follows their own imports and reports on those objects' pages."""

    rules = {}


@register(PendingTask)
class PendingTaskPolicy(Policy):
    rules = {}
