"""API of the responsibility list under /api/v1/governance/:

- ``tasks/``: the annex's 15 tasks (read), with their parties, milestone counts, progress and state; filters
  ``q``, ``department`` (id), ``role``, ``state``;
- ``milestones/``: read as the tasks; the lead parties' officers create, change and delete those of the
  tasks their department leads (``task`` by its number, ``department``/``school`` by code, ``owners`` by
  login) and ``POST …/<id>/complete/``, ``…/cancel/`` (``reason``), ``…/reopen/``;
- ``progress-reports/``: read; created by a party's officer or school administrator (``task`` by number,
  ``milestone`` by id, ``percent`` for that milestone);
- ``progress-attachments/``: read; ``POST`` multipart (``report``, ``file``, ``title``) by the reporting unit.

Milestone imports go through ``/api/v1/core/import-jobs/`` with ``target=governance.Milestone``.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import parsers, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet, ReadOnlyObjectViewSet
from xiaoqitong.core.drf import _to_drf
from xiaoqitong.orgs.models import Department, School

from ..filtersets.tasks import MilestoneFilterSet, ProgressReportFilterSet, TaskFilterSet
from ..models import Milestone, ProgressAttachment, ProgressReport, Task
from ..selectors import tasks as sel
from ..services import tasks as services
from . import router


class PartySerializer(serializers.Serializer):
    role = serializers.CharField()
    department = serializers.CharField(source="department.code", default=None)
    school = serializers.CharField(source="school.code", default=None)
    group = serializers.CharField()
    name = serializers.CharField(source="__str__")


class TaskSerializer(BaseSerializer):
    parties = PartySerializer(many=True, read_only=True)
    ms_total = serializers.IntegerField(read_only=True, help_text=gettext_lazy("节点数（不含已取消）"))
    ms_done = serializers.IntegerField(read_only=True)
    ms_overdue = serializers.IntegerField(read_only=True)
    ms_due_soon = serializers.IntegerField(read_only=True)
    progress = serializers.SerializerMethodField(help_text=gettext_lazy("进度（%）"))
    state = serializers.CharField(read_only=True)
    state_display = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "number",
            "text",
            "lead_text",
            "responsible_text",
            "source",
            "parties",
            "ms_total",
            "ms_done",
            "ms_overdue",
            "ms_due_soon",
            "progress",
            "state",
            "state_display",
        ]

    def get_progress(self, obj) -> int:
        return sel.progress_of(obj)

    def get_state_display(self, obj) -> str:
        return sel.State.label(obj.state)


class TaskViewSet(ReadOnlyObjectViewSet):
    model = Task
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def get_queryset(self):
        qs = Task.objects.prefetch_related("parties__department", "parties__school")
        return sel.with_task_state(qs.restrict(self.request.user, "view")).order_by("number")


class MilestoneSerializer(BaseSerializer):
    task = CodeRelatedField(
        queryset=Task.objects.all(), slug_field="number", help_text=gettext_lazy("任务序号")
    )
    department = CodeRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("负责部门代码"),
    )
    school = CodeRelatedField(
        queryset=School.objects.all(), required=False, allow_null=True, help_text=gettext_lazy("负责学校代码")
    )
    owners = serializers.SlugRelatedField(
        many=True,
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        help_text=gettext_lazy("责任人账号"),
    )
    state = serializers.SerializerMethodField(help_text=gettext_lazy("进度状态"))

    class Meta:
        model = Milestone
        fields = [
            "id",
            "task",
            "title",
            "description",
            "due_date",
            "department",
            "school",
            "owners",
            "status",
            "percent",
            "done_at",
            "state",
        ]
        read_only_fields = ["status", "percent", "done_at"]

    def get_state(self, obj) -> str:
        return getattr(obj, "state", None) or sel.state_of(obj)


@extend_schema_serializer(component_name="MilestoneCancel")  # another app has a Cancel component
class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=gettext_lazy("取消原因"))


class MilestoneViewSet(ObjectViewSet):
    model = Milestone
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    select_related = ("task", "department", "school")
    prefetch_related = ("owners",)
    create_service = staticmethod(lambda *, actor, **data: services.milestone_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.milestone_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.milestone_delete)

    def get_queryset(self):
        return sel.with_milestone_state(super().get_queryset())

    def _step(self, call):
        milestone = self.get_object()
        try:
            call(milestone)
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=milestone.pk)).data)

    @extend_schema(request=None, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(lambda m: services.milestone_complete(actor=request.user, milestone=m))

    @extend_schema(request=CancelSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return self._step(lambda m: services.milestone_cancel(actor=request.user, milestone=m, reason=reason))

    @extend_schema(request=None, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(lambda m: services.milestone_reopen(actor=request.user, milestone=m))


class AttachmentSerializer(BaseSerializer):
    report = serializers.PrimaryKeyRelatedField(queryset=ProgressReport.objects.all())
    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ProgressAttachment
        fields = ["id", "report", "title", "file", "file_size", "download", "created_at"]
        read_only_fields = ["file_size", "created_at"]
        extra_kwargs = {"title": {"required": False}}

    def get_download(self, obj) -> str:
        return reverse("governance:attachment_download", args=[obj.pk])


class ProgressReportSerializer(BaseSerializer):
    task = CodeRelatedField(
        queryset=Task.objects.all(), slug_field="number", help_text=gettext_lazy("任务序号")
    )
    milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.all(), required=False, allow_null=True, help_text=gettext_lazy("节点编号")
    )
    department = serializers.CharField(source="department.code", read_only=True, default=None)
    school = serializers.CharField(source="school.code", read_only=True, default=None)
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "milestone",
            "period_end",
            "text",
            "percent",
            "problems",
            "next_steps",
            "department",
            "school",
            "author",
            "attachments",
            "created_at",
        ]


def _report_create(*, actor, **data):
    task = data.pop("task")
    return services.report_create(actor=actor, task=task, data=data)


class ProgressReportViewSet(ObjectViewSet):
    model = ProgressReport
    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilterSet
    http_method_names = ["get", "post", "head", "options"]
    select_related = ("task", "milestone", "department", "school", "author")
    prefetch_related = ("attachments",)
    create_service = staticmethod(_report_create)


class ProgressAttachmentViewSet(ObjectViewSet):
    model = ProgressAttachment
    serializer_class = AttachmentSerializer
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    create_service = staticmethod(
        lambda *, actor, report, file, title="": services.attachment_add(
            actor=actor, report=report, upload=file, title=title
        )
    )


router.register("tasks", TaskViewSet, basename="governance-task")
router.register("milestones", MilestoneViewSet, basename="governance-milestone")
router.register("progress-reports", ProgressReportViewSet, basename="governance-progressreport")
router.register("progress-attachments", ProgressAttachmentViewSet, basename="governance-progressattachment")
