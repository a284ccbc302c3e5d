"""Who may do what in governance (DESIGN rule 3), one module per area; all imported here so that every
policy is registered when the app is ready."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
