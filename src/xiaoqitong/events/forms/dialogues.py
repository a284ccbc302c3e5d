"""Forms of minutes and commitments: the minutes of a dialogue, a commitment (the generic add/edit pages; the
owner is a school, an enterprise by its 统一社会信用代码, or a department), and a follow-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.models import Department, Enterprise, School

from ..choices import CommitmentStatus, EventStatus
from ..models import Commitment, Event
from ..policies.registrations import organized_events_q

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        required=False,
        label=_("会议纪要"),
        max_length=20000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 12}),
        help_text=_("会议议题、各方发言要点和形成的共识；承诺事项请在下方逐条登记，以便跟踪办结。"),
    )


class EventChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.starts_at:%Y-%m-%d}）"


class CommitmentForm(BaseModelForm):
    class Meta:
        model = Commitment
        fields = [
            "event",
            "content",
            "owner_school",
            "owner_enterprise",
            "owner_department",
            "owner_person",
            "due_date",
        ]
        widgets = {"due_date": DATE_INPUT, "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        events = Event.objects.filter(type__has_minutes=True).exclude(status=EventStatus.CANCELLED)
        if self.user is not None:
            events = events.filter(organized_events_q(self.user))
        self.fields["event"] = EventChoice(
            queryset=events.order_by("-starts_at"), label=_("活动"), empty_label=_("请选择产教对话活动")
        )
        if self.instance.pk:
            self.fields["event"].disabled = True
        self.fields["owner_school"].queryset = School.objects.order_by("code")
        self.fields["owner_department"].queryset = Department.objects.order_by("code")
        # Enterprises by 统一社会信用代码: a city has thousands, too many for a drop-down.
        self.fields["owner_enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            required=False,
            label=_("责任企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": _("找不到这个统一社会信用代码的企业。")},
        )
        if self.instance.pk and self.instance.owner_enterprise_id:
            self.initial["owner_enterprise"] = self.instance.owner_enterprise.credit_code
        self.fields["owner_school"].help_text = _("责任单位为学校、企业、政府部门三者选一。")
        for name in ("event", "owner_school", "owner_department"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("进展状态"), widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(
        label=_("进展说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def __init__(self, *args, may_drop: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (value, label)
            for value, label in CommitmentStatus.choices
            if value != CommitmentStatus.DROPPED or may_drop
        ]
        self.fields["status"].choices = choices
        self.fields["status"].initial = CommitmentStatus.IN_PROGRESS
