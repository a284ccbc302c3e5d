"""URLs of governance under ``/governance/``: the ``urlpatterns`` of every module of ``views``."""

import importlib
import pkgutil

from . import views

app_name = "governance"

urlpatterns = []
for _module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
    urlpatterns += getattr(importlib.import_module(f"{views.__name__}.{_module.name}"), "urlpatterns", [])
