"""Pilots (HQ): every pilot with its step and decision; one pilot against its reference stores.

The decision, its reasons and every warning come first, in plain words; the
charts below show where the answer comes from, each with the twin's truth beside.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as ui
from dashboard import data
from dashboard import figures as dfig
from scenarios.pilot import figures as pfig
from scenarios.pilot.finance import roi_text

dash.register_page(__name__, path="/pilots", name="Pilots", order=1, title="Pilots")

PAGE = "/pilots"


def pilot_list(rows: list[data.PilotRow]) -> html.Div:
    """The table of pilots, each a link."""
    shown = [
        {
            "pilot": html.A(r.title, href=ui.link(PAGE, pilot=r.name)),
            "folder": r.name,
            "step": r.step,
            "decision": ui.badge(r.decision),
            "warnings": r.warnings,
            "note": r.problem or "",
        }
        for r in rows
    ]
    columns = ["pilot", "folder", "step", "decision", "warnings", "note"]
    return html.Div(
        [html.H2("Pilots"), ui.table(shown, columns, table_id="pilot-list")], className="card"
    )


def project_library(source: data.Source) -> html.Div:
    """The services' project library: every pilot HQ recorded, with its status and decision."""
    rows = data.library(source)
    columns = ["project", "intervention", "status", "decision", "pilot stores", "updated"]
    return html.Div(
        [
            html.H3(f"Project library at {source.services}"),
            ui.table(rows, columns, table_id="project-library")
            if rows
            else html.P("No projects recorded yet.", className="note"),
        ],
        className="card",
    )


def warning_items(warnings: list[dict[str, Any]]) -> html.Div | None:
    """Every warning of the checks behind the verdict, beside it."""
    if not warnings:
        return None
    items = []
    for w in warnings:
        figure, threshold = w.get("figure"), w.get("threshold")
        measured = f" ({ui.fmt(figure)} against {ui.fmt(threshold)})" if figure is not None else ""
        items.append(
            html.Li([html.B(f"{w.get('check', 'check')}: "), f"{w.get('meaning', '')}{measured}"])
        )
    return html.Div(
        [html.H3(f"Warnings ({len(warnings)}): read these before acting"), html.Ul(items)],
        className="warnings",
        id="pilot-warnings",
    )


def decision_box(pilot: data.Pilot) -> html.Div:
    """The decision in one word, its reasons, what a next round would change, and the warnings."""
    r = pilot.report
    decision = r["decision"]
    lines = [*(r.get("decision_reasons") or []), *(r.get("next_round") or [])]
    warnings = warning_items(pilot.warnings)
    return html.Div(
        [
            html.H2(f"Decision: {ui.DECISION_WORDS.get(decision, decision)}"),
            html.Ul([html.Li(x) for x in lines]),
            *([warnings] if warnings else []),
        ],
        className="decision",
        id="pilot-decision",
        style={"background": ui.DECISION_COLOURS.get(decision, "#555")},
    )


def in_short(pilot: data.Pilot) -> html.Div:
    """The answer in sentences a store manager reads without help, and the headline figures."""
    r = pilot.report
    kpi = r["decision_rule"]["kpi"]
    e = r["estimates"].get(kpi, {})
    pay = r.get("payback_months")
    periods = r["periods"]
    sat = r.get("satisfaction") or {}
    text = (
        f"{len(r.get('pilot_stores', []))} pilot stores were compared with "
        f"{len(r.get('reference_stores', []))} similar reference stores: "
        f"{periods['pre_days']} days before and {periods['pilot_days']} days with "
        f"{', '.join(i['name'] for i in r.get('interventions', []))}. "
        f"Per store and day, {kpi} changed by {ui.fmt(e.get('estimate'))} "
        f"(95% sure it lies between {ui.fmt(e.get('ci_low'))} and {ui.fmt(e.get('ci_high'))}). "
        f"The twin knows the truth: {ui.fmt(e.get('true_effect'))}."
    )
    cards = [
        (f"{kpi} lift per store-day", ui.fmt(e.get("estimate"))),
        ("true effect (twin)", ui.fmt(e.get("true_effect"))),
        ("payback", "never" if pay is None else f"{ui.fmt(pay, 3)} months"),
        (f"NPV per store ({pilot.currency})", ui.fmt(r.get("npv"))),
        ("ROI", roi_text(r.get("roi"))),
        (
            "satisfaction before / during",
            f"{ui.fmt(sat.get('before'), 3)} / {ui.fmt(sat.get('after'), 3)}",
        ),
    ]
    return html.Div([html.H3("In short"), html.P(text), ui.figures(cards)], className="card")


def truth(panel: pd.DataFrame, kpi: str) -> list[float]:
    """The pilot stores' mean per day without the intervention (the twin's counterfactual)."""
    rows = panel[(panel["arm"] == "counterfactual") & (panel["group"] == "pilot")]
    return rows.groupby("day")[kpi].mean().tolist()


def kpi_charts(pilot: data.Pilot, kpi: str) -> list[Any]:
    """The charts that follow one KPI: over time, synthetic control, and its lift."""
    r = pilot.report
    start = r["periods"]["pre_days"]
    e = r["estimates"].get(kpi)
    if e is None:
        return [ui.problem(f"{kpi} is not among this pilot's estimates")]
    rule = r["decision_rule"]
    min_gain = rule.get("min_gain") if kpi == rule["kpi"] else None
    out = [
        ui.chart(
            dfig.kpi_lift(e, kpi, e.get("unit", ""), min_gain),
            "lift-chart",
            "The dot is the measured change per store-day, the bar its 95% interval; the cross "
            "is what the twin knows really happened. If the whole bar is right of 'required', "
            "the gain is safe.",
        )
    ]
    panel = pilot.panel
    if panel is None or kpi not in panel:
        return [*out, ui.problem(f"no store-day panel for {kpi}")]
    pair = [
        ui.chart(
            pfig.timeline(panel, kpi, start),
            "timeline-chart",
            "Mean per store and day. Before the dashed line both groups should move together.",
        )
    ]
    series = pilot.series.get(kpi)
    if series is not None:
        pair.append(
            ui.chart(
                pfig.synthetic(series, truth(panel, kpi), kpi, start),
                "synthetic-chart",
                "Synthetic control: a weighted mix of reference stores that tracks the pilot "
                "stores before the start; the dotted line is the twin's truth without it.",
            )
        )
    return [*out, html.Div(pair, className="grid2")]


def estimates_table(estimates: dict[str, Any]) -> html.Div:
    """Every KPI's estimate, interval, p-value and the truth beside it."""
    rows = [
        {
            "kpi": k,
            "unit": e.get("unit"),
            "lift": e.get("estimate"),
            "ci_low": e.get("ci_low"),
            "ci_high": e.get("ci_high"),
            "p": e.get("p_value"),
            "lift_pct": e.get("lift_pct"),
            "true": e.get("true_effect"),
            "error": e.get("error"),
            "synth": (e.get("synthetic_control") or {}).get("estimate"),
            "placebo_p": (e.get("synthetic_control") or {}).get("p_value"),
        }
        for k, e in estimates.items()
    ]
    columns = list(rows[0]) if rows else []
    headers = [
        "KPI",
        "unit",
        "lift per store-day",
        "CI low",
        "CI high",
        "p-value",
        "lift %",
        "true effect",
        "error",
        "synthetic control",
        "placebo p",
    ]
    return html.Div(
        [
            html.H3("Every KPI"),
            ui.table(rows, columns, headers, "estimates-table"),
            html.P(
                "Lift: difference-in-differences with store and day effects; CI and p-value by "
                "randomisation inference over stores. True effect: the same pilot stores run "
                "without the intervention with the same random numbers.",
                className="note",
            ),
        ],
        className="card",
    )


def money(pilot: data.Pilot) -> html.Div:
    """ROI waterfall and payback, and the roll-out projection per format."""
    r = pilot.report
    parts = []
    if r.get("roi_drivers"):
        parts.append(
            ui.chart(
                pfig.waterfall(r["roi_drivers"], pilot.currency),
                "waterfall-chart",
                f"Payback {ui.fmt(r.get('payback_months'), 3)} months; ROI "
                f"{roi_text(r.get('roi'))}; NPV {ui.fmt(r.get('npv'))} {pilot.currency} "
                "per store.",
            )
        )
    if r.get("rollout_projection"):
        parts.append(
            ui.chart(
                pfig.projection(r["rollout_projection"], pilot.currency),
                "projection-chart",
                projection_note(r["rollout_projection"]),
            )
        )
    return html.Div(parts, className="grid2")


def projection_note(rows: list[dict]) -> str:
    """What the roll-out chart covers: by default only piloted formats carry money.

    The caption said every unpiloted format "uses the twin's estimate", while the
    report lists them as not piloted with no projection (and the chart leaves them out).
    """
    left_out = sorted(
        {
            f"{r['format']} ({r['stores']} store{'s' * (r['stores'] != 1)})"
            for r in rows
            if r["net"] is None
        }
    )
    guessed = sorted({r["format"] for r in rows if r.get("extrapolated") and r["net"] is not None})
    note = "If every store of the chain got it: net value per year and format."
    if guessed:
        note += f" Extrapolated from the twin's estimate, never piloted: {', '.join(guessed)}."
    if left_out:
        note += f" Not piloted, so not projected: {', '.join(left_out)}."
    return note


def design(pilot: data.Pilot) -> html.Div:
    """How alike pilot and reference stores were, and what the design could detect."""
    r = pilot.report
    mde = [{"kpi": k, **v} for k, v in (r.get("mde") or {}).items()]
    note = (r.get("design") or {}).get("note", "")
    return html.Div(
        [
            html.Div(
                [
                    html.H3("How alike the stores were before (balance)"),
                    html.P(r.get("selection", ""), className="note"),
                    ui.table(
                        r.get("balance") or [],
                        ["feature", "pilot_mean", "reference_mean", "eligible_mean", "std_diff"],
                        [
                            "feature",
                            "pilot stores",
                            "reference stores",
                            "all eligible",
                            "std. diff",
                        ],
                        "balance-table",
                    ),
                    html.P(
                        "A standardised difference beyond ±0.25 means the groups differed "
                        "before the pilot.",
                        className="note",
                    ),
                ],
                className="card",
            ),
            html.Div(
                [
                    html.H3("What the design can detect (MDE, 80% power)"),
                    ui.table(
                        mde,
                        ["kpi", "mde", "mde_pct", "expected_effect", "adequate"],
                        ["KPI", "smallest detectable", "% of level", "expected", "enough?"],
                        "mde-table",
                    ),
                    html.P(f"{note}.", className="note"),
                ],
                className="card",
            ),
        ],
        className="grid2",
    )


def detail(runs: Any, name: str) -> list[Any]:
    """Everything about one pilot."""
    pilot = data.load_pilot(runs, name)
    r = pilot.report
    kpi = r["decision_rule"]["kpi"]
    counted = {k: v for k, v in r["estimates"].items() if v.get("counts", True)}
    interventions = [
        html.P([i.get("summary", ""), html.Span(f" (case: {i.get('case', '')})", className="note")])
        for i in r.get("interventions", [])
    ]
    return [
        html.H2(r["name"], id="pilot-title"),
        *interventions,
        decision_box(pilot),
        *[ui.problem(n) for n in pilot.notes],
        in_short(pilot),
        html.Div(
            [
                html.Label("KPI to follow: "),
                dcc.Dropdown(
                    id="pilot-kpi",
                    options=[{"label": k, "value": k} for k in r["estimates"]],
                    value=kpi,
                    clearable=False,
                ),
            ],
            className="controls card",
        ),
        dcc.Store(id="pilot-name", data=name),
        html.Div(kpi_charts(pilot, kpi), id="pilot-kpi-charts"),
        ui.chart(
            pfig.lifts(counted),
            "lifts-chart",
            "Every KPI the pilot counts, in % of its level without the intervention "
            "(KPIs whose level is near zero or negative are left out: see the table).",
        ),
        estimates_table(r["estimates"]),
        money(pilot),
        design(pilot),
    ]


def layout(pilot: str | None = None, **_: Any) -> html.Div:
    """The pilot list, and the chosen pilot below it."""
    source = data.Source.current()
    rows = data.pilot_rows(source.runs)
    projects = [] if source.services is None else [ui.guarded(lambda: project_library(source))]
    if not rows:
        return html.Div(
            [
                ui.empty_state(
                    "pilots",
                    "pilot",
                    source.runs,
                    "After `make demo` the demo pilot is in runs/demo.",
                ),
                *projects,
            ]
        )
    body: list[Any] = [pilot_list(rows), *projects]
    if pilot is None:
        body.append(html.P("Choose a pilot above to see its answer.", className="note"))
    else:
        body.append(html.Div(ui.guarded(lambda: detail(source.runs, pilot)), id="pilot-detail"))
    return html.Div(body)


@callback(
    Output("pilot-kpi-charts", "children"),
    Input("pilot-kpi", "value"),
    State("pilot-name", "data"),
    prevent_initial_call=True,
)
def follow(kpi: str, name: str) -> list[Any]:
    """Redraw the KPI's charts when another KPI is chosen."""
    return ui.guarded(lambda: kpi_charts(data.load_pilot(data.Source.current().runs, name), kpi))
