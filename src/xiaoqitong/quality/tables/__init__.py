"""tables of quality, one module per area."""
