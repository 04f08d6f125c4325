"""The six-step pilot end to end on a tiny chain: detection, decision, resuming, the CLI."""

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from scenarios.pilot import PilotError, parse_pilot, run_pilot, twinruns
from scenarios.pilot.artefacts import STEPS
from scenarios.pilot.method import store_days
from scenarios.pilot.twinruns import Arm, run_arms
from services.client import InProcessClient
from services.db import Database
from services.db.engine import sqlite_url
from twin.cli import app
from twin.executor import run_many

REPORT_KEYS = {
    "steps",
    "pilot_stores",
    "reference_stores",
    "balance",
    "mde",
    "estimates",
    "roi",
    "payback_months",
    "npv",
    "decision",
}


def tiny(intervention: dict, pilot_id: str) -> dict:
    """Nine small supermarkets (three pilots, two references each), 4 + 2 days.

    Online orders shrink with the visitors (the library's 50 a day are for 3,000): at 25
    visitors the library's orders would be most of the twin's work, in a channel no test
    here reads.
    """
    return {
        "id": pilot_id,
        "name": f"tiny {pilot_id}",
        "seed": 5,
        "chain": {
            "scenario": "supermarket",
            "set": {
                "arrivals.daily_visitors": 25,
                "online.daily_orders": 0.5,
                "chain": {
                    "stores": 10,
                    "seed": 3,
                    "formats": {"supermarket": 0.9, "convenience": 0.1},
                },
            },
        },
        "interventions": [intervention],
        "stores": {"pilot": 3, "references_per_pilot": 2},
        "periods": {"pre_days": 4, "pilot_days": 2},
        "kpis": ["contribution", "labour_cost", "sales", "satisfaction"],
        "estimate": {"days": 1},
    }


SELF_CHECKOUT = {"name": "self_checkout", "params": {"stations": 4, "cashiers_saved": 2}}
NOBODY_RESPONDS = {"name": "targeted_coupons", "params": {"response": 0.0}}


def strong_file() -> dict:
    """The strong pilot: its nine eligible stores are all pilots or references, so matching
    has no choice and balance on contribution is luck; it may roll out all the same."""
    data = tiny(SELF_CHECKOUT, "tiny_sco")
    data["decision"] = {"allow_underpowered": True}
    return data


@pytest.fixture(scope="module")
def strong(tmp_path_factory):
    out = tmp_path_factory.mktemp("strong")
    pilot = parse_pilot(strong_file())
    run_pilot(pilot, out, workers=2)
    return pilot, out


def report(out):
    return json.loads((out / "report.json").read_text())


def test_a_strong_known_effect_is_found_and_rolled_out(strong):
    _, out = strong
    r = report(out)
    assert set(r) >= REPORT_KEYS
    assert [s["step"] for s in r["steps"]] == list(STEPS)
    assert len(r["pilot_stores"]) == 3 and len(r["reference_stores"]) == 6
    e = r["estimates"]["contribution"]
    assert e["ci_low"] > 0 and e["p_value"] < 0.05
    assert e["ci_low"] <= e["true_effect"] <= e["ci_high"]
    assert e["error"] == pytest.approx(e["estimate"] - e["true_effect"], abs=1e-3)
    assert r["estimates"]["labour_cost"]["true_effect"] < 0
    assert r["decision"] == "roll_out"
    assert r["payback_months"] > 0 and r["npv"] > 0
    assert r["pre_period_identical"] is True
    assert {row["feature"] for row in r["balance"]} >= {"sales", "daily_visitors"}
    assert r["mde"]["contribution"]["mde"] > 0
    projected = {row["format"] for row in r["rollout_projection"] if row["value"] is not None}
    assert projected == {"supermarket"}
    [other] = [row for row in r["rollout_projection"] if row["format"] == "convenience"]
    assert other["source"] == "not piloted" and other["cumulative_net"] is None
    html = (out / "report.html").read_text()
    assert "plotly" in html.lower() and "Roll out" in html


def test_the_verdict_carries_its_warnings_and_the_tests_their_resolution(strong):
    _, out = strong
    r = report(out)
    checks = {w["check"]: w for w in r["warnings"]}
    assert {"placebo resolution", "extrapolation", "scaling"} <= set(checks)
    assert all(set(w) >= {"check", "figure", "threshold", "meaning"} for w in r["warnings"])
    assert "power" not in checks  # the effect is far above the design's MDE
    held = [w["check"] for w in r["warnings"] if w["blocks_roll_out"]]
    assert r["decision"] == "roll_out"
    assert not held or any("allow_underpowered" in x for x in r["decision_reasons"])
    assert checks["placebo resolution"]["figure"] == pytest.approx(1 / 7, abs=1e-4)
    e = r["estimates"]["contribution"]
    assert e["min_p_value"] == pytest.approx(1 / 84, abs=1e-4)
    assert e["synthetic_control"]["min_p_value"] == pytest.approx(1 / 7, abs=1e-4)
    # 25 visitors a day with a supermarket's roster: the report says these are not real stores.
    assert r["scaling"]["staff_follows"] is False
    html = (out / "report.html").read_text()
    top = html[: html.index("<h2>")]
    assert "Warnings (" in top and "placebo resolution" in top and "Scaled stores" in top


def test_step_3_reads_step_2s_untreated_run_instead_of_simulating_it_again(strong, tmp_path):
    pilot, out = strong
    typical = json.loads((out / "steps" / "2_estimate.json").read_text())["formats"][0]
    sid, horizon = typical["store_id"], pilot.spec.periods.horizon
    assert not (out / "twin" / "untreated" / sid).exists()
    untreated = pd.read_parquet(out / "twin" / "untreated.parquet")
    reused = untreated[untreated["store_id"] == sid].reset_index(drop=True)
    assert list(reused["day"]) == list(range(horizon))
    # what step 3 would have simulated: the same store, seed and horizon, run afresh
    fresh = run_arms([Arm("u", pilot.chain, (sid,), pilot.spec.seed, horizon, tmp_path)])["u"]
    pd.testing.assert_frame_equal(reused, fresh[reused.columns], check_dtype=False)
    cost = store_days(pilot)
    assert cost["review"] == (len(pilot.eligible) - 1) * horizon
    assert cost["estimate"] == 2 * pilot.spec.estimate.days + horizon - pilot.spec.estimate.days


@pytest.fixture
def batches(monkeypatch):
    """The jobs of every call to the executor seam from a pilot's steps, one list a call."""
    calls = []

    def spy(jobs, *args, **kwargs):
        calls.append(list(jobs))
        return run_many(jobs, *args, **kwargs)

    monkeypatch.setattr(twinruns, "run_many", spy)
    return calls


def test_a_whole_pilot_sends_its_store_runs_out_as_one_batch(strong, batches, tmp_path):
    pilot, whole = strong
    run_pilot(pilot, tmp_path, workers=2)
    [jobs] = batches
    assert sum(j.days for j in jobs) == sum(store_days(pilot).values())
    assert len({j.out for j in jobs}) == len(jobs)
    assert report(tmp_path) == report(whole)


def test_resuming_after_step_2_batches_steps_3_and_4_and_reruns_nothing(strong, batches, tmp_path):
    pilot, whole = strong
    run_pilot(pilot, tmp_path, until="estimate", workers=2)
    run_pilot(pilot, tmp_path, workers=2)
    first, rest = batches
    cost = store_days(pilot)
    assert sum(j.days for j in first) == cost["estimate"]
    assert sum(j.days for j in rest) == cost["review"] + cost["run"]
    assert not {j.out for j in first} & {j.out for j in rest}
    assert report(tmp_path) == report(whole)


def test_every_step_is_recorded_in_the_project_library(strong):
    _, out = strong
    db = Database(sqlite_url(out / "projects.db"))
    client = InProcessClient(db)
    [project] = client.list_projects()
    assert project.status == "decided" and project.decision == "roll_out"
    assert project.pilot_stores == report(out)["pilot_stores"]
    client.close()
    db.dispose()


def test_resuming_from_a_saved_review_gives_the_same_report(strong, tmp_path):
    pilot, whole = strong
    out = tmp_path / "copy"
    shutil.copytree(whole, out)
    for step in STEPS[3:]:
        (out / "steps" / f"{STEPS.index(step) + 1}_{step}.json").unlink()
    (out / "report.json").unlink()
    arts = run_pilot(pilot, out, workers=2)
    assert list(arts) == list(STEPS)
    assert report(out) == report(whole)


@pytest.mark.slow
def test_without_an_effect_stop_after_review_then_resume_to_stop_or_next_round(tmp_path):
    pilot = parse_pilot(tiny(NOBODY_RESPONDS, "tiny_null"))
    arts = run_pilot(pilot, tmp_path, until="review", workers=2)
    assert list(arts) == ["identify", "estimate", "review"]
    assert not (tmp_path / "report.json").exists()
    run_pilot(pilot, tmp_path, workers=2)
    r = report(tmp_path)
    e = r["estimates"]["contribution"]
    # Nobody responds to the coupons: what is left is the campaign's own small cost.
    assert abs(e["true_effect"]) < 50
    assert r["decision"] in {"stop", "next_round"}


def test_a_run_folder_of_another_pilot_is_refused(strong):
    _, out = strong
    other = parse_pilot(tiny(NOBODY_RESPONDS, "other"))
    with pytest.raises(ValueError, match="another pilot"):
        run_pilot(other, out, until="identify")


def test_a_bad_pilot_file_names_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    data = tiny(SELF_CHECKOUT, "bad")
    data["periods"] = {"pre_days": 1, "pilot_days": 3}
    data["stores"]["pilot_count"] = 3
    bad.write_text(json.dumps(data))
    result = CliRunner().invoke(app, ["pilot", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "periods.pre_days" in result.output and "stores.pilot_count" in result.output
    assert not (tmp_path / "o").exists()
    with pytest.raises(PilotError, match=r"periods\.pre_days"):
        parse_pilot(data)


def test_pilot_by_id_stops_after_identify(tmp_path):
    result = CliRunner().invoke(
        app, ["pilot", "self_checkout", "--step", "identify", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "steps" / "1_identify.json").exists()
    assert "resume with" in result.output


def test_the_printed_summary_shows_the_warnings(strong, tmp_path):
    _, whole = strong
    out = tmp_path / "copy"
    shutil.copytree(whole, out)
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(strong_file()))
    result = CliRunner().invoke(app, ["pilot", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "decision: roll_out" in text
    assert "warnings (" in text and "placebo resolution 0.1429 (threshold 0.05)" in text
    assert "scaling" in text and "labour hours per visitor" in text
