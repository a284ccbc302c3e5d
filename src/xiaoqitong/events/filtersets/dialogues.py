"""The commitments board's filters, shared by the page, the API and the export: status, the owner (a code or a
part of its name), the kind of owner, overdue, the event, the due date."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YearFilter, YesNoFilter

from ..choices import OPEN_COMMITMENT, CommitmentStatus
from ..models import Commitment
from ..selectors.dialogues import overdue_q

OWNER_TYPES = (("school", _("学校")), ("enterprise", _("企业")), ("department", _("政府部门")))
STATES = (("open", _("未办结（未开始、推进中）")), ("closed", _("已办结（已完成、已取消）")))


class CommitmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="content", lookup_expr="icontains", label=_("承诺事项"), max_length=100
    )
    status = django_filters.MultipleChoiceFilter(choices=CommitmentStatus.choices, label=_("状态"))
    state = django_filters.ChoiceFilter(method="filter_state", choices=STATES, label=_("办结情况"))
    overdue = YesNoFilter(method="filter_overdue", label=_("逾期"), help_text=_("已过完成时限且未办结"))
    owner = django_filters.CharFilter(
        method="filter_owner",
        label=_("责任单位"),
        help_text=_("学校代码、统一社会信用代码、部门代码或名称"),
        max_length=100,
    )
    owner_type = django_filters.ChoiceFilter(
        method="filter_owner_type", choices=OWNER_TYPES, label=_("责任单位类型")
    )
    event = django_filters.NumberFilter(field_name="event_id", label=_("活动编号"))
    year = YearFilter(field_name="event__starts_at", lookup_expr="year", label=_("年度"))
    due_before = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label=_("完成时限不晚于"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Commitment
        fields = ["q", "status", "state", "overdue", "owner", "owner_type", "event", "year", "due_before"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_COMMITMENT)
        if value == "closed":
            return queryset.exclude(status__in=OPEN_COMMITMENT)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(owner_school__code=value)
            | Q(owner_enterprise__credit_code=value.upper())
            | Q(owner_department__code=value)
            | Q(owner_school__name__icontains=value)
            | Q(owner_enterprise__name__icontains=value)
            | Q(owner_department__name__icontains=value)
        )

    def filter_owner_type(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{f"owner_{value}__isnull": False})
