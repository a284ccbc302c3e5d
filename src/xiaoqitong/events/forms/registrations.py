"""Forms of event types, events and registrations: the generic add/edit pages of types and events, and the
steps posted from an event's page (register a booth, a delegation or oneself; approve a booth with its
number, decline it with a reason; cancel an event or a registration; register students by 学号)."""

import re

from django import forms
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.models import Department

from ..models import Event, EventType, Registration
from ..selectors.registrations import own_majors, own_positions

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
#: How many 学号 one batch registration takes (a school's delegation of students to one event).
MAX_STUDENT_NUMBERS = 2000


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)


class EventTypeForm(BaseModelForm):
    class Meta:
        model = EventType
        fields = ["code", "name", "rule_key", "has_minutes", "sort_order"]


class EventForm(BaseModelForm):
    """An event; an officer's organizer is their department (the field is left out), a platform
    administrator chooses it."""

    class Meta:
        model = Event
        fields = [
            "type",
            "title",
            "organizer",
            "venue",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "booths",
            "slot_minutes",
            "description",
        ]
        widgets = {
            name: _datetime_widget()
            for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            self.fields[name].input_formats = [DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["type"].queryset = EventType.objects.order_by("sort_order", "code")
        self.fields["organizer"].queryset = Department.objects.order_by("code")
        self.fields["description"].widget.attrs.setdefault("rows", 4)
        user = self.user
        if user is not None and not user.is_superuser:
            # An officer's events are their department's (the service sets it whatever is posted).
            del self.fields["organizer"]


class RegisterForm(forms.Form):
    """An enterprise's booth (its positions), a school's delegation (its majors and size) or a student."""

    positions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("携带岗位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("本企业已发布的岗位；可多选"),
    )
    majors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("推介专业"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("本校开设的专业；可多选"),
    )
    delegation_size = forms.IntegerField(
        label=gettext_lazy("参会人数"),
        min_value=1,
        max_value=50,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "form-control", "style": "max-width: 8rem"}),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, kind: str = "", user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["positions"].queryset = own_positions(getattr(user, "enterprise_id", None))
        self.fields["majors"].queryset = own_majors(getattr(user, "school_id", None))
        self.fields["majors"].label_from_instance = lambda m: f"{m.major.name}（{m.major.code}）"
        self.fields["positions"].label_from_instance = lambda p: p.title
        if kind != "enterprise":
            del self.fields["positions"]
        if kind != "school":
            del self.fields["majors"]
            del self.fields["delegation_size"]


class ApproveForm(forms.Form):
    booth_no = forms.CharField(
        label=gettext_lazy("展位号"),
        max_length=Registration._meta.get_field("booth_no").max_length,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": gettext_lazy("如 A01")}
        ),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("未通过原因"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": gettext_lazy("企业会收到这条说明")}
        ),
    )


class ReasonForm(forms.Form):
    """The reason of a cancellation (an event's: required; a registration's: optional)."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


def split_numbers(value: str) -> list[str]:
    """学号 from text: one per line, or separated by commas, semicolons, 顿号 or blanks; duplicates once."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,，;；、]+", value or ""):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


class StudentBatchForm(forms.Form):
    """学号 of the school's students to register for an event (pasted, or a one-column file)."""

    numbers = forms.CharField(
        label=gettext_lazy("学号"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
        help_text=gettext_lazy("每行一个学号，或用逗号、分号、空格分隔"),
    )
    file = forms.FileField(
        label=gettext_lazy("或上传文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt,.xlsx"}),
        help_text=gettext_lazy("csv、txt 或 xlsx：第一列为学号（首行可为列名“学号”）"),
    )

    def clean(self):
        data = super().clean()
        numbers = split_numbers(data.get("numbers", ""))
        upload = data.get("file")
        if upload is not None:
            numbers += [n for n in _file_numbers(upload) if n not in numbers]
        numbers = [n for n in numbers if n != "学号"]
        if not numbers:
            raise forms.ValidationError(gettext_lazy("请填写或上传至少一个学号。"))
        if len(numbers) > MAX_STUDENT_NUMBERS:
            raise forms.ValidationError(
                gettext_lazy("一次最多报名 %(max)s 名学生，本次 %(n)s 名。")
                % {"max": MAX_STUDENT_NUMBERS, "n": len(numbers)}
            )
        data["student_numbers"] = numbers
        return data


def _file_numbers(upload) -> list[str]:
    """The first column of an uploaded csv/txt (UTF-8 or GBK) or xlsx file."""
    from pathlib import Path
    from tempfile import NamedTemporaryFile

    from django.core.exceptions import ValidationError

    from xiaoqitong.core import uploads
    from xiaoqitong.core.imports import ImportFileError, read_table, text

    try:
        uploads.check_upload(upload, uploads.LIST)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message_dict["file"]) from None
    suffix = Path(upload.name or "x.csv").suffix.lower()
    if suffix == ".txt":
        suffix = ".csv"
    with NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            data = read_table(tmp.name, f"upload{suffix}")
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
    numbers = [text(h) for h in data.headers[:1] if text(h)]
    for row in data:
        if row and text(row[0]):
            numbers.append(text(row[0]))
    return split_numbers("\n".join(numbers))
