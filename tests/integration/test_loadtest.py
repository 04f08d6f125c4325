"""A real load test: recorded twin traffic through Locust against live services on loopback."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.bench import free_port, start_server
from services.db.engine import sqlite_url
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


def loadtest(url: str, db_url: str, out: str, duration: str, *thresholds: str):
    args = ["loadtest", "--services", url, *SMALL, "--speed", "1200", "--duration", duration]
    args += ["--db", db_url, "--out", out]
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


def test_an_impossible_threshold_fails_the_run(services):
    url, db_url = services
    out = loadtest(url, db_url, "runs/load2", "2s", "checkout.p95<0.001ms")
    assert out.exit_code == 99, out.output
    (verdict,) = json.loads(Path("runs/load2/loadtest.json").read_text())["thresholds"]
    assert verdict["pass"] is False and verdict["value"] > 0.001


@pytest.mark.parametrize("bad", ["checkout.p95<<200ms", "checkout.p97<200ms", "errors<5ms"])
def test_bad_threshold_syntax_is_a_clear_error(bad):
    out = runner.invoke(app, ["loadtest", "--services", "http://127.0.0.1:9", "--threshold", bad])
    assert out.exit_code == 2
    assert "error:" in out.output and "bad threshold" in out.output
