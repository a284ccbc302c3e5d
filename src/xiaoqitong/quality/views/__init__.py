"""views of quality, one module per area."""
