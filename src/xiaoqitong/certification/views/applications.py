"""Pages of applications for the title (``/certification/applications/…``):

- the list (filters: enterprise, status, level, year, and for an asked department 待出具意见) with export for
  the lead department; add / edit / delete of a draft for the enterprise's HR;
- an application: its facts; the checklist (each criterion's computed figure from platform records beside
  the enterprise's claim, the threshold at the level, the documents, met or not; and, once submitted, the
  checklist as it was then); the claims form and the documents while the enterprise may edit; the
  departments' opinions with the form for the asked department; the lead department's steps (accept with
  the departments to ask, ask one more, certify / return / reject);
- the POST steps, each a service call; the document download for those who read the application.
"""

from pathlib import Path

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.views import PostStepView
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.quality.views.resources import content_disposition

from ..choices import EDITABLE_APPLICATION, OPEN_APPLICATION, PENDING_APPLICATION, ApplicationStatus
from ..filtersets.certification import ApplicationFilterSet
from ..forms.certification import (
    AcceptForm,
    ApplicationForm,
    ClaimsForm,
    DecisionForm,
    DocumentForm,
    OpinionForm,
    RequestOpinionForm,
)
from ..models import Application, Review
from ..policies.common import is_lead, is_officer, speaks_for
from ..selectors import records
from ..selectors.setup import setup
from ..services import applications as services
from ..services.reviews import review_checklist
from ..tables.certification import ApplicationTable

NAMESPACE = "certification"


def form_errors(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{'；'.join(v)}" for k, v in form.errors.items()
    )


def evidence_context(parent, user, *, editable: bool, lines) -> dict:
    """The checklist, claims and documents part of an application's or a review's page."""
    criteria = [line.criterion for line in lines]
    for line in lines:
        line.snap = (parent.checklist or {}).get(line.criterion.code)
    return {
        "lines": lines,
        "blocking": [line.criterion.name for line in lines if line.blocking],
        "documents": list(records.documents_of(parent)),
        "editable": editable,
        "claims_form": ClaimsForm(criteria=criteria, claims=parent.claims.all()) if editable else None,
        "document_form": DocumentForm() if editable else None,
        "snapshot": parent.checklist,
    }


class ApplicationViews(AppModelViews):
    model = Application
    filterset = ApplicationFilterSet
    table = ApplicationTable
    form = ApplicationForm
    importable = False
    select_related = records.APPLICATION_RELATED
    detail_template = "certification/application_detail.html"
    create_service = staticmethod(services.application_create)
    update_service = staticmethod(services.application_update)
    delete_service = staticmethod(services.application_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("企业"), obj.enterprise.name),
            (_("统一社会信用代码"), obj.enterprise.credit_code),
            (_("县市区或园区"), obj.enterprise.county.name),
            (_("申报级别"), obj.get_level_display()),
            (_("申报年度"), obj.year),
            (_("状态"), obj.get_status_display()),
            (_("申报说明"), obj.statement),
            (_("联系人"), f"{obj.contact_person} {obj.contact_phone}"),
            (_("提交时间"), when_text(obj.submitted_at)),
            (_("征求意见截止日期"), day_text(obj.opinions_due)),
            (_("办结时间"), when_text(obj.decided_at)),
            (_("审核意见"), obj.decision_note),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        writer = user.is_superuser or speaks_for(user, obj.enterprise_id)
        editable = writer and obj.status in EDITABLE_APPLICATION
        lead = is_lead(user)
        opinions = list(records.opinions_of(obj))
        mine = next((o for o in opinions if is_officer(user) and o.department_id == user.department_id), None)
        under_review = obj.status == ApplicationStatus.UNDER_REVIEW
        config = setup()
        return {
            **evidence_context(obj, user, editable=editable, lines=services.application_checklist(obj)),
            "can_submit": editable,
            "can_withdraw": writer and obj.status in PENDING_APPLICATION,
            # Departments' opinions are internal to the review: the enterprise sees only how many are in.
            "opinions": opinions if (user.is_superuser or is_officer(user)) else [],
            "opinion_counts": (sum(1 for o in opinions if not o.pending), len(opinions)),
            "pending_opinions": [str(o.department) for o in opinions if o.pending],
            "my_opinion": mine if under_review else None,
            "opinion_form": OpinionForm(initial={"stance": mine.stance or "agree", "text": mine.text})
            if mine and under_review
            else None,
            "can_accept": lead and obj.status == ApplicationStatus.SUBMITTED,
            "accept_form": AcceptForm(initial={"departments": list(config.opinion_departments.all())}),
            "can_request": lead and under_review,
            "request_form": RequestOpinionForm(),
            "can_decide": lead and obj.status in OPEN_APPLICATION,
            "decision_form": DecisionForm(initial={"decision": "certify" if under_review else "return"}),
            "certification": getattr(obj, "certification", None)
            if obj.status == ApplicationStatus.CERTIFIED
            else None,
            "claims_url": reverse("certification:application_claims", args=[obj.pk]),
            "documents_url": reverse("certification:application_documents", args=[obj.pk]),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/claims/", ClaimsView.as_view(), name="application_claims"),
            path(f"{prefix}/<int:pk>/documents/", DocumentUploadView.as_view(), name="application_documents"),
            path(f"{prefix}/<int:pk>/submit/", SubmitView.as_view(), name="application_submit"),
            path(f"{prefix}/<int:pk>/withdraw/", WithdrawView.as_view(), name="application_withdraw"),
            path(f"{prefix}/<int:pk>/accept/", AcceptView.as_view(), name="application_accept"),
            path(f"{prefix}/<int:pk>/request-opinion/", RequestOpinionView.as_view(), name="opinion_request"),
            path(f"{prefix}/<int:pk>/decide/", DecideView.as_view(), name="application_decide"),
            path("opinions/<int:pk>/", OpinionView.as_view(), name="opinion_give"),
            path("documents/<int:pk>/download/", DocumentDownloadView.as_view(), name="document_download"),
            path("documents/<int:pk>/delete/", DocumentDeleteView.as_view(), name="document_delete"),
        ]


# --- the POST steps -----------------------------------------------------------------------------------------
class FormStepView(PostStepView):
    """A step posted from a page: find the object the user may see (``target``), check the posted form
    (``form_class``; none for a plain button), call the service (``step``, which returns the message shown on
    success) and go back to the object's page with the message or the refusal."""

    form_class = None

    def target(self, request, pk):
        return records.application_for(request.user, pk)

    def make_form(self, request, obj):
        return self.form_class(request.POST, request.FILES)

    def step(self, user, obj, data) -> str:  # pragma: no cover - each step says
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.target(request, pk)
        data = {}
        if self.form_class is not None:
            form = self.form = self.make_form(request, obj)
            if not form.is_valid():
                return self.refused(request, obj, ValidationError(form_errors(form)))
            data = form.cleaned_data
        return self.run(request, obj, lambda: self.step(request.user, obj, data))


# claims and documents, shared with the reviews' pages
def parent_for(user, kind: str, pk: int):
    if kind == "review":
        return records.review_for(user, pk)
    return records.application_for(user, pk)


def parent_lines(parent):
    if isinstance(parent, Review):
        return review_checklist(parent)
    return services.application_checklist(parent)


class ClaimsView(FormStepView):
    """POST …/<pk>/claims/: the figures and notes of every criterion."""

    kind = "application"
    form_class = ClaimsForm

    def target(self, request, pk):
        return parent_for(request.user, self.kind, pk)

    def make_form(self, request, obj):
        return ClaimsForm(request.POST, criteria=[line.criterion for line in parent_lines(obj)])

    def step(self, user, obj, data):
        services.claims_save(actor=user, parent=obj, values=self.form.values())
        return _("已保存申报值。")


class DocumentUploadView(FormStepView):
    """POST …/<pk>/documents/ (multipart): one document."""

    kind = "application"
    form_class = DocumentForm

    def target(self, request, pk):
        return parent_for(request.user, self.kind, pk)

    def step(self, user, obj, data):
        services.document_add(
            actor=user, parent=obj, title=data["title"], upload=data["file"], criterion=data["criterion"]
        )
        return _("已上传证明材料。")


class DocumentDeleteView(PostStepView):
    def post(self, request, pk):
        document = records.document_for(request.user, pk)
        parent = document.application or document.review
        return self.run(
            request,
            parent,
            lambda: services.document_delete(actor=request.user, document=document),
            _("已删除。"),
        )


class DocumentDownloadView(LoginRequiredMixin, View):
    """GET /certification/documents/<pk>/download/: for those who read its application or review."""

    def get(self, request, pk):
        document = records.document_for(request.user, pk)
        try:
            handle = document.file.open("rb")
        except (OSError, ValueError):
            raise Http404(_("文件不存在或已被移除。")) from None
        name = f"{document.title}{Path(document.file.name).suffix}"
        response = FileResponse(handle, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition(name)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class SubmitView(FormStepView):
    def step(self, user, obj, data):
        services.application_submit(actor=user, application=obj)
        return _("已提交，等待牵头部门受理。")


class WithdrawView(FormStepView):
    def step(self, user, obj, data):
        services.application_withdraw(actor=user, application=obj)
        return _("已撤回申请。")


class AcceptView(FormStepView):
    form_class = AcceptForm

    def step(self, user, obj, data):
        services.application_accept(
            actor=user, application=obj, departments=data["departments"], opinions_due=data["opinions_due"]
        )
        return _("已受理，并向所选部门征求意见。")


class RequestOpinionView(FormStepView):
    form_class = RequestOpinionForm

    def step(self, user, obj, data):
        services.opinion_request(actor=user, application=obj, department=data["department"])
        return _("已征求意见。")


class DecideView(FormStepView):
    form_class = DecisionForm

    def step(self, user, obj, data):
        if data["decision"] == "certify":
            c = services.application_certify(
                actor=user, application=obj, note=data["note"], document_ref=data["document_ref"]
            )
            return _("已认定，认定编号 %(number)s。") % {"number": c.number}
        if data["decision"] == "return":
            services.application_return(actor=user, application=obj, note=data["note"])
            return _("已退回企业补充材料。")
        services.application_reject(actor=user, application=obj, note=data["note"])
        return _("已作出不予认定决定。")


class OpinionView(FormStepView):
    """POST /certification/opinions/<pk>/: the asked department's opinion."""

    form_class = OpinionForm

    def target(self, request, pk):
        return records.opinion_for(request.user, pk)

    def step(self, user, obj, data):
        services.opinion_give(actor=user, opinion=obj, stance=data["stance"], text=data["text"])
        return _("已出具意见。")


urlpatterns = ApplicationViews.urls("applications", NAMESPACE)
