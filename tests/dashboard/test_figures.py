"""The dashboard's figures: data in, a Plotly figure out, checked without a browser."""

import pandas as pd
import pytest

from dashboard import figures as f

ESTIMATE = {
    "estimate": 290.0,
    "ci_low": 120.0,
    "ci_high": 460.0,
    "true_effect": 300.0,
    "synthetic_control": {"estimate": 310.0, "placebo_band": [-50.0, 60.0]},
}


def test_kpi_lift_draws_the_ci_the_truth_and_the_required_gain():
    fig = f.kpi_lift(ESTIMATE, "contribution", "currency", 100.0)
    did, synth, truth = fig.data
    assert list(did.x) == [290.0] and list(did.error_x.array) == [170.0]
    assert list(did.error_x.arrayminus) == [170.0]
    assert list(synth.x) == [310.0] and synth.error_x.array is None
    assert list(truth.x) == [300.0, 300.0]
    assert [s.x0 for s in fig.layout.shapes] == [0, 100.0]
    assert "currency" in fig.layout.xaxis.title.text


def test_kpi_lift_without_synthetic_control_or_rule():
    e = {**ESTIMATE, "synthetic_control": {}}
    fig = f.kpi_lift(e, "sales", "currency", None)
    assert len(fig.data) == 2 and [s.x0 for s in fig.layout.shapes] == [0]


def rows():
    return pd.DataFrame(
        [
            {"variant": v, "kpi": k, "base": 10.0, "value": 10.0 + d, "diff": d, "diff_pct": 10 * d}
            for v, d in (("a", 1.0), ("b", -2.0))
            for k in ("sales", "visitors", "energy_kwh")
        ]
    )


def test_what_if_diffs_has_one_bar_set_per_variant_for_the_chosen_kpis():
    fig = f.what_if_diffs(rows(), ["sales", "visitors"])
    assert [t.name for t in fig.data] == ["a", "b"]
    assert list(fig.data[1].y) == ["sales", "visitors"] and list(fig.data[1].x) == [-20.0, -20.0]


def test_hourly_overlay_draws_every_arm():
    hourly = pd.DataFrame(
        {"arm": ["base", "base", "a"], "t_h": [0, 1, 0], "sales": [1.0, 2.0, 3.0]}
    )
    fig = f.hourly_overlay(hourly, "sales", ["base", "a"])
    assert [t.name for t in fig.data] == ["base", "a"] and list(fig.data[0].y) == [1.0, 2.0]


def test_store_grid_has_one_tile_per_store_in_rows_per_format():
    stores = pd.DataFrame(
        {
            "store_id": ["S1", "S2", "S3", "S4", "S5"],
            "format": ["super", "conv", "super", "super", "super"],
            "sales": [1, 2, 3, 4, 5],
        }
    )
    (tiles,) = f.store_grid(stores, "sales", per_row=2).data
    assert [list(r) for r in tiles.text] == [["S2", ""], ["S1", "S3"], ["S4", "S5"]]
    assert [list(r) for r in tiles.z] == [[2, None], [1, 3], [4, 5]]
    layout = f.store_grid(stores, "sales", per_row=2).layout
    assert list(layout.yaxis.tickvals) == [0, 1] and list(layout.yaxis.ticktext) == [
        "conv",
        "super",
    ]


def test_format_days_one_line_per_format():
    days = pd.DataFrame({"format": ["a", "a", "b"], "day": [0, 1, 0], "sales": [1.0, 2.0, 3.0]})
    assert [t.name for t in f.format_days(days, "sales").data] == ["a", "b"]


def test_manager_reports_convert_cents_and_say_when_empty():
    sales = pd.DataFrame({"date": ["2026-01-01"], "sales_cents": [12345], "orders": [3]})
    assert list(f.sales_by_day(sales).data[0].y) == [123.45]
    assert f.sales_by_day(pd.DataFrame()).layout.annotations[0].text == "no sales in this range"
    profit = pd.DataFrame(
        {"month": ["2026-01"], "sales_cents": [1000], "cost_cents": [600], "profit_cents": [400]}
    )
    assert [list(t.y) for t in f.monthly_profit(profit).data] == [[10.0], [6.0], [4.0]]


def test_accuracy_by_condition_labels_each_bucket_with_its_sample_size():
    model = {
        "name": "m",
        "by_condition": {
            "crowd": {"1-2": {"recall": 0.9, "people": 30}, "6+": {"recall": 0.8, "people": 60}}
        },
    }
    fig = f.accuracy_by_condition(model, "crowd", "recall")
    assert list(fig.data[0].y) == [0.9, 0.8]
    assert list(fig.data[0].x) == ["1-2<br>n=30", "6+<br>n=60"]
    assert fig.data[0].error_y.array is None  # no CI in this bench: no whiskers made up


def test_accuracy_by_condition_shows_each_buckets_ci_and_marks_the_too_few():
    crowd = {
        "1-2": {"recall": 0.9, "recall_ci": [0.8, 0.95], "people": 100, "too_few": False},
        "6+": {"recall": 1.0, "recall_ci": [0.44, 1.0], "people": 4, "too_few": True},
        "none": {"recall": None, "recall_ci": None, "people": 0, "too_few": True},
    }
    tags = {"small": {"exact_price_rate": 0.5, "exact_price_rate_ci": [0.2, 0.8], "tags": 10}}
    model = {"name": "m", "by_condition": {"crowd": crowd, "tag_size": tags}}
    bar = f.accuracy_by_condition(model, "crowd", "recall").data[0]
    assert list(bar.error_y.array) == pytest.approx([0.05, 0.0, 0.0])
    assert list(bar.error_y.arrayminus) == pytest.approx([0.1, 0.56, 0.0])
    assert list(bar.x) == ["1-2<br>n=100", "6+<br>n=4 (too few)", "none<br>n=0 (too few)"]
    assert list(bar.marker.opacity) == [1.0, 0.35, 0.35]
    assert list(bar.marker.pattern.shape) == ["", "/", "/"]
    assert "95% CI 0.440 to 1.000" in bar.hovertext[1] and "n = 4 people" in bar.hovertext[1]
    assert "too few" in bar.hovertext[1] and "too few" not in bar.hovertext[0]
    assert "no CI" in bar.hovertext[2]
    price = f.accuracy_by_condition(model, "tag_size", "exact_price_rate").data[0]
    assert "n = 10 tags" in price.hovertext[0] and list(price.error_y.array) == [pytest.approx(0.3)]


def test_stage_times_stack_every_stage():
    models = [
        {
            "name": "m",
            "render_ms": 1.0,
            "preprocess_ms": 0.5,
            "infer_ms": 2.0,
            "postprocess_ms": 0.1,
        }
    ]
    fig = f.stage_times(models)
    assert [t.name for t in fig.data] == list(f.STAGES) and list(fig.data[2].x) == [2.0]


def test_sales_by_day_ticks_whole_days_and_thins_them_over_a_month():
    def days(n):
        dates = pd.date_range("2026-03-02", periods=n).strftime("%Y-%m-%d")
        return pd.DataFrame({"date": dates, "sales_cents": [100] * n, "orders": [1] * n})

    assert f.sales_by_day(days(2)).layout.xaxis.dtick == 86_400_000
    month = f.sales_by_day(days(28)).layout.xaxis
    assert month.dtick == 2 * 86_400_000 and month.tickformat == "%d %b"


def test_a_chart_puts_line_labels_above_the_plot_and_keeps_legend_room_only_for_a_legend():
    import plotly.graph_objects as go

    from dashboard import components as ui
    from scenarios.pilot import figures as pfig

    panel = pd.DataFrame(
        [
            {"store_id": s, "group": g, "arm": "observed", "day": d, "sales": 1.0 + d}
            for s, g in (("S1", "pilot"), ("S2", "reference"))
            for d in range(4)
        ]
    )
    timeline = pfig.timeline(panel, "sales", 2)
    ui.chart(timeline)
    start = next(a for a in timeline.layout.annotations if a.text == "pilot starts")
    assert (start.y, start.yanchor) == (1, "bottom") and timeline.layout.margin.t >= 72
    lift = f.kpi_lift(ESTIMATE, "contribution", "currency", 100.0)
    ui.chart(lift)
    required = next(a for a in lift.layout.annotations if a.text == "required")
    assert (required.y, required.yanchor) == (1, "bottom")
    single = go.Figure(go.Bar(x=["a"], y=[1]))
    ui.chart(single)
    assert single.layout.margin.b == 80
    assert lift.layout.margin.b == 110  # three traces: a legend under the axis title
    frame = go.Figure(go.Image(z=[[[0, 0, 0]]]))  # a trace kind with no legend entry at all
    ui.chart(frame)
    assert frame.layout.margin.b == 80


def test_the_queue_chart_counts_whole_people():
    from dashboard import figures_floor as ff

    short = pd.DataFrame({"till": [1, 1, 2], "t_s": [0, 60, 0], "waiting": [0, 1, 1]})
    fig = ff.queue_chart(short, 30)
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.rangemode == "tozero"
    long = short.assign(waiting=[0, 30, 12])
    assert ff.queue_chart(long, 30).layout.yaxis.dtick is None


def test_charts_carry_only_the_part_of_plotly_white_they_use():
    import plotly.graph_objects as go
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    fig = f.style(go.Figure(go.Bar(x=["a"], y=[2.0])), "t")
    cut = fig.layout.template
    for key in f.TEMPLATE_LAYOUT:
        assert cut.layout[key] == white.layout[key], key
    for trace in f.TEMPLATE_TRACES:
        assert cut.data[trace] == white.data[trace], trace
    assert not cut.data.pie and cut.layout.scene.xaxis.backgroundcolor is None
    assert len(fig.to_json()) < 3000  # with the whole template, about 7 KB for one bar


def test_what_if_diffs_gives_no_percent_of_a_loss():
    """A KPI whose base is a loss has no % bar; its label says why (the CLI prints none)."""
    loss = rows().assign(diff_pct=lambda r: r["diff_pct"].where(r["kpi"] != "sales"))
    fig = f.what_if_diffs(loss, ["sales", "visitors"])
    assert list(fig.data[0].y) == ["sales (base <= 0: no %)", "visitors"]
    assert pd.isna(fig.data[0].x[0]) and fig.data[0].x[1] == 10.0


def test_one_store_one_day_is_not_zoomed_onto_its_own_value():
    """A one-day, one-store run drew a scale of 18.454k..18.4545k and days -1, 0 and 1."""
    one = pd.DataFrame({"store_id": ["S001"], "format": ["convenience"], "sales": [18454.1]})
    (tile,) = f.store_grid(one, "sales").data
    assert tile.showscale is False
    assert (
        f.store_grid(pd.concat([one, one.assign(store_id="S002", sales=9.0)]), "sales")
        .data[0]
        .showscale
    )
    day = pd.DataFrame({"format": ["convenience"], "day": [0], "sales": [18454.1]})
    layout = f.format_days(day, "sales").layout
    assert list(layout.xaxis.range) == [-0.5, 0.5] and layout.yaxis.rangemode == "tozero"
