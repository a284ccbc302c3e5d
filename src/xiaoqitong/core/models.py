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
