"""The filters of certification's lists, shared by the pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YearFilter, YesNoFilter
from xiaoqitong.orgs.filtersets import CountyFilter

from ..choices import (
    HELD,
    ApplicationStatus,
    CertificationStatus,
    IncentiveKind,
    Level,
    Measure,
    ReviewKind,
    ReviewStatus,
)
from ..models import Application, Certification, Criterion, Incentive, Review

OPINION_STATES = (("pending", _("本部门待出具意见")), ("given", _("本部门已出具意见")))


def _enterprise_q(value: str, prefix: str = "") -> Q:
    value = value.strip()
    return Q(**{f"{prefix}enterprise__credit_code": value.upper()}) | Q(
        **{f"{prefix}enterprise__name__icontains": value}
    )


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业"), help_text=_("名称或统一社会信用代码"))
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("状态"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("申报级别"))
    year = django_filters.NumberFilter(field_name="year", label=_("申报年度"))
    opinion = django_filters.ChoiceFilter(
        method="filter_opinion", choices=OPINION_STATES, label=_("部门意见")
    )

    class Meta:
        model = Application
        fields = ["q", "status", "level", "year", "opinion"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(_enterprise_q(value)) if value.strip() else queryset

    def filter_opinion(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        department = getattr(user, "department_id", None)
        if not value or not department:
            return queryset
        mine = Q(opinions__department_id=department)
        if value == "pending":
            return queryset.filter(
                mine, opinions__stance="", status=ApplicationStatus.UNDER_REVIEW
            ).distinct()
        return (
            queryset.filter(mine).exclude(opinions__department_id=department, opinions__stance="").distinct()
        )


class CertificationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业"), help_text=_("名称或统一社会信用代码"))
    status = django_filters.MultipleChoiceFilter(choices=CertificationStatus.choices, label=_("状态"))
    held = YesNoFilter(method="filter_held", label=_("持有称号"), help_text=_("有效或整改中"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("级别"))
    county = CountyFilter(field_name="enterprise__county", label=_("县市区或园区"))
    year = YearFilter(field_name="certified_on", lookup_expr="year", label=_("认定年度"))

    class Meta:
        model = Certification
        fields = ["q", "status", "held", "level", "county", "year"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(_enterprise_q(value)) if value.strip() else queryset

    def filter_held(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(status__in=sorted(HELD))
        return queryset.filter(q) if value else queryset.exclude(q)


class ReviewFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业"), help_text=_("名称或统一社会信用代码"))
    status = django_filters.MultipleChoiceFilter(choices=ReviewStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=ReviewKind.choices, label=_("考核类型"))
    year = django_filters.NumberFilter(field_name="year", label=_("考核年度"))
    certification = django_filters.NumberFilter(field_name="certification_id", label=_("认定编号（内部）"))

    class Meta:
        model = Review
        fields = ["q", "status", "kind", "year", "certification"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(_enterprise_q(value, "certification__")) if value.strip() else queryset


class IncentiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业"), help_text=_("名称或统一社会信用代码"))
    kind = django_filters.MultipleChoiceFilter(choices=IncentiveKind.choices, label=_("激励类型"))
    year = django_filters.NumberFilter(field_name="year", label=_("年度"))
    department = django_filters.CharFilter(
        method="filter_department", label=_("落实部门"), help_text=_("部门代码或名称")
    )

    class Meta:
        model = Incentive
        fields = ["q", "kind", "year", "department"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(_enterprise_q(value)) if value.strip() else queryset

    def filter_department(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(department__code=value) | Q(department__name__icontains=value) | Q(department__short_name=value)
        )


class CriterionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("条件"))
    measure = django_filters.ChoiceFilter(choices=Measure.choices, label=_("数据来源"))
    active = YesNoFilter(field_name="active", label=_("启用"))
    required = YesNoFilter(field_name="required", label=_("必备条件"))

    class Meta:
        model = Criterion
        fields = ["q", "measure", "active", "required"]
