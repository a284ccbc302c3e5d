"""FilterSet of the slots, shared by the list page, its export and the API: by event, booth, day, free or
not, and a search on the booth's enterprise and number."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter

from ..models import Slot


def free_q(now=None) -> Q:
    """A slot that can still be booked: nobody booked it and it has not started."""
    return Q(booked_by__isnull=True, starts_at__gt=now or timezone.now())


class SlotFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("企业名称或展位号"), max_length=100
    )
    event = django_filters.NumberFilter(field_name="event_id", label=_("活动（ID）"))
    booth = django_filters.NumberFilter(field_name="booth_id", label=_("展位（报名 ID）"))
    day = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date",
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    free = YesNoFilter(method="filter_free", label=_("可预约"), help_text=_("未被预约且尚未开始"))

    class Meta:
        model = Slot
        fields = ["q", "event", "booth", "day", "free"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(booth__enterprise__name__icontains=value) | Q(booth__booth_no__iexact=value))

    def filter_free(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(free_q()) if value else queryset.exclude(free_q())
