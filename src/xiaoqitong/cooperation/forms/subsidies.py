"""Forms of the policy rules and the apprenticeship subsidies: a rule's value, the rates, a new claim (an
agreement of the user's enterprise and a year) and the review and payment steps."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm

from ..choices import APPRENTICESHIP_KINDS, AgreementKind
from ..models import Agreement, Rule, SubsidyRate
from ..selectors.subsidies import claimable_agreements

BOOTSTRAP = {"class": "form-control"}


class RuleForm(BaseModelForm):
    """A rule's value and note (which rule it is and its source are fixed)."""

    class Meta:
        model = Rule
        fields = ["value", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class SubsidyRateForm(BaseModelForm):
    class Meta:
        model = SubsidyRate
        fields = ["year", "kind", "amount", "reviewing_department", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only apprenticeships get the subsidy (the service refuses the others too).
        self.fields["kind"].choices = [("", "---------")] + [
            (value, label) for value, label in AgreementKind.choices if value in APPRENTICESHIP_KINDS
        ]
        self.fields["source"].help_text = _("如“郴人社发〔2025〕…号”；最低标准见“政策规则”（T17）")


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agreement) -> str:
        return (
            f"{obj.title}（{obj.get_kind_display()}，{obj.start_date:%Y-%m-%d} 至 {obj.end_date:%Y-%m-%d}）"
        )


class SubsidyClaimForm(forms.Form):
    """A new claim: one of the enterprise's apprenticeship agreements and a year; the rest is computed.
    (A plain form: the claim's uniqueness per agreement and year is refused by the service, which links the
    claim that exists.)"""

    agreement = AgreementChoiceField(label=_("协议"), queryset=Agreement.objects.none())
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, help_text=_("按该年度内学徒在协议期内的整月计算")
    )

    def __init__(self, *args, instance=None, user=None, **kwargs):
        self.instance = instance
        self.user = user
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["agreement"].queryset = claimable_agreements(user).order_by("-start_date", "title")
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["agreement"].widget.attrs["class"] = "form-select"
        self.fields["year"].widget.attrs.update(BOOTSTRAP)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea)


class ApproveForm(NoteForm):
    approved_amount = forms.DecimalField(
        label=_("核定金额（元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )


class PayForm(forms.Form):
    paid_at = forms.DateField(label=_("拨付日期"))
    payment_ref = forms.CharField(label=_("拨付凭证号"), max_length=60)


class SummaryForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
