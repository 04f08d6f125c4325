"""Invariants asked of the services: ids in chunks, results merged, a refusal said clearly."""

import json

import httpx
import pytest

from twin.loadtest.invariants import ACKED, from_services


def services(bodies: list[dict], status: int = 200) -> httpx.MockTransport:
    """Answers like POST /admin/invariants: ids above 100 are missing from its database."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        missing = [f"{k[:-1]} {i}" for k in ("orders", "members") for i in body[k] if i > 100]
        checks = [
            {"name": "points = earned - burned", "pass": True, "violations": 0, "examples": []},
            {"name": ACKED, "pass": not missing, "violations": len(missing), "examples": missing},
        ]
        return httpx.Response(status, json={"pass": not missing, "checks": checks})

    return httpx.MockTransport(answer)


def test_ids_go_in_chunks_and_what_is_missing_adds_up():
    bodies: list[dict] = []
    acked = {"orders": [1, 101, 2], "payments": [], "members": [102]}
    checks = from_services("http://x", {("S1", "A"): 5}, acked, chunk=2, transport=services(bodies))
    assert [b.get("start_stock") for b in bodies] == [
        [{"store_id": "S1", "sku": "A", "qty": 5}],
        None,
    ]
    assert [b["orders"] + b["members"] for b in bodies] == [[1, 101], [2, 102]]
    (acks,) = [c for c in checks if c["name"] == ACKED]
    assert acks == {
        "name": ACKED,
        "pass": False,
        "violations": 2,
        "examples": ["order 101", "member 102"],
    }


def test_services_without_the_endpoint_are_a_clear_error():
    with pytest.raises(RuntimeError, match="answered 404"):
        from_services("http://x", {}, {}, transport=services([], status=404))


def test_invariants_of_a_missing_sqlite_file_are_an_error_and_make_no_file(tmp_path):
    from typer.testing import CliRunner

    from twin.cli import app

    missing = tmp_path / "store.db"
    result = CliRunner().invoke(app, ["invariants", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert "error:" in result.output and str(missing) in result.output
    assert "SELECT" not in result.output
    assert not missing.exists()  # the read-only check made an empty database there


def test_invariants_print_one_json_object_with_json(tmp_path):
    from typer.testing import CliRunner

    from services.db import Database
    from services.db.engine import sqlite_url
    from twin.cli import app

    url = sqlite_url(tmp_path / "store.db")
    Database(url).create_schema()
    result = CliRunner().invoke(app, ["invariants", "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["pass"] is True and out["checks"]
    assert all({"name", "pass", "violations"} <= set(c) for c in out["checks"])
