"""A load test that cannot reach the services, or whose key they refuse, stops before it starts.

It sent only failing requests, warned that the invariants were not checked, and exited 0.
"""

from typer.testing import CliRunner

from services.bench import free_port
from twin.cli import app as cli

from .conftest import live_server

runner = CliRunner()


def _loadtest(url: str, *more: str):
    return runner.invoke(cli, ["loadtest", "--services", url, "--duration", "2s", *more])


def test_a_load_test_against_no_server_is_an_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = _loadtest(url, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot reach the services at {url}")
    assert not (tmp_path / "loadtest.json").exists()


def test_a_load_test_with_a_refused_key_is_an_error(app, tmp_path):
    with live_server(app) as url:
        result = _loadtest(url, "--api-key", "not-a-key", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "refused the key (401" in result.stderr
    assert not (tmp_path / "loadtest.json").exists()
