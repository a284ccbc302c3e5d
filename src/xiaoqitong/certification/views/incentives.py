"""Pages of the incentives ledger (``/certification/incentives/``: list, add, edit, delete, import, export),
the criteria (``/certification/criteria/``: the checklist, edited by the lead department) and the setup
(``/certification/setup/``)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.views import add_form_errors
from xiaoqitong.enterprises.views import AppModelViews

from ..filtersets.certification import CriterionFilterSet, IncentiveFilterSet
from ..forms.certification import CriterionForm, IncentiveForm, SetupForm
from ..models import Criterion, Incentive
from ..policies.common import is_lead, is_officer
from ..selectors.setup import setup
from ..services import incentives as services
from ..tables.certification import CriterionTable, IncentiveTable

NAMESPACE = "certification"


class IncentiveViews(AppModelViews):
    model = Incentive
    filterset = IncentiveFilterSet
    table = IncentiveTable
    form = IncentiveForm
    select_related = ("enterprise", "department", "certification")
    create_service = staticmethod(services.incentive_create)
    update_service = staticmethod(services.incentive_update)
    delete_service = staticmethod(services.incentive_delete)


class CriterionViews(AppModelViews):
    model = Criterion
    filterset = CriterionFilterSet
    table = CriterionTable
    form = CriterionForm
    importable = False
    create_service = staticmethod(services.criterion_create)
    update_service = staticmethod(services.criterion_update)
    delete_service = staticmethod(services.criterion_delete)


class SetupView(LoginRequiredMixin, View):
    """GET /certification/setup/ (officers read it), POST (the lead department changes it)."""

    def context(self, request, form=None):
        row = setup()
        return {
            "setup": row,
            "opinion_departments": list(row.opinion_departments.all()),
            "form": form or SetupForm(instance=row, user=request.user),
            "can_change": is_lead(request.user),
        }

    def get(self, request):
        if not (is_officer(request.user) or request.user.is_superuser):
            raise PermissionDenied(_("认定工作设置由政府部门查看。"))
        return render(request, "certification/setup.html", self.context(request))

    def post(self, request):
        if not is_lead(request.user):
            raise PermissionDenied(_("认定工作设置由牵头部门修改。"))
        row = setup()
        form = SetupForm(request.POST, instance=setup(), user=request.user)
        if form.is_valid():
            try:
                services.setup_update(actor=request.user, instance=row, data=form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("已保存认定工作设置。"))
                return redirect("certification:setup")
        return render(request, "certification/setup.html", self.context(request, form), status=400)


urlpatterns = [
    *IncentiveViews.urls("incentives", NAMESPACE),
    *CriterionViews.urls("criteria", NAMESPACE),
    path("setup/", SetupView.as_view(), name="setup"),
]
