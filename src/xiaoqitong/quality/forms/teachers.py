"""Forms of the teachers' records of quality (the generic add/edit pages): training bases (host enterprise
by 统一社会信用代码), 特岗 funding and technical-service income (a school administrator's school fixed)."""

from django import forms
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School

from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome


class TeacherTrainingBaseForm(BaseModelForm):
    class Meta:
        model = TeacherTrainingBase
        fields = ["name", "level", "host_school", "host_enterprise", "recognized_by", "recognized_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_school"].queryset = School.objects.order_by("code")
        # Enterprises by 统一社会信用代码: a city has thousands, too many for a drop-down.
        self.fields["host_enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            required=False,
            label=gettext_lazy("依托企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": gettext_lazy("找不到这个统一社会信用代码的企业。")},
        )
        if self.instance.pk and self.instance.host_enterprise_id:
            self.initial["host_enterprise"] = self.instance.host_enterprise.credit_code


class SchoolYearForm(BaseModelForm):
    """A school's row of a year: a school administrator's school is theirs and cannot be changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.order_by("code")
        user = self.user
        if user is not None and not user.is_superuser and user.role == Role.SCHOOL_ADMIN and user.school_id:
            self.fields["school"].initial = user.school_id
            self.fields["school"].disabled = True
            if self.instance.pk:
                self.initial["school"] = self.instance.school_id


class SpecialPostFundingForm(SchoolYearForm):
    class Meta:
        model = SpecialPostFunding
        fields = ["school", "year", "posts", "amount", "source"]


class TechServiceIncomeForm(SchoolYearForm):
    class Meta:
        model = TechServiceIncome
        fields = ["school", "year", "income", "surplus", "paid_to_teachers"]
