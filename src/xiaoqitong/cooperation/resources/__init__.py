"""Import/export formats of cooperation, one module per area; imported here for the core's autodiscovery."""

from . import agreements, bases, internships, subsidies  # noqa: F401
