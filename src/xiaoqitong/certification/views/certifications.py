"""Pages of the titles and their reviews:

- the titles (``/certification/certified/``): every title with its enterprise, number, level, county, dates
  and status (filters, export); a title's page with its plaques, reviews and incentives, and the lead
  department's revoke form;
- the reviews (``/certification/reviews/``): the enterprise's own (HR reports), every one for officers; a
  review's page with the checklist, claims and documents, the report form while the enterprise reports, and
  the lead department's decision form once it is reported.
"""

from django.urls import path, reverse
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import AWAITING_ENTERPRISE, HELD, ReviewStatus
from ..filtersets.certification import CertificationFilterSet, ReviewFilterSet
from ..forms.certification import ReportForm, ReviewDecisionForm, RevokeForm
from ..models import Certification, Review
from ..policies.common import is_lead, speaks_for
from ..selectors import records
from ..services import reviews as services
from ..tables.certification import CertificationTable, ReviewTable
from .applications import ClaimsView, DocumentUploadView, FormStepView, evidence_context

NAMESPACE = "certification"


class CertificationViews(AppModelViews):
    model = Certification
    filterset = CertificationFilterSet
    table = CertificationTable
    form = None
    importable = False
    select_related = ("enterprise", "enterprise__county", "enterprise__industry", "application")
    detail_template = "certification/certification_detail.html"

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("企业"), obj.enterprise.name),
            (_("统一社会信用代码"), obj.enterprise.credit_code),
            (_("县市区或园区"), obj.enterprise.county.name),
            (_("所属行业"), obj.enterprise.industry.name),
            (_("级别"), obj.get_level_display()),
            (_("认定编号"), obj.number),
            (_("认定文号"), obj.document_ref),
            (_("认定日期"), day_text(obj.certified_on)),
            (_("有效期至"), day_text(obj.valid_until)),
            (_("状态"), obj.get_status_display()),
            (_("失效或撤销日期"), day_text(obj.ended_on)),
            (_("状态说明"), obj.status_note),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        from ..models import Incentive

        user = request.user
        return {
            "plaques": list(obj.plaques.order_by("cycle")),
            "reviews": list(obj.reviews.order_by("sequence")),
            "incentives": list(
                Incentive.objects.restrict(user, "view")
                .filter(enterprise_id=obj.enterprise_id)
                .select_related("department")
            ),
            "can_revoke": is_lead(user) and obj.status in HELD,
            "revoke_form": RevokeForm(),
            "application_url": obj.application.get_absolute_url()
            if obj.application_id
            and records.Application.objects.restrict(user).filter(pk=obj.application_id).exists()
            else "",
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [path(f"{prefix}/<int:pk>/revoke/", RevokeView.as_view(), name="certification_revoke")]


class RevokeView(FormStepView):
    form_class = RevokeForm

    def target(self, request, pk):
        return records.certification_for(request.user, pk)

    def step(self, user, obj, data):
        services.certification_revoke(actor=user, certification=obj, note=data["note"])
        return _("已撤销称号。")


class ReviewViews(AppModelViews):
    model = Review
    filterset = ReviewFilterSet
    table = ReviewTable
    form = None
    importable = False
    select_related = records.REVIEW_RELATED
    detail_template = "certification/review_detail.html"

    @classmethod
    def detail_rows(cls, obj, user):
        c = obj.certification
        return [
            (_("企业"), c.enterprise.name),
            (_("认定编号"), f"{c.number}（{c.get_level_display()}，{c.get_status_display()}）"),
            (
                _("考核类型"),
                _("%(kind)s（第 %(n)s 次）") % {"kind": obj.get_kind_display(), "n": obj.sequence},
            ),
            (_("考核年度"), obj.year),
            (_("报送截止日期"), day_text(obj.due_date)),
            (_("状态"), obj.get_status_display()),
            (_("报送时间"), when_text(obj.submitted_at)),
            (_("年度自评报告"), obj.self_report),
            (_("整改截止日期"), day_text(obj.rectification_deadline)),
            (_("整改要求"), obj.rectification_items),
            (_("考核时间"), when_text(obj.decided_at)),
            (_("考核意见"), obj.decision_note),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        writer = user.is_superuser or speaks_for(user, obj.certification.enterprise_id)
        reporting = obj.status in AWAITING_ENTERPRISE
        editable = writer and reporting
        return {
            **evidence_context(obj, user, editable=editable, lines=services.review_checklist(obj)),
            "can_report": editable,
            "report_form": ReportForm(initial={"self_report": obj.self_report}),
            "can_decide": is_lead(user) and obj.status == ReviewStatus.SUBMITTED,
            "decision_form": ReviewDecisionForm(),
            "claims_url": reverse("certification:review_claims", args=[obj.pk]),
            "documents_url": reverse("certification:review_documents", args=[obj.pk]),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(
                f"{prefix}/<int:pk>/claims/",
                type("ReviewClaimsView", (ClaimsView,), {"kind": "review"}).as_view(),
                name="review_claims",
            ),
            path(
                f"{prefix}/<int:pk>/documents/",
                type("ReviewDocumentView", (DocumentUploadView,), {"kind": "review"}).as_view(),
                name="review_documents",
            ),
            path(f"{prefix}/<int:pk>/report/", ReportView.as_view(), name="review_submit"),
            path(f"{prefix}/<int:pk>/decide/", ReviewDecideView.as_view(), name="review_decide"),
        ]


class ReviewStepView(FormStepView):
    def target(self, request, pk):
        return records.review_for(request.user, pk)


class ReportView(ReviewStepView):
    form_class = ReportForm

    def step(self, user, obj, data):
        services.review_submit(actor=user, review=obj, self_report=data["self_report"])
        return _("已报送考核材料，等待牵头部门考核。")


class ReviewDecideView(ReviewStepView):
    form_class = ReviewDecisionForm

    def step(self, user, obj, data):
        services.review_decide(actor=user, review=obj, **data)
        return _("已作出考核结论。")


urlpatterns = [*CertificationViews.urls("certified", NAMESPACE), *ReviewViews.urls("reviews", NAMESPACE)]
