"""Every command that runs stores refuses an ``--out`` that is a file before simulating.

`cameras value` and `pilot validate` noticed only after their runs had started
(`run` checked first); one check (`twin.commands.options.out_folder`) serves all.
"""

import pytest
from typer.testing import CliRunner

from twin.cli import app

TINY = ["--workers", "1"]
COMMANDS = {
    "run": ["run", "convenience", "--days", "1", "--quiet"],
    "sweep": ["sweep", "convenience", "--vary", "checkout.lanes=1,2", "--replications", "2"],
    "cameras value": ["cameras", "value", "convenience", "--camera", "queue", "--days", "1"],
    "pilot run": ["pilot", "run", "self_checkout", "--quiet"],
    "pilot validate": ["pilot", "validate", "--n", "10", "--stores", "10", "--visitors", "20"],
}


@pytest.fixture
def taken(tmp_path):
    path = tmp_path / "afile"
    path.write_text("")
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_an_out_that_is_a_file_stops_the_command_before_any_run(command, taken):
    result = CliRunner().invoke(app, [*COMMANDS[command], *TINY, "--out", str(taken)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: --out {taken}: a file is there, not a folder\n"
    assert result.stdout == ""  # no progress bar, no table: nothing ran


@pytest.mark.parametrize("command", ["run", "pilot validate"])
def test_a_file_above_the_out_folder_is_named(command, taken):
    inside = taken / "sub"
    result = CliRunner().invoke(app, [*COMMANDS[command], *TINY, "--out", str(inside)])
    assert result.exit_code == 2, result.output
    assert f"error: --out {inside}: a file is there, not a folder ({taken} is a file)" in (
        result.stderr
    )
