"""Who may do what in quality (DESIGN rule 3), one module per area; imported here so that the core's
autodiscovery registers them all."""

from . import assessment, certificates, resources, skilltests, targets, teachers, training  # noqa: F401
