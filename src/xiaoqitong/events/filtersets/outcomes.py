"""FilterSets of intentions and survey answers, shared by the pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YearFilter

from ..choices import IntentionKind, IntentionStatus, ParticipantKind
from ..models import Intention, SurveyResponse


class IntentionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("企业、学生、岗位或专业名称"), max_length=100
    )
    kind = django_filters.ChoiceFilter(choices=IntentionKind.choices, label=_("意向类型"))
    status = django_filters.MultipleChoiceFilter(choices=IntentionStatus.choices, label=_("状态"))
    year = YearFilter(field_name="event__starts_at", lookup_expr="year", label=_("年度"))

    class Meta:
        model = Intention
        fields = ["q", "kind", "status", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value)
            | Q(student__name__icontains=value)
            | Q(position__title__icontains=value)
            | Q(school_major__major__name__icontains=value)
            | Q(school_major__school__name__icontains=value)
        )


class IntentionApiFilterSet(IntentionFilterSet):
    """The pages' filters and the event (the API lists every event's intentions in one list)."""

    event = django_filters.NumberFilter(field_name="event_id", label=_("活动编号"))

    class Meta(IntentionFilterSet.Meta):
        fields = ["q", "event", "kind", "status", "year"]


class SurveyResponseFilterSet(django_filters.FilterSet):
    event = django_filters.NumberFilter(field_name="event_id", label=_("活动编号"))
    kind = django_filters.ChoiceFilter(
        field_name="registration__kind", choices=ParticipantKind.choices, label=_("参与方")
    )

    class Meta:
        model = SurveyResponse
        fields = ["event", "kind"]
