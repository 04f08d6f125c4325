"""Sweeps and replications: variants x seeds with common random numbers, and paired CIs.

A planner varies a few scenario fields (``--vary checkout.lanes=3,4,5``) and
repeats each variant over several seeds. Replication r uses the same seed in
every variant, so variant and base meet the same shoppers; the difference of a
KPI, taken per seed, then has far less noise than the KPI itself, and its 95%
CI across replications (a paired t interval) says whether it can be told apart
from noise. Changes go through ``scenarios.overrides`` and runs through
``twin.executor.run_many`` as one batch, so a sweep uses every worker.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from scenarios.overrides import apply_everywhere
from scenarios.schema import Scenario
from twin.chain_run import chain_jobs, collect
from twin.executor import Job, Workers, run_many
from twin.result import KPI_DOC, RunResult, kpi_range

BASE = "base"
"""The arm every variant is compared with: the scenario as given."""


class SweepError(ValueError):
    """A bad ``--vary``, ``--goal`` or ``--constraint``; the message names the problem."""


ALIASES = {
    "staff.cashiers": "sets the count of every cashier shift of the roster "
    "(staff.shifts[*].count where role is cashier)",
}
"""Sweep paths that are not scenario fields, and what they change."""


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``"a.b=1,2,3"`` or ``"a.b=2..5"`` (integers, both ends included) -> path and values."""
    path, sep, raw = text.partition("=")
    path, raw = path.strip(), raw.strip()
    if not sep or not path or not raw:
        raise SweepError(
            f"--vary {text!r}: expected PATH=V1,V2,... or PATH=LOW..HIGH, "
            "e.g. checkout.lanes=3,4,5 or staff.cashiers=2..5"
        )
    span = re.fullmatch(r"(-?\d+)\s*\.\.\s*(-?\d+)", raw)
    if span:
        low, high = int(span[1]), int(span[2])
        if low > high:
            raise SweepError(f"--vary {text!r}: the range {low}..{high} is empty (low > high)")
        return path, list(range(low, high + 1))
    values = []
    for item in raw.split(","):
        if not item.strip():
            raise SweepError(f"--vary {text!r}: an empty value in the list")
        try:
            values.append(yaml.safe_load(item))
        except yaml.YAMLError:
            raise SweepError(f"--vary {text!r}: {item!r} is not a value") from None
    if len({repr(v) for v in values}) < len(values):
        raise SweepError(f"--vary {text!r}: a value is listed twice")
    return path, values


def changes_for(scenario: Scenario, path: str, value: Any) -> dict[str, Any]:
    """The scenario changes one swept value stands for (``ALIASES`` expanded)."""
    if path != "staff.cashiers" or isinstance(value, dict):
        return {path: value}
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SweepError(f"--vary staff.cashiers: {value!r} is not a count of cashiers (0 or more)")
    shifts = [i for i, s in enumerate(scenario.staff.shifts) if s.role.value == "cashier"]
    if not shifts:
        raise SweepError(f"--vary staff.cashiers: scenario {scenario.id} has no cashier shifts")
    return {f"staff.shifts.{i}.count": value for i in shifts}


def base_value(scenario: Scenario, path: str) -> Any:
    """The scenario's own value at a swept path, so the base sits on the parameter's axis.

    ``staff.cashiers`` reads the count of the cashier shifts when they all agree;
    None when they differ (the base then has no single value) or the path is unset.
    """
    if path == "staff.cashiers":
        counts = {s.count for s in scenario.staff.shifts if s.role.value == "cashier"}
        return counts.pop() if len(counts) == 1 else None
    node: Any = scenario.model_dump(mode="json")
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


@dataclass(frozen=True)
class Variant:
    """One point of the sweep: the values of the varied paths and the scenario they give."""

    name: str
    params: Mapping[str, Any]
    scenario: Scenario = field(repr=False)


def grid(base: Scenario, varies: Sequence[tuple[str, list[Any]]]) -> list[Variant]:
    """Every combination of the varied values, each validated like a scenario file."""
    paths = [p for p, _ in varies]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise SweepError(f"--vary {', '.join(twice)} given more than once; list the values once")
    base = base.model_copy(update={"what_if": None})
    out = []
    for combo in itertools.product(*(values for _, values in varies)):
        params = dict(zip(paths, combo, strict=True))
        name = ", ".join(f"{p}={v}" for p, v in params.items())
        changes: dict[str, Any] = {}
        for p, v in params.items():
            changes.update(changes_for(base, p, v))
        out.append(Variant(name, params, apply_everywhere(base, changes, source=f"--vary {name}")))
    return out


def replicate(
    arms: Mapping[str, Scenario],
    seeds: Sequence[int],
    days: int,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    services: str | None = None,
) -> pd.DataFrame:
    """Run every arm with every seed as one batch; one row per arm, replication and KPI.

    Arm i, replication r is written to out/runs/<i>/r<r>/ (its run folder).
    """
    plan: list[tuple[str, int, int, Scenario, int, Path]] = []
    jobs: list[Job] = []
    for a, (name, sc) in enumerate(arms.items()):
        for r, seed in enumerate(seeds):
            folder = out / "runs" / f"{a:03d}" / f"r{r:02d}"
            if sc.chain is not None:
                mine = chain_jobs(sc, seed, days, folder, services)
            else:
                visitors = sc.arrivals.daily_visitors * sc.arrivals.traffic_factor
                data = sc.model_dump(mode="json")
                mine = [Job(data, seed, 0, days, str(folder), services, weight=visitors)]
            plan.append((name, r, seed, sc, len(mine), folder))
            jobs.extend(mine)
    folders = run_many(jobs, workers, progress)
    rows = []
    start = 0
    for name, r, seed, sc, n, folder in plan:
        mine = folders[start : start + n]
        start += n
        if sc.chain is not None:
            chain = collect(sc, seed, days, mine)
            chain.write(folder)
            kpis = chain.kpis
        else:
            kpis = RunResult.read(mine[0]).kpis
        rows += [
            {"variant": name, "replication": r, "seed": seed, "kpi": k, "value": _num(v)}
            for k, v in kpis.items()
        ]
    return pd.DataFrame(rows)


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


def _t975(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def means(long: pd.DataFrame) -> pd.DataFrame:
    """Per variant and KPI: mean over replications and its 95% CI (t interval).

    A level cannot leave its KPI's range (``kpi_range``: no negative waits or
    sales, no share above 1), but with few replications the t interval can; it
    is then cut at the range and ``bounded`` says so. Paired differences
    (``differences``) are never cut: a difference can be negative.
    """
    g = long.groupby(["variant", "kpi"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    half = [
        _t975(int(n) - 1) * sd / math.sqrt(n) if n >= 2 else math.nan
        for n, sd in zip(out["n"], out["sd"].fillna(0.0), strict=True)
    ]
    low, high = out["mean"] - half, out["mean"] + half
    floor, ceiling = zip(*(kpi_range(k) for k in out["kpi"]), strict=True) if len(out) else ((), ())
    out["ci_low"] = low.clip(lower=pd.Series(floor, index=out.index, dtype=float))
    out["ci_high"] = high.clip(upper=pd.Series(ceiling, index=out.index, dtype=float))
    cut_low = (out["ci_low"] != low) & low.notna()
    cut_high = (out["ci_high"] != high) & high.notna()
    out["bounded"] = cut_low | cut_high
    return out.drop(columns="sd")


def differences(long: pd.DataFrame, base: str = BASE) -> pd.DataFrame:
    """Each variant minus the base, paired by seed: mean, 95% CI and whether it excludes 0.

    ``distinguishable`` is None with fewer than two replications (no CI then).
    """
    wide = long.pivot_table(
        index=["variant", "replication"], columns="kpi", values="value", dropna=False
    )
    ref = wide.xs(base, level="variant")
    rows = []
    for name in dict.fromkeys(long["variant"]):
        if name == base:
            continue
        mine = wide.xs(name, level="variant")
        for kpi in dict.fromkeys(long["kpi"]):
            d = (mine[kpi] - ref[kpi]).dropna()
            n = len(d)
            mean = float(d.mean()) if n else math.nan
            low = high = None
            if n >= 2:
                half = _t975(n - 1) * float(d.std(ddof=1)) / math.sqrt(n)
                low, high = mean - half, mean + half
            rows.append(
                {
                    "variant": name,
                    "kpi": kpi,
                    "base": float(ref[kpi].mean()),
                    "value": float(mine[kpi].mean()),
                    "diff": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "replications": n,
                    "distinguishable": None if low is None else bool(low > 0 or high < 0),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Goal:
    """``max KPI`` or ``min KPI``."""

    sense: str
    kpi: str


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Constraint:
    """``KPI<bound`` (or <=, >, >=), held by a variant's mean over replications."""

    kpi: str
    op: str
    bound: float

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the constraint (a missing value never does)."""
        return not math.isnan(value) and _OPS[self.op](value, self.bound)

    def __str__(self) -> str:
        return f"{self.kpi}{self.op}{self.bound:g}"


def _kpi(name: str, where: str) -> str:
    if name not in KPI_DOC:
        raise SweepError(f"{where}: {name!r} is not a KPI; choose from {', '.join(KPI_DOC)}")
    return name


def parse_goal(text: str) -> Goal:
    """``"max contribution"`` -> Goal; ``SweepError`` naming the problem otherwise."""
    m = re.fullmatch(r"\s*(max|min)\s+(\w+)\s*", text)
    if not m:
        raise SweepError(
            f"--goal {text!r}: expected 'max KPI' or 'min KPI', e.g. 'max contribution'"
        )
    return Goal(m[1], _kpi(m[2], f"--goal {text!r}"))


def parse_constraint(text: str) -> Constraint:
    """``"queue_wait_p95_s<120"`` -> Constraint; ``SweepError`` naming the problem otherwise."""
    m = re.fullmatch(r"\s*(\w+)\s*(<=|>=|<|>)\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*", text)
    if not m:
        raise SweepError(
            f"--constraint {text!r}: expected KPI<NUMBER (or <=, >, >=), e.g. queue_wait_p95_s<120"
        )
    try:
        bound = float(m[3])
    except ValueError:
        raise SweepError(f"--constraint {text!r}: {m[3]!r} is not a number") from None
    return Constraint(_kpi(m[1], f"--constraint {text!r}"), m[2], bound)


def best(
    summary: pd.DataFrame, goal: Goal, constraints: Sequence[Constraint]
) -> tuple[str | None, list[str]]:
    """The arm with the best mean goal KPI among those whose means meet every constraint.

    A tie goes to the arm listed first (the base before any variant).

    Returns the arm's name (None when no arm qualifies) and one line per arm left out.
    """
    mean = summary.pivot_table(index="variant", columns="kpi", values="mean", sort=False)
    left_out = []
    ok = []
    for order, (name, row) in enumerate(mean.iterrows()):
        broken = [str(c) for c in constraints if not c.holds(float(row[c.kpi]))]
        if broken:
            left_out.append(f"{name}: breaks {', '.join(broken)}")
        elif not math.isnan(row[goal.kpi]):
            value = float(row[goal.kpi])
            ok.append((value if goal.sense == "max" else -value, -order, str(name)))
    if not ok:
        return None, left_out
    return max(ok)[2], left_out


def pareto(points: Sequence[tuple[float, float]]) -> list[bool]:
    """Which points no other point beats on both (lower is better on both axes)."""

    def beaten(x: float, y: float) -> bool:
        return any(a <= x and b <= y and (a < x or b < y) for a, b in points)

    return [not beaten(x, y) for x, y in points]
