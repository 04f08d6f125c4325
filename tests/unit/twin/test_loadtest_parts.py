"""The load test's parts that need no server: recording, id mapping, thresholds."""

import numpy as np
import pytest

from services.client import InProcessClient
from services.db import Database
from services.db.engine import MEMORY_URL
from twin.loadtest.record import RecordingClient, chain_stores
from twin.loadtest.report import Samples, evaluate, parse_threshold, timeline
from twin.loadtest.traffic import Call, endpoint_name, predecessors, rewrite, walk
from twin.run import run_store


def test_recording_leaves_the_twins_results_unchanged(small, supermarket):
    store = chain_stores(small(supermarket, 200), 2)[1]
    plain = run_store(store, seed=3)
    db = Database(MEMORY_URL)
    db.create_schema()
    inner = InProcessClient(db)
    recorder = RecordingClient(inner, store.store_id)
    try:
        recorded = run_store(store, seed=3, client=recorder)
    finally:
        inner.close()
    assert recorded.kpis == plain.kpis
    checkouts = [c for c in recorder.calls if c.path == "/orders/checkout"]
    assert len(checkouts) == plain.kpis["transactions"]
    assert checkouts[0].method == "POST" and checkouts[0].body["store_id"] == "S002"
    assert all(c.made and c.made[0][1] == "order" for c in checkouts if c.status == 200)


def test_endpoint_names_hide_ids_and_the_store():
    assert endpoint_name("POST", "/orders/17/pick", "S001") == "POST /orders/{id}/pick"
    assert endpoint_name("GET", "/inventory/S001", "S001") == "GET /inventory/{store}"
    assert endpoint_name("POST", "/orders/checkout", "S001") == "POST /orders/checkout"


def test_ids_in_replies_and_requests_are_found_and_swapped():
    receipt = {"order_id": 5, "member_id": 2, "gift_coupons": ["C1"], "lines": [{"sku": "A"}]}
    assert sorted(walk(receipt)) == [
        (("gift_coupons", 0), "coupon", "C1"),
        (("member_id",), "member", 2),
        (("order_id",), "order", 5),
    ]
    assert list(walk(["X", "Y"], kind="coupon")) == [((0,), "coupon", "X"), ((1,), "coupon", "Y")]
    live = {("order", 5): 105, ("member", 2): 42, ("coupon", "C1"): "LIVE1"}
    pay = Call(0.0, "S1", "POST", "/payments", {}, {"order_id": 5, "method": "card"}, 200)
    assert rewrite(pay, lambda k, v: live[k, v]) == (
        "/payments",
        {"order_id": 105, "method": "card"},
    )
    pick = Call(0.0, "S1", "POST", "/orders/5/pick", {}, {"at": None}, 200)
    assert rewrite(pick, lambda k, v: live[k, v])[0] == "/orders/105/pick"
    sale = Call(
        0.0, "S1", "POST", "/orders/checkout", {}, {"member_id": 2, "coupon_codes": ["C1"]}, 200
    )
    assert rewrite(sale, lambda k, v: live[k, v])[1] == {"member_id": 42, "coupon_codes": ["LIVE1"]}
    assert pay.body == {"order_id": 5, "method": "card"}  # the recording is not changed


@pytest.mark.parametrize(
    ("text", "group", "stat", "op", "limit"),
    [
        ("checkout.p95<200ms", "checkout", "p95", "<", 200.0),
        ("errors<0.1%", "all", "errors", "<", 0.001),
        ("members.max<=1.5s", "members", "max", "<=", 1500.0),
        ("rps>50", "all", "rps", ">", 50.0),
    ],
)
def test_thresholds_parse(text, group, stat, op, limit):
    t = parse_threshold(text)
    assert (t.group, t.stat, t.op) == (group, stat, op) and t.limit == pytest.approx(limit)


@pytest.mark.parametrize("bad", ["checkout.p95", "checkout.p97<2ms", "errors<5ms", "p95<3%", ""])
def test_bad_thresholds_say_what_is_wrong(bad):
    with pytest.raises(ValueError, match="bad threshold"):
        parse_threshold(bad)


def test_a_threshold_judges_only_its_endpoints():
    names = ["POST /orders/checkout"] * 20 + ["POST /members"] * 20 + ["setup PUT /products"]
    latency = [10.0] * 18 + [500.0] * 2 + [900.0] * 20 + [5000.0]
    samples = Samples(
        due=np.arange(41, dtype=float),
        name=np.array(names, dtype=object),
        latency_ms=np.array(latency),
        failed=np.array([False] * 40 + [True]),
        send_lag_ms=np.zeros(41),
        start_lag_ms=np.zeros(41),
        errors=["setup PUT /products: HTTP 500"],
    )
    assert evaluate(parse_threshold("checkout.p95<200ms"), samples)["pass"] is False
    assert evaluate(parse_threshold("checkout.p90<200ms"), samples)["pass"] is True
    assert evaluate(parse_threshold("all.max<1s"), samples)["pass"] is True  # setup excluded
    errors = evaluate(parse_threshold("errors<5%"), samples)
    assert errors["value"] == pytest.approx(1 / 41, abs=1e-6) and errors["pass"] is True


def test_calls_on_one_order_wait_for_each_other_and_others_do_not():
    def call(path, body=None, made=()):
        return Call(0.0, "S1", "POST", path, {}, body, 200, [list(m) for m in made])

    calls = [
        call("/orders", {"lines": []}, [(["id"], "order", 7)]),
        call("/orders", {"lines": []}, [(["id"], "order", 8)]),
        call("/payments", {"order_id": 7}),
        call("/orders/7/pick"),
        call("/orders/8/pick"),
        call("/orders/7/fulfil"),
    ]
    assert predecessors(calls) == [[], [], [0], [2], [1], [3]]


def test_the_timeline_has_every_second_with_its_p95_per_endpoint():
    samples = Samples(
        due=np.array([0.1, 0.5, 2.2, 2.7]),
        name=np.array(["a", "b", "a", "a"], dtype=object),
        latency_ms=np.array([10.0, 20.0, 30.0, 50.0]),
        failed=np.array([False, True, False, False]),
        send_lag_ms=np.zeros(4),
        start_lag_ms=np.zeros(4),
        errors=["b: HTTP 500"],
    )
    rows = timeline(samples)
    assert [(r["t"], r["requests"], r["errors"]) for r in rows] == [(0, 2, 1), (1, 0, 0), (2, 2, 0)]
    assert rows[0]["p95"] == {"a": 10.0, "b": 20.0} and rows[1]["p95"] == {}
    assert rows[2]["p95"]["a"] == pytest.approx(30 + 0.95 * 20)


def test_the_replay_counts_only_the_calls_its_duration_reaches():
    """A 20 s test at 600x said "replaying 240 recorded calls" and sent 46 (3.3 h of a day)."""
    from twin.loadtest.run import replayed

    def call(t, path="/orders/checkout"):
        return Call(t, "S001", "POST", path, {}, {}, 200)

    day = [call(None, "/products"), call(21_000.0, "/inventory/S001/replenishments")]
    day += [call(21_600.0 + 600 * i) for i in range(100)]  # a checkout every 10 min from 06:00
    assert replayed(day, 3_600.0) == 2 + 7  # set-up, and checkouts at 0, 10, ..., 60 min
    assert replayed(day, 86_400.0) == len(day)


def test_a_threshold_shows_its_value_in_the_unit_it_was_typed_in():
    """errors<0.1% with 2.4% errors read '0.0244 FAIL' beside the rule (a share, not a %)."""
    samples = Samples(
        due=np.arange(41, dtype=float),
        name=np.array(["POST /orders/checkout"] * 41, dtype=object),
        latency_ms=np.array([12.5] * 41),
        failed=np.array([False] * 40 + [True]),
        send_lag_ms=np.zeros(41),
        start_lag_ms=np.zeros(41),
        errors=["POST /orders/checkout: HTTP 500"],
    )
    errors = evaluate(parse_threshold("errors<0.1%"), samples)
    assert errors["pass"] is False and errors["shown"] == "2.44%"
    assert evaluate(parse_threshold("checkout.p95<200ms"), samples)["shown"] == "12.5 ms"
    assert evaluate(parse_threshold("members.p95<200ms"), samples)["shown"] == "no requests"
