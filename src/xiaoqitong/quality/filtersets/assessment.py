"""FilterSets of dual-mentor assessment plans and grades, shared by the pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import GradePart, GradeSource, PlanStatus
from ..models import AssessmentPlan, Grade


class AssessmentPlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    school = django_filters.CharFilter(field_name="school__code", label=_("学校代码"), max_length=20)
    major = django_filters.CharFilter(
        method="filter_major", label=_("专业代码"), help_text=_("如 660103"), max_length=10
    )
    cohort = django_filters.NumberFilter(label=_("年级"))
    term = django_filters.CharFilter(lookup_expr="icontains", label=_("学期"), max_length=20)
    enterprise = django_filters.CharFilter(
        method="filter_enterprise",
        label=_("合作企业"),
        help_text=_("统一社会信用代码或企业名称"),
        max_length=60,
    )
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("状态"))

    class Meta:
        model = AssessmentPlan
        fields = ["q", "school", "major", "cohort", "term", "enterprise", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(course__icontains=value) | Q(school_major__major__name__icontains=value))

    def filter_major(self, queryset, name, value):
        code = value.strip().upper().rstrip("K")
        return queryset.filter(school_major__major__code__startswith=code) if code else queryset

    def filter_enterprise(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__credit_code=value.upper()) | Q(enterprise__name__icontains=value)
        )


class GradeFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("考核计划编号（ID）"))
    part = django_filters.ChoiceFilter(choices=GradePart.choices, label=_("考核部分"))
    source = django_filters.ChoiceFilter(choices=GradeSource.choices, label=_("来源"))
    student_no = django_filters.CharFilter(field_name="student__student_no", label=_("学号"), max_length=30)
    cohort = django_filters.NumberFilter(field_name="plan__cohort", label=_("年级"))

    class Meta:
        model = Grade
        fields = ["plan", "part", "source", "student_no", "cohort"]
