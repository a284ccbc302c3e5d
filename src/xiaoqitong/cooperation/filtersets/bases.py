"""FilterSets of practice bases and bookings, shared by the pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.orgs.filtersets import CountyFilter

from ..choices import BaseKind, BookingStatus
from ..models import BaseBooking, PracticeBase
from ..selectors.bases import day_start


def _org(prefix: str, value: str) -> Q:
    """An organization by school code, 统一社会信用代码 or a part of its name."""
    value = value.strip()
    return (
        Q(**{f"{prefix}school__code": value})
        | Q(**{f"{prefix}enterprise__credit_code": value.upper()})
        | Q(**{f"{prefix}school__name__icontains": value})
        | Q(**{f"{prefix}enterprise__name__icontains": value})
    )


class PracticeBaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=100)
    kind = django_filters.MultipleChoiceFilter(choices=BaseKind.choices, label=_("基地类型"))
    county = CountyFilter(label=_("所在县市区"))
    major = django_filters.CharFilter(
        method="filter_major",
        label=_("服务专业代码"),
        help_text=_("专业代码，或其专业类、专业大类代码，如 660103、6601"),
        max_length=10,
    )
    shared = YesNoFilter(label=_("对外共享"))
    owner = django_filters.CharFilter(
        method="filter_owner",
        label=_("所属单位"),
        help_text=_("学校代码、统一社会信用代码或单位名称"),
        max_length=60,
    )
    active = YesNoFilter(label=_("在用"))

    class Meta:
        model = PracticeBase
        fields = ["q", "kind", "county", "major", "shared", "owner", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(address__icontains=value)
        )

    def filter_major(self, queryset, name, value):
        code = value.strip().upper().rstrip("K")
        if not code:
            return queryset
        return queryset.filter(pk__in=PracticeBase.objects.filter(majors__code__startswith=code).values("pk"))

    def filter_owner(self, queryset, name, value):
        return queryset.filter(_org("owner_", value)) if value.strip() else queryset


class BaseBookingFilterSet(django_filters.FilterSet):
    base = django_filters.NumberFilter(field_name="base_id", label=_("基地编号（ID）"))
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices, label=_("状态"))
    booker = django_filters.CharFilter(
        method="filter_booker", label=_("预约单位"), help_text=_("学校代码、统一社会信用代码或单位名称")
    )
    date_from = django_filters.DateFilter(method="filter_from", label=_("日期从"))
    date_to = django_filters.DateFilter(method="filter_to", label=_("日期至"))
    upcoming = YesNoFilter(method="filter_upcoming", label=_("未结束"))

    class Meta:
        model = BaseBooking
        fields = ["base", "status", "booker", "date_from", "date_to", "upcoming"]

    def filter_booker(self, queryset, name, value):
        return queryset.filter(_org("", value)) if value.strip() else queryset

    def filter_from(self, queryset, name, value):
        # Bookings still running on or after that day (the span overlaps it).
        return queryset.filter(end__gt=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(start__lt=day_start(value, 1))

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(end__gt=now) if value else queryset.filter(end__lte=now)
