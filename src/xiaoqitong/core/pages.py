"""Core pages that belong to no model: home, import jobs, the global audit log, health."""

import django_filters
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from . import services
from .models import AuditLog, ImportJob
from .navigation import counters_for
from .tables import AuditLogTable


@login_required
def home(request):
    return render(request, "core/home.html", {"counters": counters_for(request.user)})


def _job_for(request, pk):
    # A job is private to its submitter (platform admins may look at all).
    qs = (
        ImportJob.objects.all()
        if request.user.is_superuser
        else ImportJob.objects.filter(created_by=request.user)
    )
    return get_object_or_404(qs, pk=pk)


@login_required
def import_job(request, pk):
    job = _job_for(request, pk)
    template = "core/_import_job_status.html" if request.htmx else "core/import_job.html"
    app_label, _dot, model = job.target.lower().partition(".")
    links = {}
    for key, action in (("back_url", "import"), ("list_url", "list")):
        try:
            links[key] = reverse(f"{app_label}:{model}_{action}")
        except NoReverseMatch:
            links[key] = ""
    try:
        target_name = apps.get_model(job.target)._meta.verbose_name
    except (LookupError, ValueError):
        target_name = job.target
    return render(request, template, {"job": job, "target_name": target_name, **links})


@login_required
@require_POST
def import_job_confirm(request, pk):
    job = _job_for(request, pk)
    try:
        services.import_job_confirm(actor=request.user, job=job)
        messages.info(request, _("已开始导入，完成后本页自动更新。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("core:import_job", pk=job.pk)


class AuditFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    action = django_filters.ChoiceFilter(choices=AuditLog._meta.get_field("action").choices, label=_("操作"))
    time_after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("起始日期"))
    time_before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditLog
        fields = ["q", "action", "time_after", "time_before"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(actor_repr__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(verb__icontains=value)
            | Q(request_id=value)
        )


@login_required
def audit_list(request):
    if not request.user.is_superuser:
        raise PermissionDenied(_("只有平台管理员可以查看全局审计日志。"))
    filterset = AuditFilterSet(request.GET or None, queryset=AuditLog.objects.select_related("content_type"))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    table = AuditLogTable(qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "core/audit_list.html", {"table": table, "filterset": filterset})


def _broker_state() -> dict:
    from xiaoqitong.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": "eager"}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return {"ok": True, "detail": conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"}
    except Exception as exc:
        return {"ok": False, "detail": exc.__class__.__name__}


@never_cache
def healthz(request):
    """200 with the state of the database and the broker while the database answers; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True, "detail": connection.vendor}
    except Exception as exc:
        database = {"ok": False, "detail": exc.__class__.__name__}
    broker = _broker_state()
    status = 200 if database["ok"] else 503
    return JsonResponse(
        {
            "status": "ok" if database["ok"] and broker["ok"] else "degraded",
            "database": database,
            "broker": broker,
        },
        status=status,
    )


# --- error pages ---------------------------------------------------------------------------------------
# Under /api/ an error is JSON, as DRF answers inside its views: a client never has to parse an HTML page
# (a path no route matches, or an error outside a view).
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def page_not_found(request, exception):
    from django.views import defaults

    if _is_api(request):
        return _json_error(_("未找到。请检查地址，接口列表见 /api/v1/docs/。"), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    from django.views import defaults

    if _is_api(request):
        return _json_error(_("服务器内部错误，已记录。请稍后重试或联系平台管理员。"), 500)
    return defaults.server_error(request)
