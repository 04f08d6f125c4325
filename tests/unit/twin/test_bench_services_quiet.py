"""`storetwin bench services` keeps its server's access log off (~4,000 lines on stderr)."""

import os

import pytest
from typer.testing import CliRunner

import services.bench
from twin.cli import app


@pytest.mark.parametrize(("set_by_user", "expected"), [(None, "off"), ("-", "-")])
def test_the_benchmarks_server_logs_no_requests_unless_asked(monkeypatch, set_by_user, expected):
    seen = {}

    def measure(requests: int, workers: int) -> dict:
        seen["log"] = os.environ.get("STORETWIN_ACCESS_LOG")
        return {"checkout_rps": 1.0}

    env = {k: v for k, v in os.environ.items() if k != "STORETWIN_ACCESS_LOG"}
    if set_by_user is not None:
        env["STORETWIN_ACCESS_LOG"] = set_by_user
    monkeypatch.setattr(os, "environ", env)  # the command's default must not outlive the test
    monkeypatch.setattr(services.bench, "bench_services", measure)
    out = CliRunner().invoke(app, ["bench", "services", "--json", "--requests", "10"])
    assert out.exit_code == 0, out.output
    assert seen["log"] == expected
