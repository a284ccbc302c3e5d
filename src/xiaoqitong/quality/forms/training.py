"""Forms of social training: programmes and sessions (the generic add/edit pages). Rosters are imported."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department, Enterprise, School
from xiaoqitong.reference.forms import major_codes_field

from ..models import TrainingProgramme, TrainingSession

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TrainingProgrammeForm(BaseModelForm):
    major_codes = major_codes_field(
        label=gettext_lazy("相关专业（代码）"),
        help_text=gettext_lazy("专业目录代码，多个用顿号或分号分隔，如 660103、660301"),
    )

    class Meta:
        model = TrainingProgramme
        fields = [
            "code",
            "title",
            "kind",
            "year",
            "provider_school",
            "provider_enterprise",
            "provider_centre",
            "funding_department",
            "fucheng_brand",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_school"].queryset = School.objects.order_by("code")
        self.fields["funding_department"].queryset = Department.objects.order_by("code")
        # Enterprises by 统一社会信用代码: a city has thousands, too many for a drop-down.
        self.fields["provider_enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            required=False,
            label=gettext_lazy("承办企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": gettext_lazy("找不到这个统一社会信用代码的企业。")},
        )
        self.fields["provider_centre"].help_text = _(
            "由培训机构承办时填写机构名称；承办学校、企业、机构三者选一。"
        )
        if self.instance.pk and self.instance.provider_enterprise_id:
            self.initial["provider_enterprise"] = self.instance.provider_enterprise.credit_code
        user = self.user
        if user is None or user.is_superuser:
            return
        # A school administrator's or an HR's programmes are their own organization's (policy ``locked``).
        if user.role == Role.SCHOOL_ADMIN and user.school_id:
            for name in ("provider_enterprise", "provider_centre"):
                del self.fields[name]
            self.fields["provider_school"].initial = user.school_id
            self.fields["provider_school"].disabled = True
            if self.instance.pk:
                self.initial["provider_school"] = self.instance.provider_school_id
        elif user.role == Role.ENTERPRISE_HR and user.enterprise_id:
            for name in ("provider_school", "provider_centre"):
                del self.fields[name]
            self.fields["provider_enterprise"].initial = user.enterprise.credit_code
            self.fields["provider_enterprise"].disabled = True
            if self.instance.pk and self.instance.provider_enterprise_id:
                self.initial["provider_enterprise"] = self.instance.provider_enterprise.credit_code


class TrainingSessionForm(BaseModelForm):
    class Meta:
        model = TrainingSession
        fields = ["programme", "number", "start_date", "end_date", "place", "hours", "reported_person_times"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = TrainingProgramme.objects.order_by("-year", "code")
        if self.user is not None:
            programmes = programmes.restrict(self.user, "change")
        self.fields["programme"].queryset = programmes
        self.fields["reported_person_times"].help_text = _(
            "没有花名册的班次（如社区教育、老年教育）按此人数计入培训人次；导入花名册后按花名册人数计。"
        )
