"""FilterSets of certificates, exam centres and competitions, shared by the pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YearFilter, YesNoFilter
from xiaoqitong.reference.choices import CertificateKind

from ..choices import CompetitionLevel, Prize
from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession


def _school(prefix: str, value: str) -> Q:
    """A school by its code or a part of its name."""
    value = value.strip()
    return Q(**{f"{prefix}code": value}) | Q(**{f"{prefix}name__icontains": value})


class _SchoolFilter(django_filters.FilterSet):
    school_prefix = "school__"

    school = django_filters.CharFilter(
        method="filter_school", label=_("学校"), help_text=_("学校代码或名称"), max_length=100
    )

    def filter_school(self, queryset, name, value):
        return queryset.filter(_school(self.school_prefix, value)) if value.strip() else queryset


class CertificateAwardFilterSet(_SchoolFilter):
    school_prefix = "student__school__"

    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("证书编号、学号或姓名"), max_length=100
    )
    certificate = django_filters.CharFilter(
        method="filter_certificate", label=_("证书"), help_text=_("证书代码或名称"), max_length=100
    )
    kind = django_filters.ChoiceFilter(
        field_name="certificate__kind", choices=CertificateKind.choices, label=_("证书类别")
    )
    year = YearFilter(field_name="awarded_on", lookup_expr="year", label=_("发证年度"))
    major = django_filters.CharFilter(
        field_name="student__school_major__major__code", label=_("专业代码"), max_length=20
    )

    class Meta:
        model = CertificateAward
        fields = ["q", "school", "certificate", "kind", "year", "major"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(student__student_no=value) | Q(student__name__icontains=value)
        )

    def filter_certificate(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(certificate__code=value.upper()) | Q(certificate__name__icontains=value))


class ExamCentreFilterSet(_SchoolFilter):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    active = YesNoFilter(label=_("在用"))

    class Meta:
        model = ExamCentre
        fields = ["q", "school", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class ExamSessionFilterSet(_SchoolFilter):
    school_prefix = "centre__school__"

    centre = django_filters.CharFilter(field_name="centre__code", label=_("考点编号"), max_length=30)
    certificate = django_filters.CharFilter(
        method="filter_certificate", label=_("证书"), help_text=_("证书代码或名称"), max_length=100
    )
    year = YearFilter(field_name="date", lookup_expr="year", label=_("年度"))

    class Meta:
        model = ExamSession
        fields = ["centre", "school", "certificate", "year"]

    def filter_certificate(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(certificate__code=value.upper()) | Q(certificate__name__icontains=value))


class CompetitionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("赛事名称"), max_length=100
    )
    level = django_filters.ChoiceFilter(choices=CompetitionLevel.choices, label=_("级别"))
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = Competition
        fields = ["q", "level", "year"]


class CompetitionAwardFilterSet(_SchoolFilter):
    competition = django_filters.NumberFilter(field_name="competition_id", label=_("赛事（ID）"))
    level = django_filters.ChoiceFilter(
        field_name="competition__level", choices=CompetitionLevel.choices, label=_("级别")
    )
    year = django_filters.NumberFilter(field_name="competition__year", label=_("年度"))
    prize = django_filters.ChoiceFilter(choices=Prize.choices, label=_("奖项"))

    class Meta:
        model = CompetitionAward
        fields = ["competition", "school", "level", "year", "prize"]
