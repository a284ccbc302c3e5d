"""Generic create/update/delete services for plain CRUD (DESIGN rule 1-2).

Domain apps use these for models whose writes carry no business logic, and write their own
``<entity>_<verb>`` services for anything more. Each validates with ``full_clean()``, saves only the
fields it changes, and writes one audit record.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, jobs, search
from .models import AuditAction, ImportJob


def _verb(model: type[models.Model], action: str) -> str:
    return f"{model._meta.model_name}_{action}"


def _assign(instance: models.Model, data: dict[str, Any]) -> tuple[set[str], dict[str, list]]:
    """Set plain fields; return the names of the fields set and the many-to-many values to apply."""
    opts = instance._meta
    m2m = {}
    names = set()
    for name, value in data.items():
        field = opts.get_field(name)
        if field.many_to_many:
            m2m[name] = list(value)
            continue
        setattr(
            instance,
            field.attname if field.is_relation and not isinstance(value, models.Model) else name,
            value,
        )
        names.add(field.name)
    return names, m2m


def touch(instance: models.Model) -> None:
    """Set the ``auto_now`` timestamps (``updated_at``) of a saved row to now, nothing else: after a change
    of its many-to-many values or child rows, which ``save()`` does not see. Readers that follow changes by
    ``updated_at`` (the matching index) rely on it."""
    model = type(instance)
    now = timezone.now()
    values = {f.name: now for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    if values and instance.pk is not None:
        model._base_manager.filter(pk=instance.pk).update(**values)
        for name, value in values.items():
            setattr(instance, name, value)


@transaction.atomic
def object_create(*, actor, model: type[models.Model], data: dict[str, Any], verb: str = "") -> models.Model:
    """Create one ``model`` row from ``data`` (field name -> value)."""
    instance = model()
    _fields, m2m = _assign(instance, data)
    instance.full_clean()
    search.refresh(instance)  # after clean: indexes the cleaned values
    instance.save(force_insert=True)
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    if m2m:
        search.refresh(instance, save=True)  # the indexed text may name many-to-many values
    after = audit.snapshot(instance)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb=verb or _verb(model, "create"),
        instance=instance,
        changes=audit.diff({}, after)
        | {k: [None, [getattr(v, "pk", v) for v in vs]] for k, vs in m2m.items()},
    )
    return instance


def _refuse_locked(actor, model: type[models.Model], changes: dict) -> None:
    """Refuse changes to fields the actor's role may not change (``Policy.locked``)."""
    from .policy import policy_for

    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    changed = {by_attname.get(key, key) for key in changes}
    blocked = sorted(changed & policy_for(model).locked_fields(actor))
    if blocked:
        raise ValidationError({name: _("您无权修改此项。") for name in blocked})


@transaction.atomic
def object_update(*, actor, instance: models.Model, data: dict[str, Any], verb: str = "") -> models.Model:
    """Apply ``data`` to ``instance``; saves only changed fields, records before and after."""
    model = type(instance)
    instance = model._default_manager.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(instance)
    m2m_before = {}
    _fields, m2m = _assign(instance, data)
    instance.full_clean()
    old_text = getattr(instance, audit.DERIVED_FIELD, None)
    search.refresh(instance)
    after = audit.snapshot(instance)
    changes = audit.diff(before, after)
    _refuse_locked(actor, model, changes)
    changed_fields = [f.name for f in model._meta.concrete_fields if f.attname in changes]
    if getattr(instance, audit.DERIVED_FIELD, None) != old_text:
        changed_fields.append(audit.DERIVED_FIELD)  # derived, so saved but not audited
    if changed_fields:
        auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=changed_fields + auto_now)
    for name, values in m2m.items():
        manager = getattr(instance, name)
        old = sorted(manager.values_list("pk", flat=True))
        new = sorted(getattr(v, "pk", v) for v in values)
        if old != new:
            m2m_before[name] = [old, new]
            manager.set(values)
    if m2m_before:
        search.refresh(instance, save=True)
        touch(instance)
    changes |= m2m_before
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb or _verb(model, "update"),
        instance=instance,
        changes=changes,
    )
    return instance


@transaction.atomic
def object_delete(*, actor, instance: models.Model, verb: str = "") -> None:
    """Delete ``instance``; refuses (ValidationError) while other records still depend on it."""
    model = type(instance)
    before = audit.snapshot(instance)
    label = str(instance)
    pk = instance.pk
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        blocking = {str(obj._meta.verbose_name) for obj in list(exc.args[1])[:50]}
        raise ValidationError(
            _("“%(obj)s”仍被其他记录引用（%(what)s），不能删除。")
            % {"obj": label, "what": "、".join(sorted(blocking))}
        ) from exc
    instance.pk = pk
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        verb=verb or _verb(model, "delete"),
        instance=instance,
        object_repr=label,
        changes=audit.diff(before, {}),
    )


@transaction.atomic
def import_job_create(*, actor, model: type[models.Model], upload) -> ImportJob:
    """Accept an uploaded xlsx/xls/ods/csv file for ``model`` (refused by ``core.uploads.check_upload`` when
    too big, of another type, a zip bomb or carrying macros) and queue its validation (nothing is imported
    yet)."""
    from pathlib import Path

    from . import uploads
    from .imports import resource_for
    from .policy import policy_for
    from .tasks import import_job_run

    resource_for(model)  # refuses models that have no import format
    if not policy_for(model).allows(actor, "import"):
        raise PermissionDenied(_("您没有导入此类数据的权限。"))
    uploads.check_upload(upload, uploads.IMPORT)  # type, size, content, zip bombs, macros: before storing
    name = Path(upload.name or "").name
    job = ImportJob(created_by=actor, target=model._meta.label, original_name=name[:255])
    job.file.save(name, upload, save=False)
    job.full_clean()
    job.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="import_job_create",
        instance=job,
        changes={"target": [None, job.target], "file": [None, name]},
    )
    jobs.dispatch_on_commit(import_job_run, job.pk, commit=False)
    return job


@transaction.atomic
def import_job_confirm(*, actor, job) -> ImportJob:
    """Commit a job whose validation passed. Only its submitter may confirm it."""
    from django.apps import apps

    from .policy import policy_for
    from .tasks import import_job_run

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not policy_for(apps.get_model(job.target)).allows(actor, "import"):
        raise PermissionDenied(_("您没有导入此类数据的权限。"))
    if job.created_by_id != actor.pk:
        raise ValidationError(_("只有提交人可以确认导入。"))
    if job.status != ImportJob.Status.VALID:
        raise ValidationError(
            _("当前状态为“%(status)s”，只有校验通过的文件可以确认导入。")
            % {"status": job.get_status_display()}
        )
    job.status = ImportJob.Status.IMPORTING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="import_job_confirm",
        instance=job,
        changes={"status": [ImportJob.Status.VALID, ImportJob.Status.IMPORTING]},
    )
    jobs.dispatch_on_commit(import_job_run, job.pk, commit=True)
    return job


@transaction.atomic
def import_job_rerun(*, actor, job) -> ImportJob:
    """Run again a job whose background process died (it kept its file): its validation starts over, and its
    submitter confirms it again. Only its submitter may; a job that failed for another reason, or whose file
    is gone, is refused (upload the file again)."""
    from .tasks import import_job_run

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise ValidationError(_("只有提交人可以重新运行导入。"))
    if not job.can_rerun:
        raise ValidationError(
            _("当前状态为“%(status)s”，只有后台进程中断、文件仍在的导入可以重新运行；请重新上传文件。")
            % {"status": job.get_status_display()}
        )
    before = job.status
    job.status, job.errors, job.processed_rows, job.finished_at = ImportJob.Status.PENDING, [], 0, None
    job.save(update_fields=["status", "errors", "processed_rows", "finished_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="import_job_rerun",
        instance=job,
        changes={"status": [before, ImportJob.Status.PENDING]},
    )
    jobs.dispatch_on_commit(import_job_run, job.pk, commit=False)
    return job
