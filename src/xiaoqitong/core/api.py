"""API machinery: policy-checked viewsets whose writes go through services."""

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import services
from .drf import METHOD_ACTIONS, Pagination, PolicyPermission, _to_drf, exception_handler
from .imports import resource_for
from .models import ImportJob
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


class ImportJobViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Bulk import through the API: POST a file with its ``target``; the job validates in the background
    (poll ``GET …/<id>/``); when its status is ``valid``, POST ``…/<id>/confirm/`` to commit it."""

    model = ImportJob
    serializer_class = ImportJobSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    filterset_fields = ["status", "target"]

    def get_queryset(self):
        return ImportJob.objects.restrict(self.request.user, "view").order_by("-created_at")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            model = apps.get_model(serializer.validated_data["target"])
            resource_for(model)
        except (LookupError, ValueError):
            raise exceptions.ValidationError({"target": [_("不能导入的对象类型。")]}) from None
        try:
            job = services.import_job_create(
                actor=request.user, model=model, upload=serializer.validated_data["file"]
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self.get_object()
        try:
            job = services.import_job_confirm(actor=request.user, job=job)
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(job).data)


router = DefaultRouter()
router.register("import-jobs", ImportJobViewSet, basename="importjob")
