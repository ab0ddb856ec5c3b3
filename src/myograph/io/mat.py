"""mat format (being written)."""
