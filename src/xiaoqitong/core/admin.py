from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist

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


class ServiceAdmin(admin.ModelAdmin):
    """ModelAdmin whose saves and deletes go through the core services (validation and one audit
    record each), like every other write. Apps with their own services override ``create``/``update``."""

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

    def save_model(self, request, obj, form, change):
        if change:
            original = self.model._default_manager.get(pk=obj.pk)
            saved = self.update(
                actor=request.user, instance=original, data=self._data(obj, form, form.changed_data)
            )
        else:
            names = [f.name for f in self.model._meta.concrete_fields if not f.primary_key] + list(
                form.fields
            )
            saved = self.create(actor=request.user, data=self._data(obj, form, dict.fromkeys(names)))
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
