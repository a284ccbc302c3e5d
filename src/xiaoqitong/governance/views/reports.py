"""Pages of the annual quality report under ``/governance/quality-reports/``:

- ``/`` the versions the user reads (year, whom, version, status with progress, downloads), filters, and the
  request form for those who may request one (POST ``add/``);
- ``<pk>/`` a version: its progress, polled by htmx until the build ends (the partial answers htmx requests
  and stops the polling once done), then the report inline, its downloads and "rebuild";
- ``<pk>/html/`` the report's HTML (shown in the detail page's frame), ``<pk>/download/<html|pdf|xlsx>/`` the
  files; ``<pk>/rebuild/`` (POST) renders the version again from its stored data.
Every read is scoped (``QualityReport.objects.restrict``): a report outside the user's scope is a 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django_tables2 import RequestConfig

from xiaoqitong.core.import_templates import content_disposition
from xiaoqitong.core.policy import policy_for
from xiaoqitong.core.views import PER_PAGE, PostStepView, add_form_errors

from ..filtersets.reports import QualityReportFilterSet
from ..forms.reports import QualityReportRequestForm
from ..models import QualityReport
from ..policies.reports import is_report_officer, may_request
from ..services import reports as services
from ..services.reports import file_name
from ..tables.reports import QualityReportTable

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def visible_reports(user):
    return QualityReport.objects.select_related("school", "created_by").restrict(user, "view")


def report_for(user, pk: int) -> QualityReport:
    return get_object_or_404(visible_reports(user), pk=pk)


def may_request_any(user) -> bool:
    return is_report_officer(user) or may_request(user, getattr(user, "school", None))


class ReportListView(LoginRequiredMixin, View):
    """GET: the versions the user reads; the request form for those who may request one."""

    def get(self, request, form=None, status=200):
        if not policy_for(QualityReport).allows(request.user, "view"):
            raise PermissionDenied(_("质量年度报告面向政府部门、研究人员和学校。"))
        filterset = QualityReportFilterSet(
            request.GET or None, queryset=visible_reports(request.user), request=request
        )
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        table = QualityReportTable(qs)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        context = {
            "filterset": filterset,
            "table": table,
            "form": form
            or (QualityReportRequestForm(user=request.user) if may_request_any(request.user) else None),
            "can_export": False,
        }
        template = "core/_object_table.html" if request.htmx else "governance/qualityreport_list.html"
        return render(request, template, context, status=status)


class ReportRequestView(ReportListView):
    """POST /governance/quality-reports/add/: queue a new version and go to its page."""

    http_method_names = ["post"]

    def post(self, request):
        form = QualityReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                report = services.report_request(
                    actor=request.user, year=form.cleaned_data["year"], school=form.cleaned_data["school"]
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    form.add_error(None, str(exc))
                else:
                    add_form_errors(form, exc)
            else:
                messages.success(request, _("已开始生成，完成后本页自动更新。"))
                return redirect(report.get_absolute_url())
        return self.get(request, form=form, status=400)


class ReportDetailView(LoginRequiredMixin, View):
    """GET: the version's page; an htmx request gets only the status part (polled while it runs)."""

    def get(self, request, pk):
        report = report_for(request.user, pk)
        context = {"report": report, "may_rebuild": may_request(request.user, report.school)}
        if request.htmx:
            return render(request, "governance/qualityreport_status.html", context)
        return render(request, "governance/qualityreport_detail.html", context)


@method_decorator(xframe_options_sameorigin, name="dispatch")
class ReportFileView(LoginRequiredMixin, View):
    """GET: a file of the version: the HTML inline (``inline``), else as a download."""

    inline = False

    def get(self, request, pk, kind="html"):
        report = report_for(request.user, pk)
        field = getattr(report, kind, None) if kind in CONTENT_TYPES else None
        if not field:
            raise Http404(_("该文件不存在。"))
        try:
            handle = field.open("rb")
        except (OSError, ValueError):
            raise Http404(_("文件不存在或已被移除。")) from None
        response = FileResponse(handle, content_type=CONTENT_TYPES[kind])
        if not self.inline:
            name = f"{report}.{kind}".replace(" ", "")
            response["Content-Disposition"] = content_disposition(name or file_name(report, kind))
        response["X-Content-Type-Options"] = "nosniff"
        if kind == "html":
            # The report is our own escaped HTML without scripts; forbid any all the same.
            response["Content-Security-Policy"] = (
                "script-src 'none'; object-src 'none'; frame-ancestors 'self'"
            )
        return response


class ReportRebuildView(PostStepView):
    def post(self, request, pk):
        report = report_for(request.user, pk)
        return self.run(
            request,
            report,
            lambda: services.report_rebuild(actor=request.user, report=report),
            _("已开始按该版本保存的数据重新生成。"),
        )


urlpatterns = [
    path("quality-reports/", ReportListView.as_view(), name="qualityreport_list"),
    path("quality-reports/add/", ReportRequestView.as_view(), name="qualityreport_add"),
    path("quality-reports/<int:pk>/", ReportDetailView.as_view(), name="qualityreport_detail"),
    path("quality-reports/<int:pk>/html/", ReportFileView.as_view(inline=True), name="qualityreport_html"),
    path(
        "quality-reports/<int:pk>/download/<str:kind>/",
        ReportFileView.as_view(),
        name="qualityreport_download",
    ),
    path("quality-reports/<int:pk>/rebuild/", ReportRebuildView.as_view(), name="qualityreport_rebuild"),
]
