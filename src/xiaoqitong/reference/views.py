"""Pages of the catalogs (/reference/…): declarative list/detail/add/edit/delete/import/history configs.
Everyone signed in reads and exports; only platform administrators write (policies.py)."""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.views import ModelViews

from . import filtersets, forms, tables
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


class RegionViews(ModelViews):
    model = Region
    filterset = filtersets.RegionFilterSet
    table = tables.RegionTable
    form = forms.RegionForm
    select_related = ("parent",)

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("parent")


class MajorCategoryViews(ModelViews):
    model = MajorCategory
    filterset = filtersets.MajorCategoryFilterSet
    table = tables.MajorCategoryTable
    form = forms.MajorCategoryForm


class MajorClassViews(ModelViews):
    model = MajorClass
    filterset = filtersets.MajorClassFilterSet
    table = tables.MajorClassTable
    form = forms.MajorClassForm
    select_related = ("category",)

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("category")


class MajorFamilyViews(ModelViews):
    model = MajorFamily
    filterset = filtersets.MajorFamilyFilterSet
    table = tables.MajorFamilyTable
    form = forms.MajorFamilyForm

    @classmethod
    def detail_fields(cls, obj):
        rows = super().detail_fields(obj)
        members = obj.majors.select_related("major_class").order_by("code")
        rows.append((_("专业"), "；".join(f"{m.get_education_level_display()} {m}" for m in members)))
        return rows


class MajorViews(ModelViews):
    model = Major
    filterset = filtersets.MajorFilterSet
    table = tables.MajorTable
    form = forms.MajorForm
    select_related = ("major_class__category", "family")

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("major_class", "family")


class IndustryViews(ModelViews):
    model = Industry
    filterset = filtersets.IndustryFilterSet
    table = tables.IndustryTable
    form = forms.IndustryForm
    select_related = ("parent",)

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("parent")


class IndustryChainViews(ModelViews):
    model = IndustryChain
    filterset = filtersets.IndustryChainFilterSet
    table = tables.IndustryChainTable
    form = forms.IndustryChainForm

    @classmethod
    def export_queryset(cls, qs):
        return qs.prefetch_related("industries", "major_classes")


class SkillViews(ModelViews):
    model = Skill
    filterset = filtersets.SkillFilterSet
    table = tables.SkillTable
    form = forms.SkillForm

    @classmethod
    def detail_fields(cls, obj):
        synonyms = str(Skill._meta.get_field("synonyms").verbose_name)
        return [
            (label, "、".join(value) if str(label) == synonyms else value)
            for label, value in super().detail_fields(obj)
        ]

    @classmethod
    def export_queryset(cls, qs):
        return qs.prefetch_related("chains", "major_classes")


class CertificateViews(ModelViews):
    model = Certificate
    filterset = filtersets.CertificateFilterSet
    table = tables.CertificateTable
    form = forms.CertificateForm

    @classmethod
    def export_queryset(cls, qs):
        return qs.prefetch_related("chains", "major_classes")
