"""The ``storetwin`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from twin.commands import loadtest as loadtest_commands
from twin.commands import models as model_commands
from twin.commands import pilot as pilot_commands
from twin.commands import services as service_commands
from twin.terminal import console, fail, progress

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="storetwin: try store digitalisation in a digital twin before paying for it.",
)
bench_app = typer.Typer(no_args_is_help=True, help="Speed benchmarks.")
app.add_typer(bench_app, name="bench")


@app.command()
def scenarios(
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of scenario files.")
    ] = False,
) -> None:
    """List the scenario library (or print the scenario JSON Schema)."""
    from scenarios import library
    from scenarios.schema import Scenario

    if schema:
        typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))
        return
    table = Table(title="Scenario library")
    for column in ("id", "format", "name", "visitors/day", "description"):
        table.add_column(column)
    for s in library():
        table.add_row(
            s.versioned_id,
            s.format.value,
            s.name,
            f"{s.arrivals.daily_visitors:,.0f}",
            s.description.strip(),
        )
    console.print(table)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Library id (e.g. supermarket) or YAML path.")],
    seed: Annotated[int, typer.Option(min=0, help="Run seed.")] = 0,
    days: Annotated[int, typer.Option(min=1, help="Days to simulate.")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/<scenario>-s<seed>).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="PATH=VALUE change (e.g. checkout.lanes=6, interventions=[self_checkout]); "
            "runs the base and the changed scenario side by side.",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes for chain runs (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar or KPI table.")] = False,
    services: Annotated[
        str | None,
        typer.Option(
            help="URL of a running `storetwin serve` to use instead of in-process services "
            "(API key from $STORETWIN_API_KEY)."
        ),
    ] = None,
) -> None:
    """Simulate a scenario (a store, a chain, or a what-if) and write JSON and Parquet results."""
    import httpx

    from scenarios import ScenarioError, load
    from scenarios.overrides import parse_assignment
    from twin.whatif import compare, run_arm, variants_of

    try:
        sc = load(scenario)
        sets = dict(parse_assignment(a) for a in set_ or [])
        variants = variants_of(sc, sets)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    out = out or Path("runs") / f"{sc.id}-s{seed}"
    title = f"{sc.name} ({sc.versioned_id}, seed {seed}, {days} day(s))"
    try:
        with progress(f"{sc.versioned_id} seed {seed}, {days} day(s)", quiet) as tick:
            if variants:
                result = compare(sc, variants, seed, days, out, workers, tick, services)
            else:
                outcome = run_arm(sc, seed, days, out, workers, tick, services)
    except httpx.TransportError as exc:
        raise fail(f"cannot reach the services at {services}: {exc}") from None
    if quiet:
        return
    if variants:
        console.print(comparison_table(result.rows(), title))
        console.print(f"outputs in [bold]{out}[/]: base/, " + ", ".join(f"{v}/" for v in variants))
    else:
        console.print(kpi_table(outcome.kpis, title))
        console.print(f"outputs in [bold]{out}[/]; services: {services or out / 'store.db'}")


@app.command()
def interventions(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the 5P intervention library with parameters, defaults and the case behind them."""
    from scenarios.interventions import REGISTRY

    rows = [
        {
            "name": i.name,
            "pillar": i.pillar.value,
            "summary": i.summary,
            "case": i.case,
            "params": i.Params().model_dump(mode="json"),
        }
        for i in REGISTRY.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Intervention library (costs per store, scenario currency)")
    for column in ("name", "pillar", "what it does", "parameters (defaults)", "case"):
        table.add_column(column, overflow="fold")
    for row in rows:
        params = ", ".join(f"{k}={v}" for k, v in row["params"].items())
        table.add_row(row["name"], row["pillar"], row["summary"], params, row["case"])
    console.print(table)


@app.command()
def calibrate(
    seed: Annotated[int, typer.Option(min=0)] = 1,
    days: Annotated[int, typer.Option(min=1)] = 3,
    visitors: Annotated[float, typer.Option(min=50, help="Daily visitors of the store.")] = 3000,
    write: Annotated[
        Path | None, typer.Option(help="Put the table into this Markdown file's sanity section.")
    ] = None,
) -> None:
    """Run each intervention against the base store and print the twin beside the case figures."""
    from twin.calibration import markdown, sanity_table, write_into

    with progress("calibration arms") as tick:
        rows = sanity_table(seed, days, visitors, tick)
    table = Table(title="Sanity table: the twin vs the case figures")
    for column in ("intervention", "case figure", "twin measures", "twin gives", "default"):
        table.add_column(column, overflow="fold")
    for r in rows:
        tuned = "tuned" if r.tuned else "check"
        table.add_row(r.intervention, r.case_figure, r.measure, r.twin, tuned)
    console.print(table)
    if write is not None:
        try:
            write_into(write, markdown(rows, seed, days, visitors))
        except (OSError, ValueError) as exc:
            raise fail(str(exc)) from None
        console.print(f"table written into {write}")


@bench_app.command("twin")
def bench_twin(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    seed: Annotated[int, typer.Option(min=0)] = 7,
    scenario: Annotated[str, typer.Option(help="Scenario to time.")] = "supermarket",
    repeat: Annotated[int, typer.Option(min=1, help="Store-days to time; the best counts.")] = 3,
) -> None:
    """Time one store-day and compare with a raw SimPy loop of the same event count."""
    from scenarios import ScenarioError, load
    from twin.bench import bench_twin as measure

    try:
        sc = load(scenario)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    figures = measure(sc, seed, repeat)
    if as_json:
        typer.echo(json.dumps(figures))
        return
    table = Table(title=f"Twin speed: one {sc.versioned_id} store-day")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        shown = f"{value:,.1f}" if isinstance(value, float) and value >= 100 else f"{value:,}"
        table.add_row(key, shown)
    console.print(table)


def comparison_table(rows: list[dict], title: str) -> Table:
    """Base vs variant per KPI, with the difference; headline KPIs only."""
    from twin.whatif import HEADLINE

    table = Table(title=f"What-if: {title}")
    for column in ("KPI", "variant", "base", "value", "diff", "diff %"):
        table.add_column(column, justify="left" if column in ("KPI", "variant") else "right")
    for row in rows:
        if row["kpi"] not in HEADLINE:
            continue
        pct = "" if row["diff_pct"] is None else f"{row['diff_pct']:+.1f}%"
        table.add_row(
            row["kpi"],
            row["variant"],
            f"{row['base']:,}",
            f"{row['value']:,}",
            f"{row['diff']:+,}",
            pct,
        )
    return table


def kpi_table(kpis: dict, title: str) -> Table:
    """A rich table of KPIs with their units."""
    from twin.result import KPI_DOC

    table = Table(title=title)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for key, value in kpis.items():
        unit = KPI_DOC.get(key, ("", ""))[0]
        shown = f"{value:,.4g}" if unit == "share" else f"{value:,}"
        table.add_row(key, shown, unit)
    return table


# Commands that live in twin/commands/ are registered here, one line each, so the
# whole CLI is visible in one place while each command keeps its own module.
app.command()(service_commands.serve)
bench_app.command("services")(service_commands.bench_services)
app.command("loadtest")(loadtest_commands.loadtest)
app.command("invariants")(loadtest_commands.invariants)
app.command("live")(loadtest_commands.live)
bench_app.command("models")(model_commands.bench_models)
app.add_typer(pilot_commands.app, name="pilot")
