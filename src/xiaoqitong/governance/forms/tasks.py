"""Forms of the responsibility list: a milestone (for the lead parties' officers), a progress report with
an attachment, one more attachment, and the reason a milestone is cancelled. The choices are narrowed to
what the user may pick; the services check everything again."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department, School

from ..choices import MilestoneStatus
from ..models import Milestone, ProgressReport, Task
from ..selectors import tasks as sel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        org = obj.department or obj.school or ""
        return f"{obj.display_name or obj.username}（{org}）"


class MilestoneForm(BaseModelForm):
    owners = UserChoices(queryset=get_user_model().objects.none(), required=False, label=_("责任人"))

    class Meta:
        model = Milestone
        fields = ["task", "title", "description", "due_date", "department", "school", "owners"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        tasks = (
            Task.objects.filter(pk__in=sel.lead_task_ids(user)) if user is not None else Task.objects.none()
        )
        self.fields["task"].queryset = tasks.order_by("number")
        self.fields["task"].label_from_instance = lambda t: f"{t.number}. {t.text[:40]}"
        if self.instance.pk:
            self.fields["task"].disabled = True
            task = self.instance.task
        elif task is not None:
            self.initial.setdefault("task", task.pk)
        self.fields["department"].queryset = Department.objects.order_by("sort_order", "code")
        self.fields["school"].queryset = School.objects.order_by("code")
        people = (
            get_user_model()
            .objects.filter(is_active=True, role__in=[Role.GOV_OFFICER, Role.SCHOOL_ADMIN])
            .select_related("department", "school")
        )
        if task is not None:
            people = (
                sel.party_users(task)
                .filter(role__in=[Role.GOV_OFFICER, Role.SCHOOL_ADMIN])
                .select_related("department", "school")
            )
        self.fields["owners"].queryset = people.order_by("department__sort_order", "school__code", "username")
        self.fields["owners"].help_text = _("本任务牵头、责任单位的人员；不填则由负责单位的人员接收提醒。")
        self.fields["department"].help_text = _("本任务的牵头或责任部门（或一所学校，二者选一）")


class ReportForm(forms.ModelForm):
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        help_text=_("可选：PDF、Word、Excel、PPT 或图片"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    class Meta:
        model = ProgressReport
        fields = ["milestone", "period_end", "percent", "text", "problems", "next_steps"]
        widgets = {
            "period_end": DATE,
            "text": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Milestone.objects.none()
        if task is not None:
            qs = Milestone.objects.filter(task=task, status=MilestoneStatus.OPEN).order_by("due_date", "pk")
        self.fields["milestone"].queryset = qs
        self.fields["milestone"].required = False
        self.fields["period_end"].initial = sel.today()
        for name, field in self.fields.items():
            if name != "attachment":
                field.widget.attrs.setdefault(
                    "class", "form-select" if name == "milestone" else "form-control"
                )


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("附件名称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    file = forms.FileField(label=_("文件"), widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
