import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import AuditLog, TaskRun


class AuditLogTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("时间"))
    content_type = tables.Column(verbose_name=_("对象类型"), accessor="content_type__name")

    class Meta:
        model = AuditLog
        fields = ("time", "actor_repr", "action", "verb", "content_type", "object_repr", "request_id")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-time",)


class TaskRunTable(tables.Table):
    started_at = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("开始时间"))
    name = tables.Column(verbose_name=_("任务"), linkify=("core:job_detail", {"pk": tables.A("pk")}))
    state = tables.TemplateColumn(template_name="core/_job_state.html", verbose_name=_("状态"))
    duration = tables.Column(verbose_name=_("用时"), orderable=False, empty_values=())
    worker = tables.Column(verbose_name=_("后台进程"))
    error = tables.Column(verbose_name=_("错误"), orderable=False)

    class Meta:
        model = TaskRun
        fields = ("started_at", "name", "state", "duration", "worker", "result", "error", "request_id")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-started_at",)

    def render_name(self, value):
        from .jobs import label

        return label(value)

    def render_duration(self, record):
        if record.duration is None:
            return "—"
        seconds = record.duration.total_seconds()
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    def render_error(self, value):
        first = value.split("\n", 1)[0]
        return first if len(first) <= 80 else first[:79] + "…"
