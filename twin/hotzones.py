"""Hot zones from paths: passers-by and dwell per zone and per fixture, truth beside sensors.

The truth comes from every shopper's piecewise-linear trajectory, exactly: the
time each segment spends inside a zone's rectangle, within reach of an
end-cap, or along a placed display's stretch of aisle. What a store could see
stands beside it where it has the devices: WiFi probes (dwell per zone from the
phones they detect) and ceiling cameras (people in view, counted per frame).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scenarios.placement import Fixture
from twin.clock import DAY, day_of

if TYPE_CHECKING:
    from agents.shopper import Shopper
    from scenarios.schema import Scenario
    from twin.model import StoreModel

REACH_M = 1.5
"""How close a shopper must come to an end-cap to pass it without a placement block.

Ehrenberg-Bass eye-tracking study of endcaps (169 shoppers, five supermarkets)
counts a shopper as passing an endcap within one metre; the twin's walkers follow
the middle of a cross aisle, so half an aisle more.
"""

HOTZONES = pa.schema(
    [
        ("day", pa.int32()),
        ("spot", pa.string()),
        ("kind", pa.string()),
        ("zone", pa.string()),
        ("placed", pa.string()),
        ("passers", pa.int64()),
        ("dwell_s", pa.float64()),
        ("dwell_per_passer_s", pa.float64()),
        ("wifi_passers", pa.int64()),
        ("wifi_dwell_s", pa.float64()),
        ("camera_person_s", pa.float64()),
        ("camera_true_person_s", pa.float64()),
    ]
)
"""One row per day and spot (zone, end-cap, placed display): truth, then what devices saw."""


@dataclass(frozen=True)
class Spots:
    """The places counted: rectangles (zones, displays along an aisle) and discs (end-caps)."""

    ids: list[str]
    kinds: list[str]
    zones: list[str]
    rects: np.ndarray
    discs: np.ndarray
    reach: float

    @property
    def n_rects(self) -> int:
        """Rectangles come first in every per-spot array."""
        return len(self.rects)


def spots(model: StoreModel) -> Spots:
    """Every zone, both end-caps of every aisle, and each placed display that is no end-cap."""
    lay, plan = model.scenario.layout, model.plan
    ids, kinds, zones, rects, discs = [], [], [], [], []
    for z in lay.zones:
        ids.append(z.id)
        kinds.append("zone")
        zones.append(z.id)
        rects.append((z.x, z.x + z.width, z.y, z.y + z.depth))
    planogram = model.planogram
    reach = planogram.placement.reach_m if planogram is not None else REACH_M
    for d in planogram.displays if planogram is not None else []:
        if d.move.fixture is not Fixture.endcap:
            ids.append(d.name)
            kinds.append("display")
            zones.append(lay.zones[d.zone].id)
            (x, ya), (_, yb) = d.a, d.b
            rects.append((x - reach, x + reach, ya, yb))
    for i, z in enumerate(lay.zones):
        for end, y in (("front", z.y), ("back", z.y + z.depth)):
            ids.append(f"{z.id}:endcap_{end}")
            kinds.append("endcap")
            zones.append(z.id)
            discs.append((plan.aisle_x(i), y))
    return Spots(
        ids,
        kinds,
        zones,
        np.asarray(rects, float).reshape(-1, 4),
        np.asarray(discs, float).reshape(-1, 2),
        reach,
    )


def rect_share(p0: np.ndarray, p1: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Share of each segment ``p0[i]-p1[i]`` inside each rectangle (x0, x1, y0, y1); -1 if none.

    Liang-Barsky clipping: the segment's parameter interval inside the
    rectangle; a standing segment (no length) is inside wholly or not at all.
    """
    d = p1 - p0
    return _clip(
        (p0[:, 0, None], d[:, 0, None], rects[None, :, 0], rects[None, :, 1]),
        (p0[:, 1, None], d[:, 1, None], rects[None, :, 2], rects[None, :, 3]),
    )


def _clip(*axes: tuple[np.ndarray, ...]) -> np.ndarray:
    """Liang-Barsky on broadcastable (start, direction, low, high) arrays, one tuple per axis."""
    lo: np.ndarray | float = 0.0
    hi: np.ndarray | float = 1.0
    for start, d, low, high in axes:
        moving = d != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ua = np.where(moving, (low - start) / d, -np.inf)
            ub = np.where(moving, (high - start) / d, np.inf)
        still_in = (start >= low) & (start <= high)
        enter = np.where(moving, np.minimum(ua, ub), np.where(still_in, -np.inf, np.inf))
        leave = np.where(moving, np.maximum(ua, ub), np.where(still_in, np.inf, -np.inf))
        lo, hi = np.maximum(lo, enter), np.minimum(hi, leave)
    return np.where(hi >= lo, hi - lo, -1.0)


def disc_share(p0: np.ndarray, p1: np.ndarray, centres: np.ndarray, r: float) -> np.ndarray:
    """Share of each segment within ``r`` of each centre; -1 where it never comes that close."""
    d = p1 - p0
    f = p0[:, None, :] - centres[None, :, :]
    return _chord(d[:, 0, None], d[:, 1, None], f[..., 0], f[..., 1], r)


def _chord(dx: np.ndarray, dy: np.ndarray, fx: np.ndarray, fy: np.ndarray, r: float) -> np.ndarray:
    """Share of segments (direction ``d``, start ``f`` from the centre) within ``r``; -1 if none."""
    a = dx * dx + dy * dy
    b = 2.0 * (dx * fx + dy * fy)
    c = (fx * fx + fy * fy) - r * r
    moving = a > 0
    disc = b * b - 4.0 * a * c
    root = np.sqrt(np.maximum(disc, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        u0 = np.where(moving, (-b - root) / (2.0 * a), 0.0)
        u1 = np.where(moving, (-b + root) / (2.0 * a), 1.0)
    lo, hi = np.maximum(u0, 0.0), np.minimum(u1, 1.0)
    ok = np.where(moving, (disc >= 0) & (hi >= lo), c <= 0)
    return np.where(ok, hi - lo, -1.0)


def shares(xy: np.ndarray, s: Spots) -> np.ndarray:
    """Per segment of the path ``xy`` (points in order) and spot: the share inside, -1 if none."""
    p0, p1 = xy[:-1], xy[1:]
    return np.concatenate(
        [rect_share(p0, p1, s.rects), disc_share(p0, p1, s.discs, s.reach)], axis=1
    )


NEAR_M = 1e-6
"""Slack of the bounding-box test that picks the (segment, spot) pairs worth clipping.

A pair left out must be one the exact test finds apart; rounding in that test
is some 1e-13 m on a store floor, so a micrometre leaves none out by mistake.
"""


def segment_shares(
    p0: np.ndarray, p1: np.ndarray, s: Spots, ordered: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (segment, spot, share) of every pair where a segment comes into a spot.

    The same numbers as ``shares``, pair by pair, found without clipping every
    segment against every spot: a segment's bounding box picks the few spots it
    can touch (on a store floor a walk passes two or three of thirty), and only
    those pairs are clipped. Pairs come ordered by segment, then spot; with
    ``ordered=False`` by spot, then segment, which spares sorting them (a
    sum per spot adds the same numbers in the same order either way).
    """
    return segment_pairs(p0[:, 0], p0[:, 1], p1[:, 0], p1[:, 1], s, ordered)


def segment_pairs(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, s: Spots, ordered: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``segment_shares`` of the segments (``x0``, ``y0``)-(``x1``, ``y1``), by coordinate."""
    xmin, xmax = np.minimum(x0, x1) - NEAR_M, np.maximum(x0, x1) + NEAR_M
    ymin, ymax = np.minimum(y0, y1) - NEAR_M, np.maximum(y0, y1) + NEAR_M
    r, c, reach = s.rects, s.discs, s.reach
    boxes = np.concatenate(  # every spot's (x low, x high, y low, y high)
        [r, np.column_stack([c[:, 0] - reach, c[:, 0] + reach, c[:, 1] - reach, c[:, 1] + reach])]
    )
    # Spot by spot (a few dozen spots, tens of thousands of segments), then, if asked,
    # back into segment-major order. Spots share a few y ranges (a row of zones, the
    # front and back end-caps): the segments within each are picked once, and each of
    # its spots tests only those against its x range (the same tests, on fewer segments).
    by_y: dict[tuple[float, float], list[int]] = {}
    for k, y_range in enumerate(map(tuple, boxes[:, 2:].tolist())):
        by_y.setdefault(y_range, []).append(k)
    x_ranges = boxes[:, :2].tolist()
    found: list[np.ndarray] = [np.empty(0, np.intp)] * len(boxes)  # each spot's, set below
    for (ylo, yhi), ks in by_y.items():
        near = np.flatnonzero((ymax >= ylo) & (ymin <= yhi))
        lo, hi = xmin[near], xmax[near]
        for k in ks:
            xlo, xhi = x_ranges[k]
            found[k] = near[(hi >= xlo) & (lo <= xhi)]
    seg = np.concatenate(found)
    spot = np.repeat(np.arange(len(boxes)), [len(f) for f in found])
    if ordered:
        order = np.argsort(seg * len(boxes) + spot)
        seg, spot = seg[order], spot[order]
        box: np.ndarray | slice = spot < s.n_rects
        disc: np.ndarray | slice = ~box
    else:  # spot-major: the rectangles' pairs come first, a slice rather than a mask
        box = slice(0, sum(len(f) for f in found[: s.n_rects]))
        disc = slice(box.stop, None)
    share = np.empty(len(seg))
    dx, dy = x1 - x0, y1 - y0
    i, k = seg[box], spot[box]
    share[box] = _clip((x0[i], dx[i], r[k, 0], r[k, 1]), (y0[i], dy[i], r[k, 2], r[k, 3]))
    i, k = seg[disc], spot[disc] - s.n_rects
    share[disc] = _chord(dx[i], dy[i], x0[i] - c[k, 0], y0[i] - c[k, 1], reach)
    inside = share >= 0
    return seg[inside], spot[inside], share[inside]


class HotZones:
    """Accumulates finished visits' passes and dwell per spot, by the day each visit began.

    Visits are kept as their waypoint lists and counted in batches: one numpy
    pass over many visits' segments costs a fraction of one pass per visit.
    """

    BATCH = 1000

    def __init__(self, model: StoreModel):
        self.model = model
        self.spots = spots(model)
        self.passers: dict[int, np.ndarray] = {}
        self.dwell: dict[int, np.ndarray] = {}
        self._pending: list[tuple[int, np.ndarray]] = []

    def add(self, shopper: Shopper) -> None:
        """Take one finished visit's trajectory (counted with the next batch)."""
        traj = shopper.trajectory
        if len(traj.t) >= 2:
            self._pending.append((day_of(shopper.arrived), traj.t, traj.x, traj.y))
        if len(self._pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        n = len(self.spots.ids)
        for day in sorted({p[0] for p in pending}):
            paths = [p for p in pending if p[0] == day]
            sizes = np.asarray([len(p[1]) - 1 for p in paths])
            t, x, y = (_doubles([p[k] for p in paths]) for k in (1, 2, 3))
            last = np.cumsum(sizes + 1) - 1  # a visit's last point starts no segment
            keep = np.ones(len(t) - 1, bool)
            keep[last[:-1]] = False
            # Each coordinate picked on its own: a mask picks the rows of a 2-D (x, y)
            # array some ten times as dearly as the same numbers of a 1-D one (callgrind).
            x0, y0, x1, y1 = x[:-1][keep], y[:-1][keep], x[1:][keep], y[1:][keep]
            # spot-major pairs: each spot's dwell adds its segments in the same (rising)
            # order as segment-major ones would, so the sums are the same bit for bit
            seg, spot, share = segment_pairs(x0, y0, x1, y1, self.spots, ordered=False)
            seconds = np.diff(t)[keep][seg] * share
            visit = np.repeat(np.arange(len(paths)), sizes)[seg]
            passed = np.zeros((len(paths), n), bool)
            passed[visit, spot] = True
            self.passers.setdefault(day, np.zeros(n, np.int64))[:] += passed.sum(axis=0)
            self.dwell.setdefault(day, np.zeros(n))[:] += np.bincount(
                spot, weights=seconds, minlength=n
            )

    def table(self) -> pa.Table:
        """The truth per day and spot (observed columns empty; ``with_observations`` fills them)."""
        self._flush()
        s = self.spots
        placed = self._placed()
        cols: dict[str, list] = {name: [] for name in HOTZONES.names}
        for day in sorted(self.passers):
            on = placed.get(day, {})
            for k, spot in enumerate(s.ids):
                passers, dwell = int(self.passers[day][k]), float(self.dwell[day][k])
                cols["day"].append(day)
                cols["spot"].append(spot)
                cols["kind"].append(s.kinds[k])
                cols["zone"].append(s.zones[k])
                cols["placed"].append(on.get(spot, ""))
                cols["passers"].append(passers)
                cols["dwell_s"].append(round(dwell, 3))
                cols["dwell_per_passer_s"].append(round(dwell / passers, 3) if passers else 0.0)
                for name in HOTZONES.names[8:]:
                    cols[name].append(None)
        return pa.table(cols, schema=HOTZONES)

    def _placed(self) -> dict[int, dict[str, str]]:
        """What stands on each displayed spot, per day the move is in place."""
        planogram = self.model.planogram
        out: dict[int, dict[str, str]] = {}
        if planogram is None:
            return out
        for day in self.passers:
            here: dict[str, str] = {}
            for d in planogram.active(day):
                spot = d.name
                if d.move.fixture is Fixture.endcap:
                    zone = self.model.scenario.layout.zones[d.zone].id
                    spot = f"{zone}:endcap_{d.move.end}"
                what = d.move.category or d.move.sku or ""
                here[spot] = f"{here[spot]}+{what}" if spot in here else what
            out[day] = here
        return out


def _doubles(lists: list[list[float]]) -> np.ndarray:
    """The floats of ``lists``, end to end, as one array.

    Joined as a list and packed by ``struct`` (each float's C double, copied):
    about half the instructions of ``np.fromiter``, which packs each item on its own.
    """
    flat: list[float] = []
    for values in lists:
        flat += values
    return np.frombuffer(struct.pack(f"{len(flat)}d", *flat))


def with_observations(
    truth: pa.Table, tables: dict[str, pa.Table], scenario: Scenario, plan_zone_of
) -> pa.Table:
    """The truth table with what WiFi probes and ceiling cameras saw per zone, where they exist.

    WiFi: phones seen in the zone (passers) and their observed seconds there,
    only for the share of phones the probes detect. Cameras: people in view
    per frame times the frame interval (person-seconds), observed and true, for
    the ceiling cameras that hang over the zone (a camera sees part of it).
    """
    cols = {name: truth[name].to_pylist() for name in truth.schema.names}
    row = {(d, s): i for i, (d, s) in enumerate(zip(cols["day"], cols["spot"], strict=True))}
    wifi = tables.get("wifi_dwell")
    if wifi is not None and wifi.num_rows:
        seen = wifi.filter(pc.greater(wifi["observed_s"], 0.0))
        grouped = seen.group_by(["day", "zone"]).aggregate(
            [("observed_s", "sum"), ("visit_id", "count")]
        )
        names = ("day", "zone", "observed_s_sum", "visit_id_count")
        for day, zone, secs, n in zip(*(grouped[c].to_pylist() for c in names), strict=True):
            i = row.get((day, zone))
            if i is not None:
                cols["wifi_dwell_s"][i] = round(secs, 3)
                cols["wifi_passers"][i] = n
        if scenario.devices.wifi_probe is not None:
            for i, kind in enumerate(cols["kind"]):
                if kind == "zone" and cols["wifi_dwell_s"][i] is None:
                    cols["wifi_dwell_s"][i], cols["wifi_passers"][i] = 0.0, 0
    _cameras(cols, row, tables.get("readings"), scenario, plan_zone_of)
    return pa.table(cols, schema=HOTZONES)


def _cameras(cols, row, readings, scenario: Scenario, plan_zone_of) -> None:
    cams = scenario.devices.cameras
    if readings is None or not readings.num_rows or cams is None:
        return
    zones = [z.id for z in scenario.layout.zones]
    over = {}
    for cam in cams.cameras:
        if cam.kind == "ceiling":
            z = plan_zone_of(cam.x, cam.y)
            if z >= 0:
                over[cam.id] = (zones[z], cam.interval_s)
    if not over:
        return
    people = readings.filter(
        pc.and_(
            pc.equal(readings["kind"], "ceiling_camera"), pc.equal(readings["metric"], "people")
        )
    )
    for dev, t, seen, true in zip(
        *(people[c].to_pylist() for c in ("device_id", "t_s", "observed", "truth")), strict=True
    ):
        if dev not in over:
            continue
        zone, step = over[dev]
        i = row.get((int(t // DAY), zone))
        if i is None:
            continue
        cols["camera_person_s"][i] = (cols["camera_person_s"][i] or 0.0) + (seen or 0.0) * step
        cols["camera_true_person_s"][i] = (cols["camera_true_person_s"][i] or 0.0) + true * step


def summary_lines(table: pa.Table, top: int = 5) -> list[str]:
    """The busiest zones and end-caps of a run, for the command line."""
    if table.num_rows == 0:
        return []
    df = table.to_pandas()
    days = max(df["day"].nunique(), 1)
    lines = []
    for kind, label in (("zone", "zones"), ("endcap", "end-caps"), ("display", "displays")):
        part = df[df["kind"] == kind].groupby("spot", sort=False)[["passers", "dwell_s"]].sum()
        if part.empty:
            continue
        part = part.sort_values("passers", ascending=False).head(top)
        shown = ", ".join(
            f"{spot} {p / days:.0f}/day ({d / max(p, 1):.0f} s)" for spot, (p, d) in part.iterrows()
        )
        lines.append(f"hot {label} (passers-by a day, dwell each): {shown}")
    placed = df[df["placed"] != ""].groupby(["spot", "placed"], sort=False)["passers"].sum()
    for (spot, what), p in placed.items():
        lines.append(f"placed: {what} on {spot}, {p / days:.0f} passers-by a day")
    return lines


def report_lines(out: Path, arms: list[str]) -> list[str]:
    """Hot-zone lines for the command line from the run folders under ``out`` (one per arm)."""
    lines = []
    for arm in arms:
        path = out / arm / "hotzones.parquet"
        if not path.exists():
            continue
        table = pq.read_table(path)
        lines += [f"{arm}: {line}" if arm else line for line in summary_lines(table)]
    return lines
