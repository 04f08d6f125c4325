"""A --ray-address where nothing answers is an error at once, not minutes of Ray's retries."""

import time

from typer.testing import CliRunner

from services.bench import free_port
from twin.cli import app


def test_an_unreachable_ray_cluster_is_one_error_line(tmp_path, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    address = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    args = ["run", "convenience", "--param", "chain={stores: 2}", "--param"]
    args += ["arrivals.daily_visitors=20", "--ray-address", address, "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot reach the Ray cluster at {address}: ")
    assert time.monotonic() - started < 30
