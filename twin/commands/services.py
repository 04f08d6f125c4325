"""``storetwin serve`` and ``storetwin bench services``: the store services over HTTP."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.table import Table

from twin.commands.listen import can_listen
from twin.terminal import console, err, fail, warn


def serve(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL: sqlite:///store.db (default, or $DATABASE_URL) "
            "or postgresql+psycopg://user:pass@host/name.",
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (uvicorn workers).")
    ] = 1,
) -> None:
    """Serve the store services (OpenAPI of every center at /docs)."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from services.api.main import create_app
    from services.settings import Settings

    can_listen(host, port)
    settings = Settings(database_url=db) if db else Settings()
    try:
        app = create_app(settings)
    except (SQLAlchemyError, ValueError) as exc:
        raise fail(f"cannot open the database {settings.database_url!r}: {exc}") from None
    for name in settings.development_defaults():
        warn(f"{name} is at its development default; set it in production")
    if settings.inject_latency_ms:
        err.print(
            f"[yellow]warning:[/] every request waits {settings.inject_latency_ms:g} ms first "
            "(STORETWIN_INJECT_LATENCY_MS, for fault tests)"
        )
    url = f"http://{host}:{port}"
    console.print(f"store services on {url} (docs: {url}/docs), database {settings.database_url}")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # Each worker process builds its own app from the environment (the schema exists by now).
    os.environ["STORETWIN_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "services.api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def bench_services(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    requests: Annotated[int, typer.Option(min=10, help="Requests per endpoint.")] = 2000,
    workers: Annotated[int, typer.Option(min=1, help="Concurrent client threads.")] = 8,
) -> None:
    """Checkout vs a trivial endpoint over HTTP (uvicorn on SQLite): req/s, p50/p95/p99."""
    from services.bench import bench_services as measure

    # its server's access log would print every one of the ~4,000 requests on stderr
    # (and time them); $STORETWIN_ACCESS_LOG still turns it on
    os.environ.setdefault("STORETWIN_ACCESS_LOG", "off")
    try:
        figures = measure(requests, workers)
    except RuntimeError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(figures))
        return
    table = Table(title="Store services over HTTP: full checkout vs trivial endpoint")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, f"{value:,}")
    console.print(table)
