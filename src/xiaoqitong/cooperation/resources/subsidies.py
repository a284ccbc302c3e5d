"""Export formats of the rules, the subsidy rates and the subsidy claims (Chinese column headers).

All three are export only: rules and rates are kept on their pages, claims are computed by the platform.
Payments of claims are imported with their own file (``services.subsidies.subsidy_payment_import``: 申请编号
or 统一社会信用代码 + 协议名称 + 年度, 拨付日期, 拨付凭证号, 核定金额), whose 申请编号 is the claim export's
first column: export, fill in the payment columns, import."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoqitong.core.imports import BaseResource, ChoiceWidget, DateWidget, register_resource

from ..choices import AgreementKind, ClaimStatus, RuleKey
from ..models import Rule, SubsidyClaim, SubsidyRate

col = BaseResource.column


class _ExportOnly(BaseResource):
    class Meta(BaseResource.Meta):
        abstract = True

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("此类数据不能导入，请在平台页面上维护。"))


def _amount(value) -> str:
    return "" if value is None else f"{value:.2f}"


@register_resource
class RuleResource(_ExportOnly):
    key = col("key", "规则", ChoiceWidget(RuleKey.choices), readonly=True)
    value = col("value", "取值", readonly=True)
    target = col("target", "指标编号", readonly=True)
    source = col("source", "政策依据", readonly=True)
    note = col("note", "说明", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Rule
        import_id_fields = ("key",)
        fields = ("key", "value", "target", "source", "note")

    def dehydrate_value(self, rule):
        return f"{rule.value.normalize():f}"


@register_resource
class SubsidyRateResource(_ExportOnly):
    year = col("year", "年度", readonly=True)
    kind = col("kind", "合作形式", ChoiceWidget(AgreementKind.choices), readonly=True)
    amount = col("amount", "补贴标准（元/人·年）", readonly=True)
    department = col("reviewing_department__name", "审核部门", readonly=True)
    source = col("source", "依据", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = SubsidyRate
        import_id_fields = ("year", "kind")
        fields = ("year", "kind", "amount", "department", "source")

    def dehydrate_amount(self, rate):
        return _amount(rate.amount)


@register_resource
class SubsidyClaimResource(_ExportOnly):
    id = col("id", "申请编号", readonly=True)
    enterprise = col("agreement__enterprise__name", "企业", readonly=True)
    credit_code = col("agreement__enterprise__credit_code", "统一社会信用代码", readonly=True)
    agreement = col("agreement__title", "协议名称", readonly=True)
    year = col("year", "年度", readonly=True)
    apprentices = col("apprentices", "学徒人数", readonly=True)
    amount = col("amount", "申请金额（元）", readonly=True)
    approved_amount = col("approved_amount", "核定金额（元）", readonly=True)
    status = col("status", "状态", ChoiceWidget(ClaimStatus.choices), readonly=True)
    paid_at = col("paid_at", "拨付日期", DateWidget(), readonly=True)
    payment_ref = col("payment_ref", "拨付凭证号", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = SubsidyClaim
        import_id_fields = ("id",)
        fields = (
            "id",
            "enterprise",
            "credit_code",
            "agreement",
            "year",
            "apprentices",
            "amount",
            "approved_amount",
            "status",
            "paid_at",
            "payment_ref",
        )

    def dehydrate_amount(self, claim):
        return _amount(claim.amount)

    def dehydrate_approved_amount(self, claim):
        return _amount(claim.approved_amount)
