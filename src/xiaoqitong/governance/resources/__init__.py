"""Import/export resources of governance, one module per area; all imported here so that core's
autodiscovery registers each of them."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
