"""``storetwin cameras value``: what a queue-camera model's errors cost the store per day."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from twin.commands.options import ExecutorOption, RayAddressOption, out_folder, workers_for
from twin.terminal import console, fail, keep_whole, progress, warn

app = typer.Typer(no_args_is_help=True, help="Cameras in the store: what their models are worth.")


class CameraKind(StrEnum):
    """Cameras whose observations steer a decision the twin can price."""

    queue = "queue"


@app.command("value")
def value(
    scenario: Annotated[str, typer.Argument(help="Library id (e.g. convenience) or YAML path.")],
    camera: Annotated[
        CameraKind, typer.Option("--camera", help="The camera to price (queue: lane opening).")
    ] = CameraKind.queue,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            help="People model by name (blazepose) or a model file benchmarked with "
            "`storetwin bench models` (its rates via --error-table); repeat to compare models. "
            "Default: the scenario's queue camera model, else blazepose.",
        ),
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="Days per run.")] = 2,
    replications: Annotated[
        int, typer.Option(min=1, help="Seeds (seed, seed+1, ...), the same in every arm.")
    ] = 5,
    seed: Annotated[int, typer.Option(min=0, help="First seed.")] = 0,
    error_table: Annotated[
        list[Path] | None,
        typer.Option(
            "--error-table",
            help="bench.json or error_table.json of `storetwin bench models` with the "
            "models' measured rates (the shipped table is always there too); repeatable.",
        ),
    ] = None,
    real: Annotated[
        bool,
        typer.Option(
            "--real",
            help="Also run each built-in model in real fidelity (render + OpenVINO: slow).",
        ),
    ] = False,
    off_till_value: Annotated[
        float | None,
        typer.Option(
            "--off-till-value",
            min=0.0,
            max=1.0,
            help="Share of cashiers' off-till time the store does not pay for or gets back as "
            "other work (0 fixed roster ... 1 on-call); default: the scenario's "
            "staff.cashiers.off_till_value.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="PATH=VALUE applied to the scenario first (all arms)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/cameras-value-<scenario>).")
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Runs at once (default: all).")] = None,
    executor: ExecutorOption = None,
    ray_address: RayAddressOption = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar or table.")] = False,
) -> None:
    """Run the store with no camera, an oracle camera and each model; price the models' errors.

    Every arm runs the same seeds (common random numbers). The cost of a model's
    errors per store-day is the oracle arm's contribution minus the model's,
    with a paired 95% CI across replications. Writes value.json and value.html.
    """
    from scenarios import ScenarioError, load
    from scenarios.overrides import apply_everywhere, parse_assignment
    from twin.camera_value import CameraValueError, _cameras, headline
    from twin.camera_value import value as run_value
    from twin.executor import JobFailed

    try:
        sc = load(scenario)
        params = dict(parse_assignment(a, "--param") for a in param or [])
        if params:
            sc = apply_everywhere(sc, params, source="--param")
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    models = model or [_cameras(sc)[1]["model"]]
    out = out_folder(out or Path("runs") / f"cameras-value-{sc.id}")
    pool = workers_for(workers, executor, ray_address)
    arms = 2 + len(models) * (2 if real else 1)
    try:
        with progress(
            f"cameras value: {arms} arms x {replications} seeds",
            quiet,
            store_days=arms * replications * days,
        ) as tick:
            result = run_value(
                sc,
                models,
                days,
                replications,
                out,
                seed=seed,
                tables=error_table or [],
                real=real,
                off_till_value=off_till_value,
                workers=pool,
                progress=tick,
            )
    except (CameraValueError, ScenarioError, JobFailed) as exc:
        raise fail(str(exc)) from None
    for note in result["warnings"]:
        warn(note)
    if quiet:
        return
    console.print(cost_table(result))
    for line in headline(result):
        console.print(f"[bold]{line}[/]")
    console.print(f"outputs in [bold]{out}[/]: value.json, value.html, runs/")


def cost_table(result: dict) -> Table:
    """Per arm: cost per store-day with its CI; labour and margin against the oracle, per day."""
    cur = result["currency"]
    table = Table(
        title=f"Cost of queue-camera error per store-day ({cur}), {result['scenario']}, "
        f"{result['days']} d x {result['replications']} seeds, vs the oracle camera",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    columns = ("arm", "cost", "95% CI", "labour", "margin", "wait s", "walk-outs")
    for c in columns:
        table.add_column(c)
    for a in result["arms"]:
        c, k = a["cost_per_store_day"], a["kpis"]
        ci = "-" if c["ci_low"] is None else f"{c['ci_low']:,.1f}..{c['ci_high']:,.1f}"
        b = a.get("breakdown_per_store_day", {})
        walk = k["balked"]["value"] + k["reneged"]["value"]
        table.add_row(
            a["arm"],
            f"{c['mean']:,.1f}",
            ci,
            f"{b.get('extra_labour', 0.0):+,.1f}",
            f"{0.0 - b.get('lost_gross_margin', 0.0):+,.1f}",  # never -0.0
            f"{k['queue_wait_mean_s']['value']:.1f}",
            f"{walk:.1f}",
        )
    return keep_whole(table, *columns)
