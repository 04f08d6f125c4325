"""``storetwin loadtest`` and ``storetwin invariants``: twin traffic against live services."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from twin.terminal import console, err, fail, keep_figures, keep_whole, print_whole, warn

# k6 exits with 99 when a threshold fails; so do we (and for a failed invariant).
FAILED = 99
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """Seconds from ``90``, ``30s``, ``5m`` or ``1h``; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", text)
    if not m:
        raise ValueError(f"bad duration {text!r}: use a number with s, m or h, such as 5m")
    return float(m[1]) * _UNITS[m[2] or ""]


def check_services(services: str, api_key: str | None) -> None:
    """Fail before recording when the services are not there or refuse the key.

    Without this a load test against a stopped server or with a wrong key sent only
    failing requests, warned that the invariants were not checked, and exited 0.
    """
    import httpx

    from services.settings import DEV_HQ_KEY

    try:
        reply = httpx.get(
            f"{services.rstrip('/')}/stores",
            params={"limit": 1},
            headers={"X-API-Key": api_key or DEV_HQ_KEY},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        raise fail(f"cannot reach the services at {services}: {exc}") from None
    if reply.status_code in (401, 403):
        raise fail(
            f"the services at {services} refused the key ({reply.status_code}: "
            f"{reply.text[:200]}); a load test needs an HQ key (--api-key or $STORETWIN_API_KEY)"
        )


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
    ramp_speed: Annotated[
        str | None,
        typer.Option(
            help="Find the knee: speeds first..last:step (200..1000:200) or a list (200,400), "
            "each for an equal share of --duration; replaces --speed."
        ),
    ] = None,
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
        typer.Option(
            help="Database URL of the services, to check the invariants here "
            "(without it the services check them: POST /admin/invariants)."
        ),
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
    from twin.loadtest.ramp import parse_speeds
    from twin.loadtest.report import parse_threshold
    from twin.loadtest.run import load_test

    try:
        rules = [parse_threshold(t) for t in threshold or []]
        duration_s, ramp_s = parse_duration(duration), parse_duration(ramp)
        speeds = parse_speeds(ramp_speed) if ramp_speed else None
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
    check_services(services, api_key)
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
            speeds=speeds,
        )
    except RuntimeError as exc:
        raise fail(str(exc)) from None
    print_result(result)
    console.print(f"results in [bold]{out}[/]: loadtest.json, loadtest.html")
    if not result["pass"]:
        raise typer.Exit(FAILED)


def print_result(result: dict) -> None:
    """Endpoint figures, thresholds and invariants as tables."""
    title = f"{result['requests']} requests, {result['errors']} errors"
    if result.get("resent"):
        title += f", {result['resent']} resent (refused, 502/503/504)"
    table = Table(title=title)
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
    # `loadtest ... | grep "POST /orders/checkout"` finds the row in a pipe.
    figures = ("requests", "errors", "req/s", "p50", "p95", "p99", "max")
    print_whole(keep_figures(keep_whole(table, "endpoint"), *figures))
    checks = Table(title="Thresholds")
    for column in ("threshold", "value", "result"):
        checks.add_column(column)
    for c in result["thresholds"]:
        checks.add_row(c["threshold"], c.get("shown", str(c["value"])), _verdict(c["pass"]))
    print_whole(keep_whole(checks, "threshold", "value"))
    if result["invariants_checked"]:
        print_invariants(result["invariants"])
    else:
        why = result["invariants_unchecked_why"]
        warn(f"invariants not checked: {why}; pass --db")
    if "ramp" in result:
        print_ramp(result["ramp"], result["knee"])


def print_ramp(steps: list[dict], knee: dict) -> None:
    """One row per speed step, and the knee."""
    table = Table(title=f"Speed ramp (a step holds when {' and '.join(knee['rules'])})")
    for column in (
        "speed",
        "stores x speed",
        "req/s",
        "errors",
        "checkout p95",
        "all p95",
        "holds",
    ):
        table.add_column(column, justify="right")
    for s in steps:
        table.add_row(
            f"{s['speed']:g}",
            f"{s['store_equivalents']:g}",
            f"{s['rps']:.1f}",
            f"{s['error_rate']:.2%}",
            "-" if s["p95"] is None else f"{s['p95']:.1f}",
            "-" if s["all_p95"] is None else f"{s['all_p95']:.1f}",
            _verdict(s["pass"]),
        )
    console.print(table)
    if knee["speed"] is None:
        console.print("knee: below the first step (it already fails)")
    else:
        console.print(
            f"knee: {knee['speed']:g}x ({knee['store_equivalents']:g} store-equivalents in "
            f"real time, {knee['rps']:.1f} req/s); first failing step: "
            + (f"{knee['first_failing_speed']:g}x" if knee["first_failing_speed"] else "none")
        )


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
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check the invariants of a services database (read only); exits 99 if one fails."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from services.db import Database
    from services.domain.invariants import check_all

    try:
        url = make_url(db)
        file = url.database if url.get_backend_name() == "sqlite" else None
        if file and file != ":memory:" and not Path(file).is_file():
            # SQLite would make an empty database there: a read-only check must not.
            raise fail(f"no SQLite database at {file}: give the --db that `storetwin serve` used")
        database = Database(db)
        with database.sessions() as session:
            checks = [c.as_dict() for c in check_all(session)]
    except (SQLAlchemyError, ValueError) as exc:
        first = str(exc).splitlines()[0]  # not the SQL statement that failed
        raise fail(f"cannot read the database {db!r}: {first}") from None
    if as_json:
        typer.echo(json.dumps({"pass": all(c["pass"] for c in checks), "checks": checks}))
    else:
        print_invariants(checks)
    if not all(c["pass"] for c in checks):
        raise typer.Exit(FAILED)


def live(
    scenario: Annotated[str, typer.Argument(help="Library id (e.g. supermarket) or YAML path.")],
    services: Annotated[str, typer.Option(help="URL of a running `storetwin serve`.")],
    speed: Annotated[
        float, typer.Option(min=0.001, help="Simulated seconds per real second.")
    ] = 60.0,
    duration: Annotated[str, typer.Option(help="How long to run: 30s, 5m, 1h.")] = "1m",
    seed: Annotated[int, typer.Option(min=0, help="Run seed.")] = 0,
    out: Annotated[Path, typer.Option(help="Output folder (live.json).")] = Path("runs/live"),
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="PATH=VALUE change to the scenario.")
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="STORETWIN_API_KEY", help="HQ API key (default: the development key)."),
    ] = None,
) -> None:
    """Run the twin in compressed real time against HTTP services and report how far it lags."""
    import httpx

    from scenarios import ScenarioError, load
    from scenarios.chain import expand
    from scenarios.overrides import apply, parse_assignment
    from services.client import HttpClient
    from twin.clock import DAY
    from twin.live import run_live, write

    try:
        duration_s = parse_duration(duration)
        sc = load(scenario)
        if set_:
            sc = apply(sc, dict(parse_assignment(a) for a in set_))
    except ValueError as exc:
        raise fail(str(exc)) from None
    except ScenarioError as exc:
        raise fail(str(exc)) from None

    def report(sim_s: float, lag_s: float) -> None:
        day, rest = divmod(int(sim_s), int(DAY))
        clock = f"day {day + 1} {rest // 3600:02d}:{rest % 3600 // 60:02d}"
        if lag_s > 1.0:
            err.print(f"[yellow]behind:[/] the twin is {lag_s:.1f} s late at {clock}")
        else:
            err.print(f"{clock}: on time (lag {lag_s * 1000:.0f} ms)", highlight=False)

    client = HttpClient(services, api_key)
    try:
        result = run_live(
            expand(sc)[0], client, speed=speed, duration_s=duration_s, seed=seed, report=report
        )
    except httpx.TransportError as exc:
        raise fail(f"cannot reach the services at {services}: {exc}") from None
    finally:
        client.close()
    path = write(result, out)
    lag = result["lag_s"]
    console.print(
        f"{result['live_events']} events in real time at {speed:g}x: lag p50 {lag['p50']} s, "
        f"p95 {lag['p95']} s, max {lag['max']} s; {result['late_share']:.1%} over 1 s late"
    )
    wait = result["checkout_wait_s"]
    console.print(
        f"{result['sim_s'] / 60:.0f} simulated minutes, {result['checkouts']} checkouts: "
        f"queue wait mean {wait['mean']} s, p95 {wait['p95']} s; "
        f"lanes waited {result['pos_held_s']} s on the services"
    )
    console.print(f"results in [bold]{path}[/]")
