"""The ``storetwin`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from twin.commands import cameras as camera_commands
from twin.commands import dashboard as dashboard_commands
from twin.commands import frames as frame_commands
from twin.commands import loadtest as loadtest_commands
from twin.commands import models as model_commands
from twin.commands import pilot as pilot_commands
from twin.commands import services as service_commands
from twin.commands import sweep as sweep_commands
from twin.commands.options import ExecutorOption, RayAddressOption, out_folder, workers_for
from twin.executor import JobFailed
from twin.terminal import Commands, console, fail, keep_whole, print_whole, progress, warn

app = typer.Typer(
    cls=Commands,
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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the scenario library (or print the scenario JSON Schema)."""
    from scenarios import library
    from scenarios.schema import Scenario

    if schema:
        typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))
        return
    rows = [
        {
            "id": s.versioned_id,
            "format": s.format.value,
            "name": s.name,
            "daily_visitors": s.arrivals.daily_visitors,
            "description": s.description.strip(),
        }
        for s in library()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Scenario library")
    for column in ("id", "format", "name", "visitors/day", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["id"],
            row["format"],
            row["name"],
            f"{row['daily_visitors']:,.0f}",
            row["description"],
        )
    console.print(keep_whole(table, "id", "format", "visitors/day"))


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
            help="PATH=VALUE change (e.g. checkout.lanes=6, interventions=\\[self_checkout]); "
            "runs the base and the changed scenario side by side (a what-if).",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="PATH=VALUE change applied to the scenario before it runs, no what-if "
            "(e.g. --param checkout.queue=serpentine --param chain='{stores: 4}').",
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
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Also write tracks.parquet and queues.parquet (positions every 5 s) for the "
            "dashboard's store-floor replay; one store only. KPIs are the same.",
        ),
    ] = False,
    executor: ExecutorOption = None,
    ray_address: RayAddressOption = None,
    replications: Annotated[
        int,
        typer.Option(
            min=1,
            help="Seeds (seed, seed+1, ...) to run each arm with; > 1 gives means and paired "
            "95% CIs of the what-if's differences.",
        ),
    ] = 1,
) -> None:
    """Simulate a scenario (a store, a chain, or a what-if) and write JSON and Parquet results."""
    import httpx

    from scenarios import ScenarioError, load
    from scenarios.chain import expand_noting
    from scenarios.overrides import apply_everywhere, parse_assignment
    from services.domain.errors import DomainError
    from twin.hotzones import report_lines as hot_lines
    from twin.whatif import compare, run_arm, variants_of

    try:
        sc = load(scenario)
        params = dict(parse_assignment(a, "--param") for a in param or [])
        if params:
            sc = apply_everywhere(sc, params, source="--param")
        sets = dict(parse_assignment(a) for a in set_ or [])
        variants = variants_of(sc, sets)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    if trace and any(s.chain is not None for s in (sc, *variants.values())):
        raise fail("--trace replays one store: run a store scenario, not a chain")
    if trace and replications > 1:
        raise fail("--trace replays one run: drop --replications")
    pool = workers_for(workers, executor, ray_address)
    for arm, arm_sc in {"": sc, **{f"{name}: ": v for name, v in variants.items()}}.items():
        for note in expand_noting(arm_sc)[1]:
            warn(f"{arm}{note}")
    out = out_folder(out or Path("runs") / f"{sc.id}-s{seed}")
    seeds = f"seed {seed}" if replications == 1 else f"seeds {seed}..{seed + replications - 1}"
    title = f"{sc.name} ({sc.versioned_id}, {seeds}, {days} day(s))"
    if replications > 1:
        arms = {"base": sc.model_copy(update={"what_if": None}), **variants}
        runs = sweep_commands.Runs(seed, replications, days, out, pool, services)
        return sweep_commands.replicated_run(arms, runs, quiet, title)
    try:
        if services:
            shared_services_warning(services, sc, days)
        store_days = days * sum(len(expand_noting(a)[0]) for a in [sc, *variants.values()])
        with progress(f"{sc.versioned_id} seed {seed}, {days} day(s)", quiet, store_days) as tick:
            if variants:
                result = compare(sc, variants, seed, days, out, pool, tick, services, trace)
            else:
                outcome = run_arm(sc, seed, days, out, pool, tick, services, trace)
    except httpx.TransportError as exc:
        raise fail(f"cannot reach the services at {services}: {exc}") from None
    except (DomainError, httpx.HTTPStatusError) as exc:
        if not services:
            raise
        # a wrong $STORETWIN_API_KEY is a user's mistake: one line, not a traceback
        raise fail(f"the services at {services} refused the run: {exc}") from None
    except JobFailed as exc:
        raise fail(str(exc)) from None
    if quiet:
        return
    if variants:
        console.print(comparison_table(result.rows(), title))
        console.print(  # an answer carries its doubts (ARCHITECTURE rule 10)
            "one seed: same shoppers in every arm, yet a difference may still be chance; "
            "--replications 10 gives each a paired 95% CI"
        )
        promotion_tables(out, ["base", *variants])
        console.print(f"outputs in [bold]{out}[/]: base/, " + ", ".join(f"{v}/" for v in variants))
    else:
        console.print(kpi_table(outcome.kpis, title))
        own = out / "stores" / "<store>" / "store.db" if sc.chain else out / "store.db"
        console.print(f"outputs in [bold]{out}[/]; services: {services or own}")
    for line in hot_lines(out, ["base", *variants] if variants else [""]):
        console.print(line, markup=False)


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
        params = "\n".join(f"{k}={v}" for k, v in row["params"].items())
        table.add_row(row["name"], row["pillar"], row["summary"], params, row["case"])
    # one parameter a line, each at least as wide as its ``name=value`` up to the first space,
    # so `| grep detect_rate` finds it (it was folded to `detect_r` / `ate=0.85`)
    lines = [f"{k}={v}" for row in rows for k, v in row["params"].items()]
    table.columns[3].min_width = max(len(line.split(" ")[0]) for line in lines)
    print_whole(keep_whole(table, "name", "pillar"))


@app.command()
def calibrate(
    seed: Annotated[int, typer.Option(min=0)] = 1,
    days: Annotated[int, typer.Option(min=1)] = 3,
    visitors: Annotated[float, typer.Option(min=50, help="Daily visitors of the store.")] = 3000,
    write: Annotated[
        Path | None,
        typer.Option(help="Put both tables into this Markdown file's marked sections."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print the twin beside the case figures, and each library format beside retail studies."""
    import dataclasses

    from twin.baselines import WEEK, baseline_markdown, baseline_table
    from twin.calibration import (
        BASELINES_END,
        BASELINES_START,
        markdown,
        sanity_table,
        write_into,
    )

    with progress("calibration arms", as_json) as tick:
        rows = sanity_table(seed, days, visitors, tick)
    with progress("library baselines", as_json) as tick:
        formats, found = baseline_table(seed, WEEK, tick)
    if as_json:
        payload = {
            "sanity": [
                {**dataclasses.asdict(r), "holds": r.holds, "verdict": r.verdict.strip("*")}
                for r in rows
            ],
            "baselines": [
                {**dataclasses.asdict(b), "within": b.within, "shown": b.shown()} for b in formats
            ],
        }
        typer.echo(json.dumps(payload, indent=2, default=str))
    else:
        table = Table(title="Sanity table: the twin vs the case figures")
        for column in ("intervention", "case figure", "twin measures", "twin gives", "verdict"):
            table.add_column(column, overflow="fold")
        for r in rows:
            table.add_row(r.intervention, r.case_figure, r.measure, r.twin, r.verdict.strip("*"))
        console.print(keep_whole(table, "intervention"))
        base = Table(title="Library baselines vs retail studies")
        for column in ("format", "measure", "twin", "reference", "verdict"):
            base.add_column(column, overflow="fold")
        for b in formats:
            ref = b.reference
            span = f"{b.shown(ref.low)} - {b.shown(ref.high)}"
            verdict = "within" if b.within else "outside"
            base.add_row(b.format, ref.measure, b.shown(), span, verdict)
        console.print(keep_whole(base, "format", "measure"))
    if write is not None:
        try:
            write_into(write, markdown(rows, seed, days, visitors))
            write_into(
                write,
                baseline_markdown(formats, found, seed, WEEK),
                BASELINES_START,
                BASELINES_END,
            )
        except (OSError, ValueError) as exc:
            raise fail(str(exc)) from None
        if not as_json:
            console.print(f"tables written into {write}")


@bench_app.command("twin")
def bench_twin(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    seed: Annotated[int, typer.Option(min=0)] = 7,
    scenario: Annotated[str, typer.Option(help="Scenario to time.")] = "supermarket",
    repeat: Annotated[int, typer.Option(min=1, help="Store-days to time; the best counts.")] = 3,
    instructions: Annotated[
        bool, typer.Option("--instructions", help="Also count one store-day's instructions.")
    ] = False,
) -> None:
    """Time one store-day and compare with a raw SimPy loop of the same event count."""
    from scenarios import ScenarioError, load
    from twin.bench import bench_twin as measure
    from twin.instructions import INSTALL_HINT, count_store_day, valgrind

    if instructions and valgrind() is None:
        raise fail(INSTALL_HINT)
    try:
        sc = load(scenario)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    figures = measure(sc, seed, repeat)
    if instructions:
        try:
            counted = count_store_day(scenario, seed)
        except RuntimeError as exc:
            raise fail(str(exc)) from None
        figures = {"instructions": counted["instructions"], **figures}
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


def shared_services_warning(url: str, scenario: Any, days: int) -> None:
    """Warn, listing it, when the services already hold data that would change the results."""
    from services.domain.errors import DomainError
    from twin.executor import connect
    from twin.run import foreign_data

    with connect(url) as client:
        try:
            found = foreign_data(client, scenario, days)
        except DomainError as exc:  # e.g. a store's key may not list the chain
            warn(f"could not check the services at {url} for other data: {exc}")
            return
    if found:
        lines = "\n".join(f"  - {f}" for f in found)
        warn(
            f"the services at {url} already hold data that can change this run's results "
            f"(compare runs only on a fresh database):\n{lines}"
        )


def comparison_table(rows: list[dict], title: str) -> Table:
    """Base vs variant per KPI, with the difference; headline KPIs only."""
    from twin.result import HEADLINE

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
    return keep_whole(table, "KPI", "variant")


def promotion_tables(out: Path, arms: list[str]) -> None:
    """Print each arm's promotions.json (review KPIs beside the true effect), if it has one."""
    import json

    from twin.promotion_report import COLUMNS, REPORT, table_rows

    for arm in arms:
        path = out / arm / REPORT
        if not path.exists():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        versus = report["counterfactual"]
        rows = table_rows(report)
        table = Table(title=f"Promotions of {arm!r} vs {versus!r} (same shoppers)")
        table.add_column("")
        for cells in rows:
            table.add_column(cells[0], justify="right")
        for i, (header, _) in enumerate(COLUMNS[1:], start=1):
            table.add_row(header, *(cells[i] for cells in rows))
        console.print(keep_whole(table, "", *(cells[0] for cells in rows)))
        true = report["true_effect"]
        console.print(
            f"true effect of the block over the run: sales {true['incremental_sales']:+,.2f}, "
            f"gross margin {true['incremental_margin']:+,.2f}; details in {path}"
        )


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
    return keep_whole(table, "KPI")


# Commands that live in twin/commands/ are registered here, one line each, so the
# whole CLI is visible in one place while each command keeps its own module.
app.command()(service_commands.serve)
bench_app.command("services")(service_commands.bench_services)
app.command("loadtest")(loadtest_commands.loadtest)
app.command("invariants")(loadtest_commands.invariants)
app.command("live")(loadtest_commands.live)
bench_app.command("models")(model_commands.bench_models)
app.add_typer(pilot_commands.app, name="pilot")
app.command()(dashboard_commands.dashboard)
app.command()(sweep_commands.sweep)
app.add_typer(camera_commands.app, name="cameras")
app.add_typer(frame_commands.app, name="frames")
