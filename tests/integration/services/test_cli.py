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


def test_serve_and_dashboard_on_a_port_in_use_say_error_first(tmp_path):
    """They printed Werkzeug's "Address already in use" (exit 1) and uvicorn's "ERROR:
    [Errno 98]" (exit 3) after announcing the URL; now one `error:` line, exit 2."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        db = f"sqlite:///{tmp_path / 'x.db'}"
        for args in (["serve", "--db", db], ["dashboard", "--runs", str(tmp_path)]):
            out = runner.invoke(app, [*args, "--port", port])
            assert out.exit_code == 2, out.output
            assert out.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: "), out.stderr
            assert "dashboard on" not in out.stdout and "store services on" not in out.stdout
