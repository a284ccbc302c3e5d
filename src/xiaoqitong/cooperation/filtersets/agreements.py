"""FilterSets of agreements, their students and change requests (shared by pages, API and exports)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.orgs.models import Enterprise, School

from ..choices import AgreementKind, AgreementStatus, ChangeStatus, MemberStatus
from ..models import Agreement, AgreementChange, AgreementMember


class AgreementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    kind = django_filters.MultipleChoiceFilter(choices=AgreementKind.choices, label=_("合作形式"))
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices, label=_("状态"))
    cohort = django_filters.NumberFilter(label=_("年级（入学年份）"))
    year = django_filters.NumberFilter(field_name="start_date__year", label=_("开始年度"))
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.all(), to_field_name="code", label=_("学校（代码）"), widget=forms.TextInput
    )
    enterprise = django_filters.ModelChoiceFilter(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("企业（统一社会信用代码）"),
        widget=forms.TextInput,
    )

    class Meta:
        model = Agreement
        fields = ["q", "kind", "status", "cohort", "year", "school", "enterprise"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(school__name__icontains=value)
        )


class FulfilmentFilterSet(AgreementFilterSet):
    """The fulfilment table's filters (drafts are never counted)."""

    status = django_filters.MultipleChoiceFilter(
        choices=[c for c in AgreementStatus.choices if c[0] != AgreementStatus.DRAFT], label=_("状态")
    )


class AgreementMemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("学生姓名或学号"), max_length=50)
    agreement = django_filters.NumberFilter(field_name="agreement_id", label=_("协议编号"))
    status = django_filters.MultipleChoiceFilter(choices=MemberStatus.choices, label=_("状态"))
    kind = django_filters.MultipleChoiceFilter(
        field_name="agreement__kind", choices=AgreementKind.choices, label=_("合作形式")
    )

    class Meta:
        model = AgreementMember
        fields = ["q", "agreement", "status", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(student__name__icontains=value) | Q(student__student_no=value))


class AgreementChangeFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ChangeStatus.choices, label=_("状态"))
    agreement = django_filters.NumberFilter(method="filter_agreement", label=_("协议编号（转出或转入）"))

    class Meta:
        model = AgreementChange
        fields = ["status", "agreement"]

    def filter_agreement(self, queryset, name, value):
        return queryset.filter(Q(member__agreement_id=value) | Q(to_agreement_id=value))
