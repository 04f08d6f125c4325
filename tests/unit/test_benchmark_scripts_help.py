"""The developer scripts under benchmarks/scripts answer ``--help`` with their usage.

Each script runs as ``__main__`` with the user's argv (in this process, so the imports are paid
once): ``--help`` must print argparse's usage and exit 0, a missing argument must be a usage
error (exit 2), never a traceback.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "benchmarks" / "scripts").glob("*.py"))


def _main(script: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", [str(script), *args])
    with pytest.raises(SystemExit) as ended:
        runpy.run_path(str(script), run_name="__main__")
    return ended.value.code


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_help_is_usage(script: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert _main(script, ["--help"], monkeypatch) == 0
    assert capsys.readouterr().out.startswith("usage:")


@pytest.mark.parametrize(
    "name", ["pilot_noise", "pilot_ci_width", "pilot_design", "pilot_plan_check"]
)
def test_missing_arguments_are_a_usage_error(name: str, monkeypatch, capsys) -> None:
    script = next(s for s in SCRIPTS if s.stem == name)
    assert _main(script, [], monkeypatch) == 2
    assert "usage:" in capsys.readouterr().err


def test_a_folder_that_is_not_a_pilot_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    script = next(s for s in SCRIPTS if s.stem == "pilot_noise")
    assert _main(script, [str(tmp_path)], monkeypatch) == 2
    assert "no steps/3_review.json" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "args", "says"),
    [
        ("pilot_plan_check", ["self_checkout", "{tmp}", "800", "5", "5"], "untreated.parquet"),
        ("pilot_design", ["self_checkout", "800", "{tmp}/none"], "no such folder"),
    ],
)
def test_a_missing_run_is_a_usage_error(name, args, says, tmp_path, monkeypatch, capsys) -> None:
    script = next(s for s in SCRIPTS if s.stem == name)
    assert _main(script, [a.format(tmp=tmp_path) for a in args], monkeypatch) == 2
    assert says in capsys.readouterr().err
