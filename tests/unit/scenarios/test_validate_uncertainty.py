"""The validation's own uncertainty: Wilson CIs for rates, a t CI for the mean error."""

import numpy as np
import pandas as pd
import pytest

from scenarios.pilot.validate import uncertainty


def test_rates_get_wilson_intervals_and_the_error_a_t_interval():
    n = 100
    draws = pd.DataFrame(
        {
            "aa_p_value": [0.01] * 5 + [0.5] * (n - 5),
            "estimate": np.r_[np.full(50, 11.0), np.full(50, 9.0)],
            "true_effect": np.full(n, 10.0),
            "ci_low": [9.5] * 90 + [10.5] * 10,
            "ci_high": [12.0] * n,
        }
    )
    ci = uncertainty(draws, alpha=0.05)
    assert ci["false_positive_rate"] == pytest.approx([0.0215, 0.1118], abs=1e-4)
    assert ci["coverage"][0] < 0.9 < ci["coverage"][1]
    half = 1.984217 * 1.0050378 / 10
    assert ci["mean_error"] == pytest.approx([-half, half], abs=1e-3)
