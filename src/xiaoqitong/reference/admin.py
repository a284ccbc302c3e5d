"""Django admin for the catalogs: searchable (other apps' admins use them in autocomplete fields).

Writes made here go through the core services (validated, audited) like every other write."""

from django.contrib import admin

from xiaoqitong.core.admin import ServiceAdmin

from .models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
)


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(MajorCategory)
class MajorCategoryAdmin(ServiceAdmin):
    list_display = ("code", "name", "education_level")
    list_filter = ("education_level",)
    search_fields = ("code", "name")


@admin.register(MajorClass)
class MajorClassAdmin(ServiceAdmin):
    list_display = ("code", "name", "category", "education_level")
    list_filter = ("education_level",)
    search_fields = ("code", "name")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)


@admin.register(MajorFamily)
class MajorFamilyAdmin(ServiceAdmin):
    list_display = ("key", "name")
    search_fields = ("key", "name")


@admin.register(Major)
class MajorAdmin(ServiceAdmin):
    list_display = ("code", "name", "education_level", "major_class", "is_controlled", "family", "source")
    list_filter = ("education_level", "is_controlled")
    search_fields = ("code", "name")
    list_select_related = ("major_class", "family")
    autocomplete_fields = ("major_class", "family")


@admin.register(Industry)
class IndustryAdmin(ServiceAdmin):
    list_display = ("code", "numeric_code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "numeric_code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(IndustryChain)
class IndustryChainAdmin(ServiceAdmin):
    list_display = ("code", "name", "sort_order")
    search_fields = ("code", "name")
    autocomplete_fields = ("industries", "major_classes")


@admin.register(Skill)
class SkillAdmin(ServiceAdmin):
    list_display = ("name", "category", "is_curated")
    list_filter = ("is_curated", "category")
    search_fields = ("name", "synonyms", "category")
    autocomplete_fields = ("chains", "major_classes")


@admin.register(Certificate)
class CertificateAdmin(ServiceAdmin):
    list_display = ("code", "name", "kind", "level", "issuer", "is_curated")
    list_filter = ("kind", "level", "is_curated")
    search_fields = ("code", "name", "issuer")
    autocomplete_fields = ("chains", "major_classes")
