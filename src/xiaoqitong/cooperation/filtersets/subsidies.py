"""FilterSets of the rules, the subsidy rates and claims (one per model: pages, API and export)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.orgs.models import Department, Enterprise, School

from ..choices import APPRENTICESHIP_KINDS, AgreementKind, ClaimStatus, RuleKey
from ..models import Rule, SubsidyClaim, SubsidyRate

APPRENTICESHIP_CHOICES = [(v, label) for v, label in AgreementKind.choices if v in APPRENTICESHIP_KINDS]


class RuleFilterSet(django_filters.FilterSet):
    key = django_filters.ChoiceFilter(choices=RuleKey.choices, label=_("规则"))
    target = django_filters.CharFilter(lookup_expr="iexact", label=_("指标编号"))

    class Meta:
        model = Rule
        fields = ["key", "target"]


class SubsidyRateFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"))
    kind = django_filters.ChoiceFilter(choices=APPRENTICESHIP_CHOICES, label=_("合作形式"))
    reviewing_department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), to_field_name="code", label=_("审核部门")
    )

    class Meta:
        model = SubsidyRate
        fields = ["year", "kind", "reviewing_department"]


class SubsidyClaimFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(
        field_name="agreement__kind", choices=APPRENTICESHIP_CHOICES, label=_("合作形式")
    )
    enterprise = django_filters.ModelChoiceFilter(
        field_name="agreement__enterprise",
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("企业（统一社会信用代码）"),
        widget=forms.TextInput,
    )
    school = django_filters.ModelChoiceFilter(
        field_name="agreement__school",
        queryset=School.objects.all(),
        to_field_name="code",
        label=_("学校代码"),
        widget=forms.TextInput,
    )
    mine = YesNoFilter(method="filter_mine", label=_("由我部门审核"))

    class Meta:
        model = SubsidyClaim
        fields = ["q", "year", "status", "kind", "enterprise", "school", "mine"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(agreement__title__icontains=value)
            | Q(agreement__enterprise__name__icontains=value)
            | Q(agreement__enterprise__credit_code__iexact=value)
            | Q(payment_ref__iexact=value)
        )

    def filter_mine(self, queryset, name, value):
        """Claims whose rate the user's department reviews (platform administrators: all of them)."""
        user = getattr(self.request, "user", None)
        if value is None or user is None or user.is_superuser:
            return queryset
        department = getattr(user, "department_id", None)
        mine = Q(rate__reviewing_department_id=department) if department else Q(pk__in=[])
        return queryset.filter(mine) if value else queryset.exclude(mine)
