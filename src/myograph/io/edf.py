"""edf format (being written)."""
