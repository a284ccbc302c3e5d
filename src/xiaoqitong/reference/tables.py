"""List tables of the catalog pages. Columns that follow a relation are served by the ``select_related``
of the page configs (views.py), so a page runs the same number of queries whatever its length."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

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

ATTRS = {"class": "table table-sm table-hover align-middle"}


class RegionTable(tables.Table):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("上级"))

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent")
        attrs = ATTRS


class MajorCategoryTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = MajorCategory
        fields = ("code", "name", "education_level")
        attrs = ATTRS


class MajorClassTable(tables.Table):
    name = tables.Column(linkify=True)
    category = tables.Column(verbose_name=_("专业大类"))

    class Meta:
        model = MajorClass
        fields = ("code", "name", "education_level", "category")
        attrs = ATTRS


class MajorFamilyTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = MajorFamily
        fields = ("key", "name")
        attrs = ATTRS


class MajorTable(tables.Table):
    name = tables.Column(linkify=True)
    major_class = tables.Column(verbose_name=_("专业类"))
    category = tables.Column(
        verbose_name=_("专业大类"),
        accessor="major_class__category",
        order_by=("major_class__category__code",),
    )
    is_controlled = tables.BooleanColumn(verbose_name=_("国控"), yesno=("是", ""))
    family = tables.Column(verbose_name=_("专业族"))

    class Meta:
        model = Major
        fields = ("code", "name", "education_level", "category", "major_class", "is_controlled", "family")
        attrs = ATTRS


class IndustryTable(tables.Table):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("上级"))

    class Meta:
        model = Industry
        fields = ("code", "numeric_code", "name", "level", "parent")
        attrs = ATTRS


class IndustryChainTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = IndustryChain
        fields = ("sort_order", "code", "name", "description")
        attrs = ATTRS


class SkillTable(tables.Table):
    name = tables.Column(linkify=True)
    synonyms = tables.Column(verbose_name=_("同义词"), orderable=False)
    is_curated = tables.BooleanColumn(verbose_name=_("初始词表"), yesno=("是", "否"))

    class Meta:
        model = Skill
        fields = ("name", "category", "synonyms", "is_curated")
        attrs = ATTRS

    def render_synonyms(self, value):
        return "、".join(value or [])


class CertificateTable(tables.Table):
    name = tables.Column(linkify=True)
    is_curated = tables.BooleanColumn(verbose_name=_("初始目录"), yesno=("是", "否"))

    class Meta:
        model = Certificate
        fields = ("code", "name", "kind", "level", "issuer", "is_curated")
        attrs = ATTRS
