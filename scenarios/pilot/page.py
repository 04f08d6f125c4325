"""report.html: one plain page a store manager can read, with the charts inline.

Plotly's JavaScript (4.6 MB) is not embedded: ``write_html`` writes it once as
plotly.min.js beside the page, which loads it from there, so the page still
opens without a network and a folder of pages holds one copy, not one each.
The sweep and camera-value pages use the same two functions.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from scenarios.pilot import figures
from scenarios.pilot.finance import roi_text

WORDS = {"roll_out": "Roll out", "stop": "Stop", "next_round": "Run a next round"}
COLOURS = {"roll_out": "#2ca02c", "stop": "#d62728", "next_round": "#ff7f0e"}
STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}
td:first-child,th:first-child{text-align:left}
.decision{padding:1em;border-radius:6px;color:white}
.note{color:#666;font-size:0.9em}
.warnings{margin:0.5em 0;padding:0.5em 1em;border:2px solid #ff7f0e;border-radius:6px}
.warnings.ok{border-color:#2ca02c}
.warnings .meaning{text-align:left;max-width:640px}
.scaling{padding:0.5em 1em;background:#f3f3f3;border-radius:6px}
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    return html.escape(str(value))


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """An HTML table of ``rows`` showing ``columns`` (missing cells as "-")."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def held(warning: Mapping[str, Any], decision: str) -> str:
    """The note on a warning whose check holds back a roll-out.

    With ``decision.allow_underpowered`` the pilot rolls out all the same, and the report
    said "decision: roll_out" over "balance ... (holds back a roll-out)".
    """
    if not warning.get("blocks_roll_out"):
        return ""
    if decision == "roll_out":
        return " (would hold back a roll-out; overridden by decision.allow_underpowered)"
    return " (holds back a roll-out)"


def warnings(rows: Sequence[Mapping[str, Any]], decision: str = "") -> str:
    """The checks the pilot failed, shown under the verdict: figure, threshold, meaning."""
    if not rows:
        return (
            "<div class='warnings ok'>No warnings: power, balance and placebo checks passed.</div>"
        )
    body = "".join(
        "<tr>"
        f"<td>{_fmt(r['check'])}{held(r, decision)}</td>"
        f"<td>{_fmt(r['figure'])}</td><td>{_fmt(r['threshold'])}</td>"
        f"<td class='meaning'>{_fmt(r['meaning'])}</td>"
        "</tr>"
        for r in rows
    )
    return (
        f"<div class='warnings'><b>Warnings ({len(rows)})</b><table>"
        "<tr><th>check</th><th>figure</th><th>threshold</th>"
        "<th class='meaning'>what it means</th></tr>"
        f"{body}</table></div>"
    )


def scaling(note: Mapping[str, Any] | None) -> str:
    """Why the pilot's stores are smaller than the library's, and what was scaled with them."""
    if not note:
        return ""
    return f"<p class='scaling'><b>Scaled stores.</b> {html.escape(note['note'])}</p>"


PLOTLY_JS = "plotly.min.js"
"""The file beside each page that holds Plotly's JavaScript (what ``include_plotlyjs="directory"``
loads)."""


def chart(fig: go.Figure, first: bool, **options: Any) -> str:
    """A figure as a page fragment; the page's first chart loads ``PLOTLY_JS`` from beside it.

    Write the page with ``write_html`` so that file is there.
    """
    plotly_js = "directory" if first else False
    return fig.to_html(full_html=False, include_plotlyjs=plotly_js, **options)


def write_html(path: Path, page: str) -> Path:
    """Write ``page`` to ``path`` and Plotly's JavaScript beside it, offline (no CDN).

    The library is written only when the folder lacks it or holds another
    version, so pages that share a folder share one copy.
    """
    from plotly.offline import get_plotlyjs

    library = path.parent / PLOTLY_JS
    code = get_plotlyjs().encode("utf-8")
    if not library.is_file() or library.stat().st_size != len(code) or library.read_bytes() != code:
        library.write_bytes(code)
    path.write_text(page, encoding="utf-8")
    return path


def _chart(fig: go.Figure, first: bool) -> str:
    return chart(fig, first, default_height=420)


def render(
    report: Mapping[str, Any],
    panel: pd.DataFrame,
    series: Mapping[str, Mapping[str, Sequence[float]]],
    currency: str,
) -> str:
    """The whole page from the report dict, the store-day panel and the synthetic-control series."""
    kpi = report["decision_rule"]["kpi"]
    start = report["periods"]["pre_days"]
    e = report["estimates"][kpi]
    truth = (
        panel[(panel["arm"] == "counterfactual") & (panel["group"] == "pilot")]
        .groupby("day")[kpi]
        .mean()
        .tolist()
    )
    charts = [
        figures.timeline(panel, kpi, start),
        figures.synthetic(series[kpi], truth, kpi, start),
        figures.lifts({k: v for k, v in report["estimates"].items() if v["counts"]}),
        figures.waterfall(report["roi_drivers"], currency),
        figures.projection(report["rollout_projection"], currency),
    ]
    decision = report["decision"]
    pay = report["payback_months"]
    estimate_rows = [
        {
            "KPI": k,
            "lift per store-day": v["estimate"],
            "CI low": v["ci_low"],
            "CI high": v["ci_high"],
            "p-value": v["p_value"],
            "lift %": v["lift_pct"],
            "true effect": v["true_effect"],
            "error": v["error"],
            "synthetic control": v["synthetic_control"]["estimate"],
            "placebo p": v["synthetic_control"]["p_value"],
            "smallest placebo p": v["synthetic_control"].get("min_p_value"),
        }
        for k, v in report["estimates"].items()
    ]
    mde_rows = [{"KPI": k, **v} for k, v in report["mde"].items()]
    match_rows = [
        {
            "pilot store": p,
            "references": [r["store_id"] for r in refs],
            "distance": [r["distance"] for r in refs],
        }
        for p, refs in report["matches"].items()
    ]
    parts = [
        f"<h1>{html.escape(report['name'])}</h1>",
        f"<div class='decision' style='background:{COLOURS[decision]}'><b>{WORDS[decision]}</b><ul>"
        + "".join(
            f"<li>{html.escape(r)}</li>" for r in report["decision_reasons"] + report["next_round"]
        )
        + "</ul></div>",
        warnings(report.get("warnings", []), decision),
        scaling(report.get("scaling")),
        *(
            f"<p>{html.escape(i['summary'])} <span class='note'>(case: "
            f"{html.escape(i['case'])})</span></p>"
            for i in report["interventions"]
        ),
        "<h2>In short</h2>",
        f"<p>Pilot stores {_fmt(report['pilot_stores'])} against reference stores "
        f"{_fmt(report['reference_stores'])}: {start} days before, "
        f"{report['periods']['pilot_days']} days with the intervention. "
        f"{html.escape(kpi)} changed by <b>{_fmt(e['estimate'])}</b> per store-day "
        f"(CI {_fmt(e['ci_low'])} to {_fmt(e['ci_high'])}, p = {_fmt(e['p_value'])}); "
        f"the twin's truth is {_fmt(e['true_effect'])}. "
        f"Payback {'never' if pay is None else _fmt(pay) + ' months'}, "
        f"NPV {_fmt(report['npv'])} {currency} per store over the horizon, "
        f"ROI {roi_text(report['roi'])}. "
        f"Satisfaction {_fmt(report['satisfaction']['before'])} before, "
        f"{_fmt(report['satisfaction']['after'])} during the pilot.</p>",
        "<h2>Charts</h2>",
        *(_chart(fig, i == 0) for i, fig in enumerate(charts)),
        "<h2>Where the money comes from (per store and month)</h2>",
        table(report["roi_drivers"], ["driver", "monthly", "true_monthly"]),
        f"<p>Expected before the pilot (step 2, a {report['expected']['days']}-day twin run "
        f"of typical stores): {html.escape(kpi)} {_fmt(report['expected']['effect'][kpi])} "
        f"per store-day, investment {_fmt(report['expected']['investment']['one_off_per_store'])}"
        f" {currency} per store and {_fmt(report['expected']['investment']['monthly_per_store'])}"
        f" a month, payback {_fmt(report['expected']['payback_months'])} months.</p>",
        "<h2>Every KPI</h2>",
        table(estimate_rows, list(estimate_rows[0])),
        "<h2>Stores and how alike they were before</h2>",
        f"<p>{html.escape(report['selection'])}.</p>",
        table(match_rows, ["pilot store", "references", "distance"]),
        table(
            report["balance"],
            ["feature", "pilot_mean", "reference_mean", "eligible_mean", "std_diff"],
        ),
        "<h2>Power of the design (the pre-period's noise, scaled to the planned design)</h2>",
        table(mde_rows, ["KPI", "aa_sd", "mde", "mde_pct", "expected_effect", "adequate"]),
        f"<p>{html.escape(report['design']['note'])}.</p>",
        "<h2>Roll-out to the whole chain</h2>",
        table(
            report["rollout_projection"],
            [
                "format",
                "source",
                "stores",
                "year",
                "value",
                "running_cost",
                "investment",
                "net",
                "cumulative_net",
            ],
        ),
        "<p class='note'>Lift: difference-in-differences with store and day effects; CI and "
        "p-value by randomisation inference over stores. Synthetic control: weights over the "
        "reference stores fitted on the pre-period, in-space placebos. True effect: the same "
        "pilot stores run without the intervention with the same random numbers.</p>",
    ]
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(report['name'])}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
