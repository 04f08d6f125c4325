"""One ROI, one figure: the terminal, report.html and the dashboard round it alike.

The CLI printed report.json's 4.3395 while the dashboard showed 4.34.
"""

import json

from dashboard import data
from scenarios.pilot import page
from scenarios.pilot.finance import roi_text
from twin.commands.pilot import decision_lines

from .conftest import for_report_page, write_pilot


def test_roi_reads_the_same_in_the_terminal_the_report_and_the_dashboard(dash_app, tmp_path):
    from dashboard.pages import pilots  # registers a page: only once the app exists

    out = write_pilot(tmp_path / "p")
    report = json.loads((out / "report.json").read_text())
    report = for_report_page({**report, "roi": 4.3395})
    (out / "report.json").write_text(json.dumps(report))
    pilot = data.load_pilot(tmp_path, "p")

    assert roi_text(4.3395) == "4.34" and roi_text(-0.5) == "-0.50" and roi_text(None) == "-"
    assert "ROI 4.34," in decision_lines(report)
    assert "ROI 4.34. " in page.render(report, pilot.panel, pilot.series, pilot.currency)
    shown = json.dumps([pilots.in_short(pilot).to_plotly_json(), pilots.money(pilot)], default=str)
    assert "4.34" in shown and "4.3395" not in shown and "4.339" not in shown
