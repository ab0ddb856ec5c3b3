"""c3d format (being written)."""
