"""Measured fidelity: a camera's observation drawn from the error rates the benchmark measured.

``storetwin bench models`` writes each model's rates (recall by crowd size,
false positives per frame, exact price rate, latency) into bench.json; this
module reads that file, or the small default table shipped from one such run,
and samples observations from the truth with them. Fast enough for pilots of
thousands of store-days, and honest about what the model misses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DEFAULT_TABLE = Path(__file__).resolve().parent / "assets" / "error_table.json"


@dataclass(frozen=True)
class PeopleErrors:
    """How a people model errs: recall by people in view, false positives, latency."""

    recall: float
    recall_by_count: dict[int, float]
    fp_per_frame: float
    latency_s: float
    count_error_by_count: dict[int, dict[int, float]] = field(default_factory=dict)
    loc_sd_m: float = 0.12
    count_error_by_look: dict[str, dict[int, dict[int, float]]] = field(default_factory=dict)
    """The same, from the bench's frames of a store camera's pose, by blur ("sharp", "soft")."""

    def sample_count(
        self, n: int, rng: np.random.Generator, look: str | None = None, store: str | None = None
    ) -> int:
        """A count of ``n`` people as the model reports it: ``n`` plus a measured error.

        The error is drawn from the benchmark's distribution for the nearest
        crowd size, an empty lane included: measured on the frames that look
        like the camera's where the table has them (``look``: its blur, at a
        store camera's pose; with ``store``, a store format the bench filmed,
        on that store's frames: its crowds, its shelves, its passers-by), else
        on all frames. A table without empty-lane frames (before the bench
        rendered them) draws the false positives per frame there.
        """
        by_look = self.count_error_by_look
        table = by_look.get(f"{store}/{look}") if store else None
        table = table or by_look.get(look or "", self.count_error_by_count)
        if not table or (n == 0 and 0 not in table):
            kept = rng.binomial(n, self.recall_for(n)) if n else 0
            return int(kept + rng.poisson(self.fp_per_frame if n == 0 else 0.0))
        sizes = np.array(sorted(table))
        errors = table[int(sizes[np.argmin(np.abs(sizes - n))])]
        weights = np.array(list(errors.values()))
        delta = list(errors)[rng.choice(len(errors), p=weights / weights.sum())]
        return max(0, n + int(delta))

    def recall_for(self, n: int) -> float:
        """Recall when ``n`` people are in view (the nearest measured crowd size)."""
        if not self.recall_by_count:
            return self.recall
        sizes = np.array(sorted(self.recall_by_count))
        return self.recall_by_count[int(sizes[np.argmin(np.abs(sizes - n))])]

    def sample(
        self, truth: np.ndarray, bounds: tuple[float, float, float, float], rng: np.random.Generator
    ) -> np.ndarray:
        """Floor points seen: each true point kept with the recall, jittered, plus false ones."""
        truth = np.asarray(truth, dtype=float).reshape(-1, 2)
        kept = truth[rng.random(len(truth)) < self.recall_for(len(truth))]
        kept = kept + rng.normal(0.0, self.loc_sd_m, kept.shape)
        n_fp = rng.poisson(self.fp_per_frame)
        x0, y0, x1, y1 = bounds
        false = np.column_stack([rng.uniform(x0, x1, n_fp), rng.uniform(y0, y1, n_fp)])
        return np.concatenate([kept, false])


@dataclass(frozen=True)
class OcrErrors:
    """How a tag reader errs: exact price rate, unreadable rate, latency per frame."""

    exact_price_rate: float
    no_read_rate: float
    latency_s: float

    def sample(self, shown_cents: int, rng: np.random.Generator) -> int | None:
        """The price read off a tag showing ``shown_cents``."""
        u = rng.random()
        if u < self.exact_price_rate:
            return shown_cents
        if u < self.exact_price_rate + self.no_read_rate:
            return None
        digits = list(f"{shown_cents:03d}")
        k = int(rng.integers(len(digits)))
        digits[k] = str((int(digits[k]) + int(rng.integers(1, 10))) % 10)
        return int("".join(digits))


class ErrorTable:
    """Error rates per model name, from bench.json or the shipped default."""

    def __init__(self, rates: dict[str, PeopleErrors | OcrErrors], source: Path):
        self.rates = rates
        self.source = source

    @classmethod
    def load(cls, path: Path | None = None) -> ErrorTable:
        """Read a bench.json (or error table) written by ``storetwin bench models``.

        Raises:
            ValueError: When the file is missing or has no usable model entries.
        """
        path = Path(path) if path else DEFAULT_TABLE
        if not path.is_file():
            raise ValueError(f"error table not found: {path}")
        data = json.loads(path.read_text(encoding="utf-8"))
        rates: dict[str, PeopleErrors | OcrErrors] = {}
        for entry in data.get("models", []):
            latency = float(entry["latency_ms_p50"]) / 1000
            if entry.get("task") == "people" and entry.get("recall") is not None:
                rates[entry["name"]] = PeopleErrors(
                    recall=float(entry["recall"]),
                    recall_by_count={
                        int(k): float(v)
                        for k, v in entry.get("recall_by_count", {}).items()
                        if v is not None
                    },
                    fp_per_frame=float(entry.get("fp_per_frame", 0.0)),
                    latency_s=latency,
                    count_error_by_count=_histograms(entry.get("count_error_by_count", {})),
                    count_error_by_look={
                        look: _histograms(by_count)
                        for look, by_count in entry.get("count_error_by_look", {}).items()
                    },
                )
            elif entry.get("task") == "ocr" and entry.get("exact_price_rate") is not None:
                rates[entry["name"]] = OcrErrors(
                    exact_price_rate=float(entry["exact_price_rate"]),
                    no_read_rate=float(entry.get("no_read_rate", 0.0)),
                    latency_s=latency,
                )
        if not rates:
            raise ValueError(f"{path}: no model entries with error rates")
        return cls(rates, path)

    def people(self, name: str) -> PeopleErrors:
        """Rates of a people model."""
        found = self.rates.get(name)
        if not isinstance(found, PeopleErrors):
            raise ValueError(f"{self.source}: no people error rates for model {name!r}")
        return found

    def ocr(self, name: str) -> OcrErrors:
        """Rates of an OCR model."""
        found = self.rates.get(name)
        if not isinstance(found, OcrErrors):
            raise ValueError(f"{self.source}: no OCR error rates for model {name!r}")
        return found


def _histograms(raw: dict) -> dict[int, dict[int, float]]:
    """JSON's string keys back to ints: true count -> count error -> share of frames."""
    return {int(n): {int(d): float(p) for d, p in hist.items()} for n, hist in raw.items()}


def look_of(blur: float) -> str:
    """The bench's blur bucket a camera's lens falls in: "sharp" below half a pixel, else "soft"."""
    return "sharp" if blur < 0.5 else "soft"
