"""Forms of the matching pages: an invitation with its message, and a student's answer to one."""

from django import forms
from django.utils.translation import gettext_lazy as _

#: Longest invitation message and answer note (the model's fields are text; the pages keep them short).
MESSAGE_MAX = 500
NOTE_MAX = 2000


class InviteForm(forms.Form):
    """The enterprise invites one recommended student to apply for the position, with an optional message."""

    student = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("邀请留言（可选）"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


class RespondForm(forms.Form):
    """The student accepts (so applies, with an optional note to the enterprise) or declines."""

    accept = forms.TypedChoiceField(
        choices=[("1", _("接受并投递")), ("0", _("婉拒"))],
        coerce=lambda value: value == "1",
        label=_("回复"),
    )
    note = forms.CharField(
        label=_("求职留言（可选）"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


def error_text(form: forms.Form) -> str:
    """A bound form's errors as one Chinese sentence for a message."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)
