"""report.html and sweep.html load Plotly from one plotly.min.js beside them, and still draw.

Each page embedded the whole library (4.8 MB a page); a CDN is no answer on a
machine without a network. The pages are built from fixtures (no twin runs) and
opened from disk in the headless Chromium of the browser tests.
"""

import json

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from dashboard import data
from scenarios.pilot import page
from twin import sweep as sw
from twin.sweep_page import render as sweep_page

from .conftest import for_report_page, write_pilot
from .test_browser import browser, errors, wait_for  # noqa: F401  (browser is a fixture)

PAGE_MAX_BYTES = 300_000


def pages(folder):
    """report.html of a fixture pilot and sweep.html of a made-up sweep, in one folder."""
    pilot_dir = write_pilot(folder / "pilot")
    report = for_report_page(json.loads((pilot_dir / "report.json").read_text()))
    pilot = data.load_pilot(folder, "pilot")
    html = page.render(report, pilot.panel, pilot.series, pilot.currency)
    report_page = page.write_html(folder / "report.html", html)
    rows = []
    for variant, cost, wait in (("base", 900, 80), ("lanes=3", 700, 150)):
        for r in range(2):
            for kpi, v in (("labour_cost", cost + r), ("queue_wait_p95_s", wait + 5 * r)):
                rows.append({"variant": variant, "replication": r, "kpi": kpi, "value": v})
    long = pd.DataFrame(rows)
    params = {"base": {"checkout.lanes": 4}, "lanes=3": {"checkout.lanes": 3}}
    kpis = ["labour_cost", "queue_wait_p95_s"]
    text = sweep_page("sweep", sw.means(long), sw.differences(long), params, kpis, "best: base")
    return report_page, page.write_html(folder / "sweep.html", text)


def test_pages_share_one_copy_of_plotly_beside_them(tmp_path):
    report_page, sweep = pages(tmp_path)
    library = tmp_path / page.PLOTLY_JS
    assert library.read_text(encoding="utf-8") == get_plotlyjs()
    assert list(tmp_path.glob("*.js")) == [library]
    for html in (report_page, sweep):
        text = html.read_text()
        assert html.stat().st_size < PAGE_MAX_BYTES
        assert text.count('src="plotly.min.js"') == 1 and "cdn." not in text


@pytest.mark.slow
def test_pages_opened_from_disk_draw_their_charts_offline(browser, tmp_path):  # noqa: F811
    for html in pages(tmp_path):
        browser.get_log("browser")
        browser.get(html.as_uri())
        wait_for(browser, ".js-plotly-plot .main-svg")
        drawn = browser.execute_script("return document.querySelectorAll('.main-svg').length")
        assert drawn >= 2 and browser.execute_script("return typeof Plotly") == "object"
        assert errors(browser) == [], html.name
