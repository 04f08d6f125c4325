"""The instruction ruler: its no-valgrind answer, its plumbing, and the child's measured day."""

from __future__ import annotations

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from twin import instructions
from twin.cli import app

FAKE_VALGRIND = """#!/bin/sh
# Stands in for valgrind: records its arguments, writes a callgrind file, prints the child's JSON.
echo "$@" > "{args}"
for a in "$@"; do
  case "$a" in
    --callgrind-out-file=*) printf 'events: Ir\\nsummary: 4242\\ntotals: 4242\\n' > "${{a#*=}}" ;;
  esac
done
echo '{{"visitors": 3, "transactions": 2, "events": 40}}'
"""


def test_without_valgrind_one_line_and_exit_2(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no valgrind anywhere
    out = CliRunner().invoke(app, ["bench", "twin", "--json", "--instructions"])
    assert out.exit_code == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "valgrind" in lines[0] and "apt-get install valgrind" in lines[0]
    with pytest.raises(instructions.ValgrindMissing):
        instructions.count_store_day("supermarket")


def test_counts_inside_the_toggled_function(monkeypatch, tmp_path):
    args = tmp_path / "args.txt"
    fake = tmp_path / "valgrind"
    fake.write_text(FAKE_VALGRIND.format(args=args))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    figures = instructions.count_store_day("supermarket", seed=3)
    assert figures == {"instructions": 4242, "visitors": 3, "transactions": 2, "events": 40}
    called = args.read_text().split()
    assert "--tool=callgrind" in called and "--collect-atstart=no" in called
    assert "--instr-atstart=no" in called
    assert f"--toggle-collect={instructions.MEASURED}" in called
    assert called[-3:] == ["twin.instructions", "supermarket", "3"]


def test_nothing_counted_is_an_error(monkeypatch, tmp_path):
    fake = tmp_path / "valgrind"
    fake.write_text(FAKE_VALGRIND.format(args=tmp_path / "a").replace("4242", "0"))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RuntimeError, match="counted no instructions"):
        instructions.count_store_day("supermarket")


def test_the_child_measures_the_second_day(tmp_path, small, supermarket):
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(small(supermarket, 60).model_dump(mode="json")))
    figures = instructions._measured_day(str(path), 7)
    assert set(figures) == {"visitors", "transactions", "events"}
    assert figures["visitors"] > 0 and figures["events"] > figures["visitors"]


def test_json_carries_instructions_beside_the_timings(monkeypatch):
    import twin.bench

    def timed(scenario, seed, repeat):
        return {"store_day_s": 1.0, "visitors": 3, "events": 40, "simpy_events_per_s": 9.0}

    monkeypatch.setattr(twin.bench, "bench_twin", timed)
    monkeypatch.setattr(instructions, "valgrind", lambda: "/usr/bin/valgrind")
    monkeypatch.setattr(
        instructions, "count_store_day", lambda scenario, seed: {"instructions": 7, "events": 40}
    )
    out = CliRunner().invoke(app, ["bench", "twin", "--json", "--instructions"])
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout) == {
        "instructions": 7,
        "store_day_s": 1.0,
        "visitors": 3,
        "events": 40,
        "simpy_events_per_s": 9.0,
    }
