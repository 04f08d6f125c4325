"""The wire's and SQLite's text of a time, made once per time and shared."""

import datetime as dt

import pytest

from services.clock import iso_text
from services.schemas import PaymentCreate, _iso_utc

TIMES = [
    dt.datetime(2026, 3, 2),
    dt.datetime(2026, 3, 2, 9, 30, 0, 250),
    dt.datetime(2026, 3, 2, 23, 59, 59, 999999),
    dt.datetime(999, 1, 2, 3, 4, 5),  # a year of three digits is padded
    dt.datetime(999, 1, 2, 3, 4, 5, 6),
]


@pytest.mark.parametrize("at", TIMES)
def test_each_time_gets_its_own_text_whatever_came_before(at):
    for before in TIMES:
        iso_text(before)
        assert iso_text(at) == at.isoformat(" ", "microseconds")
        assert iso_text(at) == at.isoformat(" ", "microseconds")  # remembered


@pytest.mark.parametrize("at", TIMES)
def test_the_wire_writes_isoformat_with_a_zone(at):
    for before in (*TIMES, at):
        iso_text(before)  # what the database wrote last
        assert _iso_utc(at) == at.isoformat() + "Z"


@pytest.mark.parametrize("at", TIMES[:3])
def test_a_request_is_written_with_its_time_as_isoformat(at):
    iso_text(at)
    pay = PaymentCreate(order_id=1, method="cash", idempotency_key="k", at=at)
    assert pay.model_dump(mode="json")["at"] == at.isoformat() + "Z"
    assert f'"at":"{at.isoformat()}Z"' in pay.model_dump_json()


def test_an_aware_time_is_written_in_utc():
    at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert _iso_utc(at) == "2026-03-02T01:30:00Z"
    iso_text(at.replace(tzinfo=None))  # the same digits, naive: not this time's text
    assert _iso_utc(at) == "2026-03-02T01:30:00Z"
