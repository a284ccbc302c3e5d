"""Forms of agreements: the agreement itself, inviting students, and a change request."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.schools.models import SchoolMajor, Student

from ..choices import AgreementStatus, MemberStatus
from ..models import Agreement, AgreementChange, AgreementMember
from ..selectors import agreements as selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_SEPARATORS = re.compile(r"[\s,，;；、]+")


class AgreementForm(BaseModelForm):
    """An agreement: a school administrator writes for their school, HR for their enterprise (fixed by the
    account); the other party is chosen — the enterprise by its 统一社会信用代码."""

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "title",
            "school",
            "enterprise",
            "school_major",
            "cohort",
            "planned_headcount",
            "positions",
            "start_date",
            "end_date",
            "confirm_deadline",
            "training_plan",
            "cost_sharing",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "confirm_deadline": DATE,
            "training_plan": forms.Textarea(attrs={"rows": 5}),
            "cost_sharing": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        role = getattr(user, "role", None) if user is not None and not user.is_superuser else None
        instance = self.instance
        self.fields["school"].queryset = School.objects.order_by("code")
        self.fields["enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            label=_("企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": _("找不到这个统一社会信用代码的企业。")},
        )
        if instance.pk:
            self.initial["enterprise"] = instance.enterprise.credit_code
        majors = SchoolMajor.objects.select_related("school", "major").order_by(
            "school__code", "major__code", "-year"
        )
        if role == Role.SCHOOL_ADMIN:
            self.fields["school"].queryset = School.objects.filter(pk=user.school_id)
            self.fields["school"].disabled = True
            self.initial["school"] = user.school_id
            self.fields["school"].help_text = _("本校的协议；学校由您的账号确定")
            majors = majors.filter(school_id=user.school_id)
        if role == Role.ENTERPRISE_HR:
            self.fields["enterprise"].queryset = Enterprise.objects.filter(pk=user.enterprise_id)
            self.fields["enterprise"].disabled = True
            self.initial["enterprise"] = user.enterprise.credit_code
            self.fields["enterprise"].help_text = _("本企业的协议；企业由您的账号确定")
        self.fields["school_major"].queryset = majors
        self.fields["school_major"].label_from_instance = lambda sm: (
            f"{sm.school.name} · {sm.major.name}（{sm.major.code}，{sm.year} 年度）"
        )
        enterprise_id = (user.enterprise_id if role == Role.ENTERPRISE_HR else None) or instance.enterprise_id
        positions = selectors.choosable_positions(user, instance).filter(enterprise_id=enterprise_id)
        self.fields["positions"].queryset = (
            positions.order_by("title") if enterprise_id else Position.objects.none()
        )
        if not enterprise_id:
            self.fields["positions"].help_text = _("保存后可在编辑时选择协议企业的岗位")

    def _post_clean(self):
        # The service validates the whole agreement (its school, major and positions) and reports by field.
        pass


class InviteForm(forms.Form):
    """Invite students of the agreement's school, major and cohort: chosen from the list, or by 学号."""

    students = forms.ModelMultipleChoiceField(
        queryset=Student.objects.none(),
        required=False,
        label=_("选择学生"),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )
    student_nos = forms.CharField(
        required=False,
        label=_("或填写学号"),
        help_text=_("多个学号用空格、逗号、顿号或换行分隔"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        taken = AgreementMember.objects.filter(
            agreement=agreement,
            status__in=[MemberStatus.INVITED, MemberStatus.CONFIRMED, MemberStatus.TRANSFERRED],
        ).values("student_id")
        self.fields["students"].queryset = (
            Student.objects.filter(
                school_id=agreement.school_id,
                grade=agreement.cohort,
                school_major__major_id=agreement.school_major.major_id,
            )
            .exclude(pk__in=taken)
            .order_by("student_no")
        )
        self.fields["students"].label_from_instance = lambda s: f"{s.student_no} {s.name}"

    def clean_student_nos(self):
        return [n for n in NUMBER_SEPARATORS.split(self.cleaned_data.get("student_nos") or "") if n]


class AgreementChangeForm(BaseModelForm):
    """A change request: a confirmed place (the student's own, or one of the school's) to another running
    agreement."""

    class Meta:
        model = AgreementChange
        fields = ["member", "to_agreement", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = AgreementMember.objects.restrict(self.user, "view").filter(
            status=MemberStatus.CONFIRMED, agreement__status=AgreementStatus.ACTIVE
        )
        user = self.user
        if user is not None and not user.is_superuser:
            if user.role == Role.STUDENT:
                members = members.filter(student__user_id=user.pk)
            elif user.role == Role.SCHOOL_ADMIN:
                members = members.filter(agreement__school_id=user.school_id)
            else:
                members = members.none()
        self.fields["member"].queryset = members.select_related("student", "agreement")
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.student.name}（{m.student.student_no}）· {m.agreement.title}"
        )
        # Running agreements of every school and enterprise: a change may cross to another school.
        self.fields["to_agreement"].queryset = (
            Agreement.objects.filter(status=AgreementStatus.ACTIVE)
            .select_related("school", "enterprise")
            .order_by("school__code", "title")
        )
        self.fields["to_agreement"].label_from_instance = lambda a: (
            f"{a.title}（{a.get_kind_display()}，{a.school.name} · {a.enterprise.name}，{a.cohort} 级）"
        )

    def _post_clean(self):
        pass
