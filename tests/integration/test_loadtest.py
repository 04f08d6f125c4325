"""A real load test: recorded twin traffic through Locust against live services on loopback."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from services.bench import free_port, start_server
from services.db import Database
from services.db.engine import sqlite_url
from services.db.models import Order
from twin.cli import app

runner = CliRunner()
SMALL = [
    "--scenario",
    "supermarket",
    "--set",
    "arrivals.daily_visitors=300",
    "--chain",
    "2",
    "--workers",
    "1",
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One folder for the module, so both tests share the recorded traffic (runs/.traffic)."""
    return tmp_path_factory.mktemp("loadtest")


@pytest.fixture
def services(workdir, monkeypatch, request):
    """A fresh SQLite database served by uvicorn on a free loopback port: (url, db url)."""
    monkeypatch.chdir(workdir)
    db_url = sqlite_url(workdir / f"{request.node.name}.db")
    port = free_port()
    proc = start_server(db_url, port)
    yield f"http://127.0.0.1:{port}", db_url
    proc.terminate()
    proc.wait(timeout=10)


def loadtest(url: str, db_url: str | None, out: str, duration: str, *thresholds: str, speed="1200"):
    pace = ["--ramp-speed", speed] if "," in speed else ["--speed", speed]
    args = ["loadtest", "--services", url, *SMALL, *pace, "--duration", duration]
    args += ["--out", out] + (["--db", db_url] if db_url else [])
    for t in thresholds:
        args += ["--threshold", t]
    return runner.invoke(app, args)


def test_load_test_passes_its_thresholds_and_invariants(services):
    url, db_url = services
    out = loadtest(url, db_url, "runs/load1", "5s", "checkout.p95<5s", "errors<1%")
    assert out.exit_code == 0, out.output
    result = json.loads(Path("runs/load1/loadtest.json").read_text())
    assert {"endpoints", "thresholds", "invariants", "requests", "errors", "duration_s"} <= set(
        result
    )
    assert result["requests"] > 20 and result["errors"] == 0
    checkout = result["endpoints"]["POST /orders/checkout"]
    assert checkout["requests"] > 5 and checkout["p50"] <= checkout["p95"] <= checkout["max"]
    assert [t["pass"] for t in result["thresholds"]] == [True, True]
    assert len(result["invariants"]) == 7 and all(i["pass"] for i in result["invariants"])
    assert "acknowledged writes are stored" in out.output
    assert Path("runs/load1/loadtest.html").read_text().count("plotly") > 1


def test_an_impossible_threshold_fails_every_ramp_step_and_the_services_check_invariants(
    services,
):
    url, _ = services
    out = loadtest(url, None, "runs/load2", "4s", "checkout.p95<0.001ms", speed="600,1200")
    assert out.exit_code == 99, out.output
    result = json.loads(Path("runs/load2/loadtest.json").read_text())
    (verdict,) = result["thresholds"]
    assert verdict["pass"] is False and verdict["value"] > 0.001
    assert [s["speed"] for s in result["ramp"]] == [600, 1200]
    assert sum(s["requests"] for s in result["ramp"]) > 10
    assert result["knee"]["speed"] is None and result["knee"]["first_failing_speed"] == 600
    assert "Speed ramp" in out.output and "knee" in Path("runs/load2/loadtest.html").read_text()
    assert result["invariants_from"] == "services"
    assert len(result["invariants"]) == 7 and all(i["pass"] for i in result["invariants"])
    assert "acknowledged writes are stored" in out.output


@pytest.mark.parametrize("bad", ["checkout.p95<<200ms", "checkout.p97<200ms", "errors<5ms"])
def test_bad_threshold_syntax_is_a_clear_error(bad):
    out = runner.invoke(app, ["loadtest", "--services", "http://127.0.0.1:9", "--threshold", bad])
    assert out.exit_code == 2
    assert "error:" in out.output and "bad threshold" in out.output


def test_a_bad_speed_ramp_is_a_clear_error():
    args = ["loadtest", "--services", "http://127.0.0.1:9", "--ramp-speed", "1000..200:200"]
    out = runner.invoke(app, args)
    assert out.exit_code == 2
    assert "error:" in out.output and "bad speed ramp" in out.output


def _orders(db_url: str) -> int:
    db = Database(db_url)
    try:
        with db.sessions() as s:
            return s.scalar(select(func.count()).select_from(Order))
    finally:
        db.dispose()


def test_sigkill_mid_test_and_restart_loses_nothing_acknowledged(workdir, monkeypatch, services_db):
    """The server dies with requests in flight; resent calls reuse their idempotency keys.

    On SQLite and (with STORETWIN_TEST_DB_URL) on PostgreSQL, each from an empty database.
    """
    monkeypatch.chdir(workdir)
    db_url, port = services_db.url, free_port()
    services_db.dispose()
    url = f"http://127.0.0.1:{port}"
    server = start_server(db_url, port)
    args = ["loadtest", "--services", url, *SMALL, "--speed", "1200", "--duration", "6s"]
    args += ["--db", db_url, "--out", "runs/killed"]
    test = subprocess.Popen(
        [sys.executable, "-c", "from twin.cli import app; app()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(600):  # until checkouts flow, at most a minute
            if _orders(db_url) > 5 or test.poll() is not None:
                break
            time.sleep(0.1)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        server = start_server(db_url, port)
        output, _ = test.communicate(timeout=180)
    finally:
        test.kill()
        server.terminate()
        server.wait(timeout=10)
    assert test.returncode == 0, output
    result = json.loads(Path("runs/killed/loadtest.json").read_text())
    assert result["requests"] > 20
    assert [i["name"] for i in result["invariants"] if not i["pass"]] == []
