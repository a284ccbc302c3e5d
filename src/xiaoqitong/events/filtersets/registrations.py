"""FilterSets of event types, events and registrations, shared by the pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YearFilter, YesNoFilter
from xiaoqitong.orgs.models import Department

from ..choices import EventStatus, ParticipantKind, RegistrationStatus
from ..models import Event, EventType, Registration
from ..selectors.registrations import PHASE_CHOICES, phase_q


class EventTypeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), max_length=50)

    class Meta:
        model = EventType
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class EventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("活动名称或地点"), max_length=100
    )
    type = django_filters.ModelChoiceFilter(
        queryset=EventType.objects.order_by("sort_order", "code"), label=_("活动类型")
    )
    year = YearFilter(field_name="starts_at", lookup_expr="year", label=_("年度"))
    status = django_filters.ChoiceFilter(choices=EventStatus.choices, label=_("状态"))
    phase = django_filters.ChoiceFilter(
        method="filter_phase",
        choices=PHASE_CHOICES,
        label=_("进度"),
        help_text=_("报名中、即将举行、已结束…"),
    )
    organizer = django_filters.ModelChoiceFilter(
        queryset=Department.objects.order_by("code"), label=_("主办部门")
    )

    class Meta:
        model = Event
        fields = ["q", "type", "year", "status", "phase", "organizer"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(venue__icontains=value)) if value else queryset

    def filter_phase(self, queryset, name, value):
        return queryset.filter(phase_q(value)) if value else queryset


class RegistrationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("企业、学校或学生名称，学号，展位号"), max_length=100
    )
    event = django_filters.NumberFilter(field_name="event_id", label=_("活动（ID）"))
    kind = django_filters.ChoiceFilter(choices=ParticipantKind.choices, label=_("参与方"))
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices, label=_("状态"))
    year = YearFilter(field_name="event__starts_at", lookup_expr="year", label=_("年度"))
    checked_in = YesNoFilter(method="filter_checked_in", label=_("已签到"))

    class Meta:
        model = Registration
        fields = ["q", "event", "kind", "status", "year", "checked_in"]

    def filter_checked_in(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(checked_in_at__isnull=not value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value)
            | Q(school__name__icontains=value)
            | Q(student__name__icontains=value)
            | Q(student__student_no=value)
            | Q(booth_no__iexact=value)
        )
