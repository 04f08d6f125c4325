import json

from typer.testing import CliRunner

from services.bench import free_port
from twin.cli import app

runner = CliRunner()


def test_serve_takes_a_database_url_and_a_port():
    out = runner.invoke(app, ["serve", "--help"])
    assert out.exit_code == 0
    assert "--db" in out.stdout and "--port" in out.stdout


def test_run_against_unreachable_services_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    out = runner.invoke(
        app, ["run", "convenience", "--services", url, "--out", str(tmp_path / "o")]
    )
    assert out.exit_code == 2
    assert f"cannot reach the services at {url}" in out.stderr


def test_bench_services_json_has_the_figures():
    out = runner.invoke(app, ["bench", "services", "--json", "--requests", "20", "--workers", "2"])
    assert out.exit_code == 0, out.output
    figures = json.loads(out.stdout)
    for key in ("checkout_rps", "trivial_rps", "ratio", "checkout_p50_ms", "checkout_p99_ms"):
        assert figures[key] > 0
    assert abs(figures["ratio"] - figures["checkout_rps"] / figures["trivial_rps"]) < 0.01
