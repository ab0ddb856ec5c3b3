"""The ``myograph`` command line (being written)."""

import typer

app = typer.Typer(help="myograph: open electromyograph software.")


def main() -> None:
    app()
