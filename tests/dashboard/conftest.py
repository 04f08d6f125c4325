"""Small run folders for the dashboard's tests: real tiny runs, and a pilot built from its schema.

The pilot report is constructed (a real pilot takes minutes): it has every key
the pilot report writes that the dashboard reads, plus the verdict's warnings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

STEPS = ("identify", "estimate", "review", "run", "evaluate", "decide")
WARNINGS = [
    {
        "check": "power",
        "figure": 0.41,
        "threshold": 0.8,
        "meaning": "the design had a 41% chance to detect the expected gain",
    },
    {
        "check": "placebo",
        "figure": 0.29,
        "threshold": 0.1,
        "meaning": "reference stores show effects this large without the intervention",
    },
]


def small_chain(stores: int = 3, visitors: int = 40):
    """A tiny supermarket chain; its online orders shrink with the visitors (50 a day are the
    library's figure for 3,000), or they would be most of the twin's work here."""
    from scenarios import load
    from scenarios.overrides import apply

    return apply(
        load("supermarket"),
        {
            "arrivals.daily_visitors": visitors,
            "online.daily_orders": 0.5,
            "chain": {
                "stores": stores,
                "seed": 3,
                "formats": {"supermarket": 0.6, "convenience": 0.4},
            },
        },
    )


def write_pilot(out: Path, decision: str = "roll_out", warnings: list | None = None) -> Path:
    """A finished pilot folder with report.json, panel.parquet and the step artefacts."""
    rng = np.random.default_rng(1)
    pilots, refs, days, start = ["S001", "S004"], ["S002", "S003", "S005", "S006"], 8, 5
    rows = []
    for store in pilots + refs:
        level = rng.normal(2000, 200)
        for arm in ("observed", "counterfactual"):
            for day in range(days):
                noise = rng.normal(0, 30)
                lift = 300.0 if (store in pilots and arm == "observed" and day >= start) else 0.0
                rows.append(
                    {
                        "store_id": store,
                        "group": "pilot" if store in pilots else "reference",
                        "arm": arm,
                        "day": day,
                        "contribution": level + noise + lift,
                        "sales": 3 * level + noise,
                        "satisfaction": 7.5 + noise / 300,
                    }
                )
    out.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(out / "panel.parquet")
    series = {
        "day": list(range(days)),
        "actual": [2000.0 + 300 * (d >= start) for d in range(days)],
    }
    series["synthetic"] = [2010.0] * days
    estimate = {
        "unit": "currency",
        "better": "higher",
        "counts": True,
        "method": "difference-in-differences",
        "estimate": 290.0,
        "ci_low": 120.0,
        "ci_high": 460.0,
        "p_value": 0.01,
        "baseline": 2000.0,
        "lift_pct": 14.5,
        "true_effect": 300.0,
        "error": -10.0,
        "synthetic_control": {"estimate": 310.0, "p_value": 0.2, "placebo_band": [-50.0, 60.0]},
    }
    estimates = {
        "contribution": estimate,
        "sales": {
            **estimate,
            "estimate": 20.0,
            "ci_low": -90.0,
            "ci_high": 130.0,
            "true_effect": 0.0,
            "baseline": 6000.0,
            "lift_pct": 0.3,
        },
        "satisfaction": {
            **estimate,
            "unit": "0-10",
            "estimate": 0.1,
            "ci_low": 0.0,
            "ci_high": 0.2,
            "true_effect": 0.12,
            "baseline": 7.5,
            "lift_pct": 1.3,
        },
    }
    steps = out / "steps"
    steps.mkdir()
    for i, step in enumerate(STEPS):
        body = {"digest": "x"}
        if step == "evaluate":
            body["estimates"] = {
                k: {**e, "synthetic_control": {**e["synthetic_control"], "series": series}}
                for k, e in estimates.items()
            }
        (steps / f"{i + 1}_{step}.json").write_text(json.dumps(body))
    report = {
        "pilot": "test_pilot-v1",
        "name": "test self-checkout pilot",
        "interventions": [
            {
                "name": "self_checkout",
                "summary": "Self-checkout stations.",
                "case": "AI self-checkout terminal",
            }
        ],
        "steps": [
            {"step": s, "status": s, "artefact": f"steps/{i + 1}_{s}.json"}
            for i, s in enumerate(STEPS)
        ],
        "pilot_stores": pilots,
        "reference_stores": refs,
        "selection": "2 pilot stores drawn at random",
        "balance": [
            {
                "feature": "sales",
                "pilot_mean": 6000.0,
                "reference_mean": 5900.0,
                "eligible_mean": 5950.0,
                "std_diff": 0.1,
            }
        ],
        "mde": {
            "contribution": {
                "aa_sd": 80.0,
                "mde": 200.0,
                "mde_pct": 10.0,
                "expected_effect": 280.0,
                "adequate": True,
            }
        },
        "design": {"adequate": True, "note": "the design can detect the expected gain"},
        "periods": {"pre_days": start, "pilot_days": days - start},
        "estimates": estimates,
        "satisfaction": {"before": 7.5, "after": 7.6},
        "roi": 2.5,
        "payback_months": 7.5,
        "npv": 150000.0,
        "roi_drivers": [
            {"driver": "gross margin", "monthly": 2000.0, "true_monthly": 2100.0},
            {"driver": "labour saved", "monthly": 8000.0, "true_monthly": 8000.0},
            {"driver": "running cost", "monthly": -1600.0, "true_monthly": -1600.0},
            {"driver": "net", "monthly": 8400.0, "true_monthly": 8500.0},
        ],
        "decision_rule": {
            "kpi": "contribution",
            "min_gain": 100.0,
            "max_payback_months": 18.0,
            "alpha": 0.05,
        },
        "decision": decision,
        "decision_reasons": ["contribution gain +290/store-day: the whole CI is above +100"],
        "next_round": [],
        "rollout_projection": [
            *(
                {
                    "format": "supermarket",
                    "source": "pilot",
                    "stores": 4,
                    "year": y,
                    "net": 90000.0 * y,
                    "cumulative_net": 90000.0 * y * (y + 1) / 2,
                    "piloted": True,
                    "extrapolated": False,
                }
                for y in (1, 2, 3)
            ),
            {
                "format": "convenience",
                "source": "not piloted",
                "stores": 2,
                "year": None,
                "net": None,
                "cumulative_net": None,
                "piloted": False,
                "extrapolated": False,
            },
        ],
    }
    if warnings is not None:
        report["warnings"] = warnings
    (out / "report.json").write_text(json.dumps(report, indent=2))
    return out


def for_report_page(report: dict) -> dict:
    """``write_pilot``'s report with the sections only report.html reads (matches, step 2)."""
    investment = {"one_off_per_store": 30000.0, "monthly_per_store": 1600.0}
    expected = {"days": 1, "payback_months": 7.0, "investment": investment}
    return {
        "matches": {},
        "expected": {**expected, "effect": {"contribution": 280.0}},
        **report,
    }


def write_fakes(runs: Path) -> Path:
    """The folders that need no twin run: pilots, a half-written one, a broken what-if, a
    bench and a load test."""
    write_pilot(runs / "pilot1", warnings=WARNINGS)
    write_pilot(runs / "pilot_no_warnings", decision="next_round")
    half = runs / "pilot_half" / "steps"
    half.mkdir(parents=True)
    (half / "1_identify.json").write_text("{}")
    broken = runs / "broken_what_if"
    broken.mkdir()
    (broken / "what_if.json").write_text('{"rows": [{"variant": "x", "kpi"')
    bench = runs / "bench"
    bench.mkdir()
    (bench / "bench.json").write_text(json.dumps(BENCH))
    load = runs / "load1"
    load.mkdir()
    (load / "loadtest.json").write_text(json.dumps(LOADTEST))
    return runs


def write_frames(folder: Path, scenario) -> None:
    """frames.parquet as a traced run with a real queue camera writes it, without the model run:
    a real rendered frame, its true boxes, and as the "model" the truth moved and one missed."""
    import io

    from PIL import Image

    from devices.vision.render import Person, Renderer
    from devices.vision.scenes import queue_camera

    layout = scenario.layout
    cam = queue_camera(layout, 0)
    x, y = layout.tills.x, layout.tills.y
    crowd = [Person(i, x + 0.2 * (i % 2), y + 0.9 * i + 0.5, 3.14) for i in range(4)]
    frame = Renderer.of(scenario).people(cam, crowd, 36000.0, rng=np.random.default_rng(0))
    buffer = io.BytesIO()
    Image.fromarray(frame.image).save(buffer, "JPEG", quality=80)
    truth = [list(p.box) for p in frame.people]
    found = [[b[0] + 4, b[1] - 3, b[2] + 2, b[3] - 1, 0.9] for b in truth[:-1]]
    pd.DataFrame(
        {
            "camera": ["q1"],
            "view": [0],
            "t_s": [36000.0],
            "model": ["fixture"],
            "width": [cam.width],
            "height": [cam.height],
            "jpeg": [buffer.getvalue()],
            "truth": [json.dumps(truth)],
            "predicted": [json.dumps(found)],
        }
    ).to_parquet(folder / "frames.parquet")


@pytest.fixture(scope="session")
def dash_app(tmp_path_factory):
    """The one Dash app of a test session: pages register themselves once per process, so a
    second app would list them twice. Tests point it at their runs folder as they render.

    Tests that import a page module (``dashboard.pages.chain``) register it once more under
    that name; Dash checks its pages for duplicates on its first request, so that request
    is made here, before any test imports one.
    """
    from dashboard.app import create_app
    from dashboard.data import Source

    app = create_app(Source(tmp_path_factory.mktemp("unused")))
    assert app.server.test_client().get("/").status_code == 200
    return app


@pytest.fixture(scope="session")
def fake_runs(tmp_path_factory) -> Path:
    """A runs folder with only the folders that need no twin run (fast)."""
    return write_fakes(tmp_path_factory.mktemp("fake_runs"))


@pytest.fixture(scope="session")
def dash_runs(tmp_path_factory) -> Path:
    """A runs folder with one of each kind (tiny real runs), a half-written pilot and a broken
    what-if."""
    from scenarios.overrides import apply
    from twin.chain_run import run_chain
    from twin.run import run
    from twin.whatif import compare

    runs = write_fakes(tmp_path_factory.mktemp("runs"))
    sc = small_chain(stores=1, visitors=40).model_copy(update={"chain": None})
    variant = apply(sc, {"interventions": ["self_checkout"]})
    compare(sc, {"self_checkout": variant}, 1, 1, runs / "what_if")
    store = small_chain(stores=1, visitors=60).model_copy(update={"chain": None})
    run(store, seed=2, trace=True).write(runs / "traced")
    write_frames(runs / "traced", store)
    chain = small_chain()
    run_chain(chain, seed=1, days=2, out=runs / "chain", workers=1).write(runs / "chain")
    return runs


BENCH = {
    "openvino": "2025.0",
    "device": "CPU (test)",
    "frames": 20,
    "models": [
        {
            "name": "people-topdown",
            "task": "people",
            "frames": 20,
            "latency_ms_p50": 2.1,
            "latency_ms_p99": 3.5,
            "fps": 210.0,
            "benchmark_app_frame_fps": 260.0,
            "render_ms": 0.6,
            "preprocess_ms": 0.2,
            "infer_ms": 1.6,
            "postprocess_ms": 0.1,
            "recall": 0.93,
            "precision": 0.97,
            "by_condition": {
                "crowd": {
                    "1-2": {
                        "recall": 0.97,
                        "recall_ci": [0.83, 0.99],
                        "people": 30,
                        "too_few": False,
                    },
                    "6+": {
                        "recall": 0.85,
                        "recall_ci": [0.74, 0.92],
                        "people": 60,
                        "too_few": False,
                    },
                    "12+": {"recall": 1.0, "recall_ci": [0.44, 1.0], "people": 4, "too_few": True},
                }
            },
        }
    ],
}
LOADTEST = {  # the shape `storetwin loadtest` writes (twin/loadtest/run.py)
    "requests": 1200,
    "errors": 0,
    "duration_s": 30.0,
    "endpoints": {
        "POST /orders/checkout": {"requests": 900, "errors": 0, "rps": 30.0, "p95": 85.0},
        "GET /members/by-phone": {"requests": 300, "errors": 0, "rps": 10.0, "p95": 12.0},
    },
    "thresholds": [{"threshold": "checkout.p95<200ms", "value": 85.0, "pass": True}],
    "invariants": [{"invariant": "stock never negative", "pass": True}],
    "timeline": [
        {
            "t": float(t),
            "requests": 40,
            "rps": 40.0,
            "errors": 0,
            "p95": {"POST /orders/checkout": 80.0 + t % 7, "GET /members/by-phone": 12.0},
        }
        for t in range(30)
    ],
}
