"""Everything the dashboard reads: run folders under ``--runs`` and the store services.

Pages never open a file or call the services themselves; they ask this module.
Anything that cannot be read (a half-written folder, a bad JSON file, a server
that does not answer, a key that may not see a store) becomes a ``Problem``
whose message the page shows instead of a chart. Nothing here writes: a run
folder's services database is read from a temporary copy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from twin.result import HEADLINE, KPI_DOC

T = TypeVar("T")
CONFIG_KEY = "storetwin.source"
MAX_DEPTH = 4
STEPS = ("identify", "estimate", "review", "run", "evaluate", "decide")

# Which files make a folder which kind of result (the first match wins; its
# subfolders are part of it and not searched).
MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pilot", ("report.json", "pilot.json", "steps")),
    ("what_if", ("what_if.json",)),
    ("replicated", ("differences.json",)),
    ("sweep", ("sweep.json",)),
    ("validation", ("validation.json",)),  # `pilot validate`: its store runs are its own
    ("bench", ("bench.json",)),
    ("loadtest", ("loadtest.json",)),
    ("chain", ("stores.parquet",)),
    ("run", ("summary.json",)),
)
COMMANDS = {
    "pilot": "storetwin pilot self_checkout --out runs/pilot1",
    "what_if": 'storetwin run supermarket --days 1 --set "interventions=[self_checkout]"',
    "chain": "storetwin run my_chain.yaml  (a scenario with a chain: block)",
    "run": "storetwin run supermarket --days 1",
    "trace": "storetwin run supermarket --days 1 --trace",
    "bench": "storetwin bench models --out runs/bench",
    "loadtest": "storetwin loadtest ... --out runs/load1",
}
"""The command that makes each kind of folder, for the pages' empty states."""

__all__ = ["HEADLINE", "KPI_DOC"]


class Problem(Exception):
    """Something the dashboard could not read; its message is shown on the page."""


@dataclass(frozen=True)
class Source:
    """Where the dashboard reads from: a folder of runs, and optionally live services."""

    runs: Path
    services: str | None = None
    api_key: str | None = None

    @classmethod
    def current(cls) -> Source:
        """The source of the app serving the current request."""
        from flask import current_app

        return current_app.config[CONFIG_KEY]


@dataclass(frozen=True)
class Found:
    """One result folder under the runs folder."""

    kind: str
    name: str
    path: Path


def kind_of(folder: Path) -> str | None:
    """The kind of result ``folder`` holds, or None."""
    for kind, markers in MARKERS:
        if any((folder / m).exists() for m in markers):
            return kind
    return None


def find(runs: Path) -> list[Found]:
    """Every result folder under ``runs`` (itself included), sorted by name."""
    if not runs.is_dir():
        return []
    found = []
    for here, dirs, _ in os.walk(runs):
        folder = Path(here)
        depth = len(folder.relative_to(runs).parts)
        kind = kind_of(folder)
        if kind is not None:
            name = folder.relative_to(runs).as_posix()
            found.append(Found(kind, "." if name == "." else name, folder))
            dirs.clear()
        elif depth >= MAX_DEPTH:
            dirs.clear()
        else:
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    return sorted(found, key=lambda f: f.name)


def of_kind(runs: Path, *kinds: str) -> list[Found]:
    """The folders of the given kinds."""
    return [f for f in find(runs) if f.kind in kinds]


def folder(runs: Path, name: str) -> Path:
    """The folder ``name`` under ``runs``; a Problem if it is not there or lies outside."""
    root = runs.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise Problem(f"{name}: not inside the runs folder {runs}")
    if not path.is_dir():
        raise Problem(f"{name}: no such folder under {runs}")
    return path


def read_json(path: Path) -> Any:
    """A JSON file, or a Problem that says what is wrong with it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Problem(f"{path.name} is missing in {path.parent}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(
            f"{path} cannot be read ({exc}); it may be half-written: run its command again"
        ) from None


def read_parquet(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet file, or a Problem that says what is wrong with it."""
    if not path.exists():
        raise Problem(f"{path.name} is missing in {path.parent}")
    try:
        return pd.read_parquet(path, columns=columns)
    except Exception as exc:  # pyarrow raises many kinds for a truncated or foreign file
        raise Problem(
            f"{path} cannot be read ({type(exc).__name__}: {exc}); it may be half-written"
        ) from None


def need(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], what: str) -> pd.DataFrame:
    """``frame`` if it has ``columns``, else a Problem naming the missing ones."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise Problem(f"{what} lacks the columns {', '.join(missing)}")
    return frame


# --- pilots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PilotRow:
    """One pilot in the list: how far it got and what was decided."""

    name: str
    title: str
    step: str
    decision: str | None
    warnings: int
    problem: str | None = None


@dataclass(frozen=True)
class Pilot:
    """One finished pilot: its report, the store-day panel and the synthetic-control series."""

    name: str
    report: dict[str, Any]
    panel: pd.DataFrame | None
    series: dict[str, dict[str, list[float]]]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        """The money unit of the report (report.json may not say it)."""
        return str(self.report.get("currency", "currency"))


def last_step(path: Path) -> str:
    """The last of the six steps whose artefact is saved (``none`` before the first)."""
    done = [s for i, s in enumerate(STEPS) if (path / "steps" / f"{i + 1}_{s}.json").exists()]
    return done[-1] if done else "none"


def pilot_rows(runs: Path) -> list[PilotRow]:
    """Every pilot folder under ``runs``, the unreadable ones with their problem."""
    rows = []
    for f in of_kind(runs, "pilot"):
        step = last_step(f.path)
        if not (f.path / "report.json").exists():
            rows.append(PilotRow(f.name, f.name, step, None, 0, "no report.json yet"))
            continue
        try:
            report = read_json(f.path / "report.json")
            rows.append(
                PilotRow(
                    f.name,
                    str(report.get("name", f.name)),
                    step,
                    report.get("decision"),
                    len(report.get("warnings") or []),
                )
            )
        except Problem as exc:
            rows.append(PilotRow(f.name, f.name, step, None, 0, str(exc)))
    return rows


REPORT_KEYS = ("name", "estimates", "decision", "decision_rule", "periods")


def load_pilot(runs: Path, name: str) -> Pilot:
    """A finished pilot by folder name; a Problem if its report is missing or broken."""
    path = folder(runs, name)
    if not (path / "report.json").exists():
        raise Problem(
            f"{name}: the pilot has no report.json yet (last step saved: {last_step(path)}); "
            f"finish it with: storetwin pilot <pilot> --out {path}"
        )
    report = read_json(path / "report.json")
    if not isinstance(report, dict) or any(k not in report for k in REPORT_KEYS):
        raise Problem(f"{name}/report.json lacks some of {', '.join(REPORT_KEYS)}")
    notes = []
    panel = None
    try:
        panel = need(
            read_parquet(path / "panel.parquet"),
            ("store_id", "group", "arm", "day"),
            f"{name}/panel.parquet",
        )
    except Problem as exc:
        notes.append(f"charts over time are missing: {exc}")
    series: dict[str, dict[str, list[float]]] = {}
    evaluated = path / "steps" / "5_evaluate.json"
    if evaluated.exists():
        try:
            estimates = read_json(evaluated).get("estimates", {})
            series = {
                k: e["synthetic_control"]["series"]
                for k, e in estimates.items()
                if "series" in e.get("synthetic_control", {})
            }
        except (Problem, AttributeError, TypeError) as exc:
            notes.append(f"synthetic control series missing: {exc}")
    warnings = report.get("warnings") or []
    return Pilot(name, report, panel, series, [w for w in warnings if isinstance(w, dict)], notes)


# --- runs, chains, what-ifs ---------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    """A base and its variants: the KPI rows of what_if.json and the arms' hourly series."""

    name: str
    rows: pd.DataFrame
    hourly: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def arms(self) -> list[str]:
        """``base`` then the variants, in file order."""
        return ["base", *dict.fromkeys(self.rows["variant"])]


def hourly_of(path: Path) -> pd.DataFrame:
    """Hourly series of a store run, or of a chain run summed over its stores."""
    own = path / "hourly.parquet"
    if own.exists():
        return read_parquet(own)
    parts = [read_parquet(p) for p in sorted((path / "stores").glob("*/hourly.parquet"))]
    if not parts:
        raise Problem(f"{path.name}: no hourly.parquet")
    return pd.concat(parts).groupby(["day", "hour"], as_index=False).sum(numeric_only=True)


DIFFERENCES = ("variant", "kpi", "base", "value", "diff", "ci_low", "ci_high", "distinguishable")


def load_differences(runs: Path, name: str) -> tuple[pd.DataFrame, dict]:
    """Paired differences of ``run --replications`` or a sweep, and the file they came from.

    differences.json's ``rows`` or sweep.json's ``differences``; a Problem if missing.
    """
    path = folder(runs, name)
    file = "sweep.json" if (path / "sweep.json").exists() else "differences.json"
    body = read_json(path / file)
    rows = (
        body.get("differences" if file == "sweep.json" else "rows")
        if isinstance(body, dict)
        else None
    )
    frame = pd.DataFrame(rows or [])
    if frame.empty:
        raise Problem(f"{name}/{file} has no differences")
    return need(frame, DIFFERENCES, f"{name}/{file}"), body


def load_what_if(runs: Path, name: str) -> WhatIf:
    """A what-if folder; a Problem if what_if.json is missing or broken."""
    path = folder(runs, name)
    data = read_json(path / "what_if.json")
    rows = pd.DataFrame(data.get("rows", []) if isinstance(data, dict) else [])
    if rows.empty:
        raise Problem(f"{name}/what_if.json has no rows")
    need(rows, ("variant", "kpi", "base", "value", "diff", "diff_pct"), f"{name}/what_if.json")
    # folders written before the rule: no % of a loss (as the CLI and the pilot page)
    rows["diff_pct"] = rows["diff_pct"].astype(float).where(rows["base"] > 0)
    parts, notes = [], []
    for arm in ["base", *dict.fromkeys(rows["variant"])]:
        try:
            h = hourly_of(path / arm)
        except Problem as exc:
            notes.append(f"{arm}: {exc}")
            continue
        h = h.assign(arm=arm, t_h=h["day"] * 24 + h["hour"])
        parts.append(h)
    hourly = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return WhatIf(name, rows, hourly, notes)


@dataclass(frozen=True)
class Chain:
    """A chain (or single-store) run: KPIs per store, per format and day, store attributes."""

    name: str
    by_store: pd.DataFrame
    by_format_day: pd.DataFrame
    stores: list[str]


SUMS = ("visitors", "transactions", "sales", "gross_margin", "contribution", "labour_cost")
MEANS = ("queue_wait_p95_s", "satisfaction")


def per_store(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily store KPIs aggregated per store: sums, means, conversion, days."""
    g = daily.groupby("store_id")
    out = g[[c for c in SUMS if c in daily]].sum()
    out[[c for c in MEANS if c in daily]] = g[[c for c in MEANS if c in daily]].mean()
    out["days"] = g.size()
    out["conversion"] = out["transactions"] / out["visitors"].where(out["visitors"] > 0)
    return out.reset_index()


def load_chain(runs: Path, name: str, only: list[str] | None = None) -> Chain:
    """A chain or store run folder, aggregated before anything is plotted.

    ``only``: the stores a store key may see (None: all); the others are left
    out before aggregating, so no total or format line carries them.
    """
    path = folder(runs, name)
    daily = need(
        read_parquet(path / "daily.parquet"), ("store_id", "day", *SUMS), f"{name}/daily.parquet"
    )
    if only is not None:
        daily = daily[daily["store_id"].isin(only)]
        if daily.empty:
            raise Problem(f"{name}: none of its stores is one this key may see ({', '.join(only)})")
    by_store = per_store(daily)
    attributes = path / "stores.parquet"
    if attributes.exists():
        attrs = read_parquet(attributes)
        if "store_id" in attrs:
            by_store = attrs.merge(by_store, on="store_id", how="right")
    if "format" not in by_store:
        summary = read_json(path / "summary.json")
        fmt = str(summary.get("scenario", "store")).split("-v")[0]
        by_store["format"] = fmt
    daily = daily.merge(by_store[["store_id", "format"]], on="store_id")
    g = daily.groupby(["format", "day"])
    by_format_day = g[list(SUMS)].sum()
    by_format_day[list(MEANS)] = g[list(MEANS)].mean()
    by_format_day["stores"] = g["store_id"].nunique()
    return Chain(name, by_store, by_format_day.reset_index(), sorted(by_store["store_id"]))


def store_db(runs: Path, name: str, store_id: str) -> Path:
    """The services database of one store of a run folder."""
    path = folder(runs, name)
    for candidate in (path / "stores" / store_id / "store.db", path / "store.db"):
        if candidate.exists():
            return candidate
    raise Problem(f"{name}: no services database (store.db) for store {store_id}")


# --- services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reports:
    """A store manager's reports: sales per day, per category, per payment method, per month."""

    store_id: str | None
    sales: pd.DataFrame
    categories: pd.DataFrame
    payments: pd.DataFrame
    profit: pd.DataFrame


@contextmanager
def _copy_of(db: Path) -> Iterator[Path]:
    """A throwaway copy of a SQLite file, so reading it never touches the run folder."""
    with tempfile.TemporaryDirectory(prefix="storetwin-dash-") as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copyfile(db, copy)
        yield copy


@contextmanager
def client_for(source: Source, db: Path | None = None) -> Iterator[Any]:
    """A StoreClient: HTTP against ``source.services``, else in-process on a copy of ``db``."""
    from services.client import HttpClient, InProcessClient
    from services.db import Database
    from services.db.engine import sqlite_url

    if source.services is not None:
        client = HttpClient(source.services, source.api_key, timeout=10.0, retries=0)
        try:
            yield client
        finally:
            client.close()
        return
    if db is None:
        raise Problem("no services given (--services) and no run folder chosen")
    with _copy_of(db) as copy:
        database = Database(sqlite_url(copy))
        client = InProcessClient(database)
        try:
            yield client
        finally:
            client.close()
            database.dispose()


def ask(call: Callable[[], T], where: str) -> T:
    """Call the services, turning their refusals and silences into a Problem."""
    import httpx

    from services.domain.errors import DomainError

    try:
        return call()
    except DomainError as exc:
        raise Problem(f"{where}: the services refused: {exc}") from None
    except httpx.HTTPError as exc:
        raise Problem(f"{where}: no answer from the services ({exc})") from None


FAR_PAST, FAR_FUTURE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def reports(
    client: Any, store_id: str | None, start: dt.date = FAR_PAST, end: dt.date = FAR_FUTURE
) -> Reports:
    """The manager reports of one store (None: the chain, HQ only) over a date range."""
    where = f"reports of {store_id or 'the chain'}"

    def frame(call: Callable[[], list]) -> pd.DataFrame:
        return pd.DataFrame([r.model_dump(mode="json") for r in ask(call, where)])

    return Reports(
        store_id,
        frame(lambda: client.sales_report(store_id, start, end)),
        frame(lambda: client.category_report(store_id, start, end)),
        frame(lambda: client.payment_report(store_id, start, end)),
        frame(lambda: client.profit_report(store_id, start, end)),
    )


_REPORTS: dict[tuple[Path, int, str], Reports] = {}
_REPORTS_LOCK = threading.Lock()
REPORTS_KEPT = 8


def run_reports(runs: Path, name: str, store_id: str) -> Reports:
    """A store's reports from a run folder's own services database, computed once per file.

    A finished run's database does not change, and a 28-day supermarket's reports
    take about a second of SQL over hundreds of thousands of order lines, so they
    are kept (the last few stores) until the file is rewritten. Callers that ask
    while they are computed wait for that one computation.
    """
    db = store_db(runs, name, store_id)
    key = (db, db.stat().st_mtime_ns, store_id)
    with _REPORTS_LOCK:
        if key not in _REPORTS:
            with client_for(Source(runs), db) as client:
                found = reports(client, store_id)
            while len(_REPORTS) >= REPORTS_KEPT:
                _REPORTS.pop(next(iter(_REPORTS)))
            _REPORTS[key] = found
        return _REPORTS[key]


def service_stores(client: Any) -> list[str]:
    """The store ids the services know."""
    return sorted(s.id for s in ask(client.list_stores, "store list"))


def may_read(client: Any, store_id: str | None) -> bool:
    """Whether the client's key may read ``store_id``'s reports (None: the chain's).

    Asked of the services with an empty report (one day long ago), so the
    services, not the dashboard, decide what a key reaches.
    """
    from services.domain.errors import Forbidden

    def probe() -> bool:
        try:
            client.sales_report(store_id, FAR_PAST, FAR_PAST)
        except Forbidden:
            return False
        return True

    return ask(probe, "store access")


def store_reach(client: Any) -> list[str] | None:
    """The stores whose reports the client's key may read; None for the whole chain (HQ).

    Every staff key may list the stores, so the list alone would show a store
    key the whole chain. A key that may read the chain's reports (HQ) reaches
    every store; a store key reaches exactly one, so the search stops there.
    """
    if may_read(client, None):
        return None
    return next(([s] for s in service_stores(client) if may_read(client, s)), [])


# --- bench and load test ----------------------------------------------------------------------


def load_json_result(runs: Path, name: str, file: str) -> dict[str, Any]:
    """bench.json or loadtest.json of a folder, as a dict."""
    data = read_json(folder(runs, name) / file)
    if not isinstance(data, dict):
        raise Problem(f"{name}/{file} is not a JSON object")
    return data


# --- the store floor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Floor:
    """A traced store run: positions on a time grid, queue spells, the floor plan, heat cells."""

    name: str
    tracks: pd.DataFrame
    queues: pd.DataFrame
    plan: pd.DataFrame
    heat: pd.DataFrame | None
    shelves: pd.DataFrame = field(default_factory=lambda: shelf_spells(pd.DataFrame()))
    frames: pd.DataFrame | None = None

    @property
    def times(self) -> Any:
        """The grid times that have anyone on the floor, in order."""
        return self.tracks["t_s"].unique()

    def at(self, t: int) -> pd.DataFrame:
        """Everyone's position at grid time ``t`` (the tracks are sorted by time)."""
        col = self.tracks["t_s"].to_numpy()
        lo, hi = col.searchsorted(t, "left"), col.searchsorted(t, "right")
        return self.tracks.iloc[lo:hi]

    def marks(self, t: float) -> dict[str, pd.DataFrame]:
        """The shelves out of stock and the labels showing a wrong price at time ``t``."""
        s = self.shelves
        now = s[(s["start_s"] <= t) & (s["end_s"] > t)]
        return {k: now[now["kind"] == k] for k in SHELF_KINDS}

    def queuing(self, t: float) -> set[int]:
        """The visits standing in a queue at time ``t``."""
        q = self.queues
        return set(q.loc[(q["start_s"] <= t) & (q["end_s"] > t), "visit_id"])


SHELF_KINDS = {"out_of_stock": "restocked", "price_mismatch": "price_fixed"}
"""Each kind of shelf spell, by the trace event that starts it and the one that ends it."""
SPELL_COLUMNS = ["kind", "sku", "zone", "x", "y", "start_s", "end_s", "labels"]
SPELL_COLUMNS += ["shown_cents", "price_cents"]


def shelf_spells(events: pd.DataFrame) -> pd.DataFrame:
    """shelf_events.parquet as spells: a row from each start event to its end (inf if open).

    Columns: kind (out_of_stock or price_mismatch), sku, zone, x, y, start_s, end_s,
    and for labels: labels (paper or esl), shown_cents, price_cents.
    """
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in SPELL_COLUMNS})
    parts = []
    for kind, end in SHELF_KINDS.items():
        rows = events[events["event"].isin([kind, end])].sort_values(["sku", "t_s"], kind="stable")
        nxt = rows.groupby("sku")["t_s"].shift(-1)
        starts = rows["event"] == kind
        spell = rows[starts].assign(
            kind=kind, start_s=rows.loc[starts, "t_s"], end_s=nxt[starts].fillna(np.inf)
        )
        parts.append(spell.reindex(columns=SPELL_COLUMNS))
    return pd.concat(parts, ignore_index=True).sort_values("start_s", kind="stable")


def traced(runs: Path) -> list[str]:
    """The folders under ``runs`` (a what-if's arms included) that have tracks.parquet."""
    if not runs.is_dir():
        return []
    names = []
    for depth in range(1, MAX_DEPTH + 1):
        for path in runs.glob("/".join(["*"] * (depth - 1) + ["tracks.parquet"])):
            names.append(path.parent.relative_to(runs).as_posix() or ".")
    return sorted(names)


_FLOORS: dict[tuple[Path, int], Floor] = {}


def load_floor(runs: Path, name: str) -> Floor:
    """A traced run; read once per file version, since the replay asks for it every frame."""
    path = folder(runs, name)
    tracks_path = path / "tracks.parquet"
    if not tracks_path.exists():
        raise Problem(f"{name}: no tracks.parquet; make one with: {COMMANDS['trace']}")
    key = (tracks_path, tracks_path.stat().st_mtime_ns)
    if key not in _FLOORS:
        tracks = need(read_parquet(tracks_path), ("t_s", "id", "kind", "x", "y"), "tracks")
        tracks["kind"] = tracks["kind"].astype(str)
        queues = need(
            read_parquet(path / "queues.parquet"),
            ("visit_id", "till", "lane", "start_s", "end_s"),
            "queues",
        )
        plan = need(read_parquet(path / "floor.parquet"), ("kind", "name", "x", "y"), "floor")
        heat_path = path / "heat.parquet"
        heat = read_parquet(heat_path) if heat_path.exists() else None
        shelves = shelf_spells(pd.DataFrame())
        if (path / "shelf_events.parquet").exists():
            events = need(
                read_parquet(path / "shelf_events.parquet"),
                ("t_s", "event", "sku", "x", "y"),
                "shelf_events",
            )
            shelves = shelf_spells(events)
        frames = None
        if (path / "frames.parquet").exists():
            frames = need(
                read_parquet(path / "frames.parquet"),
                ("camera", "view", "t_s", "width", "height", "jpeg", "truth", "predicted"),
                "frames",
            )
        _FLOORS.clear()  # one replay at a time is enough; a store-day is tens of MB in memory
        tracks = tracks.sort_values("t_s", kind="stable")
        _FLOORS[key] = Floor(name, tracks, queues, plan, heat, shelves, frames)
    return _FLOORS[key]


@dataclass(frozen=True)
class CameraFrame:
    """One sampled camera frame: the JPEG and both box sets, in pixels."""

    camera: str
    view: int
    t_s: float
    model: str
    width: int
    height: int
    jpeg: bytes
    truth: list[list[float]]
    predicted: list[list[float]]


def camera_frame(frames: pd.DataFrame, index: int) -> CameraFrame:
    """Row ``index`` of frames.parquet, its boxes parsed; a Problem if it cannot be read."""
    if not 0 <= index < len(frames):
        raise Problem(f"no camera frame number {index}")
    row = frames.iloc[index]
    try:
        truth, predicted = json.loads(row["truth"]), json.loads(row["predicted"])
    except (TypeError, json.JSONDecodeError) as exc:
        raise Problem(f"frame {index}: its boxes cannot be read ({exc})") from None
    return CameraFrame(
        str(row["camera"]),
        int(row["view"]),
        float(row["t_s"]),
        str(row.get("model", "model")),
        int(row["width"]),
        int(row["height"]),
        bytes(row["jpeg"]),
        truth,
        predicted,
    )


def queue_lengths(queues: pd.DataFrame, step_s: int = 60) -> pd.DataFrame:
    """People waiting per till every ``step_s`` seconds: columns t_s, till, waiting."""
    if queues.empty:
        return pd.DataFrame(columns=["t_s", "till", "waiting"])
    label = queues["till"].where(
        queues["till"] != "lane", "lane " + (queues["lane"] + 1).astype(str)
    )
    start = int(queues["start_s"].min() // step_s * step_s)
    grid = np.arange(start, int(queues["end_s"].max()) + step_s, step_s)
    parts = []
    for till, part in queues.groupby(label):
        starts = np.sort(part["start_s"].to_numpy())
        ends = np.sort(part["end_s"].to_numpy())
        waiting = starts.searchsorted(grid, "right") - ends.searchsorted(grid, "right")
        parts.append(pd.DataFrame({"t_s": grid, "till": till, "waiting": waiting}))
    return pd.concat(parts, ignore_index=True)


def heat_from_tracks(tracks: pd.DataFrame, step_s: int, cell_m: float = 2.0) -> pd.DataFrame:
    """Seconds spent per floor cell by shoppers, from the sampled positions (the truth)."""
    shoppers = tracks[tracks["kind"] == "shopper"]
    cells = pd.DataFrame(
        {
            "cell_x": (shoppers["x"] // cell_m).astype(int),
            "cell_y": (shoppers["y"] // cell_m).astype(int),
        }
    )
    out = cells.value_counts().rename("true_s").reset_index()
    out["true_s"] = out["true_s"] * step_s
    return out


def library(source: Source) -> list[dict[str, Any]]:
    """The project library of the services (every pilot HQ recorded), newest first."""
    with client_for(source) as client:
        projects = ask(client.list_projects, "project library")
    return [
        {
            "project": p.name,
            "intervention": p.intervention,
            "status": p.status.value,
            "decision": None if p.decision is None else p.decision.value,
            "pilot stores": len(p.pilot_stores),
            "updated": p.updated_at.strftime("%Y-%m-%d %H:%M"),
        }
        for p in sorted(projects, key=lambda p: p.updated_at, reverse=True)
    ]


def load_timeline(result: Mapping[str, Any]) -> pd.DataFrame:
    """loadtest.json's per-second timeline as columns: t_s, req/s, errors/s, p95 per endpoint."""
    rows = result.get("timeline")
    if not isinstance(rows, list) or not rows:
        return pd.DataFrame()
    points = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        point = {
            "t_s": row.get("t"),
            "requests_per_s": row.get("rps"),
            "errors_per_s": row.get("errors"),
        }
        p95 = row.get("p95")
        if isinstance(p95, dict):
            point.update({f"p95 {name}": value for name, value in p95.items()})
        points.append(point)
    return pd.DataFrame(points)


def load_endpoints(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """loadtest.json's per-endpoint figures as table rows, one per endpoint."""
    found = result.get("endpoints")
    if not isinstance(found, dict):
        return []
    return [{"endpoint": name, **stats} for name, stats in found.items() if isinstance(stats, dict)]
