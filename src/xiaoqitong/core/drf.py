"""DRF settings hooks (referenced from settings.REST_FRAMEWORK, so this module must not import
rest_framework.views at import time)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, permissions

from .policy import policy_for

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class PolicyPermission(permissions.BasePermission):
    """Login required; the model's policy must allow the action. Rows outside the user's view scope
    answer 404 (their existence is not revealed); rows seen but not editable answer 403."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(view, "model", None)
        if model is None:
            return True
        return policy_for(model).allows(request.user, METHOD_ACTIONS.get(request.method, "view"))

    def has_object_permission(self, request, view, obj) -> bool:
        action = METHOD_ACTIONS.get(request.method, "view")
        if action == "view":
            return True  # already inside the view scope (get_queryset)
        return type(obj)._default_manager.restrict(request.user, action).filter(pk=obj.pk).exists()


def _to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        errors = exc.message_dict
        if NON_FIELD_ERRORS in errors:
            errors = {**errors, "non_field_errors": errors[NON_FIELD_ERRORS]}
            del errors[NON_FIELD_ERRORS]
        return exceptions.ValidationError(errors)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    """Services' refusals reach API clients as they would a page: a ValidationError as a 400 keyed by field,
    a PermissionDenied as a 403 with its message (DRF's own handler drops the message)."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = _to_drf(exc)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
