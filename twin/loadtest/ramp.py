"""A ramp over speed: the recorded day replayed faster step by step, to find the knee.

The test's real time is cut into equal steps, each with its own speed factor;
simulated time runs on without a break from one step to the next (a
piecewise-linear clock), so one recording and one database serve the whole
ramp. Each request is booked to the step it was due in; a step holds when the
thresholds hold on its requests alone. The knee is the last step that holds
before the first that does not: its speed times the chain's stores is how
many stores the services keep up with in real time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from twin.loadtest.report import Samples, Threshold, evaluate, parse_threshold

# The targets, used for a ramp's steps when no threshold is given.
DEFAULT_RULES = ("checkout.p95<200ms", "errors<0.1%")
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*\.\.\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def parse_speeds(text: str) -> list[float]:
    """Speeds from ``200..1000:200`` (first..last:step) or ``200,400,800``; ValueError else."""
    hint = "use first..last:step such as 200..1000:200, or a list such as 200,400,800"
    m = _RANGE.match(text)
    if m:
        first, last, step = (float(g) for g in m.groups())
        if step <= 0 or last < first:
            raise ValueError(f"bad speed ramp {text!r}: {hint}")
        n = math.floor((last - first) / step + 1e-9) + 1
        speeds = [first + i * step for i in range(n)]
    else:
        try:
            speeds = [float(x) for x in text.split(",")]
        except ValueError:
            raise ValueError(f"bad speed ramp {text!r}: {hint}") from None
    if not speeds or any(s <= 0 for s in speeds) or len(speeds) > 100:
        raise ValueError(f"bad speed ramp {text!r}: 1 to 100 speeds above 0; {hint}")
    return speeds


@dataclass(frozen=True)
class Clock:
    """Real seconds after the start at which a simulated offset is due, step by step."""

    speeds: tuple[float, ...]
    step_s: float = math.inf  # one speed: a single step without end

    def wall(self, sim_s: float) -> float:
        """When (real seconds from the start) ``sim_s`` simulated seconds are due."""
        wall = 0.0
        for speed in self.speeds[:-1]:
            span = speed * self.step_s
            if sim_s < span:
                return wall + sim_s / speed
            sim_s -= span
            wall += self.step_s
        return wall + sim_s / self.speeds[-1]

    def step(self, sim_s: float) -> int:
        """The step ``sim_s`` is due in (the last for anything after it)."""
        return min(int(self.wall(sim_s) // self.step_s), len(self.speeds) - 1)

    def sim_s(self, wall_s: float) -> float:
        """Simulated seconds that fall due within ``wall_s`` real seconds."""
        sim, left = 0.0, wall_s
        for speed in self.speeds[:-1]:
            spent = min(left, self.step_s)
            sim += spent * speed
            left -= spent
        return sim + max(left, 0.0) * self.speeds[-1]


def steps(
    samples: Samples,
    speeds: list[float],
    step_s: float,
    stores: int,
    thresholds: list[Threshold],
) -> tuple[list[dict], dict]:
    """Figures and verdict per step, and the knee (the last step holding before a failing one)."""
    rules = thresholds or [parse_threshold(t) for t in DEFAULT_RULES]
    rows = []
    for i, speed in enumerate(speeds):
        pick = samples.step == i
        part = samples.subset(pick, step_s)
        checks = [evaluate(t, part) for t in rules]
        timed = ~np.array([str(n).startswith("setup ") for n in part.name], dtype=bool)
        rows.append(
            {
                "step": i,
                "speed": speed,
                "store_equivalents": round(speed * stores, 1),
                "requests": int(timed.sum()),
                "errors": int(part.failed[timed].sum()),
                "error_rate": round(float(part.failed[timed].mean()), 6) if timed.any() else 0.0,
                "rps": round(int(timed.sum()) / step_s, 3),
                "p95": _p95(part, "checkout"),
                "all_p95": _p95(part, "all"),
                "checks": checks,
                "pass": all(c["pass"] for c in checks),
            }
        )
    first_fail = next((r for r in rows if not r["pass"]), None)
    held = [r for r in rows if r["pass"] and (first_fail is None or r["step"] < first_fail["step"])]
    last = held[-1] if held else None
    knee = {
        "rules": [t.text for t in rules],
        "speed": last["speed"] if last else None,
        "store_equivalents": last["store_equivalents"] if last else None,
        "rps": last["rps"] if last else None,
        "first_failing_speed": first_fail["speed"] if first_fail else None,
    }
    return rows, knee


def _p95(samples: Samples, group: str) -> float | None:
    return evaluate(parse_threshold(f"{group}.p95<1ms"), samples)["value"]
