"""text format (being written)."""
