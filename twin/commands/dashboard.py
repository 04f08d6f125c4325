"""``storetwin dashboard``: the Dash app over run folders and, optionally, live services."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from twin.commands.listen import can_listen
from twin.terminal import console, fail, warn


def dashboard(
    runs: Annotated[
        Path,
        typer.Option("--runs", help="Folder of run, pilot, what-if, bench and load-test results."),
    ] = Path("runs"),
    services: Annotated[
        str | None,
        typer.Option(
            "--services",
            help="URL of a running `storetwin serve` for the manager reports "
            "(API key from $STORETWIN_API_KEY; a store key sees only its own store).",
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8050,
) -> None:
    """Open the dashboard: pilots, what-ifs, the chain, the store floor, models and load tests."""
    from dashboard.app import serve
    from dashboard.data import Source

    if runs.exists() and not runs.is_dir():
        raise fail(f"--runs {runs}: not a folder")
    if not runs.exists():
        warn(f"{runs} does not exist yet; each page says how to fill it")
    can_listen(host, port)
    source = Source(runs=runs, services=services, api_key=os.environ.get("STORETWIN_API_KEY"))
    console.print(
        f"dashboard on http://{host}:{port} reading {runs}"
        + (f" and {services}" if services else "")
    )
    serve(source, host, port)
