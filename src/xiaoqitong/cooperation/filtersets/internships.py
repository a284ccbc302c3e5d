"""FilterSets of internships, shared by the pages, the API and exports."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.orgs.models import Enterprise, School

from ..choices import LeaveStatus, LogStatus, MentorSide, PlacementStatus
from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)

SCHOOL = {
    "queryset": School.objects.all(),
    "to_field_name": "code",
    "label": _("学校（学校代码）"),
    "widget": forms.TextInput,
}


def _school_filter(field_name: str):
    return django_filters.ModelChoiceFilter(field_name=field_name, **SCHOOL)


def _enterprise_filter(field_name: str):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("实习单位（统一社会信用代码）"),
        widget=forms.TextInput,
    )


def _search(queryset, value: str, *fields: str):
    value = value.strip()
    query = Q()
    for name in fields:
        query |= Q(**{f"{name}__icontains": value})
    return queryset.filter(query)


class InternshipPlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    school = _school_filter("school")
    cohort = django_filters.NumberFilter(label=_("年级"))
    year = django_filters.NumberFilter(field_name="period_start__year", label=_("实习开始年份"))

    class Meta:
        model = InternshipPlan
        fields = ["q", "school", "cohort", "year"]

    def search(self, queryset, name, value):
        return _search(queryset, value, "title", "school_major__major__name", "school__name")


class PlacementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    status = django_filters.MultipleChoiceFilter(choices=PlacementStatus.choices, label=_("状态"))
    school = _school_filter("plan__school")
    enterprise = _enterprise_filter("enterprise")
    plan = django_filters.NumberFilter(
        field_name="plan_id", label=_("实习计划编号"), widget=forms.HiddenInput
    )
    in_city = YesNoFilter(label=_("市域内企业"))
    flagged = YesNoFilter(method="filter_flagged", label=_("有规则提示"))
    start_from = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("开始日期不早于")
    )
    start_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("开始日期不晚于")
    )

    class Meta:
        model = Placement
        fields = [
            "q",
            "status",
            "school",
            "enterprise",
            "plan",
            "in_city",
            "flagged",
            "start_from",
            "start_before",
        ]

    def search(self, queryset, name, value):
        return _search(
            queryset, value, "student__name", "student__student_no", "enterprise__name", "plan__title"
        )

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(flags=[]) if value else queryset.filter(flags=[])


class _FollowingFilterSet(django_filters.FilterSet):
    """Filters of the records that follow a placement."""

    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    school = _school_filter("placement__plan__school")
    enterprise = _enterprise_filter("placement__enterprise")
    placement = django_filters.NumberFilter(
        field_name="placement_id", label=_("实习编号"), widget=forms.HiddenInput
    )

    def search(self, queryset, name, value):
        return _search(queryset, value, "placement__student__name", "placement__student__student_no")


class InternshipLogFilterSet(_FollowingFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LogStatus.choices, label=_("状态"))
    mine_to_sign = YesNoFilter(method="filter_to_sign", label=_("待我会签"))
    week_from = django_filters.DateFilter(field_name="week_start", lookup_expr="gte", label=_("周次不早于"))

    class Meta:
        model = InternshipLog
        fields = ["q", "status", "school", "enterprise", "placement", "mine_to_sign", "week_from"]

    def filter_to_sign(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(
            status=LogStatus.SUBMITTED, placement__enterprise_mentor_id=self.request.user.pk
        )


class CheckInFilterSet(_FollowingFilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期不早于"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("日期不晚于"))

    class Meta:
        model = CheckIn
        fields = ["q", "school", "enterprise", "placement", "date_from", "date_before"]


class LeaveRequestFilterSet(_FollowingFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LeaveStatus.choices, label=_("状态"))

    class Meta:
        model = LeaveRequest
        fields = ["q", "status", "school", "enterprise", "placement"]


class InternshipSubsidyFilterSet(_FollowingFilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label=_("月份不早于"))
    month_before = django_filters.DateFilter(field_name="month", lookup_expr="lte", label=_("月份不晚于"))

    class Meta:
        model = InternshipSubsidy
        fields = ["q", "school", "enterprise", "placement", "month_from", "month_before"]


class EvaluationFilterSet(_FollowingFilterSet):
    side = django_filters.ChoiceFilter(choices=MentorSide.choices, label=_("评价方"))

    class Meta:
        model = Evaluation
        fields = ["q", "side", "school", "enterprise", "placement"]
