"""API of quality under ``/api/v1/quality/``: one router, one module per area registering on it."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

from . import assessment, certificates, resources, skilltests, targets, teachers, training  # noqa: E402, F401
