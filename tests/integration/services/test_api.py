"""The HTTP API: errors name the field, unknown ids, roles, rollback, reports, devices, projects."""

import pytest
from sqlalchemy import func, select

from services.db.models import Order, OrderLine, Payment

AT = "2026-03-02T12:00:00"


@pytest.fixture
def seeded(api):
    hq = api("hq")
    for sid in ("S1", "S2"):
        assert (
            hq.put(
                f"/stores/{sid}", json={"id": sid, "name": sid, "format": "supermarket"}
            ).status_code
            == 200
        )
    products = [
        {
            "sku": "MILK",
            "name": "Milk",
            "category": "dairy",
            "brand": "B",
            "price_cents": 1290,
            "cost_cents": 900,
        },
        {
            "sku": "JAM",
            "name": "Jam",
            "category": "pantry",
            "brand": "B",
            "price_cents": 1500,
            "cost_cents": 700,
            "department": "grocery",
        },
    ]
    assert hq.put("/products", json=products).json() == 2
    for sid in ("S1", "S2"):
        assert (
            hq.put(
                f"/inventory/{sid}/stock-take",
                json=[{"sku": "MILK", "qty": 10}, {"sku": "JAM", "qty": 3}],
            ).status_code
            == 200
        )
    member = api("s1").post(
        "/members", json={"store_id": "S1", "name": "Li", "phone": "13812345678"}
    )
    assert member.status_code == 201 and member.json()["id"] == 1
    return hq


def checkout(store="S1", key="k1", member=None, **lines):
    return {
        "store_id": store,
        "lines": [{"sku": s, "qty": q} for s, q in (lines or {"MILK": 1}).items()],
        "payment_method": "card",
        "idempotency_key": key,
        "member_id": member,
        "at": AT,
    }


def counts(db):
    with db.sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) for t in (Order, OrderLine, Payment)
        )


def test_openapi_documents_every_center(api):
    paths = api(None).get("/openapi.json").json()["paths"]
    for prefix in (
        "/stores",
        "/products",
        "/inventory",
        "/orders",
        "/payments",
        "/members",
        "/marketing",
        "/delivery",
        "/reports",
        "/devices",
        "/projects",
    ):
        assert any(p.startswith(prefix) for p in paths), prefix
    assert api(None).get("/docs").status_code == 200


def test_invalid_bodies_name_the_field(seeded, api):
    bad = checkout()
    bad["lines"][0]["qty"] = 0
    reply = api("s1").post("/orders/checkout", json=bad)
    assert reply.status_code == 422
    assert "lines.0.qty" in reply.json()["message"]
    reply = api("s1").post("/orders/checkout", json={**checkout(), "payment_method": "iou"})
    assert reply.status_code == 422 and "payment_method" in reply.json()["message"]
    reply = api("s1").post("/members", json={"store_id": "S1", "name": "X", "phone": "12ab"})
    assert reply.status_code == 422 and "phone" in reply.json()["message"]
    reply = api("s1").post(
        "/orders/checkout", json=checkout(member=None) | {"payment_method": "points"}
    )
    assert reply.status_code == 400 and "member_id" in reply.json()["detail"]


def test_unknown_ids_are_404(seeded, api):
    hq = api("hq")
    assert hq.get("/orders/999").status_code == 404
    assert hq.get("/members/999").status_code == 404
    assert hq.get("/stores/NOPE").status_code == 404
    assert hq.get("/inventory/S1/NOPE").status_code == 404
    assert hq.post("/orders/checkout", json=checkout(CAVIAR=1)).json()["error"] == "NotFound"
    assert hq.post("/devices/alerts/5/ack", json={"by": "x"}).status_code == 404


def test_nothing_is_half_written_on_error(seeded, api, db):
    s1 = api("s1")
    assert s1.post("/orders/checkout", json=checkout(MILK=2)).status_code == 200
    before = counts(db)
    reply = s1.post("/orders/checkout", json=checkout(key="k2", MILK=1, JAM=5))  # JAM short
    assert reply.status_code == 409 and reply.json()["sku"] == "JAM"
    assert counts(db) == before
    assert s1.get("/inventory/S1/MILK").json()["on_hand"] == 8  # the MILK line was rolled back


def test_store_a_cannot_read_store_b(seeded, api):
    s1, s2 = api("s1"), api("s2")
    order = s1.post("/orders/checkout", json=checkout()).json()["order_id"]
    assert s2.get(f"/orders/{order}").status_code == 403
    assert s2.get("/orders", params={"store_id": "S1"}).status_code == 403
    assert s2.get("/members/1").status_code == 403
    assert s2.get("/members", params={"store_id": "S1"}).status_code == 403
    assert (
        s2.get(
            "/reports/sales", params={"store_id": "S1", "start": "2026-03-01", "end": "2026-03-31"}
        ).status_code
        == 403
    )
    assert (
        s2.get("/reports/sales", params={"start": "2026-03-01", "end": "2026-03-31"}).status_code
        == 403
    )
    assert s2.post("/orders/checkout", json=checkout()).status_code == 403
    assert s1.get(f"/orders/{order}").status_code == 200
    assert s1.get("/members/1").status_code == 200
    assert api(None).get("/members/1").status_code == 401
    assert api("nope").get("/members/1").status_code == 401


def test_member_and_device_keys(seeded, api):
    m1, dev = api("m1"), api("dev1")
    assert m1.get("/members/1").json()["name"] == "Li"
    assert (
        api("s1")
        .post("/members", json={"store_id": "S1", "name": "B", "phone": "13900000000"})
        .status_code
        == 201
    )
    assert m1.get("/members/2").status_code == 403
    assert m1.post("/orders/checkout", json=checkout()).status_code == 403
    reading = {
        "device_id": "shelf-1",
        "kind": "shelf",
        "store_id": "S1",
        "at": AT,
        "payload": {"sku": "MILK", "units": 0},
    }
    assert dev.post("/devices/telemetry", json=reading).status_code == 201
    assert dev.post("/devices/telemetry", json={**reading, "store_id": "S2"}).status_code == 403
    assert dev.get("/devices/alerts", params={"store_id": "S1"}).status_code == 403
    assert dev.get("/members/1").status_code == 403


def test_alerts_are_raised_once_and_acknowledged(seeded, api):
    s1 = api("s1")
    reading = {
        "device_id": "esl-7",
        "kind": "esl",
        "store_id": "S1",
        "at": AT,
        "payload": {"sku": "MILK", "shown_price_cents": 1190},
    }
    raised = s1.post("/devices/telemetry", json=reading).json()["alerts"]
    assert [a["kind"] for a in raised] == ["price_mismatch"]
    assert s1.post("/devices/telemetry", json=reading).json()["alerts"] == []
    ok = {**reading, "payload": {"sku": "MILK", "shown_price_cents": 1290}}
    assert s1.post("/devices/telemetry", json=ok).json()["alerts"] == []
    queue = {
        "device_id": "cam-1",
        "kind": "queue",
        "store_id": "S1",
        "at": AT,
        "payload": {"lane": 2, "length": 6},
    }
    assert s1.post("/devices/telemetry", json=queue).json()["alerts"][0]["kind"] == "queue_too_long"
    bad = {**queue, "payload": {"lane": 2}}
    reply = s1.post("/devices/telemetry", json=bad)
    assert reply.status_code == 400 and "payload.length" in reply.json()["detail"]
    worded = s1.post("/devices/telemetry", json={**queue, "payload": {"lane": 2, "length": "6"}})
    assert "payload.length: must be an int, got str" in worded.json()["detail"]
    open_alerts = s1.get("/devices/alerts", params={"store_id": "S1"}).json()
    assert len(open_alerts) == 2
    acked = s1.post(f"/devices/alerts/{open_alerts[0]['id']}/ack", json={"by": "clerk"}).json()
    assert acked["status"] == "acked" and acked["acked_by"] == "clerk"
    assert len(s1.get("/devices/alerts", params={"store_id": "S1"}).json()) == 1


def test_reports_for_a_store_and_the_chain(seeded, api):
    s1, s2, hq = api("s1"), api("s2"), api("hq")
    s1.post("/orders/checkout", json=checkout(member=1, MILK=2, JAM=1))
    s1.post("/orders/checkout", json=checkout(key="k2", MILK=1))
    s2.post("/orders/checkout", json=checkout(store="S2", key="k3", JAM=2))
    days = {"start": "2026-03-01", "end": "2026-03-31"}
    sales = s1.get("/reports/sales", params={**days, "store_id": "S1"}).json()
    assert sales == [
        {
            "date": "2026-03-02",
            "orders": 2,
            "sales_cents": 2 * 1290 + 1500 + 1290,
            "discount_cents": 0,
        }
    ]
    chain = hq.get("/reports/categories", params=days).json()
    assert {c["category"]: c["units"] for c in chain} == {"dairy": 3, "pantry": 3}
    deps = hq.get("/reports/departments", params=days).json()
    grocery = next(d for d in deps if d["department"] == "grocery")
    assert (grocery["orders"], grocery["customers"], grocery["sales_cents"]) == (2, 2, 4500)
    assert hq.get("/reports/payments", params=days).json() == [
        {"method": "card", "payments": 3, "amount_cents": 8370}
    ]
    profit = hq.get("/reports/profit", params=days).json()
    assert profit == [
        {
            "month": "2026-03",
            "sales_cents": 8370,
            "cost_cents": 3 * 900 + 3 * 700,
            "profit_cents": 8370 - 4800,
        }
    ]
    board = s1.get("/reports/dashboard", params={**days, "store_id": "S1"}).json()
    assert (board["orders"], board["customers"], board["members"]) == (2, 2, 1)
    assert board["member_sales_share"] == round(4080 / 5370, 4)
    reply = hq.get("/reports/sales", params={"start": "2026-03-31", "end": "2026-03-01"})
    assert reply.status_code == 400 and "end" in reply.json()["detail"]


def test_projects_crud_moves_forward_only(api):
    hq = api("hq")
    p = hq.post("/projects", json={"name": "ESL pilot", "intervention": "esl"}).json()
    assert p["status"] == "identified"
    assert (
        hq.post("/projects", json={"name": "ESL pilot", "intervention": "esl"}).status_code == 409
    )
    p = hq.patch(
        f"/projects/{p['id']}",
        json={"status": "reviewed", "pilot_stores": ["S1"], "estimates": {"sales_lift": 0.03}},
    ).json()
    assert p["pilot_stores"] == ["S1"] and p["estimates"]["sales_lift"] == 0.03
    assert hq.patch(f"/projects/{p['id']}", json={"status": "estimated"}).status_code == 409
    assert hq.patch(f"/projects/{p['id']}", json={"decision": "roll_out"}).status_code == 400
    done = hq.patch(
        f"/projects/{p['id']}", json={"status": "decided", "decision": "roll_out"}
    ).json()
    assert done["decision"] == "roll_out"
    assert [x["id"] for x in hq.get("/projects").json()] == [p["id"]]
    assert api("s1").get("/projects").status_code == 403
    assert hq.delete(f"/projects/{p['id']}").status_code == 204
    assert hq.get(f"/projects/{p['id']}").status_code == 404
