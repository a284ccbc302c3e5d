"""One FilterSet per catalog, shared by the pages, the API and exports. Every one has ``q`` (code and name);
relations are filtered by code (``?parent=431000``, ``?class=6601``), never by database id."""

import json

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter

from .choices import CertificateKind, CertificateLevel, EducationLevel, IndustryLevel, RegionLevel
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


def search(*fields):
    """A ``q`` filter method: any of the fields contains the text (case-insensitive)."""

    def method(queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    return method


def major_code(value: str) -> str:
    """Major codes are stored without the K of 国控专业 (520101K is stored as 520101)."""
    value = value.strip()
    return value[:-1] if value[-1:] in {"K", "k"} and value[:-1].isdigit() else value


def level_filter(**kwargs):
    return django_filters.ChoiceFilter(
        field_name="education_level", choices=EducationLevel.choices, label=_("层次"), **kwargs
    )


def rename(filterset: type[django_filters.FilterSet], old: str, new: str) -> None:
    """Expose a filter under a name that cannot be a Python attribute (``class``), keeping its position."""
    filterset.base_filters = {new if k == old else k: v for k, v in filterset.base_filters.items()}


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search("code", "name"), label=_("搜索"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("级别"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级代码"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]


class MajorCategoryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search("code", "name"), label=_("搜索"))
    level = level_filter()

    class Meta:
        model = MajorCategory
        fields = ["q", "level"]


class MajorClassFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search("code", "name"), label=_("搜索"))
    level = level_filter()
    category = django_filters.CharFilter(field_name="category__code", label=_("专业大类代码"))
    chain = django_filters.CharFilter(field_name="chains__code", label=_("产业链编号"), distinct=True)

    class Meta:
        model = MajorClass
        fields = ["q", "level", "category", "chain"]


class MajorFamilyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_family", label=_("搜索"))

    class Meta:
        model = MajorFamily
        fields = ["q"]

    def search_family(self, queryset, name, value):
        value = major_code(value)
        return queryset.filter(
            Q(key__icontains=value)
            | Q(name__icontains=value)
            | Q(majors__name__icontains=value)
            | Q(majors__code=value)
        ).distinct()


class MajorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_major", label=_("搜索"))
    level = level_filter()
    category = django_filters.CharFilter(field_name="major_class__category__code", label=_("专业大类代码"))
    major_class = django_filters.CharFilter(field_name="major_class__code", label=_("专业类代码"))
    is_controlled = YesNoFilter(label=_("国控专业"))
    family = django_filters.CharFilter(field_name="family__key", label=_("专业族编号"))
    chain = django_filters.CharFilter(
        field_name="major_class__chains__code", label=_("产业链编号"), distinct=True
    )

    class Meta:
        model = Major
        fields = ["q", "level", "category", "major_class", "is_controlled", "family", "chain"]

    def search_major(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(code__icontains=major_code(value)) | Q(name__icontains=value))
            if value
            else queryset
        )


rename(MajorFilterSet, "major_class", "class")


class IndustryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search("code", "numeric_code", "name"), label=_("搜索"))
    level = django_filters.TypedChoiceFilter(choices=IndustryLevel.choices, coerce=int, label=_("级别"))
    parent = django_filters.CharFilter(method="filter_parent", label=_("上级代码"))
    chain = django_filters.CharFilter(field_name="chains__code", label=_("产业链编号"), distinct=True)

    class Meta:
        model = Industry
        fields = ["q", "level", "parent", "chain"]

    def filter_parent(self, queryset, name, value):
        # Either the full code (C33) or the digits alone (33); the section letter is the code of a 门类.
        value = value.strip().upper()
        return queryset.filter(Q(parent__code=value) | Q(parent__numeric_code=value, parent__level__gt=1))


class IndustryChainFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search("code", "name", "description"), label=_("搜索"))
    industry = django_filters.CharFilter(field_name="industries__code", label=_("行业代码"), distinct=True)
    major_class = django_filters.CharFilter(
        field_name="major_classes__code", label=_("专业类代码"), distinct=True
    )

    class Meta:
        model = IndustryChain
        fields = ["q", "industry", "major_class"]


rename(IndustryChainFilterSet, "major_class", "class")


class SkillFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_skill", label=_("搜索"))
    category = django_filters.CharFilter(field_name="category", label=_("类别"))
    chain = django_filters.CharFilter(field_name="chains__code", label=_("产业链编号"), distinct=True)
    major_class = django_filters.CharFilter(
        field_name="major_classes__code", label=_("专业类代码"), distinct=True
    )
    is_curated = YesNoFilter(label=_("平台初始词表"))

    class Meta:
        model = Skill
        fields = ["q", "category", "chain", "major_class", "is_curated"]

    def search_skill(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # SQLite keeps JSON with non-ASCII characters escaped (\u6570), PostgreSQL keeps them as they are:
        # look for both spellings so a synonym is found on either database.
        escaped = json.dumps(value)[1:-1]
        query = Q(name__icontains=value) | Q(synonyms__icontains=value)
        if escaped != value:
            query |= Q(synonyms__icontains=escaped)
        return queryset.filter(query)


rename(SkillFilterSet, "major_class", "class")


class CertificateFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search("code", "name", "issuer"), label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=CertificateKind.choices, label=_("类别"))
    level = django_filters.ChoiceFilter(choices=CertificateLevel.choices, label=_("等级"))
    chain = django_filters.CharFilter(field_name="chains__code", label=_("产业链编号"), distinct=True)
    major_class = django_filters.CharFilter(
        field_name="major_classes__code", label=_("专业类代码"), distinct=True
    )
    is_curated = YesNoFilter(label=_("平台初始目录"))

    class Meta:
        model = Certificate
        fields = ["q", "kind", "level", "chain", "major_class", "is_curated"]


rename(CertificateFilterSet, "major_class", "class")
