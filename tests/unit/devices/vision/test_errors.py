import json

import numpy as np
import pytest

from devices.vision.bench_sets import SCENE_STORES
from devices.vision.errors import ErrorTable, OcrErrors, PeopleErrors, look_of


def _table(tmp_path, models):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"models": models}))
    return ErrorTable.load(path)


def test_a_bench_file_becomes_error_rates(tmp_path):
    table = _table(
        tmp_path,
        [
            {
                "name": "p",
                "task": "people",
                "latency_ms_p50": 40.0,
                "recall": 0.8,
                "recall_by_count": {"1": 1.0, "6": 0.5},
                "fp_per_frame": 0.1,
                "count_error_by_count": {"2": {"-1": 0.25, "0": 0.75}},
            },
            {
                "name": "o",
                "task": "ocr",
                "latency_ms_p50": 500.0,
                "exact_price_rate": 0.97,
                "no_read_rate": 0.01,
            },
        ],
    )
    people, ocr = table.people("p"), table.ocr("o")
    assert people.latency_s == pytest.approx(0.04) and people.recall_for(5) == 0.5
    assert people.count_error_by_count == {2: {-1: 0.25, 0: 0.75}}
    assert ocr.latency_s == 0.5
    with pytest.raises(ValueError, match="no OCR error rates"):
        table.ocr("p")


def test_a_file_without_rates_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no model entries"):
        _table(tmp_path, [{"name": "x", "task": "people", "latency_ms_p50": 1.0, "recall": None}])
    with pytest.raises(ValueError, match="not found"):
        ErrorTable.load(tmp_path / "missing.json")


def test_counts_are_drawn_from_the_measured_error_distribution():
    rates = PeopleErrors(0.9, {}, 0.0, 0.0, count_error_by_count={3: {-1: 0.3, 0: 0.7}})
    rng = np.random.default_rng(0)
    draws = np.array([rates.sample_count(3, rng) for _ in range(4000)])
    assert set(draws.tolist()) == {2, 3}
    assert (draws == 2).mean() == pytest.approx(0.3, abs=0.03)


def test_sampled_points_keep_the_recall_and_add_false_ones():
    rates = PeopleErrors(0.7, {}, 0.5, 0.0)
    rng = np.random.default_rng(1)
    truth = np.zeros((10, 2))
    counts = [len(rates.sample(truth, (5, 5, 6, 6), rng)) for _ in range(2000)]
    assert np.mean(counts) == pytest.approx(7.5, abs=0.15)


def test_ocr_errors_read_exact_unreadable_or_wrong():
    rates = OcrErrors(exact_price_rate=0.9, no_read_rate=0.05, latency_s=0.0)
    rng = np.random.default_rng(2)
    reads = [rates.sample(1290, rng) for _ in range(4000)]
    assert np.mean([r == 1290 for r in reads]) == pytest.approx(0.9, abs=0.02)
    assert np.mean([r is None for r in reads]) == pytest.approx(0.05, abs=0.015)
    assert all(r is None or r >= 0 for r in reads)


def test_the_shipped_table_covers_every_builtin_model():
    table = ErrorTable.load()
    table.people("blazepose")
    table.people("topdown")
    table.ocr("ppocr")


def test_an_empty_lane_draws_the_errors_the_bench_measured_on_empty_lanes():
    """Not the false positives per frame of crowded frames (22% vs 4.9% on real empty lanes)."""
    empty = {0: {0: 0.95, 1: 0.05}, 2: {0: 1.0}}
    rates = PeopleErrors(0.9, {}, fp_per_frame=0.5, latency_s=0.0, count_error_by_count=empty)
    rng = np.random.default_rng(3)
    seen = np.array([rates.sample_count(0, rng) for _ in range(4000)])
    assert (seen > 0).mean() == pytest.approx(0.05, abs=0.015)
    older = PeopleErrors(0.9, {}, 0.5, 0.0, count_error_by_count={2: {0: 1.0}})
    assert np.mean([older.sample_count(0, rng) > 0 for _ in range(2000)]) > 0.3


def test_a_camera_draws_the_errors_of_frames_that_look_like_its_own():
    sharp = {0: {0: 1.0}}
    soft = {0: {0: 0.5, 1: 0.5}}
    rates = PeopleErrors(
        0.9,
        {},
        0.0,
        0.0,
        count_error_by_count={0: {0: 0.8, 1: 0.2}},
        count_error_by_look={"sharp": sharp, "soft": soft},
    )
    rng = np.random.default_rng(1)
    assert all(rates.sample_count(0, rng, look_of(0.0)) == 0 for _ in range(200))
    assert np.mean([rates.sample_count(0, rng, look_of(2.0)) for _ in range(2000)]) > 0.4
    assert np.mean([rates.sample_count(0, rng) for _ in range(2000)]) < 0.3  # no look: all frames


def test_a_camera_draws_the_errors_of_its_own_store_where_the_bench_filmed_one():
    busy = {0: {0: 0.5, 1: 0.5}}
    rates = PeopleErrors(
        0.9,
        {},
        0.0,
        0.0,
        count_error_by_count={0: {0: 0.8, 1: 0.2}},
        count_error_by_look={"sharp": {0: {0: 1.0}}, "supermarket/sharp": busy},
    )
    rng = np.random.default_rng(4)
    busy_draws = [rates.sample_count(0, rng, "sharp", "supermarket") for _ in range(2000)]
    assert np.mean(busy_draws) == pytest.approx(0.5, abs=0.05)
    assert all(rates.sample_count(0, rng, "sharp", "department") == 0 for _ in range(200))
    assert all(rates.sample_count(0, rng, "sharp") == 0 for _ in range(200))


def test_the_shipped_table_has_store_camera_looks_for_the_queue_model():
    rates = ErrorTable.load().people("blazepose")
    stores = {f"{store}/{blur}" for store in SCENE_STORES for blur in ("sharp", "soft")}
    assert set(rates.count_error_by_look) == {"sharp", "soft"} | stores
    assert 0 in rates.count_error_by_count and 0 in rates.count_error_by_look["sharp"]
    assert 0 in rates.count_error_by_look["convenience/sharp"]
