"""Writes on organizations and users that carry rules beyond plain CRUD."""

import csv
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.reference.models import Region

from .models import Department, User

DEPARTMENTS_CSV = Path(__file__).parent / "data" / "departments.csv"


def _validate(user: User, password: str | None) -> None:
    """``full_clean`` and, for a new password, the password validators (settings.AUTH_PASSWORD_VALIDATORS,
    Chinese messages from Django's catalogue); every error at once, keyed by field."""
    errors: dict = {}
    try:
        user.full_clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(*, actor, data: dict[str, Any]) -> User:
    """Create an account. The role decides the Django rights (only platform administrators are superusers);
    the password must pass the password validators and is hashed, never stored or audited in the clear.
    Without a password the account gets an unusable one."""
    data = dict(data)
    password = data.pop("password", "") or None
    user = User(**data)
    user.sync_rights()
    user.set_password(password)
    _validate(user, password)
    user.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="user_create",
        instance=user,
        changes=audit.diff({}, audit.snapshot(user)),
    )
    return user


@transaction.atomic
def user_update(*, actor, instance: User, data: dict[str, Any]) -> User:
    """Change an account; a role change re-derives the Django rights (leaving platform_admin removes
    superuser). A non-empty ``password`` must pass the password validators and replaces the password
    (recorded only as changed)."""
    user = User.objects.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(user)
    data = dict(data)
    password = data.pop("password", "")
    for name, value in data.items():
        setattr(user, name, value)
    user.sync_rights()
    _validate(user, password)
    changes = audit.diff(before, audit.snapshot(user))
    fields = [f.name for f in User._meta.concrete_fields if f.attname in changes]
    if password:
        user.set_password(password)
        fields.append("password")
        changes["password"] = ["***", "***"]
    if fields:
        user.save(update_fields=fields)
    audit.record(actor=actor, action=AuditAction.UPDATE, verb="user_update", instance=user, changes=changes)
    return user


@transaction.atomic
def departments_load(*, actor=None, path: Path = DEPARTMENTS_CSV) -> dict[str, int]:
    """Upsert the departments the policy names (``data/departments.csv``) on their code."""
    regions = {r.code: r for r in Region.objects.filter(level__in=["city", "county"])}
    existing = {d.code: d for d in Department.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values = {
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": row["kind"],
                "region": regions.get(row["region_code"]),
                "sort_order": int(row["sort_order"]),
            }
            dept = existing.get(row["code"])
            if dept is None:
                dept = Department(code=row["code"], **values)
                dept.full_clean()
                dept.save(force_insert=True)
                counts["created"] += 1
                continue
            changed = [k for k, v in values.items() if getattr(dept, k) != v]
            if changed:
                for k in changed:
                    setattr(dept, k, values[k])
                dept.full_clean()
                dept.save(update_fields=changed)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            verb="departments_load",
            model=Department,
            object_repr="政府部门目录",
            changes=counts,
        )
    return counts


@transaction.atomic
def user_password_change(*, actor: User, new_password: str) -> User:
    """A person changes their own password (the form has checked the old one and the rules)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="user_password_change",
        instance=user,
        changes={"password": ["***", "***"]},
    )
    return user


@transaction.atomic
def token_issue(*, actor: User):
    """Give a person their API token (the existing one, or a new one), recorded once per issue."""
    from rest_framework.authtoken.models import Token

    token, created = Token.objects.get_or_create(user=actor)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.VIEW,
        verb="token_issue",
        instance=actor,
        changes={"token": ["", "***"]} if created else {},
    )
    return token
