"""``storetwin loadtest`` and ``storetwin invariants``: twin traffic against live services."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from twin.terminal import console, err, fail

# k6 exits with 99 when a threshold fails; so do we (and for a failed invariant).
FAILED = 99
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """Seconds from ``90``, ``30s``, ``5m`` or ``1h``; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", text)
    if not m:
        raise ValueError(f"bad duration {text!r}: use a number with s, m or h, such as 5m")
    return float(m[1]) * _UNITS[m[2] or ""]


def loadtest(
    services: Annotated[
        str, typer.Option(help="URL of a running `storetwin serve` (loopback or your own).")
    ],
    scenario: Annotated[str, typer.Option(help="Library id or YAML path.")] = "supermarket",
    chain: Annotated[
        int, typer.Option(min=1, help="Stores of the chain, one Locust user each.")
    ] = 1,
    speed: Annotated[
        float, typer.Option(min=0.001, help="Simulated seconds per real second.")
    ] = 60.0,
    duration: Annotated[str, typer.Option(help="Test length: 30s, 5m, 1h.")] = "1m",
    ramp: Annotated[str, typer.Option(help="Stores join evenly over this time.")] = "0s",
    threshold: Annotated[
        list[str] | None,
        typer.Option(help="Pass/fail rule, e.g. 'checkout.p95<200ms' or 'errors<0.1%'."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/loadtest"),
    seed: Annotated[int, typer.Option(min=0, help="Twin seed of the recorded traffic.")] = 0,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="PATH=VALUE change to the scenario.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help="Database URL of the services, to check the invariants afterwards."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes recording the stores (default: all cores)."),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="STORETWIN_API_KEY", help="HQ API key (default: the development key)."),
    ] = None,
) -> None:
    """Replay the twin's traffic against live services (Locust, open model), then check the data.

    Run it against an empty database: the recorded stores and members are created again.
    Exits 99 when a threshold or an invariant fails, like k6.
    """
    from scenarios import ScenarioError, load
    from scenarios.overrides import apply, parse_assignment
    from twin.loadtest.report import parse_threshold
    from twin.loadtest.run import load_test

    try:
        rules = [parse_threshold(t) for t in threshold or []]
        duration_s, ramp_s = parse_duration(duration), parse_duration(ramp)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if duration_s <= 0:
        raise fail("--duration must be above 0")
    try:
        sc = load(scenario)
        if set_:
            sc = apply(sc, dict(parse_assignment(a) for a in set_))
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    try:
        result = load_test(
            services,
            sc,
            chain=chain,
            speed=speed,
            duration_s=duration_s,
            ramp_s=ramp_s,
            thresholds=rules,
            out=out,
            seed=seed,
            db_url=db,
            api_key=api_key,
            workers=workers or os.cpu_count() or 1,
            status=lambda text: err.print(text, highlight=False),
        )
    except RuntimeError as exc:
        raise fail(str(exc)) from None
    print_result(result)
    console.print(f"results in [bold]{out}[/]: loadtest.json, loadtest.html")
    if not result["pass"]:
        raise typer.Exit(FAILED)


def print_result(result: dict) -> None:
    """Endpoint figures, thresholds and invariants as tables."""
    table = Table(title=f"{result['requests']} requests, {result['errors']} errors")
    for column in ("endpoint", "requests", "errors", "req/s", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for name, e in result["endpoints"].items():
        table.add_row(
            name,
            str(e["requests"]),
            str(e["errors"]),
            f"{e['rps']:.1f}",
            *(f"{e[k]:.1f}" for k in ("p50", "p95", "p99", "max")),
        )
    console.print(table)
    checks = Table(title="Thresholds")
    for column in ("threshold", "value", "result"):
        checks.add_column(column)
    for c in result["thresholds"]:
        checks.add_row(c["threshold"], str(c["value"]), _verdict(c["pass"]))
    console.print(checks)
    if result["invariants_checked"]:
        print_invariants(result["invariants"])
    else:
        err.print("[yellow]warning:[/] invariants not checked: pass --db with the services' URL")


def print_invariants(checks: list[dict]) -> None:
    """The invariants table."""
    table = Table(title="Invariants")
    for column in ("invariant", "violations", "result", "examples"):
        table.add_column(column)
    for c in checks:
        table.add_row(
            c["name"], str(c["violations"]), _verdict(c["pass"]), "; ".join(c["examples"])
        )
    console.print(table)


def _verdict(passed: bool) -> str:
    return "[green]pass[/]" if passed else "[bold red]FAIL[/]"


def invariants(
    db: Annotated[str, typer.Option(help="Database URL of the services.")],
) -> None:
    """Check the invariants of a services database (read only); exits 99 if one fails."""
    from sqlalchemy.exc import SQLAlchemyError

    from services.db import Database
    from services.domain.invariants import check_all

    try:
        database = Database(db)
        with database.sessions() as session:
            checks = [c.as_dict() for c in check_all(session)]
    except (SQLAlchemyError, ValueError) as exc:
        raise fail(f"cannot read the database {db!r}: {exc}") from None
    print_invariants(checks)
    if not all(c["pass"] for c in checks):
        raise typer.Exit(FAILED)
