"""API machinery: policy-checked viewsets whose writes go through services."""

import django_filters
from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import jobs, notifications, services
from .drf import METHOD_ACTIONS, Pagination, PolicyPermission, _to_drf, exception_handler
from .imports import resource_for
from .models import ImportJob, Notification, TaskRun
from .policy import ensure_in_scope

__all__ = [
    "METHOD_ACTIONS",
    "CodeRelatedField",
    "ObjectViewSet",
    "Pagination",
    "PolicyPermission",
    "ReadOnlyObjectViewSet",
    "exception_handler",
]


class ObjectViewSet(viewsets.ModelViewSet):
    """CRUD over one model: reads restricted to the user's scope, writes through the core services.
    Set ``model``, ``serializer_class``, ``filterset_class``; optional ``select_related``/``prefetch_related``
    and ``create_service``/``update_service``/``delete_service`` for models with business rules."""

    model = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    create_service = None
    update_service = None
    delete_service = None

    def get_queryset(self):
        qs = self.model.objects.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs.restrict(self.request.user, "view").order_by(*(self.model._meta.ordering or ["pk"]))

    def perform_create(self, serializer):
        with transaction.atomic():
            self._create(serializer)
            ensure_in_scope(self.request.user, "add", serializer.instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            self._update(serializer)
            ensure_in_scope(self.request.user, "change", serializer.instance)

    def _create(self, serializer):
        try:
            if self.create_service:
                serializer.instance = type(self).create_service(
                    actor=self.request.user, **serializer.validated_data
                )
            else:
                serializer.instance = services.object_create(
                    actor=self.request.user, model=self.model, data=serializer.validated_data
                )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc

    def _update(self, serializer):
        try:
            if self.update_service:
                serializer.instance = type(self).update_service(
                    actor=self.request.user, instance=serializer.instance, **serializer.validated_data
                )
            else:
                serializer.instance = services.object_update(
                    actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
                )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc

    def perform_destroy(self, instance):
        try:
            if self.delete_service:
                type(self).delete_service(actor=self.request.user, instance=instance)
            else:
                services.object_delete(actor=self.request.user, instance=instance)
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc


class ReadOnlyObjectViewSet(ObjectViewSet):
    http_method_names = ["get", "head", "options"]


class CodeRelatedField(serializers.SlugRelatedField):
    """A foreign key written and read by its code (``county: "431002"``). A code the user may not pick
    reads exactly like a code that does not exist."""

    default_error_messages = {
        "does_not_exist": _("找不到代码为“{value}”的{label}。"),
        "invalid": _("代码格式不正确。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        if "\x00" in str(data):  # PostgreSQL refuses NUL in any text it is asked to compare
            self.fail("invalid")
        try:
            return queryset.get(**{self.slug_field: str(data).strip()})
        except queryset.model.DoesNotExist:
            self.fail("does_not_exist", value=data, label=queryset.model._meta.verbose_name)
        except (TypeError, ValueError):
            self.fail("invalid")


class BaseSerializer(serializers.ModelSerializer):
    """ModelSerializer whose uniqueness across fields is checked by the model's own ``full_clean()`` in the
    service (a Chinese message naming the fields by their labels), not by DRF's generic validator."""

    def get_validators(self):
        return []


class ImportJobSerializer(serializers.ModelSerializer):
    file = serializers.FileField(
        write_only=True, help_text=_("xlsx、xls、ods 或 csv（UTF-8 或 GBK），第一行为列名")
    )
    target = serializers.CharField(help_text=_("导入对象，如 orgs.School、orgs.Enterprise"))
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "target",
            "file",
            "original_name",
            "status",
            "status_display",
            "total_rows",
            "processed_rows",
            "percent",
            "errors",
            "summary",
            "created_at",
            "finished_at",
        ]
        read_only_fields = [
            "original_name",
            "status",
            "total_rows",
            "processed_rows",
            "errors",
            "summary",
            "created_at",
            "finished_at",
        ]


class ImportColumnSerializer(serializers.Serializer):
    header = serializers.CharField(help_text=_("列名"))
    required = serializers.BooleanField(help_text=_("是否必填"))
    hint = serializers.CharField(help_text=_("填写要求"))


class ImportTargetSerializer(serializers.Serializer):
    target = serializers.CharField(help_text=_("导入对象（上传时的 target）"))
    name = serializers.CharField(help_text=_("名称"))
    columns = ImportColumnSerializer(many=True)
    template = serializers.URLField(help_text=_("模板下载地址（加 &filetype=csv 下载 CSV）"))


class ImportJobViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Bulk import through the API: POST a file with its ``target``; the job validates in the background
    (poll ``GET …/<id>/``); when its status is ``valid``, POST ``…/<id>/confirm/`` to commit it."""

    model = ImportJob
    serializer_class = ImportJobSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    filterset_fields = ["status", "target"]

    def get_queryset(self):
        return ImportJob.objects.restrict(self.request.user, "view").order_by("-created_at")

    def get_object(self):
        return super().get_object().read_progress()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        model = self._target(serializer.validated_data["target"])
        try:
            job = services.import_job_create(
                actor=request.user, model=model, upload=serializer.validated_data["file"]
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    def _target(self, label: str):
        """The model an import ``target`` names, refused in Chinese with the valid targets listed."""
        from .import_templates import importable_models

        try:
            model = apps.get_model(label)
            if model not in importable_models():
                raise LookupError(label)
        except (LookupError, ValueError):
            options = "、".join(m._meta.label for m in importable_models())
            message = _("不能导入的对象类型“%(target)s”，可选：%(options)s") % {
                "target": label,
                "options": options,
            }
            raise exceptions.ValidationError({"target": [message]}) from None
        return model

    @extend_schema(responses=ImportTargetSerializer(many=True))
    @action(detail=False, methods=["get"])
    def targets(self, request):
        """What the user may import: each target with its columns (required or not, what each accepts) and
        the address of its template."""
        from . import import_templates
        from .import_templates import importable_models
        from .policy import policy_for

        out = []
        for model in importable_models():
            if not policy_for(model).allows(request.user, "import"):
                continue
            columns = import_templates.columns(resource_for(model)())
            out.append(
                {
                    "target": model._meta.label,
                    "name": str(model._meta.verbose_name),
                    "columns": [
                        {"header": c.header, "required": c.required, "hint": c.hint} for c in columns
                    ],
                    "template": request.build_absolute_uri(
                        f"{request.path.rsplit('targets/', 1)[0]}template/?target={model._meta.label}"
                    ),
                }
            )
        return Response(ImportTargetSerializer(out, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("target", str, required=True, description=_("导入对象，如 schools.Student")),
            OpenApiParameter("filetype", str, enum=["xlsx", "csv"], description=_("默认 xlsx")),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"])
    def template(self, request):
        """The template file of a target (xlsx with a “填写说明” sheet, or csv)."""
        from . import import_templates
        from .policy import policy_for

        model = self._target(request.query_params.get("target", ""))
        if not policy_for(model).allows(request.user, "import"):
            raise exceptions.PermissionDenied(_("您没有导入此类数据的权限。"))
        # not ``format``: DRF reads that parameter to choose a renderer
        fmt = request.query_params.get("filetype", "xlsx")
        if fmt not in import_templates.FORMATS:
            raise exceptions.ValidationError({"filetype": [_("模板格式应为 xlsx 或 csv。")]})
        body, name = import_templates.template_bytes(model, fmt)
        response = HttpResponse(body, content_type="application/octet-stream")
        response["Content-Disposition"] = import_templates.content_disposition(name)
        return response

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self.get_object()
        try:
            job = services.import_job_confirm(actor=request.user, job=job)
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(job).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """Run again a job whose background process died (status ``failed``, file kept): validation starts
        over and the job must be confirmed again."""
        job = self.get_object()
        try:
            job = services.import_job_rerun(actor=request.user, job=job)
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(job).data)


class TaskRunSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(help_text=_("任务名称"))
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = TaskRun
        fields = [
            "id",
            "task_id",
            "name",
            "label",
            "args",
            "state",
            "state_display",
            "worker",
            "pid",
            "request_id",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "result",
            "error",
        ]
        read_only_fields = fields

    def get_label(self, run) -> str:
        return jobs.label(run.name)


class TaskRunFilterSet(django_filters.FilterSet):
    class Meta:
        model = TaskRun
        fields = ["state", "name"]


class IsPlatformAdmin(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_superuser)


class TaskRunViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Background runs (platform administrators): state, worker, times and error of every run; ``?state=
    failure|lost|started|success``. ``POST …/<id>/rerun/`` sends a failed or lost housekeeping task again."""

    serializer_class = TaskRunSerializer
    filterset_class = TaskRunFilterSet
    ordering_fields = ["started_at", "finished_at"]
    permission_classes = [IsPlatformAdmin]

    def get_queryset(self):
        return TaskRun.objects.order_by("-started_at", "-id")

    @extend_schema(request=None, responses=TaskRunSerializer)
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        run = self.get_object()
        if not jobs.can_rerun(run):
            raise exceptions.ValidationError(
                {"detail": [_("只有失败或进程中断、且保存了参数的任务可以重新运行。")]}
            )
        sent = jobs.rerun(run)
        return Response({"sent": sent is not None}, status=status.HTTP_202_ACCEPTED)


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "text", "url", "is_read", "read_at", "created_at"]
        read_only_fields = fields


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("只看未读（true）或只看已读（false）")
    )

    class Meta:
        model = Notification
        fields = ["unread"]


class NotificationCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text=_("未读通知数"))


class NotificationMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("本次标为已读的通知数"))


class NotificationViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The caller's own notifications, newest first (nobody sees anyone else's, platform administrators
    included): ``?unread=true`` the unread only; ``POST …/<id>/read/`` marks one read, ``POST …/read-all/``
    all; ``GET …/unread-count/`` the number the bell shows. ``url`` is a path of the site."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at"]
    # Marking read is a POST that adds nothing: the scope (own rows) is the whole rule, applied by the
    # queryset and the services, not the policy's "add" action.
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return notifications.notifications_for(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification = notifications.notification_mark_read(actor=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=NotificationMarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications.notifications_mark_all_read(actor=request.user)})

    @extend_schema(responses=NotificationCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": notifications.unread_count(request.user)})


router = DefaultRouter()
router.register("import-jobs", ImportJobViewSet, basename="importjob")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("task-runs", TaskRunViewSet, basename="taskrun")
