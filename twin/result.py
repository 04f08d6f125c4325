"""What a run produced: KPIs, per-hour series and the visit log, written as JSON + Parquet.

``summary.json`` holds nothing that varies between runs of the same scenario and
seed (no timestamps, no wall time), so it can be compared byte for byte.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SUMMARY = "summary.json"
STATS = "run_stats.json"

# KPI name -> (unit, what it means); the order is the order of every KPI table.
KPI_DOC: dict[str, tuple[str, str]] = {
    "visitors": ("people", "shoppers who came in"),
    "transactions": ("count", "paid checkouts"),
    "conversion": ("share", "transactions / visitors"),
    "sales": ("currency", "revenue at the till"),
    "gross_margin": ("currency", "sales minus cost of goods sold"),
    "gross_margin_pct": ("share", "gross margin / sales"),
    "avg_basket": ("currency", "sales / transactions"),
    "items_per_basket": ("items", "units sold / transactions"),
    "queue_wait_mean_s": ("s", "mean wait before reaching a till"),
    "queue_wait_p50_s": ("s", "median wait before reaching a till"),
    "queue_wait_p95_s": ("s", "95th percentile wait before reaching a till"),
    "lost_sales_oos": ("units", "units shoppers wanted but found no stock for"),
    "lost_sales_oos_value": ("currency", "value of those units at list price"),
    "balked": ("people", "shoppers who saw the queue and left their basket"),
    "reneged": ("people", "shoppers who gave up waiting in a queue"),
    "checkout_failures": ("count", "checkouts the services refused"),
    "visit_min_mean": ("min", "mean time in the store"),
    "satisfaction": ("0-10", "mean satisfaction score per visit"),
    "price_mismatches": ("count", "items charged above the shelf label"),
    "shrink_units": ("units", "units that left unpaid (theft, missed scans)"),
    "shrink_value": ("currency", "those units at cost"),
    "labour_hours": ("h", "paid staff hours: the roster plus paper label changes"),
    "labour_cost": ("currency", "those hours at their wage"),
    "contribution": ("currency", "gross margin minus shrink and labour"),
    "self_checkout_share": ("share", "transactions at self-checkout"),
    "smart_cart_share": ("share", "transactions paid on a smart cart"),
    "members_captured": ("people", "shoppers who signed up as members"),
    "member_share": ("share", "transactions by members"),
    "coupons_redeemed": ("count", "coupons used at the till"),
    "coupon_visits": ("people", "visits made to use a coupon"),
    "discount": ("currency", "promotion and coupon discounts given"),
    "energy_kwh": ("kWh", "electricity used"),
    "online_orders": ("count", "online orders taken (pickup and delivery)"),
    "online_fulfilled": ("count", "online orders handed over"),
    "online_sales": ("currency", "revenue of fulfilled online orders"),
}


SIGNED = frozenset({"gross_margin", "gross_margin_pct", "contribution"})
"""KPIs that can fall below zero (a loss); every other KPI counts, sums, times or shares."""


def kpi_range(name: str) -> tuple[float, float]:
    """The values a KPI can take, so an interval of its level can be kept within them.

    Shares lie in 0..1 and satisfaction in 0..10; the ``SIGNED`` KPIs and names
    that are not KPIs have no bound; every other KPI is at least 0. A difference
    of two runs is not a level: it can be negative whatever the KPI.
    """
    if name in SIGNED or name not in KPI_DOC:
        return -np.inf, np.inf
    unit = KPI_DOC[name][0]
    return 0.0, {"share": 1.0, "0-10": 10.0}.get(unit, np.inf)


HEADLINE = (
    "visitors",
    "conversion",
    "sales",
    "gross_margin",
    "queue_wait_p95_s",
    "balked",
    "reneged",
    "lost_sales_oos",
    "labour_cost",
    "shrink_value",
    "satisfaction",
    "price_mismatches",
    "contribution",
)
"""The KPIs a planner compares first (sales, margin, queue p95, labour, shrink, satisfaction)."""


def compute_kpis(visits: pa.Table, daily: pa.Table, lost_value_cents: int, captured: int) -> dict:
    """The headline KPIs of a run from its visit log and daily table."""
    n = visits.num_rows
    converted = visits.filter(visits["converted"])
    tx = converted.num_rows
    sales = _sum(converted, "total_cents")
    cost = _sum(converted, "cost_cents")
    items = _sum(converted, "items")
    waits = converted["wait_s"].to_numpy(zero_copy_only=False)
    stay = (visits["departure_s"].to_numpy() - visits["arrival_s"].to_numpy()) / 60
    till = converted["till"].to_pylist()
    shrink_value = _sum(daily, "shrink_value")
    labour_cost = _sum(daily, "labour_cost")
    gave_up = visits["gave_up"].to_pylist()
    kpis = {
        "visitors": n,
        "transactions": tx,
        "conversion": _ratio(tx, n, 4),
        "sales": round(sales / 100, 2),
        "gross_margin": round((sales - cost) / 100, 2),
        "gross_margin_pct": _ratio(sales - cost, sales, 4),
        "avg_basket": _ratio(sales / 100, tx, 2),
        "items_per_basket": _ratio(items, tx, 3),
        "queue_wait_mean_s": round(float(waits.mean()), 1) if tx else 0.0,
        "queue_wait_p50_s": _percentile(waits, 50),
        "queue_wait_p95_s": _percentile(waits, 95),
        "lost_sales_oos": _sum(visits, "lost_units_oos"),
        "lost_sales_oos_value": round(lost_value_cents / 100, 2),
        "balked": gave_up.count("balked"),
        "reneged": gave_up.count("reneged"),
        "checkout_failures": _sum(visits, "failed"),
        "visit_min_mean": round(float(stay.mean()), 2) if n else 0.0,
        "satisfaction": round(float(visits["satisfaction"].to_numpy().mean()), 3) if n else 0.0,
        "price_mismatches": _sum(visits, "price_mismatches"),
        "shrink_units": _sum(daily, "shrink_units"),
        "shrink_value": round(shrink_value, 2),
        "labour_hours": round(_sum(daily, "labour_hours"), 2),
        "labour_cost": round(labour_cost, 2),
        "contribution": round((sales - cost) / 100 - shrink_value - labour_cost, 2),
        "self_checkout_share": _ratio(till.count("self_checkout"), tx, 4),
        "smart_cart_share": _ratio(till.count("smart_cart"), tx, 4),
        "members_captured": captured,
        "member_share": _ratio(_sum(converted, "member"), tx, 4),
        "coupons_redeemed": _sum(visits, "coupon_used"),
        "coupon_visits": _sum(visits, "coupon_visit"),
        "discount": round(_sum(converted, "discount_cents") / 100, 2),
        "energy_kwh": round(_sum(daily, "energy_kwh"), 1),
        "online_orders": _column_sum(daily, "online_orders"),
        "online_fulfilled": _column_sum(daily, "online_fulfilled"),
        "online_sales": round(_column_sum(daily, "online_sales"), 2),
    }
    assert list(kpis) == list(KPI_DOC), "KPI_DOC and compute_kpis disagree"
    return kpis


def daily_table(visits: pa.Table, stats: list[dict], store_id: str) -> pa.Table:
    """KPIs per store per day: the visit log grouped by day, joined to the day's books."""
    df = visits.to_pandas()
    df["sales"] = df["total_cents"].where(df["converted"], 0) / 100
    df["margin"] = (df["total_cents"] - df["cost_cents"]).where(df["converted"], 0) / 100
    df["tx"] = df["converted"].astype(int)
    df["wait"] = df["wait_s"].where(df["converted"])
    g = df.groupby("day")
    out = pd.DataFrame(
        {
            "visitors": g.size(),
            "transactions": g["tx"].sum(),
            "sales": g["sales"].sum().round(2),
            "gross_margin": g["margin"].sum().round(2),
            "items": g["items"].sum(),
            "lost_sales_oos": g["lost_units_oos"].sum(),
            "queue_wait_p95_s": g["wait"].quantile(0.95).fillna(0.0).round(1),
            "balked": g["gave_up"].apply(lambda s: int((s == "balked").sum())),
            "reneged": g["gave_up"].apply(lambda s: int((s == "reneged").sum())),
            "satisfaction": g["satisfaction"].mean().round(3),
            "price_mismatches": g["price_mismatches"].sum(),
        }
    )
    books = pd.DataFrame(stats).set_index("day")
    out = out.join(books, how="outer").fillna(0)
    out["conversion"] = (out["transactions"] / out["visitors"].where(out["visitors"] > 0)).fillna(0)
    out["contribution"] = (out["gross_margin"] - out["shrink_value"] - out["labour_cost"]).round(2)
    out = out.reset_index().rename(columns={"index": "day"})
    out.insert(0, "store_id", store_id)
    for col in ("visitors", "transactions", "items", "lost_sales_oos", "balked", "reneged"):
        out[col] = out[col].astype("int64")
    out["day"] = out["day"].astype("int32")
    return pa.Table.from_pandas(out, preserve_index=False)


def hourly_table(snapshots: pd.DataFrame, flows: tuple[str, ...]) -> pa.Table:
    """Per-hour series from the model's hourly snapshots of cumulative flows.

    Columns are computed in numpy and put in one frame at once: inserting them
    one by one into a frame cost pandas more than the arithmetic.
    """
    df = snapshots.drop_duplicates("t_s", keep="last")
    t = df["t_s"].to_numpy()
    day = (t // 86400).astype("int32")
    day[t % 86400 == 0] -= 1
    cols: dict[str, np.ndarray] = {"day": day, "hour": ((t - 1) % 86400 // 3600).astype("int32")}
    for name in flows:
        totals = df[name].to_numpy(dtype="float64")
        deltas = totals.copy()
        deltas[1:] = totals[1:] - totals[:-1]
        cols[name] = deltas.round(3)
    cols["sales"] = (cols.pop("sales_cents") / 100).round(2)
    tx = cols["transactions"]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_wait = cols.pop("wait_s_total") / np.where(tx == 0, np.nan, tx)
    cols["queue_wait_mean_s"] = np.where(np.isnan(mean_wait), 0.0, mean_wait).round(1)
    cols.pop("satisfaction_total")  # visits end in another hour than they start
    for name in ("visitors", "transactions", "items", "lost_units_oos", "balked", "reneged"):
        cols[name] = cols[name].astype("int64")
    for name in ("in_store", "queuing", "open_lanes", "cashiers_on_duty", "empty_shelves"):
        cols[name] = df[name].to_numpy().astype("int64")
    return pa.Table.from_pandas(pd.DataFrame(cols), preserve_index=False)


@dataclass(frozen=True)
class RunResult:
    """The immutable outcome of ``twin.run(scenario, seed)``."""

    scenario_id: str
    seed: int
    days: int
    version: str
    kpis: Mapping[str, float]
    tables: Mapping[str, pa.Table] = field(repr=False)
    stats: Mapping[str, Any] = field(default_factory=dict, compare=False)
    store_id: str = "S001"
    interventions: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "kpis", MappingProxyType(dict(self.kpis)))
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "stats", MappingProxyType(dict(self.stats)))
        object.__setattr__(self, "interventions", tuple(self.interventions))

    def summary(self) -> dict[str, Any]:
        """The deterministic part of the result, as written to ``summary.json``."""
        return {
            "scenario": self.scenario_id,
            "store_id": self.store_id,
            "seed": self.seed,
            "days": self.days,
            "version": self.version,
            "interventions": [dict(i) for i in self.interventions],
            "kpis": dict(self.kpis),
        }

    def frame(self, table: str = "hourly") -> pd.DataFrame:
        """One of the result tables as a pandas DataFrame."""
        return self.tables[table].to_pandas()

    def write(self, out: Path) -> dict[str, Path]:
        """Write summary.json, run_stats.json and one Parquet file per table into ``out``.

        Each file is written to a temporary name first and renamed, so an
        interrupted write never leaves a half file behind.
        """
        out.mkdir(parents=True, exist_ok=True)
        paths = {"summary": out / SUMMARY, "stats": out / STATS}
        _atomic(paths["summary"], lambda p: p.write_text(_json(self.summary())))
        _atomic(paths["stats"], lambda p: p.write_text(_json(dict(self.stats))))
        for name, table in self.tables.items():
            paths[name] = out / f"{name}.parquet"
            _atomic(paths[name], lambda p, t=table: pq.write_table(t, p))
        return paths

    @classmethod
    def read(cls, out: Path, tables: Collection[str] | None = None) -> RunResult:
        """Load a result written by ``write``; only the named ``tables`` when given."""
        summary = json.loads((out / SUMMARY).read_text())
        stats_path = out / STATS
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        paths = sorted(out.glob("*.parquet"))
        if tables is not None:
            paths = [p for p in paths if p.stem in tables]
        loaded = {p.stem: pq.read_table(p) for p in paths}
        return cls(
            scenario_id=summary["scenario"],
            seed=summary["seed"],
            days=summary["days"],
            version=summary["version"],
            kpis=summary["kpis"],
            tables=loaded,
            stats=stats,
            store_id=summary.get("store_id", "S001"),
            interventions=summary.get("interventions", []),
        )


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"


def _atomic(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sum(table: pa.Table, column: str) -> Any:
    return pc.sum(table[column]).as_py() or 0


def _column_sum(table: pa.Table, column: str) -> Any:
    """Sum of a column that only some stores' tables have (zero where absent)."""
    return _sum(table, column) if column in table.column_names else 0


def _ratio(num: float, den: float, digits: int) -> float:
    return round(num / den, digits) if den else 0.0


def _percentile(values: np.ndarray, q: float) -> float:
    return round(float(np.percentile(values, q)), 1) if values.size else 0.0
