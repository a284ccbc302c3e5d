"""Django admin for organizations and users: every write goes through the services (validated, audited)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from xiaoqitong.core import services as core_services
from xiaoqitong.core.admin import ServiceAdmin

from . import services
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User


@admin.register(School)
class SchoolAdmin(ServiceAdmin):
    list_display = ("code", "name", "school_type", "ownership", "county")
    list_filter = ("school_type", "ownership")
    search_fields = ("code", "name")
    autocomplete_fields = ("county",)


@admin.register(SchoolEnrolment)
class SchoolEnrolmentAdmin(ServiceAdmin):
    list_display = ("school", "year", "full_time_students")
    list_filter = ("year",)
    search_fields = ("school__name",)
    autocomplete_fields = ("school",)


@admin.register(Enterprise)
class EnterpriseAdmin(ServiceAdmin):
    list_display = ("name", "credit_code", "size", "industry", "county", "registered_in_city")
    list_filter = ("size", "registered_in_city")
    search_fields = ("name", "credit_code")
    autocomplete_fields = ("industry", "county")


@admin.register(ResearchInstitution)
class ResearchInstitutionAdmin(ServiceAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    list_display = ("code", "name", "short_name", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")


class DerivedRightsMixin:
    """The role decides superuser and staff (User.sync_rights); derive them before the model is validated,
    so that User.clean sees the rights the services will save."""

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned:
            self.instance.role = cleaned["role"]
        self.instance.sync_rights()
        return cleaned


class UserAddForm(DerivedRightsMixin, AdminUserCreationForm):
    pass


class UserEditForm(DerivedRightsMixin, UserChangeForm):
    pass


ORG_FIELDS = ("role", "display_name", "phone", "school", "enterprise", "institution", "department")
# The fields the admin may write through the services (superuser and staff are derived from the role).
EDITABLE = ("username", "first_name", "last_name", "email", "is_active", "is_demo", *ORG_FIELDS)
# Django's own section titles (translated by Django's catalogues).
PERSONAL, PERMISSIONS, DATES = (DjangoUserAdmin.fieldsets[i][0] for i in (1, 2, 3))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts in the Django admin: writes go through orgs.services like the pages and the API (password
    rules, derived rights, audit). The password page is Django's own, which runs the same validators."""

    form = UserEditForm
    add_form = UserAddForm
    list_display = ("username", "display_name", "role", "is_active", "is_demo", "last_login")
    list_filter = ("role", "is_active", "is_demo", "is_superuser")
    search_fields = ("username", "display_name", "email")
    autocomplete_fields = ("school", "enterprise", "institution", "department")
    readonly_fields = ("is_superuser", "is_staff", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (PERSONAL, {"fields": ("first_name", "last_name", "email")}),
        ("校企通", {"fields": (*ORG_FIELDS, "is_demo")}),
        (PERMISSIONS, {"fields": ("is_active", "is_superuser", "is_staff")}),
        (DATES, {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("校企通", {"classes": ("wide",), "fields": ORG_FIELDS}),
    )

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if change:
            data = {name: value for name, value in data.items() if name in form.changed_data}
            services.user_update(actor=request.user, instance=obj, data=data)
            return
        if form.cleaned_data.get("set_usable_password", True):
            data["password"] = form.cleaned_data.get("password1") or ""
        user = services.user_create(actor=request.user, data=data)
        obj.pk = user.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        core_services.object_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
