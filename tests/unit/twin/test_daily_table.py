"""The daily table's per-day figures, computed in numpy, are pandas' groupby figures bit for bit."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from twin.model import VISITS
from twin.result import daily_table


def _pandas_daily(visits: pa.Table, stats: list[dict], store_id: str) -> pa.Table:
    """The table as pandas' groupby made it before (the reference)."""
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


def _visits(rng: np.random.Generator, n: int, days: list[int]) -> pa.Table:
    """A visit log of ``n`` rows over ``days`` with odd values: no waits, NaN, ties, refusals."""
    converted = rng.random(n) < 0.85
    wait = np.round(rng.gamma(2.0, 60.0, n), 1)  # ties, as a till's clock gives
    wait[rng.random(n) < 0.1] = np.nan
    satisfaction = rng.random(n)
    satisfaction[rng.random(n) < 0.05] = np.nan
    cols = {name: [0] * n for name in VISITS.names}
    cols |= {
        "visit_id": list(range(n)),
        "day": sorted(rng.choice(days, n).tolist()),
        "segment": ["quick"] * n,
        "till": [""] * n,
        "payment": ["card"] * n,
        "gave_up": rng.choice(["", "", "", "balked", "reneged"], n).tolist(),
        "converted": converted.tolist(),
        "total_cents": rng.integers(50, 90_000, n).tolist(),
        "cost_cents": rng.integers(30, 60_000, n).tolist(),
        "items": rng.integers(0, 40, n).tolist(),
        "lost_units_oos": rng.integers(0, 3, n).tolist(),
        "price_mismatches": rng.integers(0, 2, n).tolist(),
        "wait_s": wait.tolist(),
        "satisfaction": satisfaction.tolist(),
    }
    for name in ("member", "smart_cart", "flagged", "captured", "coupon_visit", "coupon_used"):
        cols[name] = [False] * n
    cols["failed"] = [False] * n
    cols["arrival_s"] = cols["departure_s"] = [0.0] * n
    return pa.table(cols, schema=VISITS)


def _books(days: list[int]) -> list[dict]:
    return [
        {"day": d, "labour_cost": 100.5 + d, "shrink_value": 3.25, "label_changes": d} for d in days
    ]


@pytest.mark.parametrize("seed", range(6))
def test_numpy_figures_are_pandas_figures(seed):
    rng = np.random.default_rng(seed)
    days = [0, 1, 2]
    visits = _visits(rng, int(rng.integers(50, 3000)), days)
    ours = daily_table(visits, _books(days), "S001")
    assert ours.equals(_pandas_daily(visits, _books(days), "S001"), check_metadata=True)


def test_a_day_without_visits_and_an_empty_log_match_too():
    rng = np.random.default_rng(11)
    visits = _visits(rng, 400, [0, 2])  # day 1 has books but no visits
    books = _books([0, 1, 2])
    assert daily_table(visits, books, "S9").equals(
        _pandas_daily(visits, books, "S9"), check_metadata=True
    )
    empty = visits.slice(0, 0)
    assert daily_table(empty, books, "S9").equals(
        _pandas_daily(empty, books, "S9"), check_metadata=True
    )


def test_the_table_made_from_arrays_is_the_one_pandas_makes():
    rng = np.random.default_rng(5)
    days = [0, 1, 2, 3]
    books = [{**b, "alerts": 2, "energy_kwh": 10.5 + b["day"]} for b in _books(days)]
    for n in (300, 900):  # the first call checks the pandas-made table, later ones reuse it
        visits = _visits(rng, n, days)
        ours = daily_table(visits, books, "S2")
        assert ours.equals(_pandas_daily(visits, books, "S2"), check_metadata=True)


def test_books_with_a_gap_or_a_missing_value_go_through_pandas():
    rng = np.random.default_rng(8)
    visits = _visits(rng, 500, [0, 1])
    gappy = [{**b, "energy_kwh": None if b["day"] else 3.5} for b in _books([0, 1])]
    for books in (_books([0, 1, 2]), gappy, _books([1, 0])):
        for _ in range(2):
            ours = daily_table(visits, books, "S3")
            assert ours.equals(_pandas_daily(visits, books, "S3"), check_metadata=True)
