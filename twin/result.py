"""What a run produced: KPIs, per-hour series and the visit log, written as JSON + Parquet.

``summary.json`` holds nothing that varies between runs of the same scenario and
seed (no timestamps, no wall time), so it can be compared byte for byte.
"""

from __future__ import annotations

import json
import math
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
    out = _by_day(visits)
    columns = _plain_columns(out, stats, store_id)
    if columns is None:
        return _framed(out, stats, store_id)
    shape = tuple((name, values.dtype.str) for name, values in columns.items())
    schema = _DAILY_SCHEMAS.get(shape)
    if schema is not None:
        return pa.table(columns, schema=schema)
    table = _framed(out, stats, store_id)
    if pa.table(columns, schema=table.schema).equals(table, check_metadata=True):
        _DAILY_SCHEMAS[shape] = table.schema
    return table


_DAILY_SCHEMAS: dict[tuple, pa.Schema] = {}
"""The pandas-made schema (its metadata too) per set of columns and types, once checked equal."""


def _plain_columns(out: pd.DataFrame, stats: list[dict], store_id: str) -> dict | None:
    """The daily table's columns in numpy, when the join has nothing to fill; else None.

    Framing the figures, joining the books and handing the frame to Arrow cost
    more than the figures. When every day of the log has its books and the books
    hold plain numbers, no value is missing and each column's type is the one
    pandas gives it, so the table is made from arrays with the schema pandas made
    for the same columns before (``daily_table`` checks the two tables equal the
    first time; ``tests/unit/twin/test_daily_table.py`` holds them equal).
    """
    days = out.index.to_numpy()
    keys = list(stats[0]) if stats else []
    if [row.get("day") for row in stats] != days.tolist() or keys[:1] != ["day"]:
        return None
    if not {"shrink_value", "labour_cost"} <= set(keys):
        return None  # pandas' path says what is missing
    books: dict[str, np.ndarray] = {}
    for key in keys[1:]:
        if key in out.columns:
            return None
        values = [row.get(key) for row in stats]
        kinds = {type(v) for v in values}
        if any(list(row) != keys for row in stats) or not kinds <= {int, float}:
            return None
        books[key] = np.array(values, dtype=np.float64 if float in kinds else np.int64)
        if float in kinds and np.isnan(books[key]).any():
            return None
    figures = {name: out[name].to_numpy() for name in out.columns}
    visitors, transactions = figures["visitors"], figures["transactions"]
    if not (visitors > 0).all():
        return None
    for name in ("items", "lost_sales_oos"):
        figures[name] = figures[name].astype(np.int64)
    return {
        "store_id": np.array([store_id] * len(days), dtype=object),
        "day": days.astype(np.int32),
        **figures,
        **books,
        "conversion": transactions / visitors,
        "contribution": np.round(
            figures["gross_margin"] - books["shrink_value"] - books["labour_cost"], 2
        ),
    }


def _framed(out: pd.DataFrame, stats: list[dict], store_id: str) -> pa.Table:
    """The daily table through pandas: the log's figures joined to the books, filled, typed."""
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


_DAILY_COLUMNS = (
    "day",
    "converted",
    "total_cents",
    "cost_cents",
    "items",
    "lost_units_oos",
    "wait_s",
    "gave_up",
    "satisfaction",
    "price_mismatches",
)


def _by_day(visits: pa.Table) -> pd.DataFrame:
    """The visit log's figures per day, computed in numpy: pandas' groupby figures, bit for bit.

    A pandas groupby of the log (a frame of it first, then a dozen aggregations)
    cost more than the rest of a table's making. Money is summed in whole cents,
    which is exact, before the division (the rounded sum is the one pandas'
    compensated float sum gave); the mean adds as pandas does (a Kahan sum) and
    the 95th percentile interpolates as pandas' group quantile does
    (``tests/unit/twin/test_daily_table.py`` holds the two equal).
    """
    col = {name: visits.column(name).to_numpy(zero_copy_only=False) for name in _DAILY_COLUMNS}
    days, group = np.unique(col["day"], return_inverse=True)
    n = len(days)
    converted = col["converted"].astype(bool)
    total = np.where(converted, col["total_cents"], 0)
    margin = total - np.where(converted, col["cost_cents"], 0)
    wait, satisfaction, gave_up = col["wait_s"], col["satisfaction"], col["gave_up"]
    p95, mean = np.empty(n), np.empty(n)
    for i in range(n):
        rows = group == i
        waits = np.sort(wait[rows & converted])
        p95[i] = _quantile(waits[~np.isnan(waits)], 0.95)
        mean[i] = _kahan_mean(satisfaction[rows].tolist())

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(group[mask], minlength=n).astype(np.int64)

    def total_of(values: np.ndarray) -> np.ndarray:  # in the column's own type, as pandas sums
        out = np.zeros(n, values.dtype)
        np.add.at(out, group, values)
        return out

    return pd.DataFrame(
        {
            "visitors": np.bincount(group, minlength=n).astype(np.int64),
            "transactions": count(converted),
            "sales": np.round(total_of(total) / 100, 2),
            "gross_margin": np.round(total_of(margin) / 100, 2),
            "items": total_of(col["items"]),
            "lost_sales_oos": total_of(col["lost_units_oos"]),
            "queue_wait_p95_s": np.round(np.nan_to_num(p95, nan=0.0), 1),
            "balked": count(gave_up == "balked"),
            "reneged": count(gave_up == "reneged"),
            "satisfaction": np.round(mean, 3),
            "price_mismatches": total_of(col["price_mismatches"]),
        },
        index=pd.Index(days, name="day"),
    )


def _quantile(ordered: np.ndarray, q: float) -> float:
    """Quantile ``q`` of ascending values without NaN, interpolated as pandas' groupby does."""
    n = len(ordered)
    if n == 0:
        return math.nan
    at = q * (n - 1)
    low, frac = int(at), at % 1
    value = ordered[low]
    if frac == 0.0:
        return float(value)
    return float(value + (ordered[low + 1] - value) * frac)


def _kahan_mean(values: list[float]) -> float:
    """Mean of the values that are not NaN, summed as pandas' groupby mean sums (Kahan)."""
    total = compensation = 0.0
    count = 0
    for x in values:
        if x != x:  # NaN
            continue
        y = x - compensation
        t = total + y
        compensation = t - total - y
        if compensation != compensation:
            compensation = 0.0
        total = t
        count += 1
    return total / count if count else math.nan


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
