"""filtersets of quality, one module per area."""
