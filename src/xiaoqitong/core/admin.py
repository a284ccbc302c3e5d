from django.contrib import admin

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
