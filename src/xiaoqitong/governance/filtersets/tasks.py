"""The filters of the responsibility list's pages, shared by the pages, the API and the exports. The state
filters read the ``state`` that ``selectors.tasks.with_task_state`` / ``with_milestone_state`` annotate."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.orgs.models import Department, School

from ..choices import MilestoneStatus, PartyRole
from ..models import Milestone, ProgressReport, Task, TaskParty
from ..selectors import tasks as sel


def _departments():
    return Department.objects.order_by("sort_order", "code")


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"), help_text=_("任务内容或序号"))
    department = django_filters.ModelChoiceFilter(
        queryset=_departments(), method="filter_department", label=_("部门")
    )
    role = django_filters.ChoiceFilter(
        choices=PartyRole.choices, method="filter_noop", label=_("部门角色"), empty_label=_("牵头或责任")
    )
    state = django_filters.ChoiceFilter(choices=sel.TASK_STATES, field_name="state", label=_("状态"))

    class Meta:
        model = Task
        fields = ["q", "department", "role", "state"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(text__icontains=value) | Q(lead_text__icontains=value) | Q(responsible_text__icontains=value)
        if value.isdigit():
            q |= Q(number=int(value))
        return queryset.filter(q)

    def filter_department(self, queryset, name, value):
        if not value:
            return queryset
        parties = TaskParty.objects.filter(department=value)
        role = self.data.get("role") if self.data else None
        if role in PartyRole.values:
            parties = parties.filter(role=role)
        return queryset.filter(pk__in=parties.values("task_id"))

    def filter_noop(self, queryset, name, value):
        return queryset  # read by filter_department


class MilestoneFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("节点名称"))
    task = django_filters.NumberFilter(field_name="task__number", label=_("任务序号"))
    department = django_filters.ModelChoiceFilter(queryset=_departments(), label=_("负责部门"))
    school = django_filters.ModelChoiceFilter(queryset=School.objects.order_by("code"), label=_("负责学校"))
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("办理状态"))
    state = django_filters.ChoiceFilter(choices=sel.State.choices, field_name="state", label=_("进度状态"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("完成时限起"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("完成时限止"))
    mine = YesNoFilter(method="filter_mine", label=_("只看我负责的"))

    class Meta:
        model = Milestone
        fields = ["q", "task", "department", "school", "status", "state", "due_after", "due_before", "mine"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        ids = Milestone.objects.filter(sel.my_milestones_q(user)).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class ProgressReportFilterSet(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task__number", label=_("任务序号"))
    department = django_filters.ModelChoiceFilter(queryset=_departments(), label=_("报送部门"))
    school = django_filters.ModelChoiceFilter(queryset=School.objects.order_by("code"), label=_("报送学校"))
    period_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("截至日期起")
    )
    period_before = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label=_("截至日期止")
    )

    class Meta:
        model = ProgressReport
        fields = ["task", "department", "school", "period_after", "period_before"]
