"""What every ``myograph`` command shares: the two consoles, one error policy, name lists.

Command modules (``cli_*.py``) import from here rather than from ``cli.py``, which
imports them to register their commands.
"""

from __future__ import annotations

import functools
import warnings
from typing import Optional

import typer
from rich.console import Console

from myograph.core.errors import MyographError, MyographWarning

__all__ = ["out", "err", "friendly_errors", "split_names"]

out = Console()
err = Console(stderr=True)


def friendly_errors(fn):
    """Print repairs as warnings; turn myograph errors and missing files into one red line and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", MyographWarning)
                result = fn(*args, **kwargs)
            for w in caught:
                err.print(f"warning: {w.message}", style="yellow", markup=False, highlight=False)
            return result
        except FileNotFoundError as e:
            err.print(f"error: no such file: {e.filename or e}", style="red", markup=False, highlight=False)
            raise typer.Exit(2) from None
        except MyographError as e:
            err.print(f"error: {e}", style="red", markup=False, highlight=False)
            raise typer.Exit(2) from None

    return wrapper


def split_names(names: Optional[str]) -> Optional[list[str]]:
    """``"a, b,c"`` → ``["a", "b", "c"]``; empty or None → None."""
    return [n.strip() for n in names.split(",") if n.strip()] if names else None
