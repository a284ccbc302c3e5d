"""Import/export resources of quality, one module per area; imported here so that the core's autodiscovery
registers them all."""

from . import assessment, certificates, resources, skilltests, teachers, training  # noqa: F401
