"""One FilterSet per model, shared by the pages, the API and exports."""

import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.core.search import SearchFilter
from xiaoqitong.reference.models import IndustryChain, city_prefix, work_areas

from .choices import DepartmentKind, EnterpriseSize, InstitutionKind, Ownership, Role, SchoolType
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User


def _search(*fields):
    def method(queryset, name, value):
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)

    return method


class _LocalAreas(ModelChoiceIterator):
    """The select's options: the platform's own city's counties and parks (a few dozen, not the country's
    nearly 3,000, whose rendering took half a second of every list page at city scale: bench/bench_load.py),
    plus the area already chosen when it lies elsewhere."""

    def _offered(self):
        local = Q(code__startswith=city_prefix())
        chosen = getattr(self.field, "chosen", None)  # read when the select renders, after prepare_value
        if chosen:
            local |= Q(code=chosen)
        self.queryset = self.field.queryset.filter(local)

    def __iter__(self):
        self._offered()
        return super().__iter__()

    def __len__(self):
        self._offered()
        return super().__len__()


class LocalAreaField(forms.ModelChoiceField):
    """Offers the city's own areas; accepts any area's code (a link may name one elsewhere)."""

    iterator = _LocalAreas

    def prepare_value(self, value):
        if isinstance(value, str):
            self.chosen = value
        return super().prepare_value(value)


class CountyFilter(django_filters.ModelChoiceFilter):
    """County-level unit or park, by code (``?county=431002``); a city code covers all its counties."""

    field_class = LocalAreaField

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", work_areas())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("label", _("县市区"))
        super().__init__(**kwargs)


class SchoolFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search("name", "code", "address"), label=_("搜索"))
    school_type = django_filters.ChoiceFilter(choices=SchoolType.choices, label=_("办学层次"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("办学性质"))
    county = CountyFilter()

    class Meta:
        model = School
        fields = ["q", "school_type", "ownership", "county"]


class SchoolEnrolmentFilterSet(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.order_by("code"), to_field_name="code", label=_("学校")
    )
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = SchoolEnrolment
        fields = ["school", "year"]


class EnterpriseFilterSet(django_filters.FilterSet):
    q = SearchFilter(
        codes=("credit_code",),
        label=_("搜索"),
        help_text=_("名称、行业、地区、地址中的词语，或统一社会信用代码"),
    )
    size = django_filters.MultipleChoiceFilter(choices=EnterpriseSize.choices, label=_("企业规模"))
    county = CountyFilter()
    industry = django_filters.CharFilter(
        method="filter_industry", label=_("行业代码"), help_text=_("任一级代码，如 C、C38、C387 或 3874")
    )
    chain = django_filters.ModelChoiceFilter(
        queryset=IndustryChain.objects.all(), to_field_name="code", method="filter_chain", label=_("产业链")
    )
    registered_in_city = YesNoFilter(label=_("在本市注册"))

    class Meta:
        model = Enterprise
        fields = ["q", "size", "county", "industry", "chain", "registered_in_city"]

    def filter_industry(self, queryset, name, value):
        value = value.strip().upper()
        if value[:1].isdigit():
            return queryset.filter(industry__numeric_code__startswith=value)
        return queryset.filter(industry__code__startswith=value)

    def filter_chain(self, queryset, name, chain):
        codes = list(chain.industries.values_list("code", flat=True))
        if not codes:
            return queryset.none()
        query = Q()
        for code in codes:
            query |= Q(industry__code__startswith=code)
        return queryset.filter(query)


class ResearchInstitutionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search("name", "code"), label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=InstitutionKind.choices, label=_("类别"))

    class Meta:
        model = ResearchInstitution
        fields = ["q", "kind"]


class DepartmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search("name", "short_name", "code"), label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices, label=_("类别"))

    class Meta:
        model = Department
        fields = ["q", "kind"]


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search("username", "display_name"), label=_("搜索"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))
    is_active = YesNoFilter(label=_("启用"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]
