"""Forms of the school assessment: an indicator (its measure chosen among ``selectors.assessment.MEASURES``)
and the lead department's “compute the year” form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm

from ..models import Indicator
from ..selectors.assessment import measure_choices


class IndicatorForm(BaseModelForm):
    measure = forms.ChoiceField(label=_("计算来源"), choices=())

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "group",
            "measure",
            "weight",
            "direction",
            "floor",
            "full",
            "min_base",
            "description",
            "source",
            "is_active",
            "sort_order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "floor": _("指标值达到此值（或更差）得 0 分；比例按小数填写，如 30% 填 0.3"),
            "full": _("指标值达到此值（或更好）得满分；其间按线性插值"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measure_choices()
        self.fields["measure"].widget.attrs.setdefault("class", "form-select")
        self.fields["min_base"].required = False  # left empty: no minimum

    def clean_min_base(self):
        return self.cleaned_data.get("min_base") or 0


class ComputeForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["year"].widget.attrs.update(
            {"class": "form-control form-control-sm", "style": "width:7rem"}
        )
