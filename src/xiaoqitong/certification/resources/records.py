"""Export formats of the applications, the titles, the annual reviews and the criteria (the list pages'
export button; Chinese column headers). All four are export only: applications and reviews move through
their steps on their pages, titles are made by certification, and the criteria are kept by the lead
department on their page. Each export reads only what the list page selects with its rows (no query per
row)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import BaseResource, BoolWidget, ChoiceWidget, DateWidget, register_resource

from ..choices import ApplicationStatus, CertificationStatus, Level, Measure, ReviewKind, ReviewStatus
from ..models import Application, Certification, Criterion, Review

col = BaseResource.column


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


class _ExportOnly(BaseResource):
    no_import = ""

    class Meta(BaseResource.Meta):
        abstract = True

    def check_file(self, data) -> list[dict]:
        return [{"row": "", "column": "", "message": str(self.no_import)}]

    def before_import(self, dataset, **kwargs):
        raise ValidationError(self.no_import)


@register_resource
class ApplicationResource(_ExportOnly):
    no_import = _("认定申请不能导入：请由企业在“认定申请”页面填写和提交。")
    id = col("id", "申请编号", readonly=True)
    enterprise = col("enterprise__name", "企业名称", readonly=True)
    credit_code = col("enterprise__credit_code", "统一社会信用代码", readonly=True)
    county = col("enterprise__county__name", "县市区或园区", readonly=True)
    level = col("level", "申报级别", ChoiceWidget(Level.choices), readonly=True)
    year = col("year", "申报年度", readonly=True)
    status = col("status", "状态", ChoiceWidget(ApplicationStatus.choices), readonly=True)
    contact_person = col("contact_person", "联系人", readonly=True)
    contact_phone = col("contact_phone", "联系电话", readonly=True)
    submitted_at = col(None, "提交时间", readonly=True)
    accepted_at = col(None, "受理时间", readonly=True)
    opinions_due = col("opinions_due", "征求意见截止日期", DateWidget(), readonly=True)
    decided_at = col(None, "办结时间", readonly=True)
    decision_note = col("decision_note", "审核意见", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Application
        import_id_fields = ("id",)
        fields = (
            "id",
            "enterprise",
            "credit_code",
            "county",
            "level",
            "year",
            "status",
            "contact_person",
            "contact_phone",
            "submitted_at",
            "accepted_at",
            "opinions_due",
            "decided_at",
            "decision_note",
        )

    def dehydrate_submitted_at(self, application):
        return when_text(application.submitted_at)

    def dehydrate_accepted_at(self, application):
        return when_text(application.accepted_at)

    def dehydrate_decided_at(self, application):
        return when_text(application.decided_at)


@register_resource
class CertificationResource(_ExportOnly):
    no_import = _("产教融合型企业名单不能导入：称号由牵头部门在认定申请中作出认定后生成。")
    number = col("number", "认定编号", readonly=True)
    enterprise = col("enterprise__name", "企业名称", readonly=True)
    credit_code = col("enterprise__credit_code", "统一社会信用代码", readonly=True)
    level = col("level", "级别", ChoiceWidget(Level.choices), readonly=True)
    county = col("enterprise__county__name", "县市区或园区", readonly=True)
    industry = col("enterprise__industry__name", "所属行业", readonly=True)
    certified_on = col("certified_on", "认定日期", DateWidget(), readonly=True)
    valid_until = col("valid_until", "有效期至", DateWidget(), readonly=True)
    document_ref = col("document_ref", "认定文号", readonly=True)
    status = col("status", "状态", ChoiceWidget(CertificationStatus.choices), readonly=True)
    ended_on = col("ended_on", "失效或撤销日期", DateWidget(), readonly=True)
    status_note = col("status_note", "状态说明", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Certification
        import_id_fields = ("number",)
        fields = (
            "number",
            "enterprise",
            "credit_code",
            "level",
            "county",
            "industry",
            "certified_on",
            "valid_until",
            "document_ref",
            "status",
            "ended_on",
            "status_note",
        )


@register_resource
class ReviewResource(_ExportOnly):
    no_import = _("年度考核不能导入：由企业在考核页面报送，牵头部门在页面上作出结论。")
    enterprise = col("certification__enterprise__name", "企业名称", readonly=True)
    credit_code = col("certification__enterprise__credit_code", "统一社会信用代码", readonly=True)
    number = col("certification__number", "认定编号", readonly=True)
    kind = col("kind", "考核类型", ChoiceWidget(ReviewKind.choices), readonly=True)
    sequence = col("sequence", "第几次考核", readonly=True)
    year = col("year", "考核年度", readonly=True)
    due_date = col("due_date", "报送截止日期", DateWidget(), readonly=True)
    status = col("status", "状态", ChoiceWidget(ReviewStatus.choices), readonly=True)
    submitted_at = col(None, "报送时间", readonly=True)
    rectification_deadline = col("rectification_deadline", "整改截止日期", DateWidget(), readonly=True)
    rectification_items = col("rectification_items", "整改要求", readonly=True)
    decided_at = col(None, "考核时间", readonly=True)
    decision_note = col("decision_note", "考核意见", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Review
        import_id_fields = ("number", "sequence")
        fields = (
            "enterprise",
            "credit_code",
            "number",
            "kind",
            "sequence",
            "year",
            "due_date",
            "status",
            "submitted_at",
            "rectification_deadline",
            "rectification_items",
            "decided_at",
            "decision_note",
        )

    def dehydrate_submitted_at(self, review):
        return when_text(review.submitted_at)

    def dehydrate_decided_at(self, review):
        return when_text(review.decided_at)


@register_resource
class CriterionResource(_ExportOnly):
    no_import = _("认定条件不能导入：请由牵头部门在“认定条件”页面维护。")
    code = col("code", "代码", readonly=True)
    name = col("name", "条件", readonly=True)
    description = col("description", "说明", readonly=True)
    measure = col("measure", "数据来源", ChoiceWidget(Measure.choices), readonly=True)
    min_municipal = col(None, "市级门槛", readonly=True)
    min_provincial = col(None, "省级门槛", readonly=True)
    unit = col("unit", "单位", readonly=True)
    required = col("required", "必备条件", BoolWidget(), readonly=True)
    needs_document = col("needs_document", "须附证明材料", BoolWidget(), readonly=True)
    source = col("source", "依据", readonly=True)
    active = col("active", "启用", BoolWidget(), readonly=True)
    sort_order = col("sort_order", "排序", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Criterion
        import_id_fields = ("code",)
        fields = (
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
        )

    def dehydrate_min_municipal(self, criterion):
        return _number(criterion.min_municipal)

    def dehydrate_min_provincial(self, criterion):
        return _number(criterion.min_provincial)
