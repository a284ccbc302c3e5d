"""Django admin for positions, applications and outcomes: every write goes through the services."""

from django.contrib import admin

from xiaoqitong.core.admin import ServiceAdmin

from . import services
from .models import Application, ApplicationEvent, GraduateOutcome, Position


@admin.register(Position)
class PositionAdmin(ServiceAdmin):
    """Postings: edited through ``position_create``/``position_update`` (discrimination check, audit). The
    review state moves only through the pipeline, on the pages or the API."""

    list_display = ("title", "enterprise", "position_type", "headcount", "county", "valid_until", "status")
    list_filter = ("status", "position_type", "min_education")
    search_fields = ("title", "enterprise__name", "enterprise__credit_code")
    autocomplete_fields = ("enterprise", "county")
    filter_horizontal = ("majors", "major_classes", "major_categories")
    readonly_fields = ("status", "review_note", "published_at")
    exclude = ("skills", "certificates")

    def create(self, *, actor, data):
        return services.position_create(actor=actor, data=data)

    def update(self, *, actor, instance, data):
        return services.position_update(actor=actor, instance=instance, data=data)

    def delete_model(self, request, obj):
        services.position_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.position_delete(actor=request.user, instance=obj)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("time", "from_status", "to_status", "actor", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ServiceAdmin):
    """Applications are read here; the pipeline moves on the pages or the API (headcount, timeline)."""

    list_display = ("id", "student", "position", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("student__name", "student__student_no", "position__title")
    readonly_fields = ("student", "position", "status")
    inlines = [ApplicationEventInline]

    def has_add_permission(self, request):
        return False

    def update(self, *, actor, instance, data):
        return services.application_update(actor=actor, instance=instance, data=data)


@admin.register(GraduateOutcome)
class GraduateOutcomeAdmin(ServiceAdmin):
    list_display = ("student", "year", "outcome", "employer_name", "further_level", "source")
    list_filter = ("year", "outcome", "source", "further_level")
    search_fields = ("student__name", "student__student_no", "employer_name")
    autocomplete_fields = ("enterprise",)
    raw_id_fields = ("student",)
