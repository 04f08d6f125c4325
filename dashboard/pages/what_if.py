"""What-if (planners): a base and its variants, KPI differences side by side, hours overlaid."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as ui
from dashboard import data
from dashboard import figures as dfig

dash.register_page(
    __name__, path="/what-if", name="What-if", order=2, title="What-if", plotly_js="cartesian"
)

PAGE = "/what-if"
SERIES = ("visitors", "sales", "transactions", "queue_wait_mean_s", "queuing", "in_store")


def kpi_table(w: data.WhatIf) -> html.Div:
    """Base, each variant's value and difference, per KPI (headline KPIs first)."""
    arms = w.arms[1:]
    order = [k for k in data.HEADLINE if k in set(w.rows["kpi"])]
    order += [k for k in dict.fromkeys(w.rows["kpi"]) if k not in order]
    rows = []
    for kpi in order:
        part = w.rows[w.rows["kpi"] == kpi].set_index("variant")
        unit = data.KPI_DOC.get(kpi, ("", ""))[0]
        row: dict[str, Any] = {"kpi": kpi, "unit": unit, "base": part["base"].iloc[0]}
        for arm in arms:
            if arm in part.index:
                r = part.loc[arm]
                pct = "" if r["diff_pct"] != r["diff_pct"] else f" ({r['diff_pct']:+.1f}%)"
                row[arm] = ui.fmt(r["value"])
                row[f"{arm} diff"] = f"{r['diff']:+,.4g}{pct}"
        rows.append(row)
    columns = ["kpi", "unit", "base"] + [c for a in arms for c in (a, f"{a} diff")]
    return html.Div(
        [
            html.H3("Every KPI, base and variants"),
            ui.table(rows, columns, table_id="what-if-table"),
        ],
        className="card",
    )


def replicated(runs: Any, name: str) -> list[Any]:
    """A what-if or sweep run over several seeds: each paired difference with its 95% CI."""
    rows, body = data.load_differences(runs, name)
    seeds = body.get("seeds") or []
    shown = rows[rows["kpi"].isin(data.HEADLINE)] if rows["kpi"].isin(data.HEADLINE).any() else rows
    table = [
        {**r, "vs noise": "real" if r["distinguishable"] else "noise"}
        for r in shown.to_dict("records")
    ]
    out: list[Any] = [html.H2(f"What-if over {len(seeds)} seeds: {name}")]
    if body.get("best") is not None:
        out.append(html.P(f"Best under {body.get('goal', 'the goal')}: {body['best']}."))
    out.append(
        html.Div(
            [
                html.H3("Differences from the base, paired by seed (95% CI)"),
                ui.table(
                    table,
                    ["variant", "kpi", "base", "value", "diff", "ci_low", "ci_high", "vs noise"],
                    table_id="what-if-differences",
                ),
                html.P(
                    "Every arm ran with the same seeds (common random numbers). real: the CI of "
                    f"the paired difference excludes 0; noise: it does not. All KPIs are in {name}/"
                    + ("sweep.json" if "variants" in body else "differences.json")
                    + "."
                ),
            ],
            className="card",
        )
    )
    return out


def detail(runs: Any, name: str) -> list[Any]:
    """One what-if folder."""
    if data.kind_of(data.folder(runs, name)) in ("replicated", "sweep"):
        return replicated(runs, name)
    w = data.load_what_if(runs, name)
    out: list[Any] = [html.H2(f"What-if: {name}")]
    out += [ui.problem(n) for n in w.notes]
    out.append(
        ui.chart(
            dfig.what_if_diffs(w.rows, [k for k in data.HEADLINE]),
            "what-if-diffs",
            "Each arm ran with the same seed, so every shopper is the same person in both "
            "(common random numbers). It is still one seed: a small difference, above all in "
            "waits, may be chance. `storetwin run ... --replications 10` gives each difference "
            "a 95% CI.",
        )
    )
    if not w.hourly.empty:
        options = [c for c in SERIES if c in w.hourly]
        out += [
            html.Div(
                [
                    html.Label("Hourly series: "),
                    dcc.Dropdown(
                        id="what-if-series",
                        options=options,
                        value=options[0],
                        clearable=False,
                    ),
                ],
                className="controls card",
            ),
            dcc.Store(id="what-if-name", data=name),
            ui.chart(dfig.hourly_overlay(w.hourly, options[0], w.arms), "what-if-hourly"),
        ]
    out.append(kpi_table(w))
    return out


def layout(run: str | None = None, **_: Any) -> html.Div:
    """The what-if folders, and the chosen one."""
    source = data.Source.current()
    found = data.of_kind(source.runs, "what_if", "replicated", "sweep")
    if not found:
        return ui.empty_state("what-if runs", "what_if", source.runs)
    links = [html.A(f.name, href=ui.link(PAGE, run=f.name)) for f in found]
    listing = html.Div(
        [html.H2("What-if runs"), html.Div([html.Span([a, " "]) for a in links])], className="card"
    )
    chosen = run or found[0].name
    return html.Div([listing, html.Div(ui.guarded(lambda: detail(source.runs, chosen)))])


@callback(
    Output("what-if-hourly", "figure"),
    Input("what-if-series", "value"),
    State("what-if-name", "data"),
    prevent_initial_call=True,
)
def series(column: str, name: str):
    """Overlay another hourly series."""
    try:
        w = data.load_what_if(data.Source.current().runs, name)
    except data.Problem as exc:
        return dfig.empty(str(exc))
    return dfig.hourly_overlay(w.hourly, column, w.arms)
