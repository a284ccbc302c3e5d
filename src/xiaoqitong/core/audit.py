"""Writing audit records. Services call :func:`record` exactly once each."""

import datetime as dt
import decimal
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import translation

from .context import get_request_id
from .models import AuditLog


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return value


# Derived data (the search tokens) is recomputed from the other fields: it would only be noise in the log.
DERIVED_FIELD = "search_text"


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values (foreign keys by id), JSON-safe; secrets left out."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"password", "created_at", "updated_at", DERIVED_FIELD}:
            continue
        data[field.attname] = _json_value(field.value_from_object(instance))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields that changed."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(**kwargs) -> AuditLog:
    """Write one audit record naming the actor (``None`` for the system). Keyword arguments as
    :func:`build`."""
    entry = build(**kwargs)
    entry.save(force_insert=True)
    return entry


def build(
    *,
    actor,
    action: str,
    verb: str,
    instance: models.Model | None = None,
    model: type[models.Model] | None = None,
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditLog:
    """An unsaved audit record (bulk importers collect them and insert them in batches)."""
    content_type = None
    object_id = ""
    if instance is not None:
        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
        object_id = str(instance.pk) if instance.pk is not None else ""
    elif model is not None:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    is_real_user = actor is not None and getattr(actor, "pk", None) is not None
    with translation.override(settings.LANGUAGE_CODE):
        # The log reads the same whatever language the actor's page was in.
        object_repr = str(object_repr or (instance if instance is not None else ""))
    return AuditLog(
        actor=actor if is_real_user else None,
        actor_repr=(actor.get_username() if is_real_user else "系统")[:150],
        action=action,
        verb=verb,
        content_type=content_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        request_id=get_request_id(),
    )
