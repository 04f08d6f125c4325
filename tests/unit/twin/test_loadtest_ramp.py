"""The speed ramp: parsing, the piecewise clock, per-step figures and the knee."""

import math

import numpy as np
import pytest

from twin.loadtest.ramp import Clock, parse_speeds, steps
from twin.loadtest.report import Samples, parse_threshold


def test_speeds_parse_from_a_range_or_a_list():
    assert parse_speeds("200..1000:200") == [200, 400, 600, 800, 1000]
    assert parse_speeds("100..350:100") == [100, 200, 300]
    assert parse_speeds("60,120, 600") == [60, 120, 600]


@pytest.mark.parametrize("bad", ["1000..200:200", "200..1000:0", "fast", "0,100", ""])
def test_bad_ramps_say_how_to_write_one(bad):
    with pytest.raises(ValueError, match=r"first\.\.last:step"):
        parse_speeds(bad)


def test_the_clock_runs_each_step_at_its_speed_without_a_break():
    clock = Clock((100.0, 200.0, 400.0), step_s=10.0)
    # step 0 covers 1,000 simulated s, step 1 the next 2,000, step 2 the rest
    assert clock.wall(500) == 5.0 and clock.step(500) == 0
    assert clock.wall(1000) == 10.0 and clock.step(1000) == 1
    assert clock.wall(2000) == 15.0 and clock.step(2999) == 1
    assert clock.wall(3000 + 4000) == 30.0 and clock.step(3000 + 3999) == 2
    assert clock.sim_s(30.0) == 1000 + 2000 + 4000
    assert clock.sim_s(15.0) == 2000
    one = Clock((600.0,))
    assert one.wall(6000) == 10.0 and one.step(1e9) == 0 and one.step_s == math.inf
    assert one.sim_s(10) == 6000


def _samples(step, latency, failed):
    n = len(step)
    return Samples(
        due=np.arange(n, dtype=float),
        name=np.array(["POST /orders/checkout"] * n, dtype=object),
        latency_ms=np.array(latency, dtype=float),
        failed=np.array(failed),
        send_lag_ms=np.zeros(n),
        start_lag_ms=np.zeros(n),
        errors=[],
        step=np.array(step),
    )


def test_the_knee_is_the_last_step_that_holds_before_one_fails():
    # three steps of 20 requests: fast, fast, slow; a fourth fast again does not move the knee
    step = [0] * 20 + [1] * 20 + [2] * 20 + [3] * 20
    latency = [50] * 40 + [900] * 20 + [50] * 20
    rows, knee = steps(_samples(step, latency, [False] * 80), [200, 400, 600, 800], 10.0, 3, [])
    assert [r["pass"] for r in rows] == [True, True, False, True]
    assert knee["speed"] == 400 and knee["store_equivalents"] == 1200
    assert knee["first_failing_speed"] == 600 and knee["rps"] == 2.0
    assert knee["rules"] == ["checkout.p95<200ms", "errors<0.1%"]
    assert rows[2]["p95"] == 900 and rows[0]["requests"] == 20

    failed = [False] * 20 + [True] + [False] * 59  # one error in step 1 breaks errors<1%
    rule = [parse_threshold("errors<1%")]
    rows, knee = steps(_samples(step, [50] * 80, failed), [1, 2, 3, 4], 10.0, 1, rule)
    assert knee["speed"] == 1 and knee["first_failing_speed"] == 2
    assert rows[1]["error_rate"] == 0.05

    rows, knee = steps(_samples(step, [900] * 80, [False] * 80), [1, 2, 3, 4], 10.0, 1, [])
    assert knee["speed"] is None and knee["first_failing_speed"] == 1
