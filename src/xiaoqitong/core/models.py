"""Domain-free base models: the audit log, import jobs and notifications, and the base class every model
uses."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .policy import RestrictedQuerySet


class URLField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out (Django 6's default)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class BaseModel(models.Model):
    """Every domain model: created/updated timestamps and the scoped manager (``objects.restrict``)."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    VIEW = "view", _("查看")
    OTHER = "other", _("其他")


class AuditLog(models.Model):
    """One record per service call: who did what to which object, and what changed."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    verb = models.CharField(_("服务"), max_length=80, help_text=_("执行的服务函数，如 school_create"))
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.SET_NULL
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_repr} {self.get_action_display()} {self.object_repr}"


class ImportJob(models.Model):
    """A bulk import: validated as a whole in the background, then committed all or nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("校验未通过")
        VALID = "valid", _("校验通过，待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.CASCADE, related_name="+"
    )
    target = models.CharField(_("导入对象"), max_length=100, help_text=_("模型标签，如 orgs.School"))
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.VALIDATING, self.Status.IMPORTING}

    @property
    def progress_key(self) -> str:
        return f"import-{self.pk}"

    def read_progress(self) -> "ImportJob":
        """While the job runs, its rows processed so far (core.progress: the database row has them only once
        the job's transaction ends)."""
        if self.is_running:
            from . import progress

            self.processed_rows = max(self.processed_rows, progress.read(self.progress_key) or 0)
        return self

    @property
    def can_rerun(self) -> bool:
        """A job whose background process died keeps its file (core.tasks): it can be run again."""
        return self.status == self.Status.FAILED and bool(self.file)


class Notification(models.Model):
    """A message to one person, shown in the platform (the bell in the navigation bar) and copied by e-mail
    when a mail server is configured. Written only by :func:`xiaoqitong.core.notifications.notify`, after the
    change it reports has committed; read and marked read by its recipient alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(
        _("链接"), max_length=300, blank=True, help_text=_("站内路径，如 /events/12/；为空则不跳转")
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # a person's list, newest first
            models.Index(fields=["user", "-created_at"], name="core_notification_user_time"),
            # the bell's count on every page: only the unread rows are in this index
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="core_notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class TaskRun(models.Model):
    """One run of a background task by a Celery worker, written by the worker's signals (core.jobs): what ran,
    where, since when, and how it ended. The 后台任务 page lists them; a run whose worker died (killed,
    out of memory, machine lost) is found by ``core.jobs.reap_lost`` and marked lost with the reason."""

    class State(models.TextChoices):
        STARTED = "started", _("运行中")
        SUCCESS = "success", _("已完成")
        FAILURE = "failure", _("失败")
        LOST = "lost", _("进程中断")

    task_id = models.CharField(_("任务编号"), max_length=64, unique=True)
    name = models.CharField(_("任务"), max_length=100, db_index=True)
    args = models.JSONField(_("参数"), null=True, blank=True, help_text=_("过长的参数不保存"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.STARTED)
    worker = models.CharField(_("后台进程"), max_length=200, blank=True, help_text=_("主机名与进程号"))
    pid = models.PositiveIntegerField(_("进程号"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result = models.CharField(_("结果"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["state", "started_at"], name="core_taskrun_state")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class PendingTask(models.Model):
    """A background task that could not be handed to the broker (Redis down): kept here and sent by
    ``core.jobs.flush_pending`` when the broker answers again, in the order it was asked for."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    name = models.CharField(_("任务"), max_length=100)
    args = models.JSONField(_("参数"), default=list, blank=True)
    kwargs = models.JSONField(_("命名参数"), default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=1)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
