"""Core pages that belong to no model: home, import jobs, the global audit log, notifications, health."""

from datetime import timedelta

import django_filters
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from . import jobs, notifications, services
from .imports import dataset_response
from .models import AuditLog, ImportJob, PendingTask, TaskRun
from .navigation import counters_for
from .tables import AuditLogTable, TaskRunTable


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
    job = _job_for(request, pk).read_progress()
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


@login_required
@require_POST
def import_job_rerun(request, pk):
    job = _job_for(request, pk)
    try:
        services.import_job_rerun(actor=request.user, job=job)
        messages.info(request, _("已重新开始校验，完成后本页自动更新。"))
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


# --- notifications ----------------------------------------------------------------------------------------
NOTIFICATIONS_PER_PAGE = 20


@login_required
def notification_list(request):
    """The user's notifications, newest first, unread ones highlighted; ``?unread=1`` the unread only."""
    qs = notifications.notifications_for(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notification_list.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "unread_only": unread_only,
            "unread_total": notifications.unread_count_for_request(request),
            "keep_days": notifications.KEEP_READ_DAYS,
        },
    )


def _own_notification(request, pk):
    # Someone else's notification answers 404, like one that does not exist (platform admins too).
    return get_object_or_404(notifications.notifications_for(request.user), pk=pk)


@login_required
def notification_open(request, pk):
    """Clicking a notification: mark it read and go to its page. Only a path of this site is followed; a
    row pointing anywhere else (it should not exist: ``notify`` refuses such links) lands on the list."""
    notification = _own_notification(request, pk)
    notifications.notification_mark_read(actor=request.user, notification=notification)
    if notification.url and notifications.is_local_path(notification.url):
        return redirect(notification.url)
    if notification.url:
        messages.warning(request, _("该通知的链接不是本站地址，已停止跳转。"))
    return redirect("core:notification_list")


def _back_to_list(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("core:notification_list")


@login_required
@require_POST
def notification_read(request, pk):
    notification = _own_notification(request, pk)
    notifications.notification_mark_read(actor=request.user, notification=notification)
    return _back_to_list(request)


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return _back_to_list(request)


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


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """500, or 503 when the error is the database not answering (a retry later will work): never a trace.
    Rendered without the request context (the menu and the user need the database)."""
    import sys

    from django.template import loader
    from django.views import defaults

    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        if _is_api(request):
            response = _json_error(_("服务暂时不可用：数据库连接失败。请稍后重试。"), 503)
        else:
            html = loader.get_template("503.html").render({"request_id": getattr(request, "request_id", "")})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = "60"
        return response
    if _is_api(request):
        return _json_error(_("服务器内部错误，已记录。请稍后重试或联系平台管理员。"), 500)
    return defaults.server_error(request)


# --- background jobs (后台任务) --------------------------------------------------------------------------
class TaskRunFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=TaskRun.State.choices, label=gettext_lazy("状态"))
    name = django_filters.ChoiceFilter(choices=(), label=gettext_lazy("任务"))
    started_after = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", label=gettext_lazy("起始日期")
    )
    started_before = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", label=gettext_lazy("截止日期")
    )

    class Meta:
        model = TaskRun
        fields = ["state", "name", "started_after", "started_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["name"].extra["choices"] = [(n, jobs.label(n)) for n in jobs.task_names()]


def _admin_only(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied(_("只有平台管理员可以查看后台任务。"))


def _filtered_runs(request):
    filterset = TaskRunFilterSet(request.GET or None, queryset=TaskRun.objects.all())
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return filterset, qs


@login_required
def job_list(request):
    """Every background run: what ran, where, how long, how it ended; the tasks waiting for the broker."""
    _admin_only(request)
    filterset, qs = _filtered_runs(request)
    table = TaskRunTable(qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    since = timezone.now() - timedelta(days=1)
    summary = {
        "running": TaskRun.objects.filter(state=TaskRun.State.STARTED).count(),
        "failed": TaskRun.objects.filter(
            state__in=[TaskRun.State.FAILURE, TaskRun.State.LOST], started_at__gte=since
        ).count(),
        "done": TaskRun.objects.filter(state=TaskRun.State.SUCCESS, started_at__gte=since).count(),
    }
    pending = list(PendingTask.objects.order_by("id")[:50])
    for row in pending:
        row.label = jobs.label(row.name)
    return render(
        request,
        "core/job_list.html",
        {
            "table": table,
            "filterset": filterset,
            "summary": summary,
            "pending": pending,
            "pending_total": PendingTask.objects.count(),
            "broker": _broker_state(),
        },
    )


@login_required
def job_detail(request, pk):
    _admin_only(request)
    run = get_object_or_404(TaskRun, pk=pk)
    return render(
        request,
        "core/job_detail.html",
        {
            "run": run,
            "label": jobs.label(run.name),
            "object_url": jobs.object_url(run),
            "can_rerun": jobs.can_rerun(run),
        },
    )


@login_required
@require_POST
def job_rerun(request, pk):
    _admin_only(request)
    run = get_object_or_404(TaskRun, pk=pk)
    if not jobs.can_rerun(run):
        messages.error(request, _("只有失败或进程中断、且保存了参数的任务可以重新运行。"))
    elif jobs.rerun(run) is None and not settings.CELERY_TASK_ALWAYS_EAGER:
        messages.warning(request, _("后台服务暂不可用：任务已保存，恢复后自动发送。"))
    else:
        messages.info(request, _("已重新发送任务，运行记录见下表。"))
    return redirect("core:job_list")


@login_required
def job_export(request):
    _admin_only(request)
    _filterset, qs = _filtered_runs(request)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return dataset_response(jobs.runs_dataset(qs[:100000]), fmt, "background-jobs")
