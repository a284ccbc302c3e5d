"""API machinery: policy-checked viewsets whose writes go through services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, viewsets

from . import services
from .drf import METHOD_ACTIONS, Pagination, PolicyPermission, _to_drf, exception_handler

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
    ordering_fields = "__all__"

    def get_queryset(self):
        qs = self.model.objects.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs.restrict(self.request.user, "view").order_by(*(self.model._meta.ordering or ["pk"]))

    def perform_create(self, serializer):
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

    def perform_update(self, serializer):
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
    """A foreign key written and read by its code (``county: "431002"``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)
