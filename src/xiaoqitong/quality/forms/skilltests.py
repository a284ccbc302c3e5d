"""Form of a skill sampling test result (the generic add/edit pages): the major and the major category by
their catalog codes (a 专业技能抽测 names a major, a 专业大类普测 a major category)."""

from django import forms
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import Major, MajorCategory
from xiaoqitong.reference.resources import major_code

from ..models import SkillTestResult


class MajorCodeField(forms.ModelChoiceField):
    def to_python(self, value):
        return super().to_python(major_code(str(value).strip().upper()) if value else value)


class SkillTestResultForm(BaseModelForm):
    class Meta:
        model = SkillTestResult
        fields = [
            "kind",
            "year",
            "school",
            "major",
            "category",
            "tested",
            "passed",
            "average_score",
            "organizer",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.order_by("code")
        # Catalogs by code: a few hundred majors are too many for a drop-down.
        self.fields["major"] = MajorCodeField(
            queryset=Major.objects.all(),
            to_field_name="code",
            required=False,
            label=gettext_lazy("专业代码"),
            help_text=gettext_lazy("专业技能抽测填写，如 660103"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": gettext_lazy("找不到这个专业代码。")},
        )
        self.fields["category"] = forms.ModelChoiceField(
            queryset=MajorCategory.objects.all(),
            to_field_name="code",
            required=False,
            label=gettext_lazy("专业大类代码"),
            help_text=gettext_lazy("专业大类基础理论知识普测填写，如 66"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": gettext_lazy("找不到这个专业大类代码。")},
        )
        if self.instance.pk:
            self.initial["major"] = self.instance.major.code if self.instance.major_id else ""
            self.initial["category"] = self.instance.category.code if self.instance.category_id else ""
