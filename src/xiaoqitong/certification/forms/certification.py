"""Forms of certification: the application, the claims of an application or a review (one figure and note per
criterion), a document, the lead department's steps (accept, decide, review decision, revoke), a department's
opinion, the annual report, the incentives ledger, the criteria and the setup."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.models import Department, Enterprise

from ..choices import OpinionStance
from ..models import Application, Certification, Criterion, Incentive, Setup
from ..services.reviews import Outcome

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXTAREA = {"class": "form-control", "rows": 4}


class ApplicationForm(BaseModelForm):
    class Meta:
        model = Application
        fields = ["level", "year", "statement", "contact_person", "contact_phone"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year
            if self.user is not None and getattr(self.user, "display_name", ""):
                self.fields["contact_person"].initial = self.user.display_name
            if self.user is not None and getattr(self.user, "phone", ""):
                self.fields["contact_phone"].initial = self.user.phone


class ClaimsForm(forms.Form):
    """One figure and one note per active criterion (``claim_<id>``, ``note_<id>``)."""

    def __init__(self, *args, criteria=(), claims=None, **kwargs):
        super().__init__(*args, **kwargs)
        claims = {c.criterion_id: c for c in (claims or [])}
        self.criteria = list(criteria)
        for c in self.criteria:
            claim = claims.get(c.pk)
            self.fields[f"claim_{c.pk}"] = forms.DecimalField(
                label=c.name,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=claim.value if claim else None,
                help_text=c.unit,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=500,
                initial=claim.note if claim else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self):
        return [(c, self[f"claim_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def values(self) -> dict:
        return {
            c.pk: (self.cleaned_data.get(f"claim_{c.pk}"), self.cleaned_data.get(f"note_{c.pk}") or "")
            for c in self.criteria
        }


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("材料名称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.filter(active=True),
        required=False,
        label=_("证明条件"),
        empty_label=_("（综合材料）"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、Word、Excel、PowerPoint 或图片；不含宏。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class AcceptForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.order_by("sort_order", "code"),
        required=False,
        label=_("征求意见部门"),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
    )
    opinions_due = forms.DateField(label=_("征求意见截止日期"), required=False, widget=DATE_INPUT)


class RequestOpinionForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("sort_order", "code"),
        label=_("再征求意见的部门"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class OpinionForm(forms.Form):
    stance = forms.ChoiceField(
        choices=OpinionStance.choices, label=_("意见"), widget=forms.Select(attrs={"class": "form-select"})
    )
    text = forms.CharField(
        label=_("意见内容"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


DECISIONS = (("certify", _("认定")), ("return", _("退回补充")), ("reject", _("不予认定")))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=DECISIONS, label=_("审核结论"), widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    document_ref = forms.CharField(
        label=_("认定文号"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("认定时填写，如“郴发改〔2026〕12号”"),
    )


class ReportForm(forms.Form):
    self_report = forms.CharField(
        label=_("年度自评报告"),
        max_length=20000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 8}),
        help_text=_("本年度参与职业教育人才培养的情况、取得的成效和存在的问题；整改时写明整改情况。"),
    )


OUTCOMES = tuple((o, o.label) for o in Outcome.CHOICES)


class ReviewDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=OUTCOMES, label=_("考核结论"), widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label=_("考核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    rectification_deadline = forms.DateField(
        label=_("整改截止日期"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("限期整改时填写；留空按默认期限"),
    )
    rectification_items = forms.CharField(
        label=_("整改要求"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class RevokeForm(forms.Form):
    note = forms.CharField(label=_("撤销理由"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class IncentiveForm(BaseModelForm):
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("企业"),
        widget=forms.TextInput,
        help_text=_("企业的统一社会信用代码"),
        error_messages={"invalid_choice": _("找不到该统一社会信用代码的企业。")},
    )

    class Meta:
        model = Incentive
        fields = [
            "enterprise",
            "certification",
            "year",
            "kind",
            "title",
            "amount",
            "department",
            "granted_on",
            "document_ref",
            "note",
        ]
        widgets = {"granted_on": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certification"].queryset = Certification.objects.select_related("enterprise").order_by(
            "-certified_on"
        )
        self.fields["department"].queryset = Department.objects.order_by("sort_order", "code")
        self.fields["department"].required = False
        self.fields["department"].help_text = _("留空即本部门；牵头部门可代其他部门登记")
        if self.instance.pk:
            self.initial["enterprise"] = self.instance.enterprise.credit_code


class CriterionForm(BaseModelForm):
    class Meta:
        model = Criterion
        fields = [
            "code",
            "name",
            "description",
            "measure",
            "min_municipal",
            "min_provincial",
            "unit",
            "required",
            "needs_document",
            "source",
            "active",
            "sort_order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SetupForm(BaseModelForm):
    class Meta:
        model = Setup
        fields = [
            "lead_department",
            "opinion_departments",
            "opinion_days",
            "review_open_days",
            "rectification_days",
        ]
        widgets = {"opinion_departments": forms.SelectMultiple(attrs={"size": 8})}
