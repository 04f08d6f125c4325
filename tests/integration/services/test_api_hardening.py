"""Bad input is a 4xx naming the field; lists page; errors are documented; limits; access log."""

import datetime as dt
import json
import logging

import pytest
from fastapi.testclient import TestClient

from services.api.main import create_app
from services.client import HttpClient, InProcessClient
from services.schemas import MAX_UNITS
from services.settings import Settings

from .conftest import KEYS, live_server

AT = "2026-03-02T12:00:00"
HUGE = 2**63 + 5


@pytest.fixture
def hq(api):
    hq = api("hq")
    assert hq.put("/stores/S1", json={"id": "S1", "name": "S1", "format": "supermarket"}).is_success
    milk = {"sku": "MILK", "name": "Milk", "category": "dairy", "brand": "B"}
    assert hq.put("/products", json=[{**milk, "price_cents": 100, "cost_cents": 50}]).is_success
    assert hq.put("/inventory/S1/stock-take", json=[{"sku": "MILK", "qty": 10**6}]).is_success
    return hq


def sale(key: str, qty=1, at=AT, **extra):
    lines = [{"sku": "MILK", "qty": qty}]
    body = {"store_id": "S1", "lines": lines, "payment_method": "card", "idempotency_key": key}
    return {**body, "at": at, **extra}


def invalid(reply, field: str) -> None:
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["error"] == "Invalid" and field in body["message"], body


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", f"/orders/{HUGE}", "order_id"),
        ("get", f"/payments/{HUGE}", "payment_id"),
        ("get", f"/payments/orders/{HUGE}", "order_id"),
        ("get", f"/members/{HUGE}", "member_id"),
        ("get", f"/projects/{HUGE}", "project_id"),
        ("get", f"/orders?member_id={HUGE}", "member_id"),
        ("post", f"/inventory/replenishments/{HUGE}/receipt", "replenishment_id"),
        ("get", f"/marketing/promotions/{HUGE}/review", "promotion_id"),
    ],
)
def test_ids_beyond_64_bits_are_422_naming_the_id(hq, method, path, field):
    invalid(getattr(hq, method)(path), field)


def test_report_ending_in_year_9999_is_422_naming_end(hq):
    invalid(hq.get("/reports/sales", params={"start": "2026-01-01", "end": "9999-12-31"}), "end")


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        ("fridge", {"temp_c": 3, "max_c": "warm"}, "payload.max_c"),
        ("queue", {"lane": 1, "length": 3, "threshold": "x"}, "payload.threshold"),
        ("queue", {"lane": 1, "length": 3, "threshold": None}, "payload.threshold"),
    ],
)
def test_telemetry_with_a_non_numeric_limit_is_4xx_naming_it(hq, kind, payload, field):
    reading = {"device_id": "d1", "kind": kind, "store_id": "S1", "at": AT, "payload": payload}
    reply = hq.post("/devices/telemetry", json=reading)
    assert reply.status_code == 400 and field in reply.json()["detail"], reply.text


@pytest.mark.parametrize("qty", ["1", True, 1.5])
def test_quantities_are_integers_not_strings_or_booleans(hq, qty):
    invalid(hq.post("/orders/checkout", json=sale("k1", qty=qty)), "lines.0.qty")
    assert hq.post("/orders/checkout", json=sale("k2", qty=2)).json()["items"] == 2


@pytest.mark.parametrize("cents", ["100", True])
def test_money_is_an_integer_not_a_string_or_boolean(hq, cents):
    invalid(hq.post("/members/1/top-ups", json={"amount_cents": cents}), "amount_cents")


def test_units_per_order_are_bounded_so_totals_fit_64_bits(hq):
    # 10 lines of 10**6 units at the highest price (10**12 cents) would total 10**19 > 2**63
    body = sale("big") | {"lines": [{"sku": "MILK", "qty": 10**6}] * 10}
    invalid(hq.post("/orders/checkout", json=body), "lines")
    online = {k: v for k, v in body.items() if k != "payment_method"} | {"channel": "pickup"}
    invalid(hq.post("/orders", json=online), "lines")
    assert MAX_UNITS * 10**12 < 2**63


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1969-12-31T23:59:59"]
)
def test_sale_times_outside_1970_to_2200_are_422(hq, at):
    invalid(hq.post("/orders/checkout", json=sale("k1", at=at)), "at")


def test_timestamps_carry_utc_and_zoned_input_is_converted(hq):
    hq.post("/orders/checkout", json=sale("k1", at="2026-03-02T12:00:00+08:00"))
    created = hq.get("/orders").json()[0]["created_at"]
    assert created == "2026-03-02T04:00:00Z"


def test_list_endpoints_page_and_say_where_the_next_page_starts(hq):
    for i in range(205):
        assert hq.post("/orders/checkout", json=sale(f"k{i}")).is_success
    seen, offset, pages = [], 0, 0
    while True:
        reply = hq.get("/orders", params={"store_id": "S1", "limit": 100, "offset": offset})
        seen += [o["id"] for o in reply.json()]
        pages += 1
        if "X-Next-Offset" not in reply.headers:
            assert "Link" not in reply.headers
            break
        offset = int(reply.headers["X-Next-Offset"])
        assert f"offset={offset}" in reply.headers["Link"] and 'rel="next"' in reply.headers["Link"]
    assert pages == 3 and seen == list(range(1, 206))
    assert len(hq.get("/orders").json()) == 100  # the default page
    invalid(hq.get("/orders", params={"limit": 1001}), "limit")


def test_http_client_reads_every_page(app, hq):
    for i in range(3):
        body = sale(f"o{i}") | {"channel": "pickup"}
        del body["payment_method"]
        assert hq.post("/orders", json=body).status_code == 201
    with live_server(app) as url:
        client = HttpClient(url, "hq", page_size=2)
        try:
            assert [o.id for o in client.open_orders("S1")] == [1, 2, 3]
        finally:
            client.close()


def test_openapi_documents_paging_on_every_list_and_every_error_status(api):
    doc = api(None).get("/openapi.json").json()
    lists = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            replies = op["responses"]
            ok = replies[next(c for c in replies if c.startswith("2"))]
            schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
            names = {p["name"] for p in op.get("parameters", [])}
            if schema.get("type") == "array":
                lists += 1
                if method == "get":
                    assert {"limit", "offset"} <= names, path
                    assert "X-Next-Offset" in ok["headers"], path
            if op.get("security"):
                for code in ("400", "401", "403", "422" if names or "requestBody" in op else "401"):
                    ref = replies[code]["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (path, method, code)
            if "requestBody" in op:
                assert "413" in replies, (path, method)
            if method != "get" and op.get("security"):
                assert "409" in replies, (path, method)
            if any(p["in"] == "path" for p in op.get("parameters", [])):
                assert "404" in replies, (path, method)
    assert lists >= 15
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_bodies_over_the_limit_are_413_in_json(db, tmp_path):
    app = create_app(Settings(database_url=db.url, api_keys=KEYS, max_body_bytes=4096))
    with TestClient(app, headers={"X-API-Key": "hq"}) as hq:
        big = {
            "device_id": "d",
            "kind": "x",
            "store_id": "S1",
            "at": AT,
            "payload": {"a": "x" * 5000},
        }
        reply = hq.post("/devices/telemetry", json=big)
        assert reply.status_code == 413 and reply.json()["error"] == "TooLarge"

        def chunks():  # no Content-Length: the limit applies while reading
            yield b'{"device_id": "d", "payload": {"a": "'
            yield b"x" * 5000
            yield b'"}}'

        streamed = hq.post(
            "/devices/telemetry", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413 and streamed.json()["error"] == "TooLarge"


def test_errors_do_not_echo_long_input(hq):
    for reply in (
        hq.get("/stores/" + "x" * 60_000),
        hq.post("/orders/checkout", json=sale("k1", coupon_codes=["C" * 1_000_000])),
        hq.get("/orders/" + "9" * 10_000),
    ):
        assert 400 <= reply.status_code < 500 and len(reply.content) < 2000, reply.status_code


def test_access_log_writes_method_path_status_latency_and_request_id(db, tmp_path):
    log = tmp_path / "access.log"
    app = create_app(Settings(database_url=db.url, api_keys=KEYS, access_log=str(log)))
    with TestClient(app) as c:
        given = c.get("/health", headers={"X-Request-ID": "abc-123"})
        made = c.get("/stores", headers={"X-API-Key": "hq"})
        forged = c.get("/health", headers={"X-Request-ID": "x\nGET /fake 200"})
        c.get("/stores/a%0Ab%20c", headers={"X-API-Key": "hq"})
    assert given.headers["X-Request-ID"] == "abc-123"
    rid, forged_rid = made.headers["X-Request-ID"], forged.headers["X-Request-ID"]
    assert len(rid) == 32 and "\n" not in forged_rid and forged_rid != rid
    lines = log.read_text().splitlines()
    assert len(lines) == 4 and "GET /stores/a%0Ab%20c 404 " in lines[3]
    assert lines[0].endswith("GET /health 200 " + lines[0].split()[-2] + " request_id=abc-123")
    assert "GET /stores 200 " in lines[1] and lines[1].endswith(f"request_id={rid}")
    assert lines[1].split()[-2].endswith("ms")


def test_access_log_can_be_turned_off(db, tmp_path, caplog):
    app = create_app(Settings(database_url=db.url, api_keys=KEYS, access_log="off"))
    with caplog.at_level(logging.INFO), TestClient(app) as c:
        reply = c.get("/health")
    assert reply.headers["X-Request-ID"] and not app.state.access_log.running
    assert not [r for r in caplog.records if r.name.startswith("storetwin.access")]


def test_error_bodies_match_the_documented_schema(hq):
    reply = hq.post("/orders/checkout", json=sale("k1", qty=10**7))
    body = reply.json()
    assert reply.status_code == 422 and isinstance(body["detail"], list)
    assert set(body) <= {"error", "detail", "message"}
    assert json.loads(reply.text)["detail"][0]["loc"] == ["body", "lines", 0, "qty"]


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/orders/checkout", "POST"),
        ("/inventory/S1/replenishments", "GET, POST"),
        ("/stores/S1", "GET, PUT"),
    ],
)
def test_method_not_allowed_lists_every_method_of_the_path(api, path, allow):
    reply = api("hq").options(path)
    assert reply.status_code == 405 and reply.headers["Allow"] == allow
    assert reply.json()["error"] == "MethodNotAllowed"


def test_store_hours_are_local_times_of_day_as_documented(api):
    hq = api("hq")
    store = {"id": "S9", "name": "Nine", "format": "convenience", "opens": "07:30"}
    reply = hq.put("/stores/S9", json=store)
    assert reply.json()["opens"] == "07:30:00" and reply.json()["closes"] == "22:00:00"
    doc = hq.get("/openapi.json").json()["components"]["schemas"]["StorePublic"]
    assert "format" not in doc["properties"]["opens"]  # "time" would demand a zone
    invalid(hq.put("/stores/S9", json=store | {"opens": "07:30Z"}), "opens")


def test_both_clients_read_times_as_naive_utc(app, hq, db):
    hq.post("/orders/checkout", json=sale("k1", at="2026-03-02T12:00:00+08:00"))
    with live_server(app) as url:
        http = HttpClient(url, "hq")
        try:
            over_http = http.get_order(1).created_at
        finally:
            http.close()
    local = InProcessClient(db)
    try:
        in_process = local.get_order(1).created_at
    finally:
        local.close()
    assert over_http == in_process == dt.datetime(2026, 3, 2, 4, 0)
    assert over_http.tzinfo is None


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_alike_on_every_database(hq, number):
    # Python's JSON reader takes NaN; SQLite would store it, PostgreSQL would refuse it
    body = f'{{"device_id": "d", "kind": "fridge", "store_id": "S1", "at": "{AT}", '
    body += f'"payload": {{"temp_c": {number}, "max_c": 8}}}}'
    reply = hq.post(
        "/devices/telemetry", content=body, headers={"Content-Type": "application/json"}
    )
    invalid(reply, "payload")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/stores/S%00", "store_id"),
        ("/orders?store_id=%00", "store_id"),
        ("/products?category=%00", "category"),
    ],
)
def test_nul_in_ids_and_filters_is_422_on_every_database(hq, path, field):
    invalid(hq.get(path), field)


@pytest.mark.parametrize("at", ["0.5", "1700000000"])
def test_times_are_written_as_dates_not_unix_seconds(hq, at):
    invalid(hq.get("/products/prices/S1", params={"at": at}), "at")
    invalid(hq.post("/orders/checkout", json=sale("k1", at=float(at))), "at")
    invalid(hq.get("/reports/sales", params={"start": at, "end": "2026-01-01"}), "start")
