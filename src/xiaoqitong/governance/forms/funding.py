"""Forms of the reward fund: a funding rule and an allocation (on a published assessment)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm

from ..choices import AssessmentStatus
from ..models import Allocation, Assessment, FundingRule


class FundingRuleForm(BaseModelForm):
    class Meta:
        model = FundingRule
        fields = ["category", "coefficient", "source", "note"]


class AllocationForm(BaseModelForm):
    class Meta:
        model = Allocation
        fields = ["title", "year", "assessment", "fund", "score_share", "min_score", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "year": _("按该年度开设专业的在校生数折算学生数"),
            "fund": _("整元，如 5000000"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        self.fields["assessment"].empty_label = _("请选择已发布的考核")
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year - 1
