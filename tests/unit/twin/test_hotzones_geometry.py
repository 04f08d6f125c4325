"""Exact time-in-shape of straight walks: rectangles (zones) and discs (end-caps)."""

import numpy as np
import pytest

from twin.hotzones import disc_share, rect_share


def seg(*points):
    xy = np.asarray(points, float)
    return xy[:-1], xy[1:]


def test_a_walk_through_a_rectangle_spends_the_clipped_share_inside():
    p0, p1 = seg((0, 5), (10, 5))
    rects = np.asarray([[2, 4, 0, 10], [20, 30, 0, 10], [0, 10, 5, 6]])
    share = rect_share(p0, p1, rects)
    assert share[0, 0] == pytest.approx(0.2)
    assert share[0, 1] == -1.0  # never there
    assert share[0, 2] == pytest.approx(1.0)  # along its edge: inside, boundary included


def test_standing_still_is_inside_wholly_or_not_at_all():
    p0, p1 = seg((3, 3), (3, 3))
    share = rect_share(p0, p1, np.asarray([[2, 4, 2, 4], [5, 6, 5, 6]]))
    assert share[0].tolist() == [1.0, -1.0]
    assert disc_share(p0, p1, np.asarray([[3.5, 3.0], [9.0, 9.0]]), 1.0)[0].tolist() == [
        1.0,
        -1.0,
    ]


def test_passing_an_end_cap_counts_the_chord_within_reach():
    p0, p1 = seg((0, 0), (10, 0))
    share = disc_share(p0, p1, np.asarray([[5.0, 1.0], [5.0, 3.0]]), 1.5)
    chord = 2 * np.sqrt(1.5**2 - 1.0**2)
    assert share[0, 0] == pytest.approx(chord / 10)
    assert share[0, 1] == -1.0


def test_pairs_found_by_bounding_box_are_exactly_the_dense_shares():
    """The sparse count clips only nearby pairs, and gets every share bit for bit."""
    from twin.hotzones import Spots, segment_pairs, segment_shares, shares

    rng = np.random.default_rng(0)
    rects = np.asarray([[0, 4, 0, 20], [4, 8, 0, 20], [2.5, 5.5, 3, 9]], float)
    discs = np.asarray([[2.0, 0.0], [2.0, 20.0], [6.0, 0.0]])
    spots = Spots(["a", "b", "c", "d", "e", "f"], ["zone"] * 6, ["a"] * 6, rects, discs, 1.5)
    # aisle walks, cross-aisle walks, diagonals, standing still, points on edges
    grid = rng.choice([0.0, 2.0, 4.0, 6.0, 8.0, 20.0, 21.5], size=(300, 2))
    free = rng.uniform(-2, 22, size=(300, 2))
    xy = np.concatenate([grid, free, grid[:50], [[4.0, 5.0], [4.0, 5.0], [3.5, 0.0]]])
    dense = shares(xy, spots)
    seg, spot, share = segment_shares(xy[:-1], xy[1:], spots)
    assert len(seg) > 100
    found = np.full_like(dense, -1.0)
    found[seg, spot] = share
    np.testing.assert_array_equal(found, dense)
    x, y = xy[:, 0].copy(), xy[:, 1].copy()  # what a day's batch hands over: 1-D coordinates
    by_coordinate = segment_pairs(x[:-1], y[:-1], x[1:], y[1:], spots)
    got = [a.tobytes() for a in by_coordinate]
    assert got == [seg.tobytes(), spot.tobytes(), share.tobytes()]


def test_unordered_pairs_sum_to_the_same_dwell_bit_for_bit():
    """Spot-major pairs (no sort) give each spot the same sum as segment-major ones."""
    from twin.hotzones import Spots, segment_shares

    rng = np.random.default_rng(1)
    rects = np.asarray([[0, 4, 0, 20], [4, 8, 0, 20], [2.5, 5.5, 3, 9]], float)
    discs = np.asarray([[2.0, 0.0], [2.0, 20.0], [6.0, 0.0]])
    spots = Spots(["a", "b", "c", "d", "e", "f"], ["zone"] * 6, ["a"] * 6, rects, discs, 1.5)
    xy = rng.uniform(-2, 22, size=(2000, 2))
    seconds = rng.uniform(0.1, 30.0, size=len(xy) - 1)
    seg, spot, share = segment_shares(xy[:-1], xy[1:], spots)
    useg, uspot, ushare = segment_shares(xy[:-1], xy[1:], spots, ordered=False)
    assert np.all(np.diff(uspot) >= 0)  # spot-major: no sort was made
    pairs = sorted(zip(seg, spot, share, strict=True))
    assert pairs == sorted(zip(useg, uspot, ushare, strict=True))
    dwell = np.bincount(spot, weights=seconds[seg] * share, minlength=6)
    unordered = np.bincount(uspot, weights=seconds[useg] * ushare, minlength=6)
    assert dwell.tobytes() == unordered.tobytes()
