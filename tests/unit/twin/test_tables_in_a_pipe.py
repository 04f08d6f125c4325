"""Tables printed to a pipe (80 columns) keep identifiers and figures whole.

`storetwin pilot ... | grep queue_wait_p95_s` and
`storetwin loadtest ... | grep "POST /orders/checkout"` found nothing: rich cut
the names to `queue_…` and figures to `+1,090.…` to fit 80 columns; `run
--replications` printed its thirteen KPI columns as `v…`, `c…`, `s…`.
"""

import io
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

import twin.terminal
from twin import sweep
from twin.commands import loadtest, pilot
from twin.commands import sweep as sweep_command
from twin.result import HEADLINE


@pytest.fixture
def pipe(monkeypatch):
    """An 80-column, non-terminal console in place of the CLI's, and what it printed."""
    out = io.StringIO()
    fake = Console(file=out, width=80, force_terminal=False, color_system=None)
    for module in (twin.terminal, pilot, loadtest, sweep_command):
        monkeypatch.setattr(module, "console", fake)
    return out


def estimate(value: float) -> dict:
    return {
        "estimate": value,
        "ci_low": value - 4_106.5,
        "ci_high": value + 4_106.5,
        "p_value": 0.25,
        "lift_pct": 1.5,
        "true_effect": 1_545.25,
        "error": value - 1_545.25,
        "synthetic_control": {"estimate": 1_090.75},
    }


def report() -> dict:
    kpis = ("contribution", "gross_margin", "labour_cost", "shrink_value", "queue_wait_p95_s")
    return {
        "name": "Self-checkout with AI loss prevention in supermarkets",
        "estimates": {k: estimate(-2_870.33 + i) for i, k in enumerate(kpis)},
        "decision": "next_round",
        "decision_reasons": ["the pilot was under-powered"],
        "next_round": [],
        "warnings": [],
        "payback_months": None,
        "roi": -0.5,
        "npv": -1000.0,
    }


def test_the_pilot_lift_table_keeps_kpi_names_and_figures_whole(pipe):
    pilot.print_outcome(report(), Path("runs/demo"))
    text = pipe.getvalue()
    for kpi in report()["estimates"]:
        assert kpi in text
    for figure in ("-2,870", "-6,977 .. 1,236", "+1,545", "-4,416", "+1,091", "0.250"):
        assert figure in text
    assert "…" not in text


def test_the_load_test_table_keeps_endpoint_names_whole(pipe):
    names = ["POST /orders/checkout", "POST /inventory/{store}/replenishments"]
    figures = {"requests": 123456, "errors": 12, "rps": 1234.5}
    latency = {"p50": 12.3, "p95": 123.4, "p99": 1234.5, "max": 12345.6}
    loadtest.print_result(
        {
            "requests": 246912,
            "errors": 24,
            "endpoints": {n: {**figures, **latency} for n in names},
            "thresholds": [{"threshold": "checkout.p95<200ms", "value": 123.4, "pass": True}],
            "invariants_checked": False,
            "invariants_unchecked_why": "no --db",
        }
    )
    text = pipe.getvalue()
    for name in names:
        assert name in text
    for figure in ("123456", "1234.5", "12345.6", "checkout.p95<200ms"):
        assert figure in text
    assert "…" not in text


def test_replications_print_every_kpi_and_variant_whole(pipe, monkeypatch, tmp_path):
    variants = ["base", "checkout.lanes=1, staff.cashiers=2"]
    long = pd.DataFrame(
        [
            {"variant": v, "replication": r, "seed": r, "kpi": k, "value": 12_345.6 * (i + r + 1)}
            for i, v in enumerate(variants)
            for r in range(3)
            for k in HEADLINE
        ]
    )
    tables = (long, sweep.means(long), sweep.differences(long))
    monkeypatch.setattr(sweep_command, "_replicate", lambda *a: tables)  # no twin runs
    runs = sweep_command.Runs(0, 3, 1, tmp_path, workers=None)
    sweep_command.replicated_run(dict.fromkeys(variants), runs, False, "x")
    text = pipe.getvalue()
    for name in [*HEADLINE, *variants]:
        assert name in text
    assert "24,691" in text  # the base's mean
    assert "…" not in text


def test_an_error_keeps_its_brackets_and_its_long_path_whole(capsys):
    from twin.terminal import fail

    path = "/tmp/" + "a-long-folder/" * 8 + "store.db"
    fail(f"no database at {path}; try --set interventions=[esl]")
    out = capsys.readouterr().err
    assert "interventions=[esl]" in out and path in out
    assert out.count("\n") == 1


def test_a_warning_keeps_its_brackets(capsys):
    from twin.terminal import warn

    warn("interventions=[esl] not applied to S004")
    assert "interventions=[esl] not applied to S004" in capsys.readouterr().err


def test_the_intervention_list_keeps_parameter_names_whole(pipe, monkeypatch):
    """`storetwin interventions | grep detect_rate` found nothing: folded to `detect_r`."""
    import twin.cli
    from scenarios.interventions import REGISTRY

    monkeypatch.setattr(twin.cli, "console", twin.terminal.console)
    twin.cli.interventions(as_json=False)
    lines = pipe.getvalue().splitlines()
    for intervention in REGISTRY.values():
        assert any(intervention.name in line for line in lines)
        for name, value in intervention.Params().model_dump(mode="json").items():
            first_word = f"{name}={value}".split(" ")[0]
            assert any(first_word in line for line in lines), first_word


def test_a_usage_error_keeps_its_brackets_on_one_line():
    """`--executor 'ray[x]'` said "'ray' is not one of 'local', 'ray'": markup ate `[x]`."""
    from typer.testing import CliRunner

    from twin.cli import app

    result = CliRunner().invoke(app, ["run", "convenience", "--executor", "ray[x]"])
    assert result.exit_code == 2
    assert "'ray[x]' is not one of" in result.stderr
    assert "Value error" not in result.stderr  # pydantic's prefix: "'--executor': Value error, '"
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_option_help_keeps_its_brackets():
    """`run --help` showed `interventions=);`: the `[self_checkout]` example was markup."""
    from typer.testing import CliRunner

    from twin.cli import app

    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert "interventions=[self_checkout]" in result.output


def test_a_validation_too_small_to_judge_says_unclear_not_no(pipe):
    """At N = 10, 0.0% false positives (CI 0.0%..27.8%) was printed "NO" beside the 3%..7%
    target its own CI holds; a figure whose CI misses the target is still "NO"."""
    summary = {
        "kpi": "contribution",
        "pilots": 10,
        "stores_per_chain": 9,
        "pre_days": 2,
        "pilot_days": 2,
        "twin_stores": 9,
        "chains": 1,
        "false_positive_rate": 0.0,
        "coverage": 0.5,
        "relative_mean_error": 0.016,
        "ci95": {"false_positive_rate": [0.0, 0.278], "coverage": [0.237, 0.763]},
        "targets": {
            "false_positive_rate": [0.03, 0.07],
            "coverage": [0.92, 0.98],
            "relative_mean_error": [0.0, 0.1],
        },
        "within_target": {
            "false_positive_rate": False,
            "coverage": False,
            "relative_mean_error": True,
        },
        "mean_error": 11.76,
        "mean_true_effect": 746.75,
        "power": 1.0,
        "synthetic_control": {"mean_error": -42.13, "placebo_band_coverage": 0.9},
    }
    pilot.console.print(pilot.validation_table(summary))
    cells = [line.split("│") for line in pipe.getvalue().splitlines() if line.count("│") == 6]
    ok = [(row[1].split()[0], row[-2].strip()) for row in cells if row[-2].strip()]
    assert ok == [("A/A", "unclear"), ("CI", "NO"), ("|mean", "yes")]  # false positives, ...


def test_an_out_that_is_a_file_is_one_error_line(tmp_path):
    """`run --out FILE` ran the whole day and then died with a NotADirectoryError traceback;
    `sweep`, `pilot` and `frames export` did the same."""
    from typer.testing import CliRunner

    from twin.cli import app

    taken = tmp_path / "afile"
    taken.write_text("")
    run = CliRunner().invoke(app, ["run", "convenience", "--out", str(taken), "--quiet"])
    assert run.exit_code == 2
    assert run.stderr == f"error: --out {taken}: a file is there, not a folder\n"
    args = ["frames", "export", "--view", "top", "--frames", "1", "--out", str(taken)]
    export = CliRunner().invoke(app, args)
    assert export.exit_code == 2
    assert f"\nerror: Not a directory: {taken}/images (check --out)\n" in export.stderr


@pytest.mark.parametrize(
    ("command", "example"),
    [(["run", "--help"], "interventions=[self_checkout]"), (["sweep", "--help"], "3,4,5,6")],
)
def test_help_in_a_pipe_keeps_its_examples_whole(monkeypatch, command, example):
    """`storetwin sweep --help | less` cut `checkout.lanes=3,4,5…` at rich's 80 columns."""
    import typer.rich_utils
    from typer.testing import CliRunner

    from twin.cli import app

    monkeypatch.delenv("COLUMNS", raising=False)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0
    assert example in result.output and "…" not in result.output
    wide = CliRunner().invoke(app, command, env={"COLUMNS": "200"})  # $COLUMNS still wins
    assert max(len(line) for line in wide.output.splitlines()) == 200
    assert typer.rich_utils.MAX_WIDTH is None  # nothing left behind for the next call
