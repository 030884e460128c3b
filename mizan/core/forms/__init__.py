"""Web forms, one module per area."""
