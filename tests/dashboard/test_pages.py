"""Each page's layout without a browser: empty states name their command, bad folders a message."""

import json

import plotly.utils
import pytest

from dashboard.data import CONFIG_KEY, Source


@pytest.fixture(scope="module")
def app(dash_app):
    return dash_app


def render(app, source: Source, module: str, **query) -> str:
    from dashboard.pages import chain, floor, home, models, pilots, services, what_if

    pages = {
        "home": home,
        "pilots": pilots,
        "what_if": what_if,
        "chain": chain,
        "models": models,
        "services": services,
        "floor": floor,
    }
    app.server.config[CONFIG_KEY] = source
    with app.server.test_request_context("/"):
        layout = pages[module].layout(**query)
    return json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder)


def find(node, component_id):
    """The component with ``component_id`` in a serialised layout."""
    if isinstance(node, list):
        return next((f for n in node if (f := find(n, component_id)) is not None), None)
    if not isinstance(node, dict):
        return None
    props = node.get("props", {})
    if props.get("id") == component_id:
        return node
    return find(props.get("children"), component_id)


@pytest.mark.parametrize(
    ("module", "command"),
    [
        ("home", "storetwin pilot"),
        ("pilots", "storetwin pilot self_checkout"),
        ("what_if", "storetwin run supermarket"),
        ("chain", "storetwin run"),
        ("models", "storetwin bench models"),
        ("services", "storetwin loadtest"),
        ("floor", "--trace"),
    ],
)
def test_an_empty_runs_folder_shows_the_command_that_makes_the_data(app, tmp_path, module, command):
    page = render(app, Source(tmp_path), module)
    assert "empty-state" in page and command in page
    assert '"type": "Graph"' not in page


def test_a_broken_folder_gives_a_message_on_the_page(app, fake_runs):
    page = render(app, Source(fake_runs), "what_if", run="broken_what_if")
    assert "Cannot show this" in page and "half-written" in page
    page = render(app, Source(fake_runs), "pilots", pilot="pilot_half")
    assert "last step saved: identify" in page
    page = render(app, Source(fake_runs), "pilots", pilot="../../etc")
    assert "not inside the runs folder" in page


def test_the_pilot_page_puts_the_warnings_with_the_decision(app, fake_runs):
    page = json.loads(render(app, Source(fake_runs), "pilots", pilot="pilot1"))
    decision = json.dumps(find(page, "pilot-decision"))
    assert "pilot-warnings" in decision and "41% chance" in decision


def test_the_services_page_reads_what_the_load_test_writes(app, fake_runs):
    page = render(app, Source(fake_runs), "services", run="load1")
    assert "load-latency" in page and "load-rate" in page
    assert "p95 POST /orders/checkout" in page and "GET /members/by-phone" in page
    assert "checkout.p95<200ms" in page and "stock never negative" in page


def write_trace(out, heat: bool):
    """A tiny traced store: two shoppers on a 10 x 10 m floor, one of them queuing."""
    import pandas as pd

    out.mkdir(parents=True)
    pd.DataFrame(
        {
            "t_s": [0, 0, 5, 5],
            "id": [1, 2, 1, 2],
            "kind": ["shopper"] * 4,
            "x": [1.0, 2.0, 1.5, 2.0],
            "y": [1.0, 5.0, 2.0, 5.0],
        }
    ).to_parquet(out / "tracks.parquet")
    pd.DataFrame(
        {"visit_id": [2], "till": ["lane"], "lane": [0], "start_s": [0.0], "end_s": [9.0]}
    ).to_parquet(out / "queues.parquet")
    pd.DataFrame(
        {
            "kind": ["floor", "zone", "lane"],
            "name": ["floor", "Bakery", "lane 1"],
            "x": [0.0, 1.0, 2.0],
            "y": [0.0, 3.0, 5.0],
            "width": [10.0, 2.0, 0.0],
            "depth": [10.0, 4.0, 0.0],
        }
    ).to_parquet(out / "floor.parquet")
    if heat:
        pd.DataFrame(
            {"day": [0], "cell_x": [0], "cell_y": [0], "observed_s": [6.0], "true_s": [10.0]}
        ).to_parquet(out / "heat.parquet")


@pytest.mark.parametrize("probes", [True, False])
def test_the_floor_shows_observed_heat_beside_the_truth_where_probes_saw_it(app, tmp_path, probes):
    write_trace(tmp_path / "store", heat=probes)
    page = json.loads(render(app, Source(tmp_path), "floor", run="store", t="0"))
    assert find(page, "floor-map") is not None and find(page, "floor-queues") is not None
    assert find(page, "heat-true") is not None
    assert (find(page, "heat-observed") is not None) == probes
    shoppers = find(page, "floor-map")["props"]["figure"]["data"]
    names = [t["name"] for t in shoppers]
    assert names[1:4] == ["shopper (1)", "queuing (1)", "staff (0)"]


def test_the_overview_links_each_folder_to_the_page_that_reads_it(app, fake_runs, tmp_path):
    page = render(app, Source(fake_runs), "home")
    assert '"/models?run=bench"' in page and '"/services?run=load1"' in page
    assert '"/pilots?pilot=pilot1"' in page and "/floor" not in page
    write_trace(tmp_path / "store", heat=False)
    (tmp_path / "store" / "summary.json").write_text("{}")
    assert '"/floor?run=store"' in render(app, Source(tmp_path), "home")


def test_a_one_seed_what_if_does_not_claim_its_difference_is_no_chance(app, dash_runs):
    page = render(app, Source(dash_runs), "what_if", run="what_if")
    assert "what-if-diffs" in page
    assert "not chance" not in page
    assert "may be chance" in page and "--replications" in page


def test_the_chain_page_arrives_with_its_first_stores_reports(app, dash_runs):
    """One request draws the first open: no callback has to fetch the reports afterwards."""
    from dash._callback import GLOBAL_CALLBACK_LIST

    layout = json.loads(render(app, Source(dash_runs), "chain", run="chain"))
    body = find(layout, "report-body")
    assert find(body, "report-sales") is not None and find(body, "report-payments") is not None
    specs = [*GLOBAL_CALLBACK_LIST, *app._callback_list]
    reports = [c for c in specs if c["output"].startswith("report-body.")]
    assert reports and all(c.get("prevent_initial_call") for c in reports)
    picked = json.loads(render(app, Source(dash_runs), "chain", run="chain", store="S002"))
    assert find(find(picked, "report-store"), "report-store")["props"]["value"] == "S002"
    assert find(picked, "report-sales") is not None or "Cannot show this" in json.dumps(picked)


def test_few_months_and_payment_methods_are_tables_not_charts():
    """Three bars a month or three methods say no more than their numbers: no plot to draw."""
    import pandas as pd
    from dash import dcc

    from dashboard.pages import chain

    def profit(months: int) -> pd.DataFrame:
        month = [f"2026-{m + 1:02d}" for m in range(months)]
        return pd.DataFrame(
            {"month": month, "sales_cents": 1000, "cost_cents": 600, "profit_cents": 400}
        )

    def dumped(part) -> str:
        return json.dumps(part.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)

    one = dumped(chain.profit_part(profit(1)))
    assert '"Table"' in one and "40.0%" in one and '"Graph"' not in one
    assert isinstance(chain.profit_part(profit(4)).children[0], dcc.Graph)
    payments = pd.DataFrame(
        {"method": ["card", "cash"], "payments": [3, 1], "amount_cents": [300, 100]}
    )
    paid = dumped(chain.payments_part(payments))
    assert '"Graph"' not in paid and "75.0%" in paid and paid.index("card") < paid.index("cash")
    assert "nothing in this range" in dumped(chain.payments_part(payments.iloc[:0]))


def test_the_roll_out_caption_says_which_formats_were_not_projected(app, fake_runs):
    """It said "formats not piloted use the twin's estimate"; they have no projection at all."""
    page = render(app, Source(fake_runs), "pilots", pilot="pilot1")
    assert '"projection-chart"' in page
    assert "Not piloted, so not projected: convenience (2 stores)." in page
    assert "use the twin's estimate" not in page


def test_replicated_what_ifs_and_sweeps_show_their_paired_differences(app, tmp_path):
    """`run --set ... --replications N` and `sweep` were missing from the What-if page
    ("what_if.json is missing"), and their per-seed runs filled Overview and Chain."""
    row = {"variant": "set", "kpi": "contribution", "base": 63.41, "value": 65.08, "diff": 1.67}
    row |= {"ci_low": 1.5, "ci_high": 1.8, "replications": 3, "distinguishable": True}
    (tmp_path / "rep").mkdir()
    (tmp_path / "rep" / "differences.json").write_text(
        json.dumps({"seeds": [0, 1, 2], "rows": [row]})
    )
    (tmp_path / "rep" / "runs" / "000" / "r00").mkdir(parents=True)
    (tmp_path / "rep" / "runs" / "000" / "r00" / "summary.json").write_text("{}")
    sweep = {"seeds": [0, 1], "goal": "max contribution", "best": "checkout.lanes=3"}
    (tmp_path / "sw").mkdir()
    (tmp_path / "sw" / "sweep.json").write_text(
        json.dumps(
            {**sweep, "variants": {}, "differences": [{**row, "variant": "checkout.lanes=3"}]}
        )
    )
    source = Source(tmp_path)
    home = render(app, source, "home")
    assert '"replicated"' in home and '"sweep"' in home and "runs/000/r00" not in home
    page = render(app, source, "what_if", run="rep")
    assert "What-if over 3 seeds: rep" in page and "what-if-differences" in page
    assert '"real"' in page and "1.67" in page
    page = render(app, source, "what_if", run="sw")
    assert "Best under max contribution: checkout.lanes=3." in page


def test_a_pilot_validation_is_one_folder_not_one_run_per_store(app, tmp_path):
    """`pilot validate` writes a run per store under chainK/(un)treated/: Overview and Chain
    listed every one of them (hundreds), and Chain offered them as store runs."""
    (tmp_path / "val").mkdir()
    (tmp_path / "val" / "validation.json").write_text("{}")
    for arm in ("treated", "untreated"):
        store = tmp_path / "val" / "chain0" / arm / "S001"
        store.mkdir(parents=True)
        (store / "summary.json").write_text("{}")
    home = render(app, Source(tmp_path), "home")
    assert "val (validation.json)" in home and "S001" not in home
    assert "S001" not in render(app, Source(tmp_path), "chain")


def test_a_threshold_reads_in_the_unit_it_was_typed_in(app, tmp_path):
    """errors<0.1% was shown beside value 0.0244 and limit 0.001 (shares)."""
    result = {
        "requests": 41,
        "thresholds": [
            {
                "threshold": "errors<0.1%",
                "value": 0.0244,
                "limit": 0.001,
                "shown": "2.44%",
                "requests": 41,
                "pass": False,
            }
        ],
    }
    (tmp_path / "load").mkdir()
    (tmp_path / "load" / "loadtest.json").write_text(json.dumps(result))
    page = json.loads(render(app, Source(tmp_path), "services", run="load"))
    table = json.dumps(find(page, "load-thresholds"))
    assert "2.44%" in table and "0.0244" not in table and "0.001" not in table
