"""Forms of the slots area: the window to generate a booth's slots in (both ends optional: the event's start
and end), and the reason of a cancellation (optional)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _when(label, help_text):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control form-control-sm"}, format=DATETIME_INPUT
        ),
    )


class SlotGenerateForm(forms.Form):
    """Generate a booth's slots between ``start`` and ``end`` (inside the event)."""

    start = _when(gettext_lazy("从"), gettext_lazy("留空：活动开始时间"))
    end = _when(gettext_lazy("到"), gettext_lazy("留空：活动结束时间"))

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        if event is not None:
            for name, value in (("start", event.starts_at), ("end", event.ends_at)):
                widget = self.fields[name].widget
                widget.attrs["min"] = timezone.localtime(event.starts_at).strftime(DATETIME_INPUT)
                widget.attrs["max"] = timezone.localtime(event.ends_at).strftime(DATETIME_INPUT)
                widget.attrs["placeholder"] = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class SlotCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("取消原因"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": gettext_lazy("可不填；会告知对方")}
        ),
    )
