from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.reference.models import Industry, Region

from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User


def _areas():
    return Region.objects.filter(level__in=["county", "park"]).order_by("code")


class SchoolForm(BaseModelForm):
    class Meta:
        model = School
        fields = ["code", "name", "school_type", "ownership", "county", "address", "website", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _areas()


class SchoolEnrolmentForm(BaseModelForm):
    class Meta:
        model = SchoolEnrolment
        fields = ["school", "year", "full_time_students"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the schools whose details the user keeps (a school administrator: its own school); another
        # school is refused exactly like one that does not exist.
        self.fields["school"].queryset = (
            School.objects.restrict(self.user, "change").order_by("code")
            if self.user is not None
            else School.objects.order_by("code")
        )


class EnterpriseForm(BaseModelForm):
    industry = forms.ModelChoiceField(
        queryset=Industry.objects.filter(level=4).order_by("code"),
        label=_("所属行业"),
        help_text=_("国民经济行业分类小类（四位码）"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "credit_code",
            "name",
            "size",
            "industry",
            "county",
            "registered_in_city",
            "employees",
            "address",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _areas()


class ResearchInstitutionForm(BaseModelForm):
    class Meta:
        model = ResearchInstitution
        fields = ["code", "name", "kind", "county"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _areas()


class DepartmentForm(BaseModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "kind", "region", "sort_order"]


class UserForm(BaseModelForm):
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("新建账号时必填；修改账号时留空表示不改密码。"),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "phone",
            "email",
            "role",
            "school",
            "enterprise",
            "institution",
            "department",
            "is_active",
        ]

    def clean_password(self):
        # The strength rules run in the services (orgs.services.user_create/user_update), which the
        # pages, the API and the admin share.
        password = self.cleaned_data.get("password", "")
        if not self.instance.pk and not password:
            raise forms.ValidationError(_("请设置初始密码。"))
        return password
