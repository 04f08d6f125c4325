"""``storetwin serve --workers N``: the load test's server command, with several processes."""

import os
import subprocess
import sys
import time

import httpx

from services.bench import free_port


def test_serve_with_two_workers_answers_from_the_database(tmp_path):
    port = free_port()
    env = {**os.environ, "STORETWIN_ACCESS_LOG": "off"}
    env.pop("STORETWIN_API_KEYS", None)
    args = ["serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-c", "from twin.cli import app; app()", *args, "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # at most a minute
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        store = {"id": "S1", "name": "One", "format": "supermarket"}
        headers = {"X-API-Key": "dev-hq-key"}
        assert httpx.put(f"{url}/stores/S1", json=store, headers=headers).status_code == 200
        for _ in range(4):  # whichever worker answers reads the same database
            assert httpx.get(f"{url}/stores/S1", headers=headers).json()["name"] == "One"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert server.returncode is not None, output
