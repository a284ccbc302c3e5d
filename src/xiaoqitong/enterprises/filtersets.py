"""One FilterSet per model, shared by the pages, the API and exports."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.orgs.filtersets import CountyFilter
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import IndustryChain
from xiaoqitong.schools.choices import PositionType

from .choices import ApplicationStatus, Education, FurtherLevel, Outcome, OutcomeSource, PositionStatus
from .models import Application, GraduateOutcome, Position
from .policies import outcomes_deidentified_for


def _contains(queryset, fields, value):
    query = Q()
    for field in fields:
        query |= Q(**{f"{field}__icontains": value.strip()})
    return queryset.filter(query)


class PositionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    status = django_filters.MultipleChoiceFilter(choices=PositionStatus.choices, label=_("状态"))
    open = YesNoFilter(method="filter_open", label=_("在招"))
    position_type = django_filters.MultipleChoiceFilter(choices=PositionType.choices, label=_("岗位类型"))
    min_education = django_filters.ChoiceFilter(choices=Education.choices, label=_("最低学历"))
    county = CountyFilter(label=_("工作地点"))
    enterprise = django_filters.ModelChoiceFilter(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("企业（统一社会信用代码）"),
        widget=forms.TextInput,
    )
    major = django_filters.CharFilter(
        method="filter_major", label=_("专业代码"), help_text=_("专业、专业类或专业大类代码，如 660103、6601")
    )
    chain = django_filters.ModelChoiceFilter(
        queryset=IndustryChain.objects.all(), to_field_name="code", method="filter_chain", label=_("产业链")
    )
    salary_from = django_filters.NumberFilter(
        field_name="salary_max", lookup_expr="gte", label=_("月薪不低于（元）")
    )
    valid_after = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="gte", label=_("有效期至不早于")
    )
    published_from = django_filters.DateFilter(
        field_name="published_at__date", lookup_expr="gte", label=_("发布日期不早于")
    )
    published_before = django_filters.DateFilter(
        field_name="published_at__date", lookup_expr="lt", label=_("发布日期早于")
    )

    class Meta:
        model = Position
        fields = [
            "q",
            "status",
            "open",
            "position_type",
            "min_education",
            "county",
            "enterprise",
            "major",
            "chain",
            "salary_from",
            "valid_after",
            "published_from",
            "published_before",
        ]

    def search(self, queryset, name, value):
        """Chinese full-text search once the search app indexes positions (``core.search``), ranked;
        a plain substring search on title, description and enterprise name before that."""
        from xiaoqitong.core import search

        if search.registration_for(Position) is not None:
            return search.search(queryset, value)
        return _contains(queryset, ("title", "description", "enterprise__name"), value)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        is_open = Q(status=PositionStatus.PUBLISHED, valid_until__gte=timezone.localdate())
        return queryset.filter(is_open) if value else queryset.exclude(is_open)

    def filter_major(self, queryset, name, value):
        """A code at any level finds postings that want it, anything under it, or anything above it."""
        code = value.strip()
        if not code:
            return queryset
        query = (
            Q(majors__code__startswith=code)
            | Q(major_classes__code__startswith=code)
            | Q(major_categories__code__startswith=code)
        )
        if len(code) >= 4:
            query |= Q(major_classes__code=code[:4]) | Q(major_categories__code=code[:2])
        elif len(code) >= 2:
            query |= Q(major_categories__code=code[:2])
        return queryset.filter(pk__in=Position.objects.filter(query).values("pk"))

    def filter_chain(self, queryset, name, chain):
        codes = list(chain.industries.values_list("code", flat=True))
        if not codes:
            return queryset.none()
        query = Q()
        for code in codes:
            query |= Q(enterprise__industry__code__startswith=code)
        return queryset.filter(query)


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("状态"))
    position = django_filters.NumberFilter(field_name="position_id", label=_("岗位编号"))
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.order_by("code"),
        field_name="student__school",
        to_field_name="code",
        label=_("学校"),
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("投递日期不早于")
    )

    class Meta:
        model = Application
        fields = ["q", "status", "position", "school", "created_after"]

    def search(self, queryset, name, value):
        return _contains(
            queryset,
            ("position__title", "position__enterprise__name", "student__name", "student__student_no"),
            value,
        )


class GraduateOutcomeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    year = django_filters.NumberFilter(label=_("毕业年度"))
    outcome = django_filters.MultipleChoiceFilter(choices=Outcome.choices, label=_("去向"))
    further_level = django_filters.ChoiceFilter(choices=FurtherLevel.choices, label=_("升学层次"))
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.order_by("code"),
        field_name="student__school",
        to_field_name="code",
        label=_("学校"),
    )
    in_city = YesNoFilter(label=_("在本市就业"))
    related_to_major = YesNoFilter(label=_("专业对口"))
    source = django_filters.ChoiceFilter(choices=OutcomeSource.choices, label=_("来源"))
    major = django_filters.CharFilter(
        field_name="student__school_major__major__code",
        lookup_expr="startswith",
        label=_("专业代码"),
        help_text=_("毕业生所学专业的代码，或其专业类、专业大类代码，如 660103、6601"),
    )
    county = CountyFilter(field_name="student__school__county", label=_("学校所在县市区"))

    class Meta:
        model = GraduateOutcome
        fields = [
            "q",
            "year",
            "outcome",
            "further_level",
            "school",
            "major",
            "county",
            "in_city",
            "related_to_major",
            "source",
        ]

    def search(self, queryset, name, value):
        # De-identified readers search employers only: a name or 学号 must not find its row.
        user = getattr(self.request, "user", None)
        if user is not None and outcomes_deidentified_for(user):
            return _contains(queryset, ("employer_name",), value)
        return _contains(queryset, ("student__name", "student__student_no", "employer_name"), value)
