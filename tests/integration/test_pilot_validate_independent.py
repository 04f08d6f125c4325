"""pilot validate --independent with N = 20 small twin pilots, beside the resampling method.

Each figure HQ reads (A/A false-positive rate, CI coverage of the true effect)
must come with its own binomial (Wilson) CI computed from the pilots it counts,
and at N = 20 that CI must still be consistent with the nominal rates.

Slow: 20 chains of 9 convenience stores at 20 visitors a day for 2 + 2 days,
every store without the intervention and each chain's 3 pilot stores also with
it (960 store-days), took 139 CPU s (user + sys of the whole pytest process,
on a loaded machine; 219 when every store also ran treated); 9 stores is the
least that lets the randomisation test reach alpha (3 pilot stores with 2
references each), and with them the pool is the whole chain, so the A/A test
is exact: it rejects 4/84 = 4.76% of the time.
"""

import json

import pandas as pd
import pytest
from scipy.stats import binomtest
from typer.testing import CliRunner

from twin.cli import app

PILOT = """\
id: convenience_checkout
version: 1
name: Self-checkout in convenience stores
description: A validation-sized pilot of small stores.
seed: 7
chain:
  scenario: convenience
  set:
    chain: {stores: 9, seed: 1, formats: {convenience: 1.0}}
interventions:
  - name: self_checkout
    params: {stations: 2, cashiers_saved: 1}
stores:
  formats: [convenience]
  pilot: 3
  references_per_pilot: 2
  match_on: [sales, contribution]
periods: {pre_days: 5, pilot_days: 5}
kpis: [contribution]
finance: {discount_rate: 0.08, horizon_months: 36}
decision: {kpi: contribution, min_gain: 0, max_payback_months: 18}
estimate: {days: 1}
"""
N = 20
ALPHA = 0.05


@pytest.fixture(scope="module")
def validation(tmp_path_factory):
    folder = tmp_path_factory.mktemp("independent")
    (folder / "pilot.yaml").write_text(PILOT)
    args = ["pilot", "validate", "--pilot", str(folder / "pilot.yaml"), "--independent"]
    args += ["--n", str(N), "--stores", "9", "--visitors", "20"]
    args += ["--pre-days", "2", "--pilot-days", "2", "--workers", "2", "--json"]
    result = CliRunner().invoke(app, [*args, "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    draws = {
        "independent": pd.read_parquet(folder / "out" / "independent.parquet"),
        "resampling": pd.read_parquet(folder / "out" / "draws.parquet"),
    }
    return report, draws, folder / "out"


def wilson(k: int, n: int) -> list[float]:
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return [ci.low, ci.high]


def counts(draws: pd.DataFrame) -> dict[str, int]:
    low = draws["ci_low"].astype(float).fillna(-float("inf"))
    high = draws["ci_high"].astype(float).fillna(float("inf"))
    truth = draws["true_effect"]
    return {
        "false_positive_rate": int((draws["aa_p_value"] <= ALPHA).sum()),
        "coverage": int(((low <= truth) & (truth <= high)).sum()),
    }


@pytest.mark.slow
def test_both_methods_report_their_rates_with_their_own_binomial_ci(validation):
    report, draws, out = validation
    assert json.loads((out / "validation.json").read_text()) == report
    assert report["wall_s"] > 0 and report["command"].startswith("storetwin ")
    for method in ("independent", "resampling"):
        summary = report[method]
        assert summary["pilots"] == N and len(draws[method]) == N
        assert summary["twin_stores"] == N * 9 and summary["chains"] == N
        for figure, k in counts(draws[method]).items():
            assert summary[figure] == round(k / N, 4), (method, figure)
            low, high = summary["ci95"][figure]
            assert [low, high] == pytest.approx(wilson(k, N), abs=1e-4), (method, figure)
            assert low <= k / N <= high


@pytest.mark.slow
def test_the_figures_are_plausible_at_twenty_pilots(validation):
    report, _, _ = validation
    for method in ("independent", "resampling"):
        summary = report[method]
        k = {f: round(summary[f] * N) for f in ("false_positive_rate", "coverage")}
        # Not significantly more false positives than alpha, nor less coverage than 95%, by
        # exact binomial tests at 1%: at N = 20 a method that is exactly right has 3 or more
        # false positives 7.5% of the time, and Wilson's lower bound already excludes 5% there.
        fp = binomtest(k["false_positive_rate"], N, ALPHA, alternative="greater")
        covered = binomtest(k["coverage"], N, 0.95, alternative="less")
        assert fp.pvalue > 0.01 and covered.pvalue > 0.01, (method, summary)
        assert summary["mean_true_effect"] > 0, (method, summary)


@pytest.mark.slow
def test_each_independent_pilot_is_its_own_chain(validation):
    _, draws, _ = validation
    own = draws["independent"]
    assert list(own["draw"]) == list(range(N))
    # Every pilot has its own chain's noise: no two A/A estimates coincide.
    assert own["aa_estimate"].nunique() == N
