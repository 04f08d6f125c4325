"""How a shopper responds to a promotion they see: the response curves, as plain functions.

Each function takes the visit's promotion generator and the scenario's
``marketing.response`` parameters (sources in docs/calibration.md, "Promotion
responses"), so the twin's marketing desk (``twin.marketing``) only decides who
sees what and books the outcome.
"""

from __future__ import annotations

import math

import numpy as np

from scenarios.marketing import Response


def unit_lift(depth: float, response: Response) -> float:
    """Relative rise in units bought at a discount of ``depth`` (0.2 = 20% off).

    A saturating deal-effect curve: its slope at a small discount is the
    promotional elasticity, and it flattens towards ``max_lift``, so each extra
    point of discount sells fewer extra units than the one before (diminishing
    returns, Van Heerde, Leeflang & Wittink 2001).
    """
    if depth <= 0:
        return 0.0
    cap = response.max_lift
    return cap * (1.0 - math.exp(response.elasticity * min(depth, 1.0) / cap))


def extra_units(
    rng: np.random.Generator, planned: int, depth: float, response: Response
) -> tuple[int, int]:
    """(extra units, of which stockpiled) a planner of a promoted item buys on top of the plan."""
    extra = int(rng.poisson(planned * unit_lift(depth, response)))
    stocked = int(rng.binomial(extra, response.stockpile_share)) if extra else 0
    return extra, stocked


def trial(rng: np.random.Generator, base: float, depth: float, response: Response) -> bool:
    """Whether a shopper who did not plan the item, and noticed its label, takes one.

    ``base`` is the store's impulse chance for a promoted item; the discount
    scales it by the same lift as the planners' units.
    """
    return rng.random() < min(base * unit_lift(depth, response), 1.0)


def tops_up(
    rng: np.random.Generator, basket_cents: int, threshold: int, response: Response
) -> bool:
    """Whether a shopper a little below a spend threshold adds items to reach it.

    Within ``topup_reach`` of the threshold the chance falls linearly from
    ``topup_probability`` (just below it) to zero (at the edge of the reach);
    the goal-gradient effect (Kivetz, Urminsky & Zheng 2006).
    """
    gap = threshold - basket_cents
    reach = response.topup_reach * threshold
    if gap <= 0 or gap > reach:
        return False
    return rng.random() < response.topup_probability * (1.0 - gap / reach)


def completes_bundle(rng: np.random.Generator, depth: float, response: Response) -> bool:
    """Whether a shopper taking one item of a bundle takes the rest of it too."""
    return rng.random() < min(response.bundle_take * unit_lift(depth, response), 0.9)


def filler(prices: np.ndarray, gap: int) -> int:
    """Index of the item a shopper adds to close a ``gap`` (cents) to a threshold.

    The cheapest one that closes it, else the dearest (and the shopper looks again).
    """
    enough = np.flatnonzero(prices >= gap)
    if enough.size:
        return int(enough[np.argmin(prices[enough])])
    return int(np.argmax(prices))
