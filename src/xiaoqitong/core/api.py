"""API machinery: policy-checked viewsets whose writes go through services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from . import services
from .drf import METHOD_ACTIONS, Pagination, PolicyPermission, _to_drf, exception_handler
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
