"""The ``storetwin`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

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
    quiet: Annotated[bool, typer.Option(help="No progress bar or KPI table.")] = False,
) -> None:
    """Simulate a scenario and write summary.json and Parquet tables."""
    from scenarios import ScenarioError, load
    from twin.run import run as run_twin

    try:
        sc = load(scenario)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    out = out or Path("runs") / f"{sc.id}-s{seed}"
    with progress(f"{sc.versioned_id} seed {seed}, {days} day(s)", quiet) as tick:
        result = run_twin(sc, seed=seed, days=days, db_path=out / "store.db", progress=tick)
    paths = result.write(out)
    if not quiet:
        console.print(kpi_table(result.kpis, f"{sc.name} ({sc.versioned_id}, seed {seed})"))
        console.print(f"outputs in [bold]{out}[/]: " + ", ".join(p.name for p in paths.values()))
        console.print(f"database: {out / 'store.db'}")


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
bench_app.command("models")(__import__("twin.commands.models", fromlist=["*"]).bench_models)
