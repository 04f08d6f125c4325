"""The invariants endpoint: HQ reads the same checks as ``storetwin invariants --db``, over HTTP."""

from sqlalchemy import update

from services.db.models import Member
from twin.loadtest.invariants import from_services

from .conftest import live_server
from .test_api import checkout, counts, seeded  # noqa: F401  (fixture)


def by_name(reply) -> dict[str, dict]:
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert report["pass"] == all(c["pass"] for c in report["checks"])
    return {c["name"]: c for c in report["checks"]}


def test_invariants_hold_after_checkouts_and_name_what_breaks(seeded, api, db):  # noqa: F811
    s1 = api("s1")
    order = s1.post("/orders/checkout", json=checkout(member=1, MILK=2)).json()
    checks = by_name(api("hq").get("/admin/invariants"))
    assert len(checks) == 7 and all(c["pass"] for c in checks.values()), checks

    start = [
        {"store_id": sid, "sku": sku, "qty": qty}
        for sid in ("S1", "S2")
        for sku, qty in (("MILK", 10), ("JAM", 3))
    ]
    before = counts(db)
    ok = by_name(
        api("hq").post(
            "/admin/invariants",
            json={"start_stock": start, "orders": [order["order_id"]], "members": [1]},
        )
    )
    assert all(c["pass"] for c in ok.values()), ok
    assert counts(db) == before  # a check writes nothing

    start[0]["qty"] = 11  # a unit of milk went missing from the book
    bad = by_name(
        api("hq").post(
            "/admin/invariants", json={"start_stock": start, "orders": [order["order_id"], 999]}
        )
    )
    balance = bad["stock = start - sold + received +/- adjustments"]
    assert not balance["pass"] and "S1/MILK: start 11" in balance["examples"][0]
    assert bad["acknowledged writes are stored"]["examples"] == ["order 999"]

    with db.sessions() as s:
        s.execute(update(Member).values(points=Member.points + 1))
        s.commit()
    points = by_name(api("hq").get("/admin/invariants"))["points = earned - burned"]
    assert points["violations"] == 1 and not points["pass"]


def test_only_hq_reads_the_invariants(seeded, api):  # noqa: F811
    assert api("s1").get("/admin/invariants").status_code == 403
    assert api(None).get("/admin/invariants").status_code == 401
    too_long = {"orders": list(range(1, 200_002))}
    assert api("hq").post("/admin/invariants", json=too_long).status_code == 422


def test_the_load_test_asks_in_chunks_and_merges_what_is_missing(seeded, api, app):  # noqa: F811
    order = api("s1").post("/orders/checkout", json=checkout(member=1)).json()["order_id"]
    acked = {"orders": [order, 999], "payments": [], "members": [1, 998]}
    start = {("S1", "MILK"): 10, ("S1", "JAM"): 3}
    with live_server(app) as url:
        checks = {c["name"]: c for c in from_services(url, start, acked, "hq", chunk=1)}
    assert len(checks) == 7
    missing = checks["acknowledged writes are stored"]
    assert missing["violations"] == 2 and not missing["pass"]
    assert missing["examples"] == ["order 999", "member 998"]
    assert checks["stock = start - sold + received +/- adjustments"]["pass"]
