"""chain_scaling.py's arithmetic: largest-first balance, Amdahl bounds, medians by process."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "scripts" / "chain_scaling.py"
spec = importlib.util.spec_from_file_location("chain_scaling", SCRIPT)
scaling = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scaling)


def test_balance_is_the_largest_first_makespan_over_a_perfect_split():
    assert scaling.balance([4.0, 4.0], 2) == 1.0
    assert scaling.balance([6.0, 5.0, 4.0, 3.0], 2) == 1.0  # 6+3 and 5+4
    assert scaling.balance([9.0, 1.0, 1.0, 1.0], 2) == pytest.approx(9 / 6)
    assert scaling.balance([3.0, 2.0], 1) == 1.0


def test_amdahl_keeps_the_serial_part_and_splits_the_rest():
    assert scaling.amdahl(0.0, 10.0, 2, 1.0) == 2.0
    assert scaling.amdahl(2.0, 18.0, 2, 1.0) == pytest.approx(20 / 11)
    assert scaling.amdahl(0.0, 10.0, 2, 1.5) == pytest.approx(10 / 7.5)


def run(driver: float, workers: float, ray_system: float, wall: float) -> dict:
    cpu = {"driver": driver, "workers": workers, "ray_system": ray_system}
    return {"process_wall_s": wall, "cpu_s": cpu}


def test_rows_give_cpu_per_store_day_and_bounds_against_one_worker():
    store_days = 10
    rows = [
        scaling.summarise("ray", 1, [run(3.0, 20.0, 4.0, 30.0)], store_days),
        scaling.summarise("ray", 2, [run(3.0, 22.0, 4.0, 20.0), run(3.0, 24.0, 4.0, 18.0)], 10),
    ]
    one, two = rows
    assert one["cpu_s_total"] == 27.0 and one["cpu_s_per_store_day"] == 2.7
    assert two["cpu_s"] == {"driver": 3.0, "workers": 23.0, "ray_system": 4.0}  # medians
    assert two["store_days_per_cpu_s"] == round(10 / 30.0, 4)
    scaling.add_scaling(rows, {1: 1.0, 2: 1.0})
    assert "amdahl_bound" not in one and one["scaling_vs_1"] == 1.0
    assert two["scaling_vs_1"] == round(30.0 / 19.0, 2)
    assert two["amdahl_bound"] == round((7 + 23) / (7 + 11.5), 2)
    assert two["cpu_scaling_bound"] == round(27 / (7 + 11.5), 2)


def test_the_table_shows_every_run_and_whether_the_bytes_matched():
    rows = [scaling.summarise("local", w, [run(2.0, 8.0, 0.0, 10.0 / w)], 4) for w in (1, 2)]
    scaling.add_scaling(rows, {1: 1.0, 2: 1.25})
    report = {"scenario": "supermarket", "params": ["chain={stores: 4}"], "jobs": 4}
    report |= {"store_days": 4, "repeat": 1, "load_average_after": [0.1], "runs": rows}
    text = scaling.table(report | {"results_byte_identical": True})
    lines = text.splitlines()
    assert len(lines) == 5 and lines[-1] == "results byte-identical: True"
    two = lines[3].split()
    assert two[:3] == ["local", "2", "5.0"] and two[-3:] == ["2.0", "1.43", "1.43"]
