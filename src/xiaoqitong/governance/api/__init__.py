"""API of governance under ``/api/v1/governance/``: one router; each area's module registers its
viewsets on it (every module of this package is imported, so an area needs no line here)."""

import importlib
import pkgutil

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
