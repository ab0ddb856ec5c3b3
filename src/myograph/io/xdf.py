"""xdf format (being written)."""
