"""``myograph serve``: the electromyograph in the browser.

Thin: build the app with :func:`myograph.apps.server.create_app`, print the URL,
run uvicorn until Ctrl-C.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated

import typer

from myograph.apps.console import err, out

__all__ = ["register", "serve_command"]



def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_command(
    source: Annotated[str, typer.Option("--source", help="sim, sim:needle, sim:hdemg, brainflow:ID or lsl:NAME.")] = "sim",
    host: Annotated[str, typer.Option("--host", help="Address to bind; the loopback by default (this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8765,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder for recordings (the only one the server writes).")] = Path("./recordings"),
) -> None:
    """Serve the live electromyograph page (scope, audio monitor, activity meter, recorder)."""
    try:
        import uvicorn

        from myograph.apps.server import create_app
    except ImportError as e:  # the [web] extra is missing
        err.print(f"error: myograph serve needs the web extra ({e.name} missing): pip install 'myograph[web]'",
                   style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    from myograph.core.errors import MyographError

    loopback = _is_loopback(host)
    if not loopback:
        err.print(f"warning: serving on {host}: anyone who can reach this address can see the signals and record",
                   style="yellow", markup=False, highlight=False)
    try:
        app = create_app(source, data_dir, allowed_hosts=None if loopback else ["*"])
    except (MyographError, ValueError, OSError) as e:
        err.print(f"error: cannot open source {source!r}: {e}", style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    out.print(f"myograph: serving {source} at http://{shown}:{port}/  (recordings in {data_dir.resolve()}; Ctrl-C stops)",
               markup=False, highlight=False)
    logging.getLogger("myograph.apps.server").setLevel(logging.INFO)
    # no permessage-deflate: float samples hardly compress, and deflating every frame costs CPU
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_max_size=64 * 1024, ws_per_message_deflate=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``myograph`` command line."""
    app.command("serve")(serve_command)
