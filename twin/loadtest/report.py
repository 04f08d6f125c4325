"""Load-test figures: per-endpoint percentiles over time, k6-style thresholds, the HTML page.

A threshold is ``<metric><op><value>``, where metric is ``errors`` (share of
failed requests, value in %), ``rps``, or ``<endpoint>.<stat>``: endpoint a
path word such as ``checkout``, ``members`` or ``pick`` (``all`` for every
request) and stat one of p50, p90, p95, p99, max, avg (value in ms or s),
``errors`` (%) or ``rps``. Examples: ``checkout.p95<200ms``, ``errors<0.1%``.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STATS = ("p50", "p90", "p95", "p99", "max", "avg", "errors", "rps")
OPS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
_SYNTAX = re.compile(
    r"^\s*(?:(?P<group>[A-Za-z][\w-]*)\.)?(?P<stat>[a-z0-9]+)\s*(?P<op><=|>=|<|>)\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|%)?\s*$"
)


@dataclass(frozen=True)
class Threshold:
    """One pass/fail rule on the results."""

    text: str
    group: str
    stat: str
    op: str
    limit: float  # ms for latencies, a share (0-1) for errors, req/s for rps

    def matches(self, endpoint: str) -> bool:
        """Whether an endpoint's samples count towards this rule (setup calls never do)."""
        if endpoint.startswith("setup "):
            return False
        if self.group == "all":
            return True
        return self.group in re.split(r"[ /{}-]+", endpoint)


def parse_threshold(text: str) -> Threshold:
    """A threshold from its text; ValueError naming what is wrong and what is allowed."""
    m = _SYNTAX.match(text)
    hint = "expected <metric><op><value> such as 'checkout.p95<200ms' or 'errors<0.1%'"
    if not m:
        raise ValueError(f"bad threshold {text!r}: {hint}")
    group, stat, unit = m["group"] or "all", m["stat"], m["unit"]
    if stat not in STATS:
        raise ValueError(f"bad threshold {text!r}: unknown statistic {stat!r}, use one of {STATS}")
    value = float(m["value"])
    if stat == "errors":
        if unit not in (None, "%"):
            raise ValueError(f"bad threshold {text!r}: an error rate is in %")
        limit = value / 100
    elif stat == "rps":
        if unit is not None:
            raise ValueError(f"bad threshold {text!r}: req/s takes no unit")
        limit = value
    else:
        if unit == "%":
            raise ValueError(f"bad threshold {text!r}: a latency is in ms or s")
        limit = value * 1000 if unit == "s" else value
    return Threshold(text.strip(), group, stat, m["op"], limit)


@dataclass
class Samples:
    """Every request of a load test: when it was due, its endpoint, latency, status, error."""

    due: np.ndarray  # seconds since the test started
    name: np.ndarray
    latency_ms: np.ndarray
    failed: np.ndarray
    send_lag_ms: np.ndarray  # sent minus due: the generator's delay and waits for earlier calls
    start_lag_ms: np.ndarray  # started minus due: the generator's delay alone
    errors: list[str]
    sends: np.ndarray | None = None  # times each call was sent: 1, more when resent, 0 never
    step: np.ndarray | None = None  # the speed ramp's step each call was due in (-1: setup)
    window_s: float | None = None  # the length of time these samples cover, when known

    @classmethod
    def read(cls, folder: Path) -> Samples:
        """The samples every Locust process of the run wrote into ``folder``."""
        rows: list[list] = []
        for path in sorted(folder.glob("samples-*.jsonl.gz")):
            with gzip.open(path, "rt") as f:
                rows += [json.loads(line) for line in f]
        rows.sort(key=lambda r: r[0])
        start = rows[0][0] if rows else 0.0
        return cls(
            due=np.array([r[0] - start for r in rows], dtype=float),
            name=np.array([r[1] for r in rows], dtype=object),
            latency_ms=np.array([r[2] for r in rows], dtype=float),
            failed=np.array([r[4] is not None for r in rows], dtype=bool),
            send_lag_ms=np.array([r[5] for r in rows], dtype=float),
            start_lag_ms=np.array([r[6] if len(r) > 6 else r[5] for r in rows], dtype=float),
            errors=[f"{r[1]}: {r[4]}" for r in rows if r[4] is not None],
            sends=np.array([r[7] if len(r) > 7 else 1 for r in rows], dtype=int),
            step=np.array([r[8] if len(r) > 8 else 0 for r in rows], dtype=int),
        )

    def subset(self, pick: np.ndarray, window_s: float | None = None) -> Samples:
        """The samples where ``pick`` is true (covering ``window_s`` seconds, when given)."""
        return Samples(
            due=self.due[pick],
            name=self.name[pick],
            latency_ms=self.latency_ms[pick],
            failed=self.failed[pick],
            send_lag_ms=self.send_lag_ms[pick],
            start_lag_ms=self.start_lag_ms[pick],
            errors=[],
            sends=None if self.sends is None else self.sends[pick],
            step=None if self.step is None else self.step[pick],
            window_s=window_s,
        )

    @property
    def resent(self) -> int:
        """Requests sent again after a refused connection or a 502/503/504."""
        return int(np.maximum(self.sends - 1, 0).sum()) if self.sends is not None else 0

    @property
    def duration_s(self) -> float:
        """From the first request due to the last one due (at least 1 s), or the window."""
        if self.window_s is not None:
            return self.window_s
        return max(float(self.due.max()) if len(self.due) else 0.0, 1.0)


def _figures(latency: np.ndarray, failed: np.ndarray, duration_s: float) -> dict:
    if len(latency) == 0:
        return {"requests": 0, "errors": 0, "error_rate": 0.0, "rps": 0.0}
    p50, p90, p95, p99 = np.percentile(latency, [50, 90, 95, 99])
    return {
        "requests": len(latency),
        "errors": int(failed.sum()),
        "error_rate": round(float(failed.mean()), 6),
        "rps": round(len(latency) / duration_s, 3),
        "p50": round(float(p50), 3),
        "p90": round(float(p90), 3),
        "p95": round(float(p95), 3),
        "p99": round(float(p99), 3),
        "max": round(float(latency.max()), 3),
        "avg": round(float(latency.mean()), 3),
    }


def endpoints(samples: Samples) -> dict[str, dict]:
    """Figures per endpoint, latencies in ms from the intended send time."""
    out = {}
    for name in sorted(set(samples.name)):
        pick = samples.name == name
        out[name] = _figures(samples.latency_ms[pick], samples.failed[pick], samples.duration_s)
    return out


def timeline(samples: Samples, step_s: float = 1.0) -> list[dict]:
    """Per ``step_s`` of the test: requests due, req/s, errors, p95 per endpoint."""
    import pandas as pd

    if not len(samples.due):
        return []
    frame = pd.DataFrame(
        {
            "b": np.floor(samples.due / step_s).astype(int),
            "name": samples.name,
            "lat": samples.latency_ms,
            "failed": samples.failed,
        }
    )
    counts = frame.groupby("b").agg(requests=("lat", "size"), errors=("failed", "sum"))
    p95 = frame.groupby(["b", "name"])["lat"].quantile(0.95)
    by_bucket: dict[int, dict[str, float]] = {}
    for (b, name), value in p95.items():
        by_bucket.setdefault(int(b), {})[name] = round(float(value), 3)
    return [
        {
            "t": b * step_s,
            "requests": int(counts.requests.get(b, 0)),
            "rps": round(int(counts.requests.get(b, 0)) / step_s, 3),
            "errors": int(counts.errors.get(b, 0)),
            "p95": by_bucket.get(b, {}),
        }
        for b in range(int(frame.b.max()) + 1)
    ]


def evaluate(threshold: Threshold, samples: Samples) -> dict:
    """The rule's measured value and whether it passed (no matching request fails it)."""
    pick = np.array([threshold.matches(n) for n in samples.name], dtype=bool)
    if threshold.stat in ("errors", "rps") and threshold.group == "all":
        pick = np.ones(len(samples.name), dtype=bool)
    figures = _figures(samples.latency_ms[pick], samples.failed[pick], samples.duration_s)
    key = "error_rate" if threshold.stat == "errors" else threshold.stat
    value = figures.get(key)
    passed = value is not None and bool(OPS[threshold.op](value, threshold.limit))
    return {
        "threshold": threshold.text,
        "value": value,
        "limit": threshold.limit,
        "shown": shown(threshold, value),
        "requests": figures["requests"],
        "pass": passed,
    }


def shown(threshold: Threshold, value: float | None) -> str:
    """The measured value in the unit the rule was typed in: ``errors<0.1%`` reads ``0.5%``.

    ``value`` keeps an error rate as a share (0.005), which beside ``errors<0.1%``
    would read as a pass.
    """
    if value is None:
        return "no requests"
    if threshold.stat == "errors":
        return f"{100 * value:.3g}%"
    if threshold.stat == "rps":
        return f"{value:.4g} req/s"
    return f"{value:.4g} ms"


def _ramp_html(result: dict) -> str:
    """The speed ramp: p95, errors and req/s per step, and the knee ('' without a ramp)."""
    if "ramp" not in result:
        return ""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    steps, knee = result["ramp"], result["knee"]
    x = [s["speed"] for s in steps]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=x, y=[s["p95"] for s in steps], name="checkout p95 (ms)"))
    fig.add_trace(go.Scatter(x=x, y=[s["all_p95"] for s in steps], name="all p95 (ms)"))
    fig.add_trace(
        go.Bar(x=x, y=[s["rps"] for s in steps], name="req/s", opacity=0.3), secondary_y=True
    )
    fig.add_trace(
        go.Scatter(x=x, y=[100 * s["error_rate"] for s in steps], name="errors (%)"),
        secondary_y=True,
    )
    if knee["speed"] is not None:
        fig.add_vline(x=knee["speed"], line_dash="dash", annotation_text="knee")
    fig.update_xaxes(title_text="speed (simulated s per real s)")
    fig.update_yaxes(title_text="ms", type="log", secondary_y=False)
    fig.update_yaxes(title_text="req/s, errors %", secondary_y=True)
    fig.update_layout(height=450, title="Speed ramp: one step per speed")
    rows = "".join(
        f"<tr><td>{s['speed']:g}</td><td>{s['store_equivalents']:g}</td><td>{s['rps']}</td>"
        f"<td>{s['error_rate']:.2%}</td><td>{s['p95']}</td><td>{s['all_p95']}</td>"
        f"<td>{'holds' if s['pass'] else 'FAILS'}</td></tr>"
        for s in steps
    )
    said = (
        "the first step already fails"
        if knee["speed"] is None
        else f"{knee['speed']:g}x: {knee['store_equivalents']:g} store-equivalents in real time, "
        f"{knee['rps']} req/s"
    )
    return (
        f"<h2>Speed ramp: knee at {said}</h2><p>A step holds when "
        f"{' and '.join(knee['rules'])} on its own requests.</p>"
        "<table border=1><tr><th>speed</th><th>stores x speed</th><th>req/s</th><th>errors</th>"
        f"<th>checkout p95 ms</th><th>all p95 ms</th><th>step</th></tr>{rows}</table>"
        + fig.to_html(full_html=False, include_plotlyjs=False)
    )


def write_html(result: dict, path: Path) -> Path:
    """Plotly page: p95 per endpoint over time, req/s and errors over time, the tables."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = result["timeline"]
    t = [r["t"] for r in rows]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        subplot_titles=("p95 latency per endpoint (ms, from intended send)", "req/s and errors"),
    )
    for name in result["endpoints"]:
        if name.startswith("setup "):
            continue
        fig.add_trace(
            go.Scatter(x=t, y=[r["p95"].get(name) for r in rows], name=name, mode="lines"),
            row=1,
            col=1,
        )
    fig.add_trace(go.Bar(x=t, y=[r["rps"] for r in rows], name="req/s"), row=2, col=1)
    fig.add_trace(go.Bar(x=t, y=[r["errors"] for r in rows], name="errors"), row=2, col=1)
    fig.update_xaxes(title_text="seconds since start", row=2, col=1)
    fig.update_layout(height=800, barmode="overlay")
    table = "".join(
        f"<tr><td>{n}</td>"
        + "".join(f"<td>{e.get(k, '')}</td>" for k in ("requests", "errors", "rps"))
        + "".join(f"<td>{e.get(k, '')}</td>" for k in ("p50", "p95", "p99", "max"))
        + "</tr>"
        for n, e in result["endpoints"].items()
    )
    checks = "".join(
        f"<tr><td>{c.get('threshold') or c.get('name')}</td>"
        f"<td>{c.get('shown', c.get('value', ''))}</td>"
        f"<td>{'pass' if c['pass'] else 'FAIL'}</td></tr>"
        for c in result["thresholds"] + result["invariants"]
    )
    html = (
        "<html><head><meta charset='utf-8'><title>storetwin load test</title></head><body>"
        f"<h1>Load test: {'PASS' if result['pass'] else 'FAIL'}</h1>"
        f"<p>{result['requests']} requests, {result['errors']} errors, "
        f"{result['duration_s']} s</p>"
        "<h2>Thresholds and invariants</h2><table border=1><tr><th>check</th><th>value</th>"
        f"<th>result</th></tr>{checks}</table>"
        + fig.to_html(full_html=False, include_plotlyjs="inline")
        + _ramp_html(result)  # after the figure above, which brings plotly.js
        + "<h2>Endpoints</h2><table border=1><tr><th>endpoint</th><th>requests</th>"
        "<th>errors</th><th>req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th>"
        f"<th>max ms</th></tr>{table}</table></body></html>"
    )
    path.write_text(html)
    return path
