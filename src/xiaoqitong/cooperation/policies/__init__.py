"""Who may do what in cooperation (DESIGN rule 3), one module per area; imported here so that the core's
autodiscovery registers them all."""

from . import agreements, bases, internships, subsidies  # noqa: F401
