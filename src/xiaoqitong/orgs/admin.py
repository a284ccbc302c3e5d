from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "school_type", "ownership", "county")
    list_filter = ("school_type", "ownership")
    search_fields = ("code", "name")
    autocomplete_fields = ("county",)


@admin.register(SchoolEnrolment)
class SchoolEnrolmentAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "full_time_students")
    list_filter = ("year",)
    search_fields = ("school__name",)
    autocomplete_fields = ("school",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "size", "industry", "county", "registered_in_city")
    list_filter = ("size", "registered_in_city")
    search_fields = ("name", "credit_code")
    autocomplete_fields = ("industry", "county")


@admin.register(ResearchInstitution)
class ResearchInstitutionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "is_active", "is_demo", "last_login")
    list_filter = ("role", "is_active", "is_demo", "is_superuser")
    search_fields = ("username", "display_name", "email")
    autocomplete_fields = ("school", "enterprise", "institution", "department")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "校企通",
            {
                "fields": (
                    "role",
                    "display_name",
                    "phone",
                    "school",
                    "enterprise",
                    "institution",
                    "department",
                    "is_demo",
                )
            },
        ),
    )
