"""forms of quality, one module per area."""
