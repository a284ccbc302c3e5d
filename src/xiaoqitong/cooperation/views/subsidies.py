"""Pages of the apprenticeship subsidies (T17): the rates (``subsidy-rates/``), the claims
(``subsidy-claims/``) with their steps as buttons on the detail page, the import of payment records
(``subsidy-claims/payments/``) and the officers' summary per year (``subsidy-claims/summary/``)."""

from dataclasses import dataclass
from urllib.parse import quote

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.analytics.views import export
from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.forms import ImportForm
from xiaoqitong.core.imports import escape_formulae
from xiaoqitong.core.views import ObjectListView, PostStepView
from xiaoqitong.enterprises.views import AppModelViews

from .. import rules
from ..choices import RuleKey
from ..filtersets.subsidies import SubsidyClaimFilterSet, SubsidyRateFilterSet
from ..forms.subsidies import ApproveForm, NoteForm, PayForm, SubsidyClaimForm, SubsidyRateForm, SummaryForm
from ..models import SubsidyClaim, SubsidyRate
from ..policies.subsidies import (
    EDITABLE_CLAIM,
    STEP_LABELS,
    claim_reviewer,
    is_officer,
    subsidy_claim_steps,
)
from ..selectors.subsidies import subsidy_summary, summary_written, summary_years
from ..services import subsidies as services
from ..services.subsidies import PAYMENT_HEADERS, line_amount, money
from ..tables.subsidies import SubsidyClaimTable, SubsidyRateTable


# --- rates -----------------------------------------------------------------------------------------------
class SubsidyRateViews(AppModelViews):
    model = SubsidyRate
    filterset = SubsidyRateFilterSet
    table = SubsidyRateTable
    form = SubsidyRateForm
    importable = False
    select_related = ("reviewing_department",)

    create_service = staticmethod(services.subsidy_rate_create)
    update_service = staticmethod(services.subsidy_rate_update)
    delete_service = staticmethod(services.subsidy_rate_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        minimum = rules.value(RuleKey.APPRENTICE_SUBSIDY_MIN)
        return [
            (_("年度"), obj.year),
            (_("合作形式"), obj.get_kind_display()),
            (_("补贴标准（元/人·年）"), money(obj.amount)),
            (
                _("政策下限"),
                _("%(min)s 元/人·年（%(cite)s）")
                % {"min": money(minimum), "cite": rules.cite(RuleKey.APPRENTICE_SUBSIDY_MIN)},
            ),
            (_("审核部门"), obj.reviewing_department),
            (_("依据"), obj.source),
        ]


# --- claims ----------------------------------------------------------------------------------------------
class ClaimListView(ObjectListView):
    """The generic list with the claim pages' own links (summary, payment import) above it."""

    template_name = "cooperation/subsidies/claim_list.html"

    def context(self, **extra):
        officer = is_officer(self.request.user)
        return super().context(can_summary=officer, can_import_payments=officer, **extra)


class SubsidyClaimViews(AppModelViews):
    model = SubsidyClaim
    filterset = SubsidyClaimFilterSet
    table = SubsidyClaimTable
    form = SubsidyClaimForm
    importable = False
    select_related = ("agreement__enterprise", "rate__reviewing_department")
    detail_template = "cooperation/subsidies/claim_detail.html"

    @classmethod
    def create(cls, *, actor, data):
        return services.subsidy_claim_create(actor=actor, agreement=data["agreement"], year=data["year"])

    delete_service = staticmethod(services.subsidy_claim_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        agreement = obj.agreement
        return [
            (_("企业"), agreement.enterprise),
            (_("统一社会信用代码"), agreement.enterprise.credit_code),
            (_("协议"), agreement.title),
            (_("合作形式"), agreement.get_kind_display()),
            (_("协议期限"), f"{day_text(agreement.start_date)} 至 {day_text(agreement.end_date)}"),
            (_("年度"), obj.year),
            (_("学徒人数"), obj.apprentices),
            (_("申请金额（元）"), money(obj.amount)),
            (_("状态"), obj.get_status_display()),
            (_("审核部门"), obj.rate.reviewing_department),
            (_("提交时间"), when_text(obj.submitted_at)),
            (
                _("审核人"),
                obj.reviewed_by.get_full_name() or obj.reviewed_by.username if obj.reviewed_by else "",
            ),
            (_("审核时间"), when_text(obj.reviewed_at)),
            (_("审核意见"), obj.review_note),
            (_("核定金额（元）"), money(obj.approved_amount) if obj.approved_amount is not None else ""),
            (_("拨付日期"), day_text(obj.paid_at)),
            (_("拨付凭证号"), obj.payment_ref),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        rate = obj.rate
        lines = list(obj.lines.select_related("student").order_by("student__name", "student_id"))
        rows = [
            {
                "name": line.student.name,
                "student_no": line.student.student_no,
                "months": line.months,
                "amount": money(line.amount),
                "formula": _("%(rate)s 元 × %(months)s 个月 ÷ 12 = %(amount)s 元")
                % {"rate": money(rate.amount), "months": line.months, "amount": money(line.amount)},
            }
            for line in lines
        ]
        months = sum(line.months for line in lines)
        stale = obj.status in EDITABLE_CLAIM and any(
            line.amount != line_amount(rate.amount, line.months) for line in lines
        )
        minimum = rules.value(RuleKey.APPRENTICE_SUBSIDY_MIN)
        steps = subsidy_claim_steps(request.user, obj)
        return {
            "lines": rows,
            "total_months": months,
            "rate_text": _("%(year)s 年度%(kind)s补贴标准 %(rate)s 元/人·年（%(source)s）")
            % {
                "year": rate.year,
                "kind": obj.agreement.get_kind_display(),
                "rate": money(rate.amount),
                "source": rate.source,
            },
            "rule_text": _("政策下限：学徒每人每年 %(min)s 元以上（%(cite)s）")
            % {"min": money(minimum), "cite": rules.cite(RuleKey.APPRENTICE_SUBSIDY_MIN)},
            "total_text": _("合计 %(people)s 名学徒、%(months)s 个人月，申请金额 %(amount)s 元")
            % {"people": obj.apprentices, "months": months, "amount": money(obj.amount)},
            "stale": stale,
            "steps": [(step, STEP_LABELS[step]) for step in steps],
            "reviewer": claim_reviewer(request.user, obj),
            "today": timezone.localdate().isoformat(),
            "amount_value": f"{obj.amount:.2f}",
        }

    @classmethod
    def urls(cls, prefix, namespace):
        patterns = super().urls(prefix, namespace)
        name = "subsidyclaim_list"
        listing = type("SubsidyClaimListView", (ClaimListView,), {"config": cls}).as_view()
        return [path(f"{prefix}/", listing, name=name) if p.name == name else p for p in patterns]

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/summary/", SummaryView.as_view(), name="subsidy_summary"),
            path(f"{prefix}/payments/", PaymentImportView.as_view(), name="subsidy_payment_import"),
            *[
                path(
                    f"{prefix}/<int:pk>/{step}/",
                    ClaimStepView.as_view(),
                    {"step": step},
                    name=f"subsidyclaim_{step}",
                )
                for step in STEP_LABELS
            ],
        ]


class ClaimStepView(PostStepView):
    """POST …/subsidy-claims/<pk>/<step>/: recompute, submit, approve, return, reject or pay."""

    def post(self, request, pk, step):
        claim = get_object_or_404(
            SubsidyClaim.objects.restrict(request.user, "view").select_related(
                "agreement__enterprise", "rate__reviewing_department"
            ),
            pk=pk,
        )
        try:
            message = self.take(request, claim, step)
        except ValidationError as exc:
            return self.refused(request, claim, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您没有权限执行此操作。"))
            return redirect(claim.get_absolute_url())
        return self.done(request, claim, message)

    def take(self, request, claim, step) -> str:
        actor = request.user
        if step == "recompute":
            services.subsidy_claim_recompute(actor=actor, claim=claim)
            return _("已按当前学徒和补贴标准重新计算。")
        if step == "submit":
            services.subsidy_claim_submit(actor=actor, claim=claim)
            return _("已提交审核部门（%(dept)s）。") % {"dept": claim.rate.reviewing_department.name}
        if step == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.subsidy_claim_approve(
                actor=actor,
                claim=claim,
                approved_amount=form.cleaned_data["approved_amount"],
                note=form.cleaned_data["note"],
            )
            return _("已审核通过。")
        if step in ("return", "reject"):
            form = NoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            service = services.subsidy_claim_return if step == "return" else services.subsidy_claim_reject
            service(actor=actor, claim=claim, note=note)
            return _("已退回企业修改。") if step == "return" else _("已决定不予补贴。")
        form = PayForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors]
            )
        services.subsidy_claim_pay(
            actor=actor,
            claim=claim,
            paid_at=form.cleaned_data["paid_at"],
            payment_ref=form.cleaned_data["payment_ref"],
        )
        return _("已登记拨付。")


class PaymentImportView(LoginRequiredMixin, View):
    """Payment records of approved claims from a file, for the reviewing department: checked as a whole,
    committed all or nothing, every bad row named."""

    template = "cooperation/subsidies/payment_import.html"

    def columns(self):
        return [
            (PAYMENT_HEADERS["id"], _("申请编号（导出的第一列）；或改填下面三列")),
            (PAYMENT_HEADERS["credit_code"], _("企业的统一社会信用代码（未填申请编号时必填）")),
            (PAYMENT_HEADERS["agreement"], _("协议名称（未填申请编号时必填）")),
            (PAYMENT_HEADERS["year"], _("年度，如 2026（未填申请编号时必填）")),
            (PAYMENT_HEADERS["paid_at"], _("必填，如 2026-03-31，不晚于今天")),
            (PAYMENT_HEADERS["payment_ref"], _("必填，财政拨付凭证号")),
            (PAYMENT_HEADERS["approved_amount"], _("可选：不填则为审核时核定的金额；不得超过申请金额")),
        ]

    def require(self, request):
        if not is_officer(request.user):
            raise PermissionDenied(_("只有审核部门的工作人员可以导入拨付记录。"))

    def get(self, request):
        self.require(request)
        if request.GET.get("template"):
            data = tablib.Dataset(headers=[header for header, _hint in self.columns()])
            return _template(data, _("学徒补贴拨付记录模板"), request.GET["template"])
        return render(request, self.template, {"form": ImportForm(), "columns": self.columns()})

    def post(self, request):
        self.require(request)
        form = ImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            try:
                result = services.subsidy_payment_import(actor=request.user, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if result is not None and not result["errors"]:
            messages.success(
                request,
                _("已登记 %(paid)s 份申请的拨付（%(skipped)s 行与已有记录相同，未改动）。")
                % {"paid": result["paid"], "skipped": result["skipped"]},
            )
            return redirect(f"{SubsidyClaimViews.url_for('list')}?status=paid")
        return render(
            request,
            self.template,
            {"form": form, "columns": self.columns(), "errors": result["errors"] if result else []},
            status=400,
        )


# --- summary ---------------------------------------------------------------------------------------------
SUMMARY_HEADERS = [
    "企业",
    "统一社会信用代码",
    "申请数",
    "学徒人数",
    "申请金额（元）",
    "核定金额（元）",
    "已拨付（元）",
]
STATUS_HEADERS = ["状态", "申请数", "学徒人数", "申请金额（元）", "核定金额（元）"]


def summary_datasets(summary: dict) -> tuple[tablib.Dataset, tablib.Dataset]:
    """The summary as two tables (by enterprise with a total row; by status), Chinese headers."""
    summary = summary_written(summary)
    by_enterprise = tablib.Dataset(headers=SUMMARY_HEADERS, title=_("按企业"))
    for row in summary["by_enterprise"]:
        by_enterprise.append(
            [
                row["enterprise"],
                row["credit_code"],
                row["claims"],
                row["apprentices"],
                row["claimed"],
                row["approved"],
                row["paid"],
            ]
        )
    totals = summary["totals"]
    by_enterprise.append(
        [
            _("合计"),
            "",
            totals["claims"],
            totals["apprentices"],
            totals["claimed"],
            totals["approved"],
            totals["paid"],
        ]
    )
    by_status = tablib.Dataset(headers=STATUS_HEADERS, title=_("按状态"))
    for row in summary["by_status"]:
        by_status.append(
            [
                row["label"],
                row["claims"],
                row["apprentices"],
                row["claimed"],
                row["approved"],
            ]
        )
    return by_enterprise, by_status


def _template(data: tablib.Dataset, name: str, fmt: str) -> HttpResponse:
    """An empty file of the payment columns (xlsx, or csv with a BOM for Excel)."""
    if fmt == "xlsx":
        body = data.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        fmt = "csv"
        body = ("\ufeff" + data.export("csv")).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{name}.{fmt}')}"
    return response


@dataclass
class _Sheet:
    """A table of the summary export, as ``analytics.views.export`` takes it; formulae escaped (enterprise
    names are typed in by people)."""

    name: str
    data: tablib.Dataset

    @property
    def title(self) -> str:
        return self.data.title

    def dataset(self) -> tablib.Dataset:
        escaped = escape_formulae(self.data)
        escaped.title = self.data.title
        return escaped


class SummaryView(LoginRequiredMixin, View):
    """Per year: the claims by status and, per enterprise, apprentices and amounts claimed, approved, paid."""

    def get(self, request):
        if not is_officer(request.user):
            raise PermissionDenied(_("学徒补贴汇总仅供政府部门工作人员查看。"))
        years = summary_years(request.user)
        form = SummaryForm(request.GET or None)
        year = form.cleaned_data.get("year") if form.is_valid() else None
        year = year or (years[0] if years else timezone.localdate().year)
        summary = subsidy_summary(request.user, year)
        if request.GET.get("export"):
            by_enterprise, by_status = summary_datasets(summary)
            sheets = [_Sheet("enterprises", by_enterprise), _Sheet("status", by_status)]
            return export(request, sheets, _("%(year)s 年度学徒补贴汇总") % {"year": year})
        return render(
            request,
            "cooperation/subsidies/summary.html",
            {
                "summary": summary_written(summary, ",.2f"),
                "year": year,
                "years": years,
                "claims_url": SubsidyClaimViews.url_for("list"),
            },
        )


urlpatterns = [
    *SubsidyRateViews.urls("subsidy-rates", "cooperation"),
    *SubsidyClaimViews.urls("subsidy-claims", "cooperation"),
]
