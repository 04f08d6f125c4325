"""Measured fidelity against real fidelity on the same frames, within their sampling error.

The frames are the bench's queue frames (0-6 people, empty lanes included) from
a seed the shipped error table was not measured on. Real fidelity runs
BlazePose on them; measured fidelity draws from the shipped table for each
frame's true count. Their error rates must agree within three standard errors
(the real side's few frames, and the table's own 43 frames per count).
"""

import math

import numpy as np
import pytest

from devices.vision.bench_sets import QUEUE_SIZES, oblique_samples
from devices.vision.bench_tasks import seen_count
from devices.vision.errors import ErrorTable
from devices.vision.registry import shared

PER_COUNT = 6
TABLE_PER_COUNT = 43  # the shipped table: 301 bench frames, 43 per count


@pytest.fixture(scope="module")
def counts():
    frames = list(oblique_samples(QUEUE_SIZES * PER_COUNT, seed=21))
    model = shared("blazepose", (640, 480))
    real = np.array([seen_count(s, model(s.frame.image)) for s in frames])
    truth = np.array([s.frame.count for s in frames])
    rates = ErrorTable.load().people("blazepose")
    rng = np.random.default_rng(0)
    measured = np.array([[rates.sample_count(int(n), rng) for _ in range(400)] for n in truth])
    return truth, real, measured


@pytest.mark.parametrize(
    ("rate", "frames"),
    [
        ("exact", lambda t: t >= 0),
        ("over", lambda t: t >= 0),
        ("under", lambda t: t >= 1),
        ("over", lambda t: t == 0),  # false people on empty lanes
    ],
)
def test_measured_error_rates_agree_with_the_real_model(counts, rate, frames):
    truth, real, measured = counts
    pick = frames(truth)
    t = truth[pick]
    hits = {
        "exact": lambda seen, n: seen == n,
        "over": lambda seen, n: seen > n,
        "under": lambda seen, n: seen < n,
    }[rate]
    p_real = float(hits(real[pick], t).mean())
    p_measured = float(hits(measured[pick], t[:, None]).mean())
    n_real = int(pick.sum())
    n_table = TABLE_PER_COUNT * len(set(t.tolist()))
    p = min(max((p_real + p_measured) / 2, 0.05), 0.95)
    se = math.sqrt(p * (1 - p) * (1 / n_real + 1 / n_table))
    assert abs(p_real - p_measured) <= 3 * se, (rate, p_real, p_measured, se)
