"""The dashboard's one data module: finding folders, reading them, and saying what is wrong."""

import json
import os

import pandas as pd
import pytest

from dashboard import data

from .conftest import WARNINGS, write_pilot


def test_find_names_each_kind_and_does_not_look_inside_a_result(dash_runs):
    kinds = {f.name: f.kind for f in data.find(dash_runs)}
    assert kinds == {
        "bench": "bench",
        "broken_what_if": "what_if",
        "chain": "chain",
        "load1": "loadtest",
        "pilot1": "pilot",
        "pilot_half": "pilot",
        "pilot_no_warnings": "pilot",
        "traced": "run",
        "what_if": "what_if",
    }


def test_a_missing_runs_folder_is_empty_not_an_error(tmp_path):
    assert data.find(tmp_path / "nope") == []


def test_pilot_rows_give_step_decision_and_warnings(dash_runs):
    rows = {r.name: r for r in data.pilot_rows(dash_runs)}
    assert (rows["pilot1"].step, rows["pilot1"].decision, rows["pilot1"].warnings) == (
        "decide",
        "roll_out",
        2,
    )
    assert rows["pilot_no_warnings"].warnings == 0
    assert rows["pilot_half"].step == "identify" and rows["pilot_half"].decision is None
    assert "no report.json" in rows["pilot_half"].problem


def test_load_pilot_reads_report_panel_series_and_warnings(dash_runs):
    p = data.load_pilot(dash_runs, "pilot1")
    assert p.warnings == WARNINGS
    assert set(p.panel["group"]) == {"pilot", "reference"}
    assert p.series["contribution"]["day"] == list(range(8))
    assert data.load_pilot(dash_runs, "pilot_no_warnings").warnings == []


def test_a_half_written_pilot_says_how_far_it_got(dash_runs):
    with pytest.raises(data.Problem, match="last step saved: identify"):
        data.load_pilot(dash_runs, "pilot_half")


def test_a_truncated_report_is_a_problem_not_a_traceback(tmp_path):
    out = write_pilot(tmp_path / "p")
    (out / "report.json").write_text('{"name": "x", "estim')
    with pytest.raises(data.Problem, match="half-written"):
        data.load_pilot(tmp_path, "p")
    assert "cannot be read" in data.pilot_rows(tmp_path)[0].problem


def test_a_report_without_its_keys_is_a_problem(tmp_path):
    out = write_pilot(tmp_path / "p")
    (out / "report.json").write_text(json.dumps({"name": "x"}))
    with pytest.raises(data.Problem, match="lacks"):
        data.load_pilot(tmp_path, "p")


def test_a_truncated_panel_still_shows_the_report(tmp_path):
    out = write_pilot(tmp_path / "p")
    (out / "panel.parquet").write_bytes(b"PAR1 not really")
    p = data.load_pilot(tmp_path, "p")
    assert p.panel is None and "panel.parquet" in p.notes[0]


def test_folders_outside_the_runs_folder_are_refused(dash_runs):
    with pytest.raises(data.Problem, match="not inside"):
        data.folder(dash_runs, "../")
    with pytest.raises(data.Problem, match="no such folder"):
        data.folder(dash_runs, "nothing_here")


def test_what_if_has_rows_and_hourly_series_of_every_arm(dash_runs):
    w = data.load_what_if(dash_runs, "what_if")
    assert w.arms == ["base", "self_checkout"]
    assert set(w.hourly["arm"]) == {"base", "self_checkout"}
    with pytest.raises(data.Problem, match="half-written"):
        data.load_what_if(dash_runs, "broken_what_if")


def test_per_store_sums_and_averages_the_days():
    daily = pd.DataFrame(
        {
            "store_id": ["A", "A", "B"],
            "day": [0, 1, 0],
            "visitors": [10, 30, 5],
            "transactions": [5, 15, 5],
            "sales": [100.0, 300.0, 50.0],
            "gross_margin": [1.0, 1.0, 1.0],
            "contribution": [1.0, 2.0, 3.0],
            "labour_cost": [1.0, 1.0, 1.0],
            "queue_wait_p95_s": [10.0, 30.0, 5.0],
            "satisfaction": [7.0, 8.0, 9.0],
        }
    )
    a = data.per_store(daily).set_index("store_id").loc["A"]
    assert (a["sales"], a["queue_wait_p95_s"], a["days"], a["conversion"]) == (400.0, 20.0, 2, 0.5)


def test_chain_aggregates_stores_with_their_format(dash_runs):
    c = data.load_chain(dash_runs, "chain")
    assert c.stores == ["S001", "S002", "S003"]
    daily = pd.read_parquet(dash_runs / "chain" / "daily.parquet")
    assert c.by_store["sales"].sum() == pytest.approx(daily["sales"].sum())
    assert set(c.by_format_day["format"]) <= {"supermarket", "convenience"}
    assert c.by_format_day["sales"].sum() == pytest.approx(daily["sales"].sum())


def test_a_store_keys_chain_leaves_the_other_stores_out_of_every_total(dash_runs):
    c = data.load_chain(dash_runs, "chain", only=["S002"])
    daily = pd.read_parquet(dash_runs / "chain" / "daily.parquet")
    own = daily[daily["store_id"] == "S002"]
    assert c.stores == ["S002"] and list(c.by_store["store_id"]) == ["S002"]
    assert c.by_format_day["sales"].sum() == pytest.approx(own["sales"].sum())
    with pytest.raises(data.Problem, match="may see"):
        data.load_chain(dash_runs, "chain", only=["S999"])


class StoreKeyClient:
    """The answers the services give a key: HQ reads every report, a store key its own."""

    def __init__(self, own: str | None):
        self.own = own

    def list_stores(self):
        from types import SimpleNamespace

        return [SimpleNamespace(id=s) for s in ("S003", "S001", "S002")]

    def sales_report(self, store_id, start, end):
        from services.domain.errors import Forbidden

        if self.own is not None and store_id != self.own:
            raise Forbidden(f"this key may not act for store {store_id!r}")
        return []


def test_a_store_key_reaches_only_its_own_store_and_hq_the_whole_chain():
    assert data.store_reach(StoreKeyClient(None)) is None
    assert data.store_reach(StoreKeyClient("S002")) == ["S002"]
    assert data.store_reach(StoreKeyClient("S404")) == []


def test_reports_from_a_run_folder_read_a_copy_of_its_database(dash_runs):
    db = data.store_db(dash_runs, "chain", "S002")
    before = db.stat().st_mtime_ns
    with data.client_for(data.Source(dash_runs), db) as client:
        r = data.reports(client, "S002")
        with pytest.raises(data.Problem, match="refused"):
            data.reports(client, "S999")
    daily = pd.read_parquet(dash_runs / "chain" / "daily.parquet")
    tills = daily[daily["store_id"] == "S002"]["transactions"].sum()
    assert r.sales["orders"].sum() >= tills > 0
    assert not r.categories.empty and not r.payments.empty and not r.profit.empty
    assert db.stat().st_mtime_ns == before
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("store.db")) == [
        "store.db"
    ]


def test_a_traced_run_gives_frames_queues_and_heat(dash_runs):
    assert data.traced(dash_runs) == ["traced"]
    floor = data.load_floor(dash_runs, "traced")
    t = int(floor.times[len(floor.times) // 2])
    here = floor.at(t)
    assert len(here) > 0 and (here["t_s"] == t).all()
    assert len(here) == (floor.tracks["t_s"] == t).sum()
    lengths = data.queue_lengths(floor.queues)
    spells = floor.queues
    busy = lengths[lengths["waiting"] > 0]
    if not spells.empty:
        assert not busy.empty
        assert lengths.groupby("t_s")["waiting"].sum().max() <= len(spells)
    heat = data.heat_from_tracks(floor.tracks, 5)
    assert heat["true_s"].sum() == 5 * (floor.tracks["kind"] == "shopper").sum()
    with pytest.raises(data.Problem, match=r"no tracks\.parquet"):
        data.load_floor(dash_runs, "chain")


def test_queue_lengths_count_the_spells_that_cover_each_moment():
    spells = pd.DataFrame(
        {
            "visit_id": [1, 2, 3],
            "till": ["lane", "lane", "self_checkout"],
            "lane": [0, 0, 0],
            "start_s": [0.0, 30.0, 60.0],
            "end_s": [90.0, 150.0, 61.0],
        }
    )
    lengths = data.queue_lengths(spells, step_s=60).set_index(["till", "t_s"])["waiting"]
    assert lengths.loc["lane 1"].to_dict() == {0: 1, 60: 2, 120: 1, 180: 0}
    assert lengths.loc["self_checkout"].to_dict() == {0: 0, 60: 1, 120: 0, 180: 0}


def test_run_reports_are_read_once_per_database_version(dash_runs, monkeypatch):
    first = data.run_reports(dash_runs, "chain", "S002")
    assert not first.sales.empty

    def refuse(*_, **__):
        raise AssertionError("the database was opened again")

    monkeypatch.setattr(data, "client_for", refuse)
    assert data.run_reports(dash_runs, "chain", "S002") is first
    db = data.store_db(dash_runs, "chain", "S002")
    stat = db.stat()
    os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(AssertionError, match="opened again"):
        data.run_reports(dash_runs, "chain", "S002")
    os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_stores_reports_are_computed_once(dash_runs, monkeypatch):
    calls = []
    real = data.reports

    def counted(client, store_id, *args):
        calls.append(store_id)
        return real(client, store_id, *args)

    monkeypatch.setattr(data, "reports", counted)
    monkeypatch.setattr(data, "_REPORTS", {})
    got = data.run_reports(dash_runs, "chain", "S003")
    assert calls == ["S003"] and data.run_reports(dash_runs, "chain", "S003") is got


def test_a_what_if_shows_no_percent_of_a_negative_base(tmp_path):
    """what_if.json written before the rule (a % of |base|) reads as the CLI prints it now."""
    (tmp_path / "w").mkdir()
    body = {
        "rows": [
            {"variant": "v", "kpi": k, "base": b, "value": b + 2, "diff": 2.0, "diff_pct": p}
            for k, b, p in (("contribution", -100.0, 2.0), ("sales", 50.0, 4.0))
        ]
    }
    (tmp_path / "w" / "what_if.json").write_text(json.dumps(body))
    rows = data.load_what_if(tmp_path, "w").rows.set_index("kpi")
    assert pd.isna(rows.loc["contribution", "diff_pct"]) and rows.loc["sales", "diff_pct"] == 4.0
