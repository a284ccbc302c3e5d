"""Forms of practice bases (the generic add/edit pages) and of bookings (the form on a base's page, the
cancel form on a booking's page)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.forms import major_codes_field

from ..choices import SHARED_BASE_KINDS, BaseKind
from ..models import PracticeBase
from ..selectors.bases import city_areas

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def shared_kinds_text() -> str:
    return "、".join(str(BaseKind(kind).label) for kind in BaseKind if kind in SHARED_BASE_KINDS)


class PracticeBaseForm(BaseModelForm):
    major_codes = major_codes_field(
        label=gettext_lazy("服务专业（代码）"),
        help_text=gettext_lazy("专业目录代码，多个用顿号或分号分隔，如 660103、660301"),
    )

    class Meta:
        model = PracticeBase
        fields = [
            "code",
            "name",
            "kind",
            "owner_school",
            "owner_enterprise",
            "county",
            "address",
            "capacity",
            "shared",
            "established",
            "active",
        ]
        widgets = {"established": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = city_areas()
        self.fields["owner_school"].queryset = School.objects.order_by("code")
        self.fields["shared"].help_text = _(
            "共享基地接受其他学校和企业预约。%(kinds)s总是对外共享，保存时自动设置。"
        ) % {"kinds": shared_kinds_text()}
        # Enterprises by 统一社会信用代码: a city has thousands, too many for a drop-down.
        self.fields["owner_enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            required=False,
            label=gettext_lazy("共建企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": gettext_lazy("找不到这个统一社会信用代码的企业。")},
        )
        if self.instance.pk and self.instance.owner_enterprise_id:
            self.initial["owner_enterprise"] = self.instance.owner_enterprise.credit_code
        user = self.user
        if user is not None and not user.is_superuser:
            # An owner's own side of the ownership is fixed (``PracticeBasePolicy.locked``).
            if user.role == Role.SCHOOL_ADMIN and user.school_id:
                self.fields["owner_school"].initial = user.school_id
                self.fields["owner_school"].disabled = True
                if self.instance.pk:
                    self.initial["owner_school"] = self.instance.owner_school_id
            if user.role == Role.ENTERPRISE_HR and user.enterprise_id:
                self.fields["owner_enterprise"].initial = user.enterprise.credit_code
                self.fields["owner_enterprise"].disabled = True
                if self.instance.pk and self.instance.owner_enterprise_id:
                    self.initial["owner_enterprise"] = self.instance.owner_enterprise.credit_code


class BookingForm(forms.Form):
    """A booking on a base's page."""

    start = forms.DateTimeField(
        label=gettext_lazy("开始时间"),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_INPUT
        ),
    )
    end = forms.DateTimeField(
        label=gettext_lazy("结束时间"),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_INPUT
        ),
    )
    headcount = forms.IntegerField(
        label=gettext_lazy("人数"), min_value=1, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    purpose = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": gettext_lazy("如：数控车工实训")}
        ),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("取消原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
