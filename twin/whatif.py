"""What-if: the base scenario and its variants, run with common random numbers, side by side.

Every arm uses the same seed, so each shopper of the base run is the same shopper
in the variant; the differences are the variant's effect, not sampling noise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from scenarios.chain import describe, expand
from scenarios.overrides import apply_everywhere
from scenarios.schema import Scenario
from twin.chain_run import chain_jobs, collect, run_chain
from twin.executor import Job, Workers, connect, run_many
from twin.promotion_report import write_reports
from twin.result import RunResult
from twin.run import run


class Outcome(Protocol):
    """A store or chain result: its KPIs, and a way to write it."""

    kpis: Mapping[str, float]

    def write(self, out: Path) -> dict[str, Path]:
        """Write the result's files into ``out``."""
        ...


def variants_of(scenario: Scenario, sets: Mapping[str, Any]) -> dict[str, Scenario]:
    """The variants to compare: ``--set`` changes as one variant, else the ``what_if`` block."""
    base = scenario.model_copy(update={"what_if": None})
    if sets:
        return {"set": apply_everywhere(base, sets)}
    if scenario.what_if is None:
        return {}
    return {
        v.name: apply_everywhere(base, v.set, source=f"what_if {v.name}")
        for v in scenario.what_if.variants
    }


def run_arm(
    scenario: Scenario,
    seed: int,
    days: int,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    services: str | None = None,
    trace: bool = False,
) -> Outcome:
    """Run a scenario (one store, or every store of its chain) and write it to ``out``.

    ``services`` is the URL of a running ``storetwin serve``; in-process services
    on SQLite files under ``out`` when omitted. ``trace`` (one store only) also
    writes what the dashboard's store-floor replay reads (``twin.trace``).
    """
    if scenario.chain is not None:
        if trace:
            raise ValueError("trace: the store-floor replay traces one store, not a chain")
        result: Outcome = run_chain(scenario, seed, days, out, workers, progress, services)
    else:
        with connect(services) as client:
            result = run(
                scenario,
                seed=seed,
                days=days,
                client=client,
                db_path=out / "store.db",
                progress=progress,
                trace=trace,
            )
    result.write(out)
    return result


@dataclass(frozen=True)
class Comparison:
    """KPIs of the base and each variant."""

    base: Mapping[str, float]
    variants: Mapping[str, Mapping[str, float]]

    def rows(self) -> list[dict[str, Any]]:
        """One row per KPI and variant: base, variant, difference and relative difference.

        ``diff_pct`` is None where the base is zero or negative (a loss): a percentage
        of a loss reads backwards, so it is left out, as in a pilot's lift.
        """
        out = []
        for name, kpis in self.variants.items():
            for key, b in self.base.items():
                v = kpis[key]
                out.append(
                    {
                        "variant": name,
                        "kpi": key,
                        "base": b,
                        "value": v,
                        "diff": round(v - b, 4),
                        "diff_pct": round((v - b) / b * 100, 2) if b > 0 else None,
                    }
                )
        return out

    def write(self, path: Path) -> None:
        """what_if.json: the rows, deterministic for the same scenario and seed."""
        path.write_text(json.dumps({"rows": self.rows()}, indent=2) + "\n")


def compare(
    scenario: Scenario,
    variants: Mapping[str, Scenario],
    seed: int,
    days: int,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    services: str | None = None,
    trace: bool = False,
) -> Comparison:
    """Run base and variants with the same seed; results in out/base and out/<variant>.

    On in-process services the arms' stores go out as one batch of jobs, so a
    one-store what-if keeps two cores busy instead of running its arms one after
    another. Against a running ``storetwin serve`` (``services``), whose database
    they share, and with ``trace``, the arms run one after another.
    """
    arms = {"base": scenario.model_copy(update={"what_if": None}), **variants}
    if services is None and not trace:
        results = run_together(arms, seed, days, out, workers, progress)
    else:
        results = {}
        for i, (name, sc) in enumerate(arms.items()):

            def tick(done: float, i: int = i) -> None:
                if progress:
                    progress((i + done) / len(arms))

            arm = run_arm(sc, seed, days, out / name, workers, tick, services, trace)
            results[name] = arm.kpis
    comparison = Comparison(results.pop("base"), results)
    comparison.write(out / "what_if.json")
    write_reports(arms, out)  # promotions.json where an arm adds a marketing block
    return comparison


def run_together(
    arms: Mapping[str, Scenario],
    seed: int,
    days: int,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Mapping[str, float]]:
    """Every arm's stores as one batch of jobs, each arm written to out/<name> as ``run_arm`` does.

    Returns:
        The KPIs of each arm by name.
    """
    jobs = {
        name: chain_jobs(sc, seed, days, out / name)
        if sc.chain is not None
        else [Job(sc.model_dump(mode="json"), seed, 0, days, str(out / name), weight=_visitors(sc))]
        for name, sc in arms.items()
    }
    folders = iter(run_many([j for each in jobs.values() for j in each], workers, progress))
    kpis = {}
    for name, sc in arms.items():
        mine = [next(folders) for _ in jobs[name]]
        if sc.chain is None:
            kpis[name] = RunResult.read(out / name, tables=()).kpis
            continue
        result = collect(sc, seed, days, mine)
        result.write(out / name)
        kpis[name] = result.kpis
    return kpis


def _visitors(scenario: Scenario) -> float:
    return describe(expand(scenario))[0]["daily_visitors"]
