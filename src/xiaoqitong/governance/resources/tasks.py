"""Import/export of the responsibility list (Chinese column headers).

============== ===========================================================================================
model          format
============== ===========================================================================================
任务节点        任务序号 + 节点名称: the natural key (upsert). 说明, 完成时限, 负责部门代码 or
               负责学校代码 (one of the task's parties), 责任人账号 (logins separated by 、,
               people of the task's parties),
               办理状态 (进行中、已完成、已取消). The export adds 负责单位 and 进度状态.
责任清单任务    export only: the annex's text and parties as written, with the milestones' counts, progress
               and state.
进展报告        export only: task, milestone, reporting unit, author, period, percent, texts, attachments.
============== ===========================================================================================

A milestone import follows ``services.tasks``: an officer imports the milestones of the tasks their
department leads (every row is checked, the file is refused as a whole otherwise); the responsible unit and
the owners must be of the task's parties. Importing the same file again changes nothing.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.formats import day_text
from xiaoqitong.core.imports import (
    BaseResource,
    BulkResource,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    register_resource,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import Department, School
from xiaoqitong.quality.resources.assessment import UsernamesWidget

from ..choices import MilestoneStatus
from ..models import Milestone, ProgressReport, Task
from ..selectors import tasks as sel
from ..services.tasks import _check_parties

col = BulkResource.column


class _ExportOnly(BaseResource):
    no_import = ""

    class Meta(BaseResource.Meta):
        abstract = True

    def check_file(self, data) -> list[dict]:
        return [{"row": "", "column": "", "message": str(self.no_import)}]

    def before_import(self, dataset, **kwargs):
        raise ValidationError(self.no_import)


@register_resource
class MilestoneResource(ExportOnlyMixin, BulkResource):
    task = col("task", "任务序号", CodeWidget(Task, field="number", label=gettext_lazy("任务")))
    title = col("title", "节点名称")
    description = col("description", "说明")
    due_date = col("due_date", "完成时限", DateWidget())
    department = col("department", "负责部门代码", CodeWidget(Department, label=gettext_lazy("部门")))
    school = col("school", "负责学校代码", CodeWidget(School, label=gettext_lazy("学校")))
    owners = col("owners", "责任人账号", UsernamesWidget(gettext_lazy("责任人账号")))
    status = col("status", "办理状态", ChoiceWidget(MilestoneStatus.choices))
    unit = col(None, "负责单位", readonly=True)
    state = col(None, "进度状态", readonly=True)

    export_only = ("unit", "state")

    class Meta(BulkResource.Meta):
        model = Milestone
        import_id_fields = ("task", "title")
        fields = (
            "task",
            "title",
            "description",
            "due_date",
            "department",
            "school",
            "owners",
            "status",
            "unit",
            "state",
        )

    def dehydrate_unit(self, obj) -> str:
        return str(obj.department or obj.school or "")

    def dehydrate_state(self, obj) -> str:
        return sel.State.label(getattr(obj, "state", None) or sel.state_of(obj))

    def clean_row(self, instance, row) -> dict[str, list]:
        """The importer must lead the row's task; the unit and the owners must be of its parties."""
        if instance.task_id is None:
            return {}
        errors: dict[str, list] = {}
        if self.actor is not None:
            led = self.__dict__.get("_led")
            if led is None:
                led = self._led = set(
                    Task.objects.filter(pk__in=sel.lead_task_ids(self.actor)).values_list("pk", flat=True)
                )
            if instance.task_id not in led:
                errors["task"] = [
                    ValidationError(
                        _("只能导入本部门牵头任务的节点（任务%(n)s）。") % {"n": instance.task.number}
                    )
                ]
                return errors
        owners = getattr(instance, "_xqt_m2m", {}).get("owners") or []
        try:
            _check_parties(instance.task, instance.department, instance.school, owners)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[name] = [ValidationError(m) for m in messages]
        if instance.status == MilestoneStatus.DONE:
            instance.percent = 100
        return errors


@register_resource
class TaskResource(_ExportOnly):
    no_import = gettext_lazy("责任清单任务按政策附件原文载入，不能导入；请导入任务节点。")
    number = col("number", "序号", readonly=True)
    text = col("text", "主要任务内容", readonly=True)
    lead_text = col("lead_text", "牵头部门", readonly=True)
    responsible_text = col("responsible_text", "责任部门", readonly=True)
    ms_total = col("ms_total", "节点数", readonly=True)
    ms_done = col("ms_done", "已完成节点", readonly=True)
    ms_overdue = col("ms_overdue", "逾期节点", readonly=True)
    progress = col(None, "进度（%）", readonly=True)
    state = col(None, "状态", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = Task
        import_id_fields = ("number",)
        fields = (
            "number",
            "text",
            "lead_text",
            "responsible_text",
            "ms_total",
            "ms_done",
            "ms_overdue",
            "progress",
            "state",
        )

    def dehydrate_progress(self, obj) -> int:
        return sel.progress_of(obj)

    def dehydrate_state(self, obj) -> str:
        return sel.State.label(getattr(obj, "state", ""))


@register_resource
class ProgressReportResource(_ExportOnly):
    no_import = gettext_lazy("进展报告由责任单位在任务页面报送，不能导入。")
    task = col("task__number", "任务序号", readonly=True)
    milestone = col("milestone__title", "节点", readonly=True)
    unit = col(None, "报送单位", readonly=True)
    author = col(None, "报送人", readonly=True)
    period_end = col(None, "截至日期", readonly=True)
    percent = col("percent", "完成进度（%）", readonly=True)
    text = col("text", "进展情况", readonly=True)
    problems = col("problems", "存在问题", readonly=True)
    next_steps = col("next_steps", "下步打算", readonly=True)
    attachments = col(None, "附件", readonly=True)

    class Meta(_ExportOnly.Meta):
        model = ProgressReport
        import_id_fields = ("id",)
        fields = (
            "task",
            "milestone",
            "unit",
            "author",
            "period_end",
            "percent",
            "text",
            "problems",
            "next_steps",
            "attachments",
        )

    def dehydrate_unit(self, obj) -> str:
        return str(obj.department or obj.school or "")

    def dehydrate_author(self, obj) -> str:
        return (obj.author.display_name or obj.author.username) if obj.author_id else ""

    def dehydrate_period_end(self, obj) -> str:
        return day_text(obj.period_end)

    def dehydrate_attachments(self, obj) -> str:
        return "、".join(a.title for a in obj.attachments.all())
