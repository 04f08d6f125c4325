"""A run against a services database that already holds data says so, listing what it found."""

import datetime as dt

from typer.testing import CliRunner

from services.client import HttpClient
from services.schemas import PromotionCreate, SpendPercent
from twin.cli import app as cli

from .conftest import live_server

runner = CliRunner()


def _run(url, out):
    return runner.invoke(
        cli,
        [
            "run",
            "convenience",
            "--param",
            "arrivals.daily_visitors=40",
            "--services",
            url,
            "--out",
            str(out),
            "--quiet",
        ],
        env={"STORETWIN_API_KEY": "hq"},
    )


def test_a_shared_database_is_reported_before_the_run(app, tmp_path):
    with live_server(app) as url:
        fresh = _run(url, tmp_path / "a")
        assert fresh.exit_code == 0, fresh.output
        assert "warning" not in fresh.stderr
        client = HttpClient(url, "hq")
        try:
            client.create_promotion(
                PromotionCreate(
                    name="spring sale",
                    rule=SpendPercent(threshold_cents=100, percent_off=20),
                    starts_at=dt.datetime(2026, 3, 1),
                    ends_at=dt.datetime(2026, 3, 31),
                )
            )
        finally:
            client.close()
        again = _run(url, tmp_path / "b")
    assert again.exit_code == 0, again.output
    warning = " ".join(again.stderr.split())  # the console wraps at 80 columns
    assert warning.startswith("warning: the services at")
    assert "store S001 exists already" in warning
    assert "'spring sale' (chain-wide" in warning


def test_a_key_the_services_refuse_is_one_error_line_not_a_traceback(app, tmp_path):
    with live_server(app) as url:
        result = runner.invoke(
            cli,
            ["run", "convenience", "--services", url, "--out", str(tmp_path), "--quiet"],
            env={"STORETWIN_API_KEY": "not-a-key"},
        )
    assert result.exit_code == 2, result.output
    assert f"error: the services at {url} refused the run: X-API-Key: unknown key" in result.stderr
    assert "Traceback" not in result.output
