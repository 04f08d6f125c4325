"""Faults against live services: slow services under the live twin, PostgreSQL restarted mid-run."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from scenarios import load
from scenarios.chain import expand
from services.bench import free_port, start_server
from services.client import HttpClient
from services.db import Database
from services.db.engine import sqlite_url
from services.db.models import Order
from twin.live import run_live
from twin.run import run_store


@contextlib.contextmanager
def served(db_url: str, monkeypatch, latency_ms: float = 0):
    """``storetwin serve``'s app in its own process on a free loopback port; yields its URL."""
    monkeypatch.setenv("STORETWIN_ACCESS_LOG", "off")
    monkeypatch.setenv("STORETWIN_INJECT_LATENCY_MS", str(latency_ms))
    port = free_port()
    proc = start_server(db_url, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_slow_services_make_the_live_twin_late_and_its_queues_longer(tmp_path, monkeypatch):
    """100 ms more per request: the twin reports its lag, and tills wait on the POS.

    The twin's own run (no time at the till for the call, same seed, so the same
    shoppers arrive) is the store with an instant POS.
    """
    store = expand(load("supermarket"))[0]
    with served(sqlite_url(tmp_path / "slow.db"), monkeypatch, latency_ms=100) as url:
        client = HttpClient(url)
        try:
            slow = run_live(store, client, speed=900, duration_s=3)
        finally:
            client.close()
    visits = run_store(store, seed=0).tables["visits"].to_pandas()
    opened = 7 * 3600.0  # run_live's default start of real time
    seen = visits[
        visits["converted"]
        & (visits["departure_s"] >= opened)
        & (visits["departure_s"] <= opened + slow["sim_s"])
    ]
    assert slow["checkouts"] >= 3 and len(seen) >= 3
    # each checkout took at least 100 ms of wall time: 90 simulated seconds at the till
    assert slow["pos_held_s"] >= 0.1 * 900 * slow["checkouts"]
    assert slow["checkout_wait_s"]["mean"] > seen["wait_s"].fillna(0).mean() + 30
    assert slow["lag_s"]["max"] >= 0.1 and slow["late_share"] > 0
    # the run stopped on the wall clock, behind: less than 3 s x 900 of store time
    assert slow["wall_s"] < 3 + 5 and slow["sim_s"] < 3 * 900


PGBIN = os.environ.get("STORETWIN_TEST_PGBIN")


class Cluster:
    """A PostgreSQL server of the test's own (restarting the shared one would upset others)."""

    def __init__(self, pgbin: Path):
        self.bin = pgbin
        self.folder = Path(tempfile.mkdtemp(prefix="storetwin-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.folder, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        cmd = [*self.as_owner, str(self.bin / program), *args]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def _ctl(self, *args: str) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", *args
        )

    def start(self) -> None:
        opts = f"-c fsync=off -c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        self._ctl("-o", opts, "start")

    def crash_and_restart(self) -> None:
        """Stop at once, as a crash would (no checkpoint; recovery from the WAL), and start."""
        self._ctl("-m", "immediate", "stop")
        self.start()

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster() -> Cluster:
    if not PGBIN:
        pytest.skip("STORETWIN_TEST_PGBIN not set: PostgreSQL's bin folder (CI sets it)")
    c = Cluster(Path(PGBIN))
    yield c
    c.remove()


def _orders(db_url: str) -> int:
    db = Database(db_url)
    try:
        with db.sessions() as s:
            return s.scalar(select(func.count()).select_from(Order)) or 0
    except OperationalError:
        return 0
    finally:
        db.dispose()


@pytest.mark.slow
def test_postgres_restarted_mid_run_counts_errors_goes_on_and_loses_nothing(
    cluster, tmp_path, monkeypatch
):
    """PostgreSQL crashes and comes back during a load test; the services and the test go on."""
    monkeypatch.chdir(tmp_path)
    with served(cluster.url, monkeypatch) as url:
        args = ["loadtest", "--services", url, "--scenario", "supermarket", "--chain", "2"]
        args += ["--set", "arrivals.daily_visitors=300", "--workers", "1", "--speed", "1200"]
        args += ["--duration", "6s", "--db", cluster.url, "--out", "runs/restart"]
        test = subprocess.Popen(
            [sys.executable, "-c", "from twin.cli import app; app()", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            for _ in range(600):  # until checkouts flow, at most a minute
                if _orders(cluster.url) > 5 or test.poll() is not None:
                    break
                time.sleep(0.1)
            cluster.crash_and_restart()
            back = time.time()
            output, _ = test.communicate(timeout=180)
        finally:
            test.kill()
    assert test.returncode == 0, output
    result = json.loads(Path("runs/restart/loadtest.json").read_text())
    # the outage was seen: requests failed, or were resent after a 503 or a refused connection
    assert result["errors"] + result["resent"] > 0, result
    assert [i["name"] for i in result["invariants"] if not i["pass"]] == []
    rows = []
    for path in Path("runs/restart").glob("samples-*.jsonl.gz"):
        with gzip.open(path, "rt") as f:
            rows += [json.loads(line) for line in f]
    answered_after = [r for r in rows if r[0] > back and r[4] is None]
    assert len(answered_after) > 10, "the run did not go on after PostgreSQL came back"
