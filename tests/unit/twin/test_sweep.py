"""Sweep parsing, paired differences, the best variant and the Pareto front (no runs)."""

import math

import pandas as pd
import pytest

from scenarios import ScenarioError, load
from twin import sweep as sw


def test_vary_takes_lists_and_integer_ranges():
    assert sw.parse_vary("checkout.lanes=3,4,5,6") == ("checkout.lanes", [3, 4, 5, 6])
    assert sw.parse_vary("staff.cashiers=2..5") == ("staff.cashiers", [2, 3, 4, 5])
    assert sw.parse_vary("checkout.queue=serpentine") == ("checkout.queue", ["serpentine"])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("checkout.lanes", "expected PATH=V1,V2"),
        ("checkout.lanes=5..3", "empty"),
        ("checkout.lanes=3,,4", "empty value"),
        ("checkout.lanes=3,3", "twice"),
    ],
)
def test_bad_vary_names_the_problem(text, says):
    with pytest.raises(sw.SweepError, match=says):
        sw.parse_vary(text)


def test_staff_cashiers_sets_every_cashier_shift():
    sc = load("supermarket")
    changes = sw.changes_for(sc, "staff.cashiers", 4)
    assert changes == {f"staff.shifts.{i}.count": 4 for i in (0, 1, 2)}
    (variant,) = sw.grid(sc, [("staff.cashiers", [4])])
    counts = [s.count for s in variant.scenario.staff.shifts if s.role.value == "cashier"]
    assert counts == [4, 4, 4]
    with pytest.raises(sw.SweepError, match="count of cashiers"):
        sw.changes_for(sc, "staff.cashiers", "many")


def test_grid_crosses_values_and_validates_each():
    sc = load("supermarket")
    grid = sw.grid(sc, [("checkout.lanes", [3, 4]), ("staff.cashiers", [2, 3])])
    assert [v.name for v in grid][:2] == [
        "checkout.lanes=3, staff.cashiers=2",
        "checkout.lanes=3, staff.cashiers=3",
    ]
    assert len(grid) == 4 and grid[-1].scenario.checkout.lanes == 4
    with pytest.raises(ScenarioError, match=r"checkout\.lanes"):
        sw.grid(sc, [("checkout.lanes", [60])])
    with pytest.raises(sw.SweepError, match="more than once"):
        sw.grid(sc, [("checkout.lanes", [3]), ("checkout.lanes", [4])])


def test_goal_and_constraint_parse_or_say_why():
    assert sw.parse_goal("max contribution") == sw.Goal("max", "contribution")
    c = sw.parse_constraint("queue_wait_p95_s<120")
    assert (c.kpi, c.op, c.bound) == ("queue_wait_p95_s", "<", 120.0)
    assert c.holds(119.9) and not c.holds(120) and not c.holds(math.nan)
    with pytest.raises(sw.SweepError, match="expected 'max KPI'"):
        sw.parse_goal("maximise the money")
    with pytest.raises(sw.SweepError, match="'profit' is not a KPI"):
        sw.parse_goal("max profit")
    with pytest.raises(sw.SweepError, match="expected KPI<NUMBER"):
        sw.parse_constraint("queue_wait_p95_s is small")
    with pytest.raises(sw.SweepError, match="'wait' is not a KPI"):
        sw.parse_constraint("wait<3")


def long_table(values: dict[str, list[float]], kpi: str = "sales") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"variant": name, "replication": r, "seed": r, "kpi": kpi, "value": v}
            for name, vs in values.items()
            for r, v in enumerate(vs)
        ]
    )


def test_paired_differences_give_a_t_interval_and_a_noise_verdict():
    # base noisy across seeds, but the variant is base + 10 +- 1: pairing removes the noise.
    long = long_table(
        {"base": [100, 200, 300, 400], "up": [111, 209, 311, 409], "same": [101, 199, 301, 399]}
    )
    diffs = sw.differences(long).set_index("variant")
    up = diffs.loc["up"]
    assert up["diff"] == pytest.approx(10.0)
    half = 3.182446305284263 * pd.Series([11, 9, 11, 9]).std() / 2
    assert (up["ci_low"], up["ci_high"]) == pytest.approx((10 - half, 10 + half))
    assert bool(up["distinguishable"])
    assert not diffs.loc["same", "distinguishable"]
    one = sw.differences(long[long["replication"] == 0])
    assert one["distinguishable"].isna().all() and one["ci_low"].isna().all()


def test_best_meets_constraints_then_the_goal():
    rows = []
    for name, contribution, wait in (("base", 50, 90), ("a", 80, 150), ("b", 70, 100)):
        rows += [
            {"variant": name, "kpi": "contribution", "mean": contribution},
            {"variant": name, "kpi": "queue_wait_p95_s", "mean": wait},
        ]
    summary = pd.DataFrame(rows)
    goal = sw.parse_goal("max contribution")
    pick, out = sw.best(summary, goal, [sw.parse_constraint("queue_wait_p95_s<120")])
    assert pick == "b" and out == ["a: breaks queue_wait_p95_s<120"]
    assert sw.best(summary, goal, [])[0] == "a"
    assert sw.best(summary, goal, [sw.parse_constraint("queue_wait_p95_s<10")])[0] is None


def test_pareto_front_keeps_points_no_other_beats_on_both():
    assert sw.pareto([(1, 5), (2, 2), (3, 3), (5, 1), (2, 2)]) == [True, True, False, True, True]


def test_base_value_reads_the_scenario_itself():
    sc = load("supermarket")
    assert sw.base_value(sc, "checkout.lanes") == sc.checkout.lanes
    cashiers = {s.count for s in sc.staff.shifts if s.role.value == "cashier"}
    assert sw.base_value(sc, "staff.cashiers") == (cashiers.pop() if len(cashiers) == 1 else None)
    assert sw.base_value(sc, "staff.shifts.0.count") == sc.staff.shifts[0].count
    uneven = sw.grid(sc, [("staff.shifts.0.count", [sc.staff.shifts[0].count + 3])])[0]
    assert sw.base_value(uneven.scenario, "staff.cashiers") is None
    assert sw.base_value(sc, "no.such.path") is None


def test_kpi_vs_parameter_draws_the_base_at_its_own_value():
    from twin.sweep_page import kpi_vs_parameter

    long = long_table({"base": [10, 12], "checkout.lanes=3": [20, 22], "checkout.lanes=5": [5, 7]})
    summary = sw.means(long)
    params = {
        "base": {"checkout.lanes": 4},
        **{f"checkout.lanes={n}": {"checkout.lanes": n} for n in (3, 5)},
    }
    fig = kpi_vs_parameter(summary, params, ["sales"])
    (base,) = [t for t in fig.data if t.name == "base"]
    assert list(base.x) == [4] and list(base.y) == pytest.approx([11.0])
    assert base.error_y.array[0] > 0
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [list(t.x) for t in lines] == [[3, 5]]


def test_level_cis_stay_in_the_kpis_range_but_differences_do_not():
    frames = [
        long_table({"base": [0, 10], "more": [2, 14]}, kpi="balked"),
        long_table({"base": [0, 10], "more": [2, 14]}, kpi="contribution"),
        long_table({"base": [0.9, 1.0], "more": [0.8, 1.0]}, kpi="conversion"),
    ]
    long = pd.concat(frames, ignore_index=True)
    summary = sw.means(long).set_index(["variant", "kpi"])
    balked = summary.loc[("base", "balked")]
    assert balked["ci_low"] == 0.0 and balked["ci_high"] > 10 and balked["bounded"]
    money = summary.loc[("base", "contribution")]
    assert money["ci_low"] < 0 and not money["bounded"]  # a loss is possible
    share = summary.loc[("base", "conversion")]
    assert share["ci_high"] == 1.0 and share["ci_low"] > 0 and share["bounded"]
    diffs = sw.differences(long).set_index("kpi")
    assert diffs.loc["balked", "ci_low"] < 0  # a difference may be negative: never cut


def test_printed_means_mark_and_explain_a_cut_interval():
    from twin.commands.sweep import bounds_line, means_table

    long = pd.concat(
        [
            long_table({"base": [0, 10]}, kpi="balked"),
            long_table({"base": [100, 101]}, kpi="sales"),
        ],
        ignore_index=True,
    )
    summary = sw.means(long)
    line = bounds_line(summary, ["balked", "sales"])
    assert line is not None and "(balked)" in line and "2 replication(s)" in line
    assert bounds_line(summary, ["sales"]) is None
    cells = [str(c) for col in means_table(summary, ["balked"], "t").columns for c in col.cells]
    assert any(c.startswith("5 (0..") and c.endswith("*)") for c in cells)
