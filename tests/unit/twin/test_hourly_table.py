"""The hourly table: deltas of the cumulative flows, hour by hour."""

import pandas as pd

from twin.model import FLOWS
from twin.result import hourly_table

LEVELS = ("in_store", "queuing", "open_lanes", "cashiers_on_duty", "empty_shelves")


def _snapshots(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{**dict.fromkeys((*FLOWS, *LEVELS), 0), **r} for r in rows])


def test_hours_are_deltas_and_midnight_closes_the_day_before():
    snaps = _snapshots(
        [
            {
                "t_s": 3600,
                "visitors": 10,
                "transactions": 4,
                "sales_cents": 1234,
                "wait_s_total": 40,
            },
            {
                "t_s": 3600,
                "visitors": 11,
                "transactions": 5,
                "sales_cents": 1300,
                "wait_s_total": 50,
            },
            {
                "t_s": 7200,
                "visitors": 11,
                "transactions": 5,
                "sales_cents": 1300,
                "wait_s_total": 50,
            },
            {
                "t_s": 86400,
                "visitors": 20,
                "transactions": 8,
                "sales_cents": 2000,
                "wait_s_total": 100,
                "in_store": 3,
            },
        ]
    )
    out = hourly_table(snaps, FLOWS).to_pydict()
    assert out["day"] == [0, 0, 0]
    assert out["hour"] == [0, 1, 23]
    assert out["visitors"] == [11, 0, 9]
    assert out["transactions"] == [5, 0, 3]
    assert out["sales"] == [13.0, 0.0, 7.0]
    assert out["queue_wait_mean_s"] == [10.0, 0.0, 16.7]
    assert out["in_store"] == [0, 0, 3]
    assert "satisfaction_total" not in out and "sales_cents" not in out
