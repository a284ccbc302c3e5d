from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm

from ..models import Target


class TargetForm(BaseModelForm):
    """What an officer may change of a target (``services.targets.FIELDS``)."""

    class Meta:
        model = Target
        fields = ["value", "upper", "amber_band", "deadline_year", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"value": _("比例填 0 到 1 之间的小数（如 0.4 表示 40%）；个数、金额填数值")}
