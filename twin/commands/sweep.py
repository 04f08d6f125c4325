"""``storetwin sweep`` and ``storetwin run --replications``: variants x seeds, paired CIs."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from twin.commands.options import ExecutorOption, RayAddressOption, out_folder, workers_for
from twin.executor import JobFailed, Workers
from twin.terminal import console, fail, keep_figures, keep_whole, print_whole, progress


def sweep(
    scenario: Annotated[str, typer.Argument(help="Library id (e.g. supermarket) or YAML path.")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="PATH=V1,V2,... or PATH=LOW..HIGH; repeat to cross them (e.g. "
            "checkout.lanes=3,4,5,6). staff.cashiers=N sets the count of every cashier "
            "shift of the roster.",
        ),
    ],
    replications: Annotated[
        int, typer.Option(min=1, help="Seeds per variant (seed, seed+1, ...), the same in each.")
    ] = 10,
    days: Annotated[int, typer.Option(min=1, help="Days to simulate per run.")] = 7,
    seed: Annotated[int, typer.Option(min=0, help="First seed.")] = 0,
    goal: Annotated[
        str, typer.Option(help="What the best variant does: 'max KPI' or 'min KPI'.")
    ] = "max contribution",
    constraint: Annotated[
        list[str] | None,
        typer.Option(
            help="KPI<NUMBER (or <=, >, >=) the best variant's mean must meet; repeatable."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(help="PATH=VALUE applied to the scenario before the sweep (all arms)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/sweep-<scenario>).")
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Runs at once (default: all).")] = None,
    executor: ExecutorOption = None,
    ray_address: RayAddressOption = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar or tables.")] = False,
) -> None:
    """Run every combination of the varied values (and the base) over the same seeds.

    Writes sweep.parquet (variant x replication x KPI), sweep.json and sweep.html,
    and prints the best variant under the goal and constraints.
    """
    from scenarios import ScenarioError, load
    from scenarios.overrides import apply_everywhere, parse_assignment
    from scenarios.pilot.page import write_html
    from twin import sweep as sw
    from twin.sweep_page import PLOTTED, render

    try:
        target = sw.parse_goal(goal)
        limits = [sw.parse_constraint(c) for c in constraint or []]
        varies = [sw.parse_vary(v) for v in vary]
        sc = load(scenario)
        params = dict(parse_assignment(a, "--param") for a in param or [])
        if params:
            sc = apply_everywhere(sc, params, source="--param")
        grid = sw.grid(sc, varies)
    except (ScenarioError, sw.SweepError) as exc:
        raise fail(str(exc)) from None
    out = out_folder(out or Path("runs") / f"sweep-{sc.id}")
    pool = workers_for(workers, executor, ray_address)
    arms = {sw.BASE: sc.model_copy(update={"what_if": None}), **{v.name: v.scenario for v in grid}}
    runs = Runs(seed, replications, days, out, pool)
    long, summary, diffs = _replicate(arms, runs, quiet)
    paths = [path for path, _ in varies]
    base_params = {path: sw.base_value(arms[sw.BASE], path) for path in paths}
    names = {sw.BASE: base_params, **{v.name: dict(v.params) for v in grid}}
    for path in paths:
        long[path] = [names[v][path] for v in long["variant"]]
    pick, left_out = sw.best(summary, target, limits)
    wanted = f"{target.sense} {target.kpi}" + "".join(f", {c}" for c in limits)
    if pick is None:
        verdict = f"no variant meets {', '.join(map(str, limits))}"
    else:
        verdict = f"best under {wanted}: {pick}"
    out.mkdir(parents=True, exist_ok=True)
    long.to_parquet(out / "sweep.parquet", index=False)
    (out / "sweep.json").write_text(
        json.dumps(
            {
                "scenario": sc.versioned_id,
                "days": days,
                "seeds": runs.seeds,
                "variants": {
                    name: {"params": names.get(name, {}), "folder": f"runs/{i:03d}"}
                    for i, name in enumerate(arms)
                },
                "goal": wanted,
                "best": pick,
                "left_out": left_out,
                "differences": _records(diffs),
            },
            indent=2,
        )
        + "\n"
    )
    shown = list(dict.fromkeys([target.kpi, *(c.kpi for c in limits), *PLOTTED]))
    title = f"Sweep of {sc.name} ({sc.versioned_id}), {replications} replication(s) x {days} day(s)"
    write_html(out / "sweep.html", render(title, summary, diffs, names, shown, verdict))
    if quiet:
        return
    shown_kpis = [target.kpi, *(c.kpi for c in limits)]
    print_whole(means_table(summary, shown_kpis, title))
    _print_bounds(summary, shown_kpis)
    print_whole(differences_table(diffs, [target.kpi, *(c.kpi for c in limits)]))
    console.print(noise_line(diffs, replications))
    console.print(f"[bold]{verdict}[/] (means over replications)")
    for line in left_out:
        console.print(f"  left out: {line}")
    console.print(f"outputs in [bold]{out}[/]: sweep.parquet, sweep.json, sweep.html")


@dataclass(frozen=True)
class Runs:
    """How each arm is run: seeds seed..seed+replications-1, days, where and on what."""

    seed: int
    replications: int
    days: int
    out: Path
    workers: Workers
    services: str | None = None

    @property
    def seeds(self) -> list[int]:
        """The seeds every arm runs with (common random numbers)."""
        return [self.seed + r for r in range(self.replications)]


def replicated_run(arms: dict[str, Any], runs: Runs, quiet: bool, title: str) -> None:
    """``storetwin run --replications N``: base (and the what-if's variants) over N seeds.

    Writes replications.parquet and differences.json into the run folder.
    """
    from twin.result import HEADLINE

    if runs.services:
        raise fail(
            "--replications with --services would run every seed against one shared "
            "database, so the runs would change each other; drop --services"
        )
    out, replications = runs.out, runs.replications
    long, summary, diffs = _replicate(arms, runs, quiet)
    out.mkdir(parents=True, exist_ok=True)
    long.to_parquet(out / "replications.parquet", index=False)
    (out / "differences.json").write_text(
        json.dumps({"seeds": runs.seeds, "rows": _records(diffs)}, indent=2) + "\n"
    )
    if quiet:
        return
    print_whole(means_table(summary, list(HEADLINE), title))
    _print_bounds(summary, list(HEADLINE))
    if len(arms) > 1:
        print_whole(differences_table(diffs, list(HEADLINE)))
        console.print(noise_line(diffs, replications))
    console.print(f"outputs in [bold]{out}[/]: replications.parquet, differences.json, runs/")


def _replicate(
    arms: dict[str, Any], runs: Runs, quiet: bool
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from scenarios.chain import expand
    from twin import sweep as sw

    label = f"{len(arms)} arm(s) x {runs.replications} seed(s) x {runs.days} day(s)"
    stores = sum(len(expand(sc)) for sc in arms.values())
    store_days = stores * runs.replications * runs.days
    try:
        with progress(label, quiet, store_days) as tick:
            long = sw.replicate(
                arms, runs.seeds, runs.days, runs.out, runs.workers, tick, runs.services
            )
    except JobFailed as exc:
        raise fail(str(exc)) from None
    diffs = sw.differences(long) if len(arms) > 1 else pd.DataFrame()
    return long, sw.means(long), diffs


def _print_bounds(summary: pd.DataFrame, kpis: list[str]) -> None:
    line = bounds_line(summary, kpis)
    if line:
        console.print(line)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dict("records")
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
        for r in rows
    ]


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.4g}" if abs(value) < 100 else f"{value:,.0f}"


WIDE_KPIS = 3
"""Up to this many KPIs the means are one column each; more go one row each (80 columns)."""


def means_table(summary: pd.DataFrame, kpis: list[str], title: str) -> Table:
    """Per variant, the mean of each KPI over replications with its 95% CI."""
    table = Table(title=f"{title}: means over replications (95% CI)")
    kpis = list(dict.fromkeys(kpis))
    if len(kpis) > WIDE_KPIS:  # thirteen KPI columns were cut to `v…`, `c…` in 80 columns
        for column in ("KPI", "variant", "mean", "95% CI"):
            table.add_column(column, justify="left" if column in ("KPI", "variant") else "right")
        for kpi in kpis:
            for r in summary[summary["kpi"] == kpi].to_dict("records"):
                low, high = r["ci_low"], r["ci_high"]
                ci = "-" if math.isnan(low) else f"{_num(low)}..{_num(high)}{_cut(r)}"
                table.add_row(kpi, str(r["variant"]), _num(r["mean"]), ci)
        return keep_figures(keep_whole(table, "KPI", "variant"), "mean", "95% CI")
    table.add_column("variant")
    for kpi in kpis:
        table.add_column(kpi, justify="right")
    for name, rows in summary.groupby("variant", sort=False):
        cells = []
        for kpi in kpis:
            r = rows[rows["kpi"] == kpi].iloc[0]
            ci = (
                ""
                if math.isnan(r["ci_low"])
                else f" ({_num(r['ci_low'])}..{_num(r['ci_high'])}{_cut(r)})"
            )
            cells.append(_num(r["mean"]) + ci)
        table.add_row(str(name), *cells)
    return keep_whole(table, "variant")


def _cut(row: Any) -> str:
    return "*" if row["bounded"] else ""


def bounds_line(summary: pd.DataFrame, kpis: list[str]) -> str | None:
    """The footnote of the cells marked ``*``: which CIs were cut at the KPI's range, and why."""
    cut = summary[summary["kpi"].isin(kpis) & summary["bounded"]]
    if cut.empty:
        return None
    n = int(cut["n"].min())
    names = ", ".join(dict.fromkeys(cut["kpi"]))
    return (
        f"* 95% CI cut at the KPI's range ({names}): a count, amount, wait or share cannot "
        f"be below 0 (nor a share above 1), but with {n} replication(s) the t interval "
        "reached past it; more replications narrow it. Differences are not cut."
    )


def differences_table(diffs: pd.DataFrame, kpis: list[str]) -> Table:
    """Variant minus base per KPI, paired by seed, with the 95% CI and the noise verdict."""
    table = Table(title="Differences from the base, paired by seed (common random numbers)")
    for column in ("KPI", "variant", "diff", "95% CI", "vs noise"):
        table.add_column(column, justify="left" if column in ("KPI", "variant") else "right")
    for kpi in dict.fromkeys(kpis):
        for r in diffs[diffs["kpi"] == kpi].to_dict("records"):
            known = r["distinguishable"]
            verdict = "-" if pd.isna(known) else ("real" if known else "noise")
            ci = "-" if pd.isna(r["ci_low"]) else f"{_num(r['ci_low'])}..{_num(r['ci_high'])}"
            table.add_row(kpi, r["variant"], _num(r["diff"]), ci, verdict)
    return keep_figures(keep_whole(table, "KPI", "variant"), "diff", "95% CI")


def noise_line(diffs: pd.DataFrame, replications: int) -> str:
    """What "real" and "noise" mean, or why there is no CI."""
    if replications < 2:
        return "one replication: no CI, so no difference can be told from noise (use >= 2)"
    real = int(diffs["distinguishable"].fillna(False).astype(bool).sum())
    return (
        f"real: the 95% CI of the paired difference excludes 0 ({real} of {len(diffs)} "
        "differences); noise: it does not, so the difference cannot be told from chance"
    )
