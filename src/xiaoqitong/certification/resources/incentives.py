"""Import/export of the incentives ledger (Chinese column headers, upsert on the natural key).

============== ===========================================================================================
model          format
============== ===========================================================================================
激励台账        统一社会信用代码 + 年度 + 激励类型 (金融、财政、土地、信用、税费, by label) +
               激励措施: the natural key. 金额（万元）, 落实部门代码, 落实日期 (within the year),
               认定编号 (the title it rests on, optional: of the same enterprise), 文号或凭证, 备注.
               The export adds the enterprise's and the department's names.
============== ===========================================================================================

An import follows the rules of ``services.incentives``: a government officer imports the incentives of their
own department (a row left without 落实部门代码 is theirs; a row naming another department is refused), the
lead department's officers those of any department (left empty: their own), and a stored row is changed only
by whom may change it. Importing the same file again changes nothing.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from xiaoqitong.core.imports import (
    BulkResource,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    column_texts,
    register_resource,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import Department, Enterprise

from ..choices import IncentiveKind
from ..models import Certification, Incentive
from ..services.incentives import incentive_data

col = BulkResource.column
CREDIT_CODE = "统一社会信用代码"
YEAR = "年度"


class WanYuanWidget(widgets.Widget):
    """An amount in 万元 (12.5, 1,200, 12.5万元), kept to two decimals; empty when there is none."""

    hint = gettext_lazy("金额（万元），如 12.5；无金额的激励可不填")

    def clean(self, value, row=None, **kwargs):
        raw = text(value).replace(",", "").replace("，", "").removesuffix("万元").removesuffix("万").strip()
        if not raw:
            return None
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise ValueError(_("“%(value)s”不是金额（万元）") % {"value": raw})
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


@register_resource
class IncentiveResource(ExportOnlyMixin, BulkResource):
    enterprise = col(
        "enterprise",
        CREDIT_CODE,
        CodeWidget(Enterprise, field="credit_code", label=gettext_lazy("企业"), preload=False),
    )
    enterprise_name = col("enterprise__name", "企业名称", readonly=True)
    year = col("year", YEAR, IntegerWidget())
    kind = col("kind", "激励类型", ChoiceWidget(IncentiveKind.choices))
    title = col("title", "激励措施")
    amount = col("amount", "金额（万元）", WanYuanWidget())
    department = col("department", "落实部门代码", CodeWidget(Department, label=gettext_lazy("部门")))
    department_name = col("department__name", "落实部门", readonly=True)
    granted_on = col("granted_on", "落实日期", DateWidget())
    certification = col(
        "certification",
        "认定编号",
        CodeWidget(Certification, field="number", label=gettext_lazy("认定"), preload=False),
    )
    document_ref = col("document_ref", "文号或凭证")
    note = col("note", "备注")

    export_only = ("enterprise_name", "department_name")

    class Meta(BulkResource.Meta):
        model = Incentive
        import_id_fields = ("enterprise", "year", "kind", "title")
        fields = (
            "enterprise",
            "enterprise_name",
            "year",
            "kind",
            "title",
            "amount",
            "department",
            "department_name",
            "granted_on",
            "certification",
            "document_ref",
            "note",
        )

    def preload_queryset(self, dataset):
        years = set()
        for cell in column_texts(dataset, YEAR):
            try:
                years.add(int(float(cell)))
            except ValueError:
                continue  # named by its column when the row is read
        return Incentive.objects.filter(year__in=sorted(years))

    def before_import_row(self, row, **kwargs):
        if row.get(CREDIT_CODE):
            row[CREDIT_CODE] = text(row[CREDIT_CODE]).upper()

    def clean_row(self, instance, row) -> dict[str, list]:
        """The department as ``services.incentives`` sets it: the importer's own unless they lead."""
        if self.actor is None:
            return {}
        given = instance.department_id
        try:
            wanted = incentive_data(self.actor, {"department": given})["department"]
        except PermissionDenied as exc:
            return {"department": [ValidationError(str(exc))]}
        wanted_id = getattr(wanted, "pk", wanted)
        if given and wanted_id != given:
            message = _(
                "只能导入本部门（%(dept)s）落实的激励：其他部门落实的激励由该部门或牵头部门登记。"
            ) % {"dept": wanted}
            return {"department": [ValidationError(message)]}
        if wanted_id:
            instance.department_id = wanted_id
        return {}
