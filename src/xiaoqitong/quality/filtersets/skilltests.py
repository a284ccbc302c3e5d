"""FilterSet of skill sampling test results, shared by the page, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.schools.filtersets import SchoolFilter

from ..choices import SkillTestKind
from ..models import SkillTestResult


class SkillTestResultFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SkillTestKind.choices, label=_("测试类型"))
    year = django_filters.NumberFilter(label=_("年度"))
    school = SchoolFilter()
    subject = django_filters.CharFilter(
        method="filter_subject",
        label=_("专业或专业大类代码"),
        help_text=_("专业代码，或其专业大类代码，如 660103、66"),
        max_length=10,
    )
    organizer = django_filters.CharFilter(lookup_expr="icontains", label=_("组织部门"), max_length=100)

    class Meta:
        model = SkillTestResult
        fields = ["kind", "year", "school", "subject", "organizer"]

    def filter_subject(self, queryset, name, value):
        code = value.strip().upper().rstrip("K")
        if not code:
            return queryset
        return queryset.filter(
            Q(major__code__startswith=code)
            | Q(category__code=code)
            | Q(major__major_class__category__code=code)
        )
