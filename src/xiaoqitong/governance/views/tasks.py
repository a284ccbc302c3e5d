"""Pages of the responsibility list (``/governance/…``):

- ``tasks/``: the annex's 15 tasks with 牵头/责任 as written, progress, state and overdue milestones (filters:
  department and its role, state; export), with the overdue warnings; ``tasks/<pk>/``: a task's text,
  parties, milestones with their states, the reports' timeline with attachments, and the forms to add a
  milestone (lead parties) or file a report (any party);
- ``tasks/mine/``: 我的任务, the tasks of my department or school with my milestones first;
  ``tasks/deadlines/``: my open milestones overdue or due within 30 days (the notification centre's
  deadlines: core's notification page lists every notification, unfiltered, and is linked from here);
- ``milestones/…``: list, detail, add, edit, delete, import, export, and the complete / cancel / reopen steps;
- ``progress-reports/…``: list, detail with attachments (add one, download), export.
"""

from pathlib import Path

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.views import ObjectListView, PostStepView
from xiaoqitong.enterprises.views import AppModelViews, DetailView
from xiaoqitong.quality.views.resources import content_disposition

from ..choices import MilestoneStatus, PartyRole
from ..filtersets.tasks import MilestoneFilterSet, ProgressReportFilterSet, TaskFilterSet
from ..forms.tasks import AttachmentForm, CancelForm, MilestoneForm, ReportForm
from ..models import Milestone, ProgressAttachment, ProgressReport, Task
from ..selectors import tasks as sel
from ..services import tasks as services
from ..tables.tasks import MilestoneTable, ProgressReportTable, TaskTable

NAMESPACE = "governance"
REPORT_RELATED = ("task", "milestone", "department", "school", "author")


def form_errors(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{'；'.join(v)}" for k, v in form.errors.items()
    )


# --- tasks -------------------------------------------------------------------------------------------------
class TaskListView(ObjectListView):
    """The generic list with the overdue warnings above it."""

    template_name = "governance/task_list.html"

    def list_context(self, request, visible) -> dict:
        rows = list(visible.values("number", "ms_overdue", "ms_due_soon"))
        user = request.user
        return {
            "overdue_tasks": [r["number"] for r in rows if r["ms_overdue"]],
            "overdue_milestones": sum(r["ms_overdue"] for r in rows),
            "due_soon_milestones": sum(r["ms_due_soon"] for r in rows),
            "mine": sel.deadlines(user) if sel.is_officer(user) or sel.is_school_staff(user) else None,
        }


class TaskViews(AppModelViews):
    model = Task
    filterset = TaskFilterSet
    table = TaskTable
    importable = False
    per_page = 50
    detail_template = "governance/task_detail.html"

    @classmethod
    def base_queryset(cls):
        return sel.with_task_state(Task.objects.all())

    @classmethod
    def export_queryset(cls, qs):
        return sel.with_task_state(qs).order_by("number")

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("主要任务内容"), obj.text),
            (_("牵头部门"), obj.lead_text),
            (_("责任部门"), obj.responsible_text),
            (_("依据"), obj.source),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        on = sel.today()
        milestones = list(
            sel.with_milestone_state(
                Milestone.objects.filter(task=obj)
                .select_related("department", "school")
                .prefetch_related("owners"),
                on,
            ).order_by("due_date", "pk")
        )
        mine = set(
            Milestone.objects.filter(task=obj).filter(sel.my_milestones_q(user)).values_list("pk", flat=True)
        )
        for m in milestones:
            sel.mark_days(m, on)
            m.is_mine = m.pk in mine
        reports = list(
            ProgressReport.objects.restrict(user, "view")
            .filter(task=obj)
            .select_related(*REPORT_RELATED)
            .prefetch_related("attachments")
        )
        parties = sel.parties_by_task([obj.pk]).get(obj.pk, [])
        can_manage = sel.is_lead(user, obj)
        can_report = sel.may_report(user, obj)
        return {
            "state": obj.state,
            "state_label": sel.State.label(obj.state),
            "state_css": sel.State.css.get(obj.state),
            "progress": sel.progress_of(obj),
            "leads": [p for p in parties if p.role == PartyRole.LEAD],
            "responsible": [p for p in parties if p.role == PartyRole.RESPONSIBLE],
            "milestones": milestones,
            "overdue": [m for m in milestones if m.state == sel.State.OVERDUE],
            "reports": reports,
            "can_manage": can_manage,
            "milestone_form": MilestoneForm(user=user, task=obj) if can_manage else None,
            "can_report": can_report,
            "report_form": ReportForm(task=obj) if can_report else None,
            "due_soon_days": sel.DUE_SOON_DAYS,
        }

    @classmethod
    def urls(cls, prefix, namespace):
        patterns = super().urls(prefix, namespace)
        listing = type("TaskListPage", (TaskListView,), {"config": cls}).as_view()
        patterns = [
            path(f"{prefix}/", listing, name="task_list") if p.name == "task_list" else p for p in patterns
        ]
        return patterns

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/mine/", MyTasksView.as_view(), name="task_mine"),
            path(f"{prefix}/deadlines/", DeadlinesView.as_view(), name="task_deadlines"),
            path(f"{prefix}/<int:pk>/report/", ReportFileView.as_view(), name="task_report"),
        ]


class MyTasksView(LoginRequiredMixin, View):
    """GET /governance/tasks/mine/: 我的任务 for the people of a party (officers, school staff)."""

    def get(self, request):
        user = request.user
        if not (user.is_superuser or sel.is_officer(user) or sel.is_school_staff(user)):
            raise PermissionDenied(_("“我的任务”面向政府部门和学校。"))
        on = sel.today()
        tasks = list(sel.my_tasks(user, on))
        parties = sel.parties_by_task([t.pk for t in tasks])
        mine = list(
            sel.my_milestones(user, on).filter(task__in=[t.pk for t in tasks]).prefetch_related("owners")
        )
        by_task: dict[int, list] = {}
        for m in mine:
            sel.mark_days(m, on)
            by_task.setdefault(m.task_id, []).append(m)
        for t in tasks:
            t.my_milestones = by_task.get(t.pk, [])
            t.progress = sel.progress_of(t)
            t.state_label = sel.State.label(t.state)
            t.state_css = sel.State.css.get(t.state)
            t.party_list = parties.get(t.pk, [])
        # Tasks with my milestones first (overdue before due soon), then the rest by number.
        rank = {sel.State.OVERDUE: 0, sel.State.DUE_SOON: 1}
        tasks.sort(
            key=lambda t: (
                not t.my_milestones,
                min((rank.get(m.state, 2) for m in t.my_milestones), default=3),
                t.number,
            )
        )
        open_mine = [m for m in mine if m.status == MilestoneStatus.OPEN]
        return render(
            request,
            "governance/task_mine.html",
            {
                "tasks": tasks,
                "lead_count": sum(1 for t in tasks if t.my_role == PartyRole.LEAD),
                "overdue": [m for m in open_mine if m.state == sel.State.OVERDUE],
                "due_soon": [m for m in open_mine if m.state == sel.State.DUE_SOON],
                "org": user.department or user.school,
            },
        )


class DeadlinesView(LoginRequiredMixin, View):
    """GET /governance/tasks/deadlines/: upcoming and overdue milestones of the user (and of the tasks their
    department leads)."""

    def get(self, request):
        user = request.user
        if not (user.is_superuser or sel.is_officer(user) or sel.is_school_staff(user)):
            raise PermissionDenied(_("节点到期提醒面向政府部门和学校。"))
        data = sel.deadlines(user)
        return render(request, "governance/task_deadlines.html", {**data, "horizon": 30})


class ReportFileView(PostStepView):
    """POST /governance/tasks/<pk>/report/ (multipart): a party files a progress report."""

    def post(self, request, pk):
        task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=pk)
        form = ReportForm(request.POST, request.FILES, task=task)
        if not form.is_valid():
            return self.refused(request, task, ValidationError(form_errors(form)))
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
        files = [form.cleaned_data.get("attachment")]
        return self.run(
            request,
            task,
            lambda: services.report_create(actor=request.user, task=task, data=data, attachments=files),
            _("已报送进展。"),
        )


# --- milestones --------------------------------------------------------------------------------------------
class MilestoneViews(AppModelViews):
    model = Milestone
    filterset = MilestoneFilterSet
    table = MilestoneTable
    form = MilestoneForm
    select_related = ("task", "department", "school", "done_by")
    prefetch_related = ("owners",)
    detail_template = "governance/milestone_detail.html"
    create_service = staticmethod(services.milestone_create)
    update_service = staticmethod(services.milestone_update)
    delete_service = staticmethod(services.milestone_delete)

    @classmethod
    def base_queryset(cls):
        return sel.with_milestone_state(super().base_queryset())

    @classmethod
    def export_queryset(cls, qs):
        return sel.with_milestone_state(super().export_queryset(qs))

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("任务"), f"{obj.task.number}. {obj.task.text}"),
            (_("说明"), obj.description),
            (_("完成时限"), day_text(obj.due_date)),
            (_("负责单位"), str(obj.department or obj.school or "")),
            (_("责任人"), "、".join(u.display_name or u.username for u in obj.owners.all())),
            (_("办理状态"), obj.get_status_display()),
            (_("完成进度（%）"), obj.percent),
            (_("完成时间"), when_text(obj.done_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        can_manage = sel.is_lead(user, obj.task)
        reports = list(
            ProgressReport.objects.restrict(user, "view")
            .filter(milestone=obj)
            .select_related(*REPORT_RELATED)
            .prefetch_related("attachments")
        )
        return {
            "state": obj.state,
            "state_label": sel.State.label(obj.state),
            "state_css": sel.State.css.get(obj.state),
            "days_left": (obj.due_date - sel.today()).days,
            "reports": reports,
            "can_manage": can_manage,
            "is_open": obj.status == MilestoneStatus.OPEN,
            "cancel_form": CancelForm(),
            "can_report": sel.may_report(user, obj.task) and obj.status == MilestoneStatus.OPEN,
            "report_form": ReportForm(task=obj.task, initial={"milestone": obj.pk}),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/complete/", CompleteView.as_view(), name="milestone_complete"),
            path(f"{prefix}/<int:pk>/cancel/", CancelView.as_view(), name="milestone_cancel"),
            path(f"{prefix}/<int:pk>/reopen/", ReopenView.as_view(), name="milestone_reopen"),
        ]


class MilestoneStep(PostStepView):
    """A milestone's POST step: each subclass defines ``step(user, milestone, data)``, which calls the
    service and returns the success message."""

    form_class = None

    def post(self, request, pk):
        milestone = get_object_or_404(Milestone.objects.restrict(request.user, "view"), pk=pk)
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST)
            if not form.is_valid():
                return self.refused(request, milestone, ValidationError(form_errors(form)))
            data = form.cleaned_data
        return self.run(request, milestone, lambda: self.step(request.user, milestone, data))


class CompleteView(MilestoneStep):
    def step(self, user, milestone, data):
        services.milestone_complete(actor=user, milestone=milestone)
        return _("已确认节点完成。")


class CancelView(MilestoneStep):
    form_class = CancelForm

    def step(self, user, milestone, data):
        services.milestone_cancel(actor=user, milestone=milestone, reason=data["reason"])
        return _("已取消节点。")


class ReopenView(MilestoneStep):
    def step(self, user, milestone, data):
        services.milestone_reopen(actor=user, milestone=milestone)
        return _("已重新打开节点。")


# --- progress reports --------------------------------------------------------------------------------------
class ProgressReportViews(AppModelViews):
    model = ProgressReport
    filterset = ProgressReportFilterSet
    table = ProgressReportTable
    importable = False
    select_related = REPORT_RELATED
    prefetch_related = ("attachments",)
    detail_template = "governance/progress_report_detail.html"

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("任务"), f"{obj.task.number}. {obj.task.text}"),
            (_("节点"), str(obj.milestone or "")),
            (_("报送单位"), str(obj.department or obj.school or "")),
            (_("报送人"), (obj.author.display_name or obj.author.username) if obj.author_id else ""),
            (_("截至日期"), day_text(obj.period_end)),
            (_("完成进度（%）"), obj.percent),
            (_("进展情况"), obj.text),
            (_("存在问题"), obj.problems),
            (_("下步打算"), obj.next_steps),
            (_("报送时间"), when_text(obj.created_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        can_attach = services.may_attach(request.user, obj)
        return {
            "attachments": list(obj.attachments.all()),
            "can_attach": can_attach,
            "attachment_form": AttachmentForm() if can_attach else None,
        }

    @classmethod
    def extra_urls(cls, prefix):
        # The models' get_absolute_url names the page ``report_detail``: the same page under that name.
        detail = type("ProgressReportDetailView", (DetailView,), {"config": cls}).as_view()
        return [
            path(f"{prefix}/<int:pk>/", detail, name="report_detail"),
            path(
                f"{prefix}/<int:pk>/attachments/", AttachmentAddView.as_view(), name="report_attachment_add"
            ),
            path(
                "progress-attachments/<int:pk>/download/",
                AttachmentDownloadView.as_view(),
                name="attachment_download",
            ),
        ]


class AttachmentAddView(PostStepView):
    def post(self, request, pk):
        report = get_object_or_404(ProgressReport.objects.restrict(request.user, "view"), pk=pk)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.refused(request, report, ValidationError(form_errors(form)))
        return self.run(
            request,
            report,
            lambda: services.attachment_add(
                actor=request.user,
                report=report,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            ),
            _("已上传附件。"),
        )


class AttachmentDownloadView(LoginRequiredMixin, View):
    """GET /governance/progress-attachments/<pk>/download/: for those who read its report."""

    def get(self, request, pk):
        attachment = get_object_or_404(ProgressAttachment.objects.restrict(request.user, "view"), pk=pk)
        try:
            handle = attachment.file.open("rb")
        except (OSError, ValueError):
            raise Http404(_("文件不存在或已被移除。")) from None
        name = f"{attachment.title}{Path(attachment.file.name).suffix}"
        response = FileResponse(handle, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition(name)
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns = [
    *TaskViews.urls("tasks", NAMESPACE),
    *MilestoneViews.urls("milestones", NAMESPACE),
    *ProgressReportViews.urls("progress-reports", NAMESPACE),
]
