"""The pilot report: report.json for machines, report.html for the people who decide.

Everything in report.json comes from the saved artefacts and nothing varies
between runs (no clock times), so a resumed pilot gives the same file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios.pilot.artefacts import STEPS, Artefact
from scenarios.pilot.library import STATUS
from scenarios.pilot.loader import Pilot


def build(pilot: Pilot, arts: Mapping[str, Artefact]) -> dict[str, Any]:
    """The report as a JSON-ready dict, from the six artefacts."""
    ident, est, rev, ran, ev, dec = (arts[s] for s in STEPS)
    estimates = {
        kpi: {
            **e,
            "synthetic_control": {k: v for k, v in e["synthetic_control"].items() if k != "series"},
        }
        for kpi, e in ev.estimates.items()
    }
    measured = ev.finance["measured"]
    return {
        "pilot": ident.pilot,
        "name": ident.name,
        "project_id": ident.project_id,
        "interventions": ident.interventions,
        "chain": ident.chain,
        "steps": [
            {"step": s, "status": STATUS[s].value, "artefact": str(type(arts[s]).path(Path()))}
            for s in STEPS
        ],
        "expected": {
            "days": est.days,
            "effect": est.expected,
            "per_format": est.formats,
            "investment": est.investment,
            **est.finance,
        },
        "pilot_stores": rev.pilot_stores,
        "reference_stores": rev.reference_stores,
        "selection": rev.selection,
        "matches": rev.matches,
        "balance": rev.balance,
        "mde": rev.mde,
        "design": rev.recommendation,
        "periods": {"pre_days": ran.start_day, "pilot_days": ran.days - ran.start_day},
        "pre_period_identical": ran.pre_period_identical,
        "estimates": estimates,
        "true_effect": {k: e["true_effect"] for k, e in ev.estimates.items()},
        "error": {k: e["error"] for k, e in ev.estimates.items()},
        "satisfaction": ev.satisfaction,
        "costs": ev.costs,
        "roi": measured["roi"],
        "payback_months": measured["payback_months"],
        "npv": measured["npv"],
        "finance": ev.finance,
        "roi_drivers": ev.drivers,
        "decision_rule": pilot.spec.decision.model_dump(mode="json"),
        "decision": dec.decision,
        "decision_reasons": dec.reasons,
        "next_round": dec.next_round,
        "warnings": dec.warnings,
        "scaling": dec.scaling,
        "rollout_projection": dec.projection,
    }


def write_report(pilot: Pilot, arts: Mapping[str, Artefact], out: Path) -> dict[str, Path]:
    """Write report.json and report.html into ``out``; their paths."""
    from scenarios.pilot.page import render, write_html

    report = build(pilot, arts)
    paths = {"json": out / "report.json", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=2) + "\n")
    panel = pd.read_parquet(out / arts["run"].panel)
    series = {k: e["synthetic_control"]["series"] for k, e in arts["evaluate"].estimates.items()}
    write_html(paths["html"], render(report, panel, series, pilot.chain.currency))
    return paths
