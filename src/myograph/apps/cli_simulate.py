"""``myograph simulate`` (being written)."""

import typer


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""
