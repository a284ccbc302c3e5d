"""Pages of the reward fund (``/governance/``):

- ``funding-rules/``: the coefficients per major category (list, detail, add, edit, delete, import, export;
  the lead department of annex task 15 edits them);
- ``allocations/``: the allocations (list, add, edit and delete while a draft); an allocation's page shows
  each school's share with its workings, the lead department's compute and finalize buttons, and
  ``allocations/<pk>/lines/?export=xlsx|csv`` downloads the lines with the workings.
"""

from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import policy_for
from xiaoqitong.core.views import PostStepView
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import AllocationStatus
from ..filtersets.funding import AllocationFilterSet, FundingRuleFilterSet
from ..forms.funding import AllocationForm, FundingRuleForm
from ..models import Allocation, AllocationLine, FundingRule
from ..policies.assessment import SCHOOL_STAFF
from ..policies.funding import is_funding_lead
from ..resources.funding import lines_dataset
from ..selectors import assessment as assessment_selectors
from ..selectors.assessment import scoped
from ..selectors.funding import pools
from ..selectors.tasks import lead_department
from ..services import funding as services
from ..tables.funding import AllocationTable, FundingRuleTable, money

NAMESPACE = "governance"


class FundingRuleViews(AppModelViews):
    model = FundingRule
    filterset = FundingRuleFilterSet
    table = FundingRuleTable
    form = FundingRuleForm
    select_related = ("category",)
    create_service = staticmethod(services.fundingrule_create)
    update_service = staticmethod(services.fundingrule_update)
    delete_service = staticmethod(services.fundingrule_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("专业大类代码"), obj.category.code),
            (_("专业大类"), obj.category.name),
            (_("层次"), obj.category.get_education_level_display()),
            (_("生均系数"), f"{obj.coefficient.normalize():f}"),
            (_("依据"), obj.source),
            (_("说明"), obj.note),
        ]


def visible_lines(user, allocation):
    return (
        scoped(AllocationLine.objects.all(), user, "view")
        .filter(allocation=allocation)
        .select_related("school")
        .order_by("-amount", "school__code")
    )


class AllocationViews(AppModelViews):
    model = Allocation
    filterset = AllocationFilterSet
    table = AllocationTable
    form = AllocationForm
    select_related = ("assessment",)
    detail_template = "governance/allocation_detail.html"
    create_service = staticmethod(services.allocation_create)
    update_service = staticmethod(services.allocation_update)
    delete_service = staticmethod(services.allocation_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("年度"), obj.year),
            (_("依据考核"), obj.assessment),
            (_("奖补资金总额（元）"), f"{obj.fund:,.0f}"),
            (_("按考核得分分配比例"), f"{(obj.score_share * 100).normalize():f}%"),
            (_("参与分配的最低得分"), f"{obj.min_score.normalize():f}"),
            (_("状态"), obj.get_status_display()),
            (_("计算时间"), when_text(obj.computed_at)),
            (_("测算人"), obj.created_by),
            (_("说明"), obj.note),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        lines = list(visible_lines(user, obj))
        for line in lines:
            line.categories = (line.workings or {}).get("categories", [])
            line.by_score_text, line.by_students_text = money(line.by_score), money(line.by_students)
            line.amount_text = money(line.amount)
        score_pool, student_pool = pools(obj.fund, obj.score_share) if obj.fund is not None else (0, 0)
        is_draft = obj.status == AllocationStatus.DRAFT
        lead = is_funding_lead(user)
        total = sum((line.amount for line in lines), Decimal(0))
        department, _from_list = lead_department(
            assessment_selectors.FUNDING_TASK, assessment_selectors.FUNDING_FALLBACK
        )
        return {
            "lines": lines,
            "own_only": getattr(user, "role", "") in SCHOOL_STAFF,
            "total": money(total),
            "score_pool": money(score_pool),
            "student_pool": money(student_pool),
            "can_compute": lead and is_draft,
            "can_finalize": lead and is_draft and bool(lines),
            "can_export": policy_for(AllocationLine).allows(user, "export"),
            "computed_at": when_text(obj.computed_at),
            "rules": sorted((obj.rules or {}).items()),
            "lead": department,
            "share_percent": (obj.score_share * 100).normalize(),
            "student_percent": ((1 - obj.score_share) * 100).normalize(),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/compute/", AllocationComputeView.as_view(), name="allocation_compute"),
            path(
                f"{prefix}/<int:pk>/finalize/", AllocationFinalizeView.as_view(), name="allocation_finalize"
            ),
            path(f"{prefix}/<int:pk>/lines/", AllocationLinesExportView.as_view(), name="allocation_lines"),
        ]


def allocation_for(user, pk) -> Allocation:
    return get_object_or_404(Allocation.objects.restrict(user, "view"), pk=pk)


class AllocationComputeView(PostStepView):
    """POST …/<pk>/compute/: (re)compute a draft allocation."""

    def post(self, request, pk):
        allocation = allocation_for(request.user, pk)
        return self.run(
            request,
            allocation,
            lambda: services.allocation_compute(actor=request.user, allocation=allocation),
            _("已测算“%(title)s”的分配结果。") % {"title": allocation.title},
        )


class AllocationFinalizeView(PostStepView):
    """POST …/<pk>/finalize/: make a computed draft final."""

    def post(self, request, pk):
        allocation = allocation_for(request.user, pk)
        return self.run(
            request,
            allocation,
            lambda: services.allocation_finalize(actor=request.user, allocation=allocation),
            _("“%(title)s”已定稿，各校已收到通知。") % {"title": allocation.title},
        )


class AllocationLinesExportView(LoginRequiredMixin, View):
    """GET …/<pk>/lines/?export=xlsx|csv: the lines with their workings."""

    def get(self, request, pk):
        if not policy_for(AllocationLine).allows(request.user, "export"):
            raise PermissionDenied(_("您没有导出此类数据的权限。"))
        allocation = allocation_for(request.user, pk)
        lines = scoped(AllocationLine.objects.all(), request.user, "export").filter(allocation=allocation)
        lines = lines.select_related("school").order_by("-amount", "school__code")
        fmt = request.GET.get("export", "xlsx")
        return dataset_response(
            lines_dataset(allocation, lines), fmt, allocation.title, request.GET.get("encoding", "utf-8")
        )


urlpatterns = [
    *FundingRuleViews.urls("funding-rules", NAMESPACE),
    *AllocationViews.urls("allocations", NAMESPACE),
]
