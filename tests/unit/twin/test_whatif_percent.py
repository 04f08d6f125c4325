"""A what-if's relative difference: none of a loss or of nothing, as a pilot's lift."""

from twin.whatif import Comparison


def test_no_percent_of_a_negative_or_zero_base():
    base = {"contribution": -1232.5, "reneged": 0.0, "sales": 855.7}
    variant = {"contribution": -1230.83, "reneged": 1.0, "sales": 941.27}
    rows = {r["kpi"]: r for r in Comparison(base, {"esl": variant}).rows()}
    assert rows["contribution"]["diff_pct"] is None
    assert rows["contribution"]["diff"] == 1.67
    assert rows["reneged"]["diff_pct"] is None
    assert rows["sales"]["diff_pct"] == 10.0
