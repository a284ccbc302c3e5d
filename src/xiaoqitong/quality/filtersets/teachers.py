"""FilterSets of the teachers' records of quality (training bases, 特岗 funding, technical-service income),
shared by the pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.schools.filtersets import SchoolFilter

from ..choices import TrainingBaseLevel
from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome


class TeacherTrainingBaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    level = django_filters.ChoiceFilter(choices=TrainingBaseLevel.choices, label=_("级别"))
    recognized_year = django_filters.NumberFilter(label=_("认定年度"))
    up_to_year = django_filters.NumberFilter(
        field_name="recognized_year", lookup_expr="lte", label=_("截至年度"), help_text=_("认定年度不晚于")
    )
    host_school = SchoolFilter(field_name="host_school", label=_("依托学校"))

    class Meta:
        model = TeacherTrainingBase
        fields = ["q", "level", "recognized_year", "up_to_year", "host_school"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(recognized_by__icontains=value)
            | Q(host_school__name__icontains=value)
            | Q(host_enterprise__name__icontains=value)
        )


class SchoolYearFilterSet(django_filters.FilterSet):
    school = SchoolFilter()
    year = django_filters.NumberFilter(label=_("年度"))


class SpecialPostFundingFilterSet(SchoolYearFilterSet):
    class Meta:
        model = SpecialPostFunding
        fields = ["school", "year"]


class TechServiceIncomeFilterSet(SchoolYearFilterSet):
    class Meta:
        model = TechServiceIncome
        fields = ["school", "year"]
