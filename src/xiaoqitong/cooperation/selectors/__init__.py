"""Selectors of cooperation, one module per area (agreements, subsidies, bases, internships)."""
