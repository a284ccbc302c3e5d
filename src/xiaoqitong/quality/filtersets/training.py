"""FilterSets of social training, shared by the pages, the API and exports: the funding department and the
“福城培训” brand flag are filters of programmes and sessions alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YearFilter, YesNoFilter

from ..choices import TrainingKind
from ..models import TrainingParticipant, TrainingProgramme, TrainingSession

PROVIDER_TYPES = (("school", _("职业院校")), ("enterprise", _("企业")), ("centre", _("培训机构")))


def provider_filter(prefix: str, value: str) -> Q:
    """A provider by school code, 统一社会信用代码, or a part of the school's, enterprise's or centre's
    name."""
    value = value.strip()
    return (
        Q(**{f"{prefix}provider_school__code": value})
        | Q(**{f"{prefix}provider_enterprise__credit_code": value.upper()})
        | Q(**{f"{prefix}provider_school__name__icontains": value})
        | Q(**{f"{prefix}provider_enterprise__name__icontains": value})
        | Q(**{f"{prefix}provider_centre__icontains": value})
    )


def provider_type_filter(prefix: str, value: str) -> Q:
    if value == "school":
        return Q(**{f"{prefix}provider_school__isnull": False})
    if value == "enterprise":
        return Q(**{f"{prefix}provider_enterprise__isnull": False})
    return Q(**{f"{prefix}provider_school__isnull": True, f"{prefix}provider_enterprise__isnull": True})


class _ProgrammeFilters(django_filters.FilterSet):
    """The filters on a programme's fields, for programmes (``prefix`` "") and sessions ("programme__")."""

    prefix = ""

    kind = django_filters.MultipleChoiceFilter(
        method="filter_kind", choices=TrainingKind.choices, label=_("培训类型")
    )
    provider = django_filters.CharFilter(
        method="filter_provider",
        label=_("承办方"),
        help_text=_("学校代码、统一社会信用代码或单位名称"),
        max_length=100,
    )
    provider_type = django_filters.ChoiceFilter(
        method="filter_provider_type", choices=PROVIDER_TYPES, label=_("承办方类型")
    )
    funding_department = django_filters.CharFilter(
        method="filter_department", label=_("经费来源部门"), help_text=_("部门代码或名称"), max_length=100
    )
    fucheng_brand = YesNoFilter(method="filter_brand", label=_("“福城培训”品牌"))

    def filter_kind(self, queryset, name, value):
        return queryset.filter(**{f"{self.prefix}kind__in": value}) if value else queryset

    def filter_provider(self, queryset, name, value):
        return queryset.filter(provider_filter(self.prefix, value)) if value.strip() else queryset

    def filter_provider_type(self, queryset, name, value):
        return queryset.filter(provider_type_filter(self.prefix, value)) if value else queryset

    def filter_department(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(**{f"{self.prefix}funding_department__code": value})
            | Q(**{f"{self.prefix}funding_department__name__icontains": value})
        )

    def filter_brand(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(**{f"{self.prefix}fucheng_brand": value})


class TrainingProgrammeFilterSet(_ProgrammeFilters):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    year = django_filters.NumberFilter(field_name="year", label=_("年度"))

    class Meta:
        model = TrainingProgramme
        fields = ["q", "year", "kind", "provider", "provider_type", "funding_department", "fucheng_brand"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value)) if value else queryset


class TrainingSessionFilterSet(_ProgrammeFilters):
    prefix = "programme__"

    programme = django_filters.CharFilter(field_name="programme__code", label=_("项目编号"), max_length=40)
    year = YearFilter(field_name="end_date", lookup_expr="year", label=_("年度（结束日期）"))
    has_roster = YesNoFilter(method="filter_roster", label=_("有花名册"))

    class Meta:
        model = TrainingSession
        fields = [
            "programme",
            "year",
            "kind",
            "provider",
            "provider_type",
            "funding_department",
            "fucheng_brand",
            "has_roster",
        ]

    def filter_roster(self, queryset, name, value):
        if value is None:
            return queryset
        with_roster = TrainingParticipant.objects.values("session")
        return queryset.filter(pk__in=with_roster) if value else queryset.exclude(pk__in=with_roster)


class TrainingParticipantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名"), max_length=50)
    programme = django_filters.CharFilter(
        field_name="session__programme__code", label=_("项目编号"), max_length=40
    )
    session = django_filters.NumberFilter(field_name="session_id", label=_("班次（ID）"))
    completed = YesNoFilter(label=_("结业"))

    class Meta:
        model = TrainingParticipant
        fields = ["q", "programme", "session", "completed"]
