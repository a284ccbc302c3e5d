"""The responsibility list: the annex of 郴政发〔2021〕9号 (《郴州市推进职业教育创新发展主要任务责任清单》),
its 15 tasks exactly as written, with their lead (牵头) and responsible (责任) parties; milestones with owners
from those parties; progress reports with attachments."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.orgs.models import Department, School

from ..choices import MilestoneStatus, PartyGroup, PartyRole
from .common import PERCENT, USER


class Task(BaseModel):
    """One task of the annex: its number, its text and its parties as the annex writes them."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    text = models.TextField(_("主要任务内容"))
    lead_text = models.CharField(_("牵头部门"), max_length=200, help_text=_("按附件原文"))
    responsible_text = models.TextField(_("责任部门"), help_text=_("按附件原文"))
    source = models.CharField(_("依据"), max_length=200, default="郴政发〔2021〕9号 附件")

    class Meta:
        verbose_name = _("责任清单任务")
        verbose_name_plural = _("责任清单任务")
        ordering = ["number"]

    def __str__(self) -> str:
        return _("任务 %(n)s") % {"n": self.number}

    def get_absolute_url(self) -> str:
        return reverse("governance:task_detail", kwargs={"pk": self.pk})


class TaskParty(models.Model):
    """A lead or responsible party of a task: a department, a school (郴州技师学院 in task 2), or one of
    the annex's collective parties (市属各职业院校, 各县市区人民政府)."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("角色"), max_length=20, choices=PartyRole.choices)
    # A party goes with its department or school (the demo's reset deletes its schools; a party comes back on
    # the next read when a department or school of that name exists again: ``services.tasks.ensure_parties``).
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.CharField(_("统称"), max_length=20, choices=PartyGroup.choices, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("任务责任单位")
        verbose_name_plural = _("任务责任单位")
        ordering = ["task", "role", "sort_order"]
        constraints = [
            models.CheckConstraint(
                name="governance_party_one_kind",
                condition=(
                    models.Q(department__isnull=False, school__isnull=True, group="")
                    | models.Q(department__isnull=True, school__isnull=False, group="")
                    | (models.Q(department__isnull=True, school__isnull=True) & ~models.Q(group=""))
                ),
            )
        ]

    def __str__(self) -> str:
        if self.department_id:
            return self.department.short_name or self.department.name
        if self.school_id:
            return self.school.name
        return self.get_group_display()

    def clean(self) -> None:
        kinds = [bool(self.department_id), bool(self.school_id), bool(self.group)]
        if sum(kinds) != 1:
            raise ValidationError(_("责任单位须是一个部门、一所学校或一个统称，三者选一"))


class Milestone(BaseModel):
    """A step of a task with a due date, owned by one of the task's parties (a department or a school) and
    by named people of it."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("完成时限"))
    department = models.ForeignKey(
        Department,
        verbose_name=_("负责部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        School, verbose_name=_("负责学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owners = models.ManyToManyField(USER, verbose_name=_("责任人"), blank=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.OPEN, db_index=True
    )
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0, validators=PERCENT)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, verbose_name=_("确认完成人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded = models.JSONField(_("已发送提醒"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")
        ordering = ["task__number", "due_date", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:milestone_detail", kwargs={"pk": self.pk})


class ProgressReport(BaseModel):
    """A party's report of progress on a task (and one of its milestones), with attachments."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("节点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("报送部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        School, verbose_name=_("报送学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        USER, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_end = models.DateField(_("截至日期"))
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), null=True, blank=True, validators=PERCENT, help_text=_("对所选节点的完成进度")
    )
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("governance:report_detail", kwargs={"pk": self.pk})


class ProgressAttachment(BaseModel):
    """A file attached to a progress report (checked like every upload of the platform)."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("附件名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="governance/%Y/%m/")
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("进展附件")
        verbose_name_plural = _("进展附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
