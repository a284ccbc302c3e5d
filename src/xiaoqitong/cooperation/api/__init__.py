"""API of cooperation under ``/api/v1/cooperation/``: one router, one module per area registering on it."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

from . import agreements, bases, internships, subsidies  # noqa: E402, F401
