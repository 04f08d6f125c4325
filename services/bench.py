"""Speed of the services over HTTP: a full checkout against a trivial endpoint of the same app.

The server runs as its own process (uvicorn on a fresh SQLite file), so the
load generator's threads do not share its interpreter. Each checkout is the
whole transaction: a member's basket of several lines, a spend-X-save-Y
promotion in force, the card payment, the stock deduction and the points.
Every reply is checked, so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from services.settings import DEV_HQ_KEY

SKUS = 200
LINES = 4


def free_port() -> int:
    """A TCP port on the loopback interface that nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, port: int, timeout_s: float = 30.0) -> subprocess.Popen:
    """Start ``uvicorn`` with the services app on ``port``; returns once it answers."""
    env = {**os.environ, "STORETWIN_DATABASE_URL": db_url}
    env.pop("STORETWIN_API_KEYS", None)  # the development HQ key drives the benchmark
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "services.api.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"the server did not answer on port {port} within {timeout_s:.0f} s")


def _seed(http: httpx.Client, stock: int) -> int:
    """A store, a catalogue in stock, a promotion in force and a member; the member's id."""

    def ok(reply: httpx.Response) -> httpx.Response:
        reply.raise_for_status()
        return reply

    store = {"id": "B1", "name": "Bench", "format": "supermarket"}
    ok(http.put("/stores/B1", json=store))
    products = [
        {
            "sku": f"SKU{i:04d}",
            "name": f"Item {i}",
            "category": f"cat{i % 8}",
            "brand": "House",
            "price_cents": 500 + 10 * i,
            "cost_cents": 300 + 6 * i,
        }
        for i in range(SKUS)
    ]
    ok(http.put("/products", json=products))
    counts = [{"sku": p["sku"], "qty": stock} for p in products]
    ok(http.put("/inventory/B1/stock-take", json=counts))
    ok(
        http.post(
            "/marketing/promotions",
            json={
                "name": "spend 50 save 5",
                "rule": {"kind": "spend_save", "threshold_cents": 5000, "save_cents": 500},
                "starts_at": "2000-01-01T00:00:00",
                "ends_at": "2100-01-01T00:00:00",
            },
        )
    )
    member = {"store_id": "B1", "name": "Bench Member", "phone": "13800000000"}
    return ok(http.post("/members", json=member)).json()["id"]


def _measure(
    base_url: str, call: Callable[[httpx.Client, int], None], requests: int, workers: int
) -> tuple[float, list[float]]:
    """Run ``requests`` calls over ``workers`` threads; (wall seconds, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        mine = []
        with httpx.Client(base_url=base_url, headers={"X-API-Key": DEV_HQ_KEY}) as http:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    break
                started = time.perf_counter()
                call(http, n)
                mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def bench_services(requests: int = 2000, workers: int = 8) -> dict[str, float | int]:
    """Requests per second and latency percentiles of checkout vs the trivial endpoint."""
    if requests < 10 or workers < 1:
        raise ValueError("requests must be >= 10 and workers >= 1")
    with tempfile.TemporaryDirectory(prefix="storetwin-bench-") as tmp:
        port = free_port()
        server = start_server(f"sqlite:///{Path(tmp) / 'bench.db'}", port)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers={"X-API-Key": DEV_HQ_KEY}) as http:
                member_id = _seed(http, stock=requests * LINES)
            at = dt.datetime(2026, 3, 2, 10).isoformat()

            def checkout(http: httpx.Client, n: int) -> None:
                lines = [
                    {"sku": f"SKU{(n * 7 + k * 13) % SKUS:04d}", "qty": 2} for k in range(LINES)
                ]
                body = {
                    "store_id": "B1",
                    "lines": lines,
                    "payment_method": "card",
                    "idempotency_key": f"bench-{n}",
                    "member_id": member_id,
                    "at": at,
                }
                reply = http.post("/orders/checkout", json=body)
                receipt = reply.json()
                if reply.status_code != 200 or receipt["points_earned"] <= 0:
                    raise RuntimeError(f"checkout {n} failed: {reply.status_code} {reply.text}")
                if receipt["total_cents"] != receipt["list_cents"] - receipt["discount_cents"]:
                    raise RuntimeError(f"checkout {n}: totals do not add up: {receipt}")

            def trivial(http: httpx.Client, n: int) -> None:
                if http.get("/health").status_code != 200:
                    raise RuntimeError("the trivial endpoint failed")

            _measure(base, trivial, min(200, requests), workers)  # warm up both paths
            trivial_s, trivial_ms = _measure(base, trivial, requests, workers)
            checkout_s, checkout_ms = _measure(base, checkout, requests, workers)
        finally:
            server.terminate()
            server.wait(timeout=10)
    checkout_rps = requests / checkout_s
    trivial_rps = requests / trivial_s
    return {
        "requests": requests,
        "workers": workers,
        "checkout_rps": round(checkout_rps, 1),
        "trivial_rps": round(trivial_rps, 1),
        "ratio": round(checkout_rps / trivial_rps, 3),
        "checkout_p50_ms": round(_percentile(checkout_ms, 50), 2),
        "checkout_p95_ms": round(_percentile(checkout_ms, 95), 2),
        "checkout_p99_ms": round(_percentile(checkout_ms, 99), 2),
        "trivial_p50_ms": round(_percentile(trivial_ms, 50), 2),
        "trivial_p95_ms": round(_percentile(trivial_ms, 95), 2),
        "trivial_p99_ms": round(_percentile(trivial_ms, 99), 2),
    }
