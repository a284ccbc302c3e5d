"""The filters of the assessment's lists, shared by the pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.schools.filtersets import SchoolFilter

from ..choices import AssessmentStatus
from ..models import Assessment, Indicator, IndicatorScore, SchoolScore
from ..selectors.assessment import measure_choices


class IndicatorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    group = django_filters.CharFilter(label=_("类别"))
    measure = django_filters.ChoiceFilter(choices=measure_choices, label=_("计算来源"))
    is_active = YesNoFilter(label=_("启用"))

    class Meta:
        model = Indicator
        fields = ["q", "group", "measure", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class AssessmentFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("考核年度"))
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices, label=_("状态"))

    class Meta:
        model = Assessment
        fields = ["year", "status"]


class SchoolScoreFilterSet(django_filters.FilterSet):
    assessment = django_filters.NumberFilter(field_name="assessment_id", label=_("考核编号"))
    year = django_filters.NumberFilter(field_name="assessment__year", label=_("考核年度"))
    school = SchoolFilter()

    class Meta:
        model = SchoolScore
        fields = ["assessment", "year", "school"]


class IndicatorScoreFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="score__assessment__year", label=_("考核年度"))
    school = SchoolFilter(field_name="score__school")
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("指标编号"))

    class Meta:
        model = IndicatorScore
        fields = ["year", "school", "indicator"]
