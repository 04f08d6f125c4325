"""What a camera model's errors cost the store: one store with no, a perfect and a real camera.

``storetwin cameras value`` runs one store over the same seeds (common random
numbers) in several arms: no queue camera (cashiers read the till counter), the
camera in ``oracle`` fidelity (it sees the truth), and the camera with each
model in ``measured`` fidelity (errors drawn from the bench's rates) and,
when asked, ``real`` fidelity (rendered frames through the OpenVINO model).
The cost of a model's errors is the oracle arm's contribution minus the
model's, per store-day, with a paired 95% CI across replications; the KPIs
that move (labour, waits, walk-outs, lost margin) stand beside it.

Opening a lane only costs something where cashiers' time away from a till has
a value (``staff.cashiers.off_till_value``): with a fixed roster, over-counting
is free, and the answer says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from devices.vision.errors import DEFAULT_TABLE
from scenarios.chain import expand
from scenarios.overrides import apply
from scenarios.schema import Scenario
from twin.executor import Workers
from twin.sweep import differences, replicate

ORACLE = "oracle"
NO_CAMERA = "no camera"

MOVED = (
    "contribution",
    "gross_margin",
    "labour_cost",
    "shrink_value",
    "sales",
    "transactions",
    "balked",
    "reneged",
    "queue_wait_mean_s",
    "queue_wait_p95_s",
)
"""The KPIs a queue camera's decisions move, in the order reports show them."""

PER_DAY = {
    "contribution",
    "gross_margin",
    "labour_cost",
    "shrink_value",
    "sales",
    "transactions",
    "balked",
    "reneged",
}
"""KPIs that add up over days and stores, so they are shown per store-day."""


class CameraValueError(ValueError):
    """A request ``cameras value`` cannot run; the message names the problem."""


@dataclass(frozen=True)
class Arm:
    """One way of running the store: which queue sensor, in which fidelity, with which model."""

    name: str
    fidelity: str | None
    model: str | None
    scenario: Scenario = field(repr=False)


def model_name(model: str) -> str:
    """The name a model goes by in error tables: a built-in name, or a file's stem."""
    return Path(model).stem if Path(model).suffix else model


def merged_table(tables: Sequence[Path], out: Path) -> tuple[Path, list[str]]:
    """One error table with every model of ``tables`` and the shipped ones (the given first).

    Written to ``out``; returns its path and the people models it has.
    """
    models: dict[str, dict] = {}
    for path in [*tables, DEFAULT_TABLE]:
        if not Path(path).is_file():
            raise CameraValueError(f"error table not found: {path}")
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CameraValueError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
        for entry in data.get("models", []):
            models.setdefault(entry["name"], entry)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"models": list(models.values())}, indent=2), encoding="utf-8")
    people = [n for n, e in models.items() if e.get("task") == "people"]
    return out, people


def arms(
    scenario: Scenario,
    models: Sequence[str],
    table: Path,
    table_models: Sequence[str],
    real: bool = False,
    off_till_value: float | None = None,
) -> tuple[dict[str, Arm], list[str]]:
    """The arms to run, and warnings about the store they run in.

    Raises:
        CameraValueError: For a model without measured error rates, or a file in real fidelity.
    """
    from devices.vision.registry import builtin

    notes: list[str] = []
    base: dict[str, Any] = {}
    cashiers = scenario.staff.cashiers
    if cashiers.mode != "observed":
        base["staff.cashiers.mode"] = "observed"
        notes.append(
            f"cashiers were in {cashiers.mode!r} mode, where no camera steers them; "
            "every arm runs them in 'observed' mode"
        )
    if off_till_value is not None:
        base["staff.cashiers.off_till_value"] = off_till_value
    value = cashiers.off_till_value if off_till_value is None else off_till_value
    if value == 0:
        notes.append(
            "cashiers are a fixed roster here (staff.cashiers.off_till_value = 0): an opened "
            "lane costs nothing, so over-counting cannot show in labour; --off-till-value 1 "
            "prices an on-call roster that pays only till time"
        )
    if scenario.devices.people_counter is None:
        base["devices.people_counter"] = {}
        notes.append("the store had no till counter; the no-camera arm gets the default one")
    if scenario.chain is not None:
        notes.append("a chain: every store runs in every arm; figures are per store-day")
    keep, queue = _cameras(scenario)
    out: dict[str, Arm] = {}

    def arm(name: str, fidelity: str | None, model: str | None) -> None:
        changes = dict(base)
        cams = list(keep)
        if fidelity is not None:
            cams.append({**queue, "fidelity": fidelity, "model": model or queue["model"]})
        block = scenario.devices.cameras
        changes["devices.cameras"] = {
            "from_day": block.from_day if block else 0,
            "fidelity": block.fidelity.value if block else "measured",
            "conditions": block.conditions.model_dump(mode="json") if block else {},
            "error_table": str(table),
            "cameras": cams,
        }
        out[name] = Arm(name, fidelity, model, apply(scenario, changes, source="cameras value"))

    arm(NO_CAMERA, None, None)
    arm(ORACLE, ORACLE, None)
    shipped = builtin()
    for model in models:
        name = model_name(model)
        if name not in table_models:
            raise CameraValueError(
                f"model {model!r}: no measured error rates for {name!r} "
                f"(the tables have {sorted(table_models)}); run `storetwin bench models "
                f"--model FILE --adapter ADAPTER --out DIR` and pass --error-table DIR/bench.json"
            )
        arm(f"measured {name}", "measured", name)
        if real:
            if name not in shipped:
                raise CameraValueError(
                    f"model {model!r}: real fidelity runs built-in models only "
                    f"({sorted(shipped)}); measured fidelity uses its bench error rates"
                )
            arm(f"real {name}", "real", name)
    return out, notes


def _cameras(scenario: Scenario) -> tuple[list[dict], dict]:
    """The scenario's other cameras (kept in every arm) and its queue camera's spec (or one)."""
    block = scenario.devices.cameras
    specs = [c.model_dump(mode="json") for c in block.cameras] if block else []
    queue = next((c for c in specs if c["kind"] == "queue"), None)
    keep = [c for c in specs if c["kind"] != "queue"]
    if queue is None:
        queue = {"kind": "queue", "id": "queue", "model": "blazepose"}
    queue = {k: v for k, v in queue.items() if k != "fidelity"}
    return keep, queue


def count_errors(folder: Path, camera_id: str) -> dict[str, float] | None:
    """How the camera's lane counts erred in one run: bias, MAE, share of frames over and under."""
    path = folder / "readings.parquet"
    if not path.is_file():
        return None
    df = pd.read_parquet(path, columns=["device_id", "metric", "observed", "truth"])
    df = df[(df["device_id"] == camera_id) & df["metric"].str.startswith("queue_len")]
    df = df.dropna(subset=["observed"])
    if df.empty:
        return None
    err = df["observed"] - df["truth"]
    return {
        "frames": len(df),
        "bias": float(err.mean()),
        "mae": float(err.abs().mean()),
        "over_share": float((err > 0).mean()),
        "under_share": float((err < 0).mean()),
        "false_on_empty_share": _share(err[df["truth"] == 0] > 0),
    }


def _share(mask: pd.Series) -> float | None:
    return float(mask.mean()) if len(mask) else None


def _ci(row: pd.Series, scale: float, sign: float) -> dict[str, float | None]:
    """Mean and 95% CI of ``sign * diff / scale``, rounded; bounds None without replications."""
    mean = sign * float(row["diff"]) / scale
    low, high = row["ci_low"], row["ci_high"]
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return {"mean": _round(mean), "ci_low": None, "ci_high": None}
    bounds = sorted((sign * float(low) / scale, sign * float(high) / scale))
    return {"mean": _round(mean), "ci_low": _round(bounds[0]), "ci_high": _round(bounds[1])}


def _round(x: float) -> float:
    """``x`` to the cent; never -0.0 (a negated zero printed "cost -0.00 (CI -0.00 to -0.00)")."""
    return round(x, 2) + 0.0


def value(
    scenario: Scenario,
    models: Sequence[str],
    days: int,
    replications: int,
    out: Path,
    *,
    seed: int = 0,
    tables: Sequence[Path] = (),
    real: bool = False,
    off_till_value: float | None = None,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Run the arms over ``replications`` seeds; write value.json and value.html into ``out``.

    Returns what value.json holds.
    """
    if days < 1 or replications < 1:
        raise CameraValueError("days and replications must be at least 1")
    table, table_models = merged_table(tables, out / "error_table.json")
    plan, notes = arms(scenario, models, table, table_models, real, off_till_value)
    if replications < 2:
        notes.append("one replication: no confidence interval; use --replications 5 or more")
    seeds = [seed + r for r in range(replications)]
    long = replicate(
        {a.name: a.scenario for a in plan.values()}, seeds, days, out, workers, progress
    )
    stores = len(expand(scenario))
    scale = float(days * stores)
    diffs = differences(long, base=ORACLE).set_index(["variant", "kpi"])
    means = long.groupby(["variant", "kpi"])["value"].mean()
    _, queue = _cameras(scenario)
    names = list(plan)
    rows = []
    for i, (name, a) in enumerate(plan.items()):
        entry: dict[str, Any] = {"arm": name, "fidelity": a.fidelity, "model": a.model}
        kpis = {}
        for kpi in MOVED:
            per = scale if kpi in PER_DAY else 1.0
            kpis[kpi] = {"value": round(float(means[(name, kpi)]) / per, 2)}
            if name != ORACLE:
                kpis[kpi]["vs_oracle"] = _ci(diffs.loc[(name, kpi)], per, 1.0)
        entry["kpis"] = kpis
        if name != ORACLE:
            entry["cost_per_store_day"] = _ci(diffs.loc[(name, "contribution")], scale, -1.0)
            d = {k: diffs.loc[(name, k)]["diff"] / scale for k in PER_DAY}
            entry["breakdown_per_store_day"] = {
                "lost_gross_margin": _round(-float(d["gross_margin"])),
                "extra_labour": _round(float(d["labour_cost"])),
                "extra_shrink": _round(float(d["shrink_value"])),
            }
        else:
            entry["cost_per_store_day"] = {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
        if a.fidelity is not None and stores == 1:
            folders = [out / "runs" / f"{i:03d}" / f"r{r:02d}" for r in range(replications)]
            found = [e for f in folders if (e := count_errors(f, queue["id"])) is not None]
            if found:
                entry["count_error"] = {
                    k: _mean([e[k] for e in found]) for k in found[0] if k != "frames"
                } | {"frames": sum(e["frames"] for e in found)}
        rows.append(entry)
    result = {
        "scenario": scenario.versioned_id,
        "camera": "queue",
        "days": days,
        "stores": stores,
        "replications": replications,
        "seeds": seeds,
        "currency": scenario.currency,
        "off_till_value": scenario.staff.cashiers.off_till_value
        if off_till_value is None
        else off_till_value,
        "warnings": notes,
        "arms": rows,
        "order": names,
    }
    (out / "value.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    from twin.camera_value_page import write_page

    write_page(result, out / "value.html")
    return result


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


def headline(result: dict[str, Any]) -> list[str]:
    """One sentence per model arm: what its errors cost per store-day, with the CI."""
    cur = result["currency"]
    lines = []
    for a in result["arms"]:
        if a["arm"] == ORACLE:
            continue
        c = a["cost_per_store_day"]
        ci = (
            f" (95% CI {c['ci_low']:,.2f} to {c['ci_high']:,.2f})"
            if c["ci_low"] is not None
            else " (no CI: one replication)"
        )
        what = "having no queue camera" if a["arm"] == NO_CAMERA else f"{a['arm']}'s errors"
        noise = (
            ": not told apart from 0 at 95%"
            if c["ci_low"] is not None and c["ci_low"] <= 0 <= c["ci_high"]
            else ""
        )
        lines.append(f"{what} cost {c['mean']:,.2f} {cur} per store-day{ci}{noise}")
    return lines
