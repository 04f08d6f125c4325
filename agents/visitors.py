"""Who walks in on a day: every arrival's customer, segment, payment, pace and list, in one block.

Drawing these per visit costs some ten small numpy calls a shopper; a day's
block costs a handful of calls in all. Common random numbers still hold: the
i-th arrival of a day takes row i of each block, and a row is the same however
many rows the day has and whatever the visits before it did, so a treated and
a counterfactual run see the same person walk in at the same time (with the
same arrivals; an intervention that changes traffic changes who comes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from agents.mission import Mission, MissionMaker
from scenarios.schema import Segment, Shoppers
from services.schemas import PaymentMethod
from twin.rng import Streams


@dataclass(eq=False, slots=True)
class Visitor:
    """One arrival as drawn in the day's block (the list is routed when the shopper walks in)."""

    customer_u: float
    segment: Segment
    payment: PaymentMethod
    speed: float
    lines: int
    """Lines drawn for the list (distinct SKUs may be fewer)."""
    picks: list[int]
    """SKUs the list names, in the order drawn (repeats possible), at most the block's width."""
    qty: list[int]
    """The row's first quantities, as many as ``picks`` (a list's stops are at most its picks)."""
    intend: list[bool]
    dwell_s: list[float]

    def mission(self, maker: MissionMaker, rng: np.random.Generator) -> Mission:
        """The list in walking order, with the store's routes of today.

        The j-th stop takes the j-th quantity, intent and dwell of the row; a list
        longer than the block's width draws the rest from the visit's own stream
        (the SKUs, then the quantities, intents and dwells beyond the width).
        """
        picks = self.picks
        if self.lines > len(picks):  # rare: a list longer than the block's width
            more = rng.random(self.lines - len(picks))
            picks = picks + np.searchsorted(maker.cdf, more, side="right").tolist()
        sku = maker.route(picks)
        k = len(sku)
        qty, intend, dwell = self.qty[:k], self.intend[:k], self.dwell_s[:k]
        extra = k - len(qty)
        if extra > 0:  # rare: more distinct SKUs than the block holds per visitor
            seg = self.segment
            qty = qty + (1 + (rng.random(extra) < seg.multi_buy)).tolist()
            intend = intend + (rng.random(extra) < seg.buy_probability).tolist()
            dwell = dwell + rng.gamma(4.0, maker.pick_s / 4.0, extra).tolist()
        return Mission(sku, qty, intend, dwell)


def block_width(segments: list[Segment]) -> int:
    """List stops drawn per visitor in a block: the longest mean list and ample room above it."""
    most = max(s.list_mean for s in segments)
    return math.ceil(most + 5.0 * math.sqrt(most)) + 4


class VisitorDraws:
    """Draws each day's arrivals as blocks from streams of their own ("visitors", day, part)."""

    def __init__(self, shoppers: Shoppers, maker: MissionMaker, streams: Streams):
        self.shoppers = shoppers
        self.streams = streams
        self.segments = list(shoppers.segments)
        self.methods = list(shoppers.payment_mix)
        self.segment_cdf = np.cumsum([s.share for s in self.segments])
        self.payment_cdf = np.cumsum(list(shoppers.payment_mix.values()))
        self.width = block_width(self.segments)
        self.cdf = maker.cdf
        self.pick_s = maker.pick_s

    def day(self, day: int, count: int) -> list[Visitor]:
        """The ``count`` arrivals of ``day``, in arrival order."""
        w, sh = self.width, self.shoppers
        gen = self.streams.generator
        u = gen("visitors", day, 0).random((count, 3 + 3 * w))
        z = gen("visitors", day, 1).standard_normal(count)
        dwell = gen("visitors", day, 2).gamma(4.0, self.pick_s / 4.0, (count, w))
        n_seg, n_pay = len(self.segments), len(self.methods)
        seg_cdf, pay_cdf = self.segment_cdf, self.payment_cdf
        seg = np.minimum(seg_cdf.searchsorted(u[:, 1] * seg_cdf[-1]), n_seg - 1)
        pay = np.minimum(pay_cdf.searchsorted(u[:, 2] * pay_cdf[-1]), n_pay - 1)
        list_mean = np.asarray([max(s.list_mean - 1.0, 0.0) for s in self.segments])
        # one Poisson draw per row in row order: row i's follows rows before it, not the count
        lines = 1 + gen("visitors", day, 3).poisson(list_mean[seg])
        # Only the cells a list can use are worked on and become Python objects (a list of
        # n lines has at most n stops; the block is some six times wider than the mean
        # list): one flat list per block, cut row by row, instead of every cell of every row.
        used = np.arange(w) < np.minimum(lines, w)[:, None]
        ends = np.cumsum(used.sum(axis=1)).tolist()
        multi = np.asarray([s.multi_buy for s in self.segments])[seg]
        buy = np.asarray([s.buy_probability for s in self.segments])[seg]
        picks = np.searchsorted(self.cdf, u[:, 3 : 3 + w][used], side="right")
        qty = 1 + (u[:, 3 + w : 3 + 2 * w] < multi[:, None])[used]
        intend = (u[:, 3 + 2 * w :] < buy[:, None])[used]
        speed = np.clip(
            sh.walking_speed_mps + sh.walking_speed_sd * z,
            sh.walking_speed_min_mps,
            sh.walking_speed_max_mps,
        )
        pk, q, it, d = (a.tolist() for a in (picks, qty, intend, dwell[used]))
        segments, methods = self.segments, self.methods
        out = []
        rows = zip(
            u[:, 0].tolist(),
            seg.tolist(),
            pay.tolist(),
            speed.tolist(),
            lines.tolist(),
            ends,
            strict=True,
        )
        a = 0
        for cu, s, p, v, n, b in rows:
            out.append(Visitor(cu, segments[s], methods[p], v, n, pk[a:b], q[a:b], it[a:b], d[a:b]))
            a = b
        return out
