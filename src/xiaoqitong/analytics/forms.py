"""Forms of the analytics pages: one threshold's new value (``services.threshold_set`` validates the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ThresholdKey

#: Longest reason given for a threshold (the model's field is text; the page keeps it short).
NOTE_MAX = 500


class ThresholdForm(forms.Form):
    """An officer sets one threshold, with the reason (a meeting's minutes, a policy document)."""

    key = forms.ChoiceField(choices=ThresholdKey.choices, label=_("阈值"), widget=forms.HiddenInput)
    value = forms.FloatField(
        label=_("取值"),
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm"}),
    )
    note = forms.CharField(
        label=_("依据"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("例如会议纪要或文件名称")}
        ),
    )


def error_text(form: forms.Form) -> str:
    """A bound form's errors as one sentence for a message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return "；".join(parts)
