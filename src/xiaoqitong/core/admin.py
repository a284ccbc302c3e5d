import contextlib

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction

from . import services
from .models import AuditLog, ImportJob


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by services, never edited."""

    list_display = ("time", "actor_repr", "action", "verb", "content_type", "object_repr", "request_id")
    list_filter = ("action", "content_type")
    search_fields = ("actor_repr", "object_repr", "verb", "request_id")
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "created_by", "target", "original_name", "status", "total_rows")
    list_filter = ("status", "target")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


class _DryRun(Exception):
    """Raised inside the form's trial run of the service to roll it back."""


class ServiceAdmin(admin.ModelAdmin):
    """ModelAdmin whose saves and deletes go through the core services (validation and one audit
    record each), like every other write. Apps with their own services override ``create``/``update``.

    A service may refuse what the form accepted (a rule that reads other rows, a discriminatory posting):
    the form runs the service once, rolled back, while it validates, so that a refusal is shown on the form
    with the other errors instead of failing the request when the admin saves."""

    def create(self, *, actor, data):
        return services.object_create(actor=actor, model=self.model, data=data)

    def update(self, *, actor, instance, data):
        return services.object_update(actor=actor, instance=instance, data=data)

    def _data(self, obj, form, names) -> dict:
        data = {}
        for name in names:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_many:
                data[name] = list(form.cleaned_data.get(name) or [])
            elif field.concrete:
                data[name] = getattr(obj, field.name)
        return data

    def _save(self, request, obj, form, change):
        if change:
            original = self.model._default_manager.get(pk=obj.pk)
            return self.update(
                actor=request.user, instance=original, data=self._data(obj, form, form.changed_data)
            )
        names = [f.name for f in self.model._meta.concrete_fields if not f.primary_key] + list(form.fields)
        return self.create(actor=request.user, data=self._data(obj, form, dict.fromkeys(names)))

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    model_admin._trial(request, self, change)

        ServiceForm.__name__ = base.__name__
        return ServiceForm

    def _trial(self, request, form, change) -> None:
        """Run the service on the form's values and roll it back; put its refusal on the form."""
        try:
            with transaction.atomic():
                self._save(request, form.instance, form, change)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            for name, texts in messages.items():
                if name in form.fields:
                    form.add_error(name, texts)
                else:  # a field the form does not show: named in the message
                    label = name
                    with contextlib.suppress(FieldDoesNotExist):
                        label = str(self.model._meta.get_field(name).verbose_name)
                    form.add_error(None, [t if name == NON_FIELD_ERRORS else f"{label}：{t}" for t in texts])

    def save_model(self, request, obj, form, change):
        saved = self._save(request, obj, form, change)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were saved by the service; inline formsets (none so far) would save here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.object_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.object_delete(actor=request.user, instance=obj)
