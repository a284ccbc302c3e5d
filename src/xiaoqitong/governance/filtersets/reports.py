"""The filters of the quality report list, shared by its page and its API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from xiaoqitong.orgs.models import School

from ..choices import ReportStatus
from ..models import QualityReport

SCOPES = (("city", _("全市报告")), ("school", _("学校报告")))


class QualityReportFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label=_("报告年度"))
    scope = django_filters.ChoiceFilter(method="filter_scope", choices=SCOPES, label=_("范围"))
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.order_by("code"), to_field_name="code", label=_("学校")
    )
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("状态"))

    class Meta:
        model = QualityReport
        fields = ["year", "scope", "school", "status"]

    def filter_scope(self, queryset, name, value):
        return queryset.filter(school__isnull=value == "city")
