"""wfdb format (being written)."""
