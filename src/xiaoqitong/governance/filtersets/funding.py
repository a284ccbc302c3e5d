"""The filters of the reward fund's lists, shared by the pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.schools.filtersets import SchoolFilter

from ..choices import AllocationStatus
from ..models import Allocation, AllocationLine, FundingRule


class FundingRuleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("专业大类"), help_text=_("代码或名称"))
    level = django_filters.CharFilter(field_name="category__education_level", label=_("层次"))

    class Meta:
        model = FundingRule
        fields = ["q", "level"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(category__code=value) | Q(category__name__icontains=value))


class AllocationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices, label=_("状态"))

    class Meta:
        model = Allocation
        fields = ["q", "year", "status"]


class AllocationLineFilterSet(django_filters.FilterSet):
    allocation = django_filters.NumberFilter(field_name="allocation_id", label=_("分配方案编号"))
    year = django_filters.NumberFilter(field_name="allocation__year", label=_("年度"))
    school = SchoolFilter()

    class Meta:
        model = AllocationLine
        fields = ["allocation", "year", "school"]
