"""The dashboard in a real headless Chromium: every page, a pilot's answer, a store key's limits.

The app runs as ``storetwin dashboard`` in a subprocess, as a user starts it.
Screenshots of every page at 1280x800 and 1920x1080 land in the test's
temporary output (the path is printed; pytest -s shows it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pandas as pd
import pytest

from services.bench import free_port

from .conftest import WARNINGS, small_chain

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL = (
    "the browser tests need Chromium and its driver: "
    "`apt-get install chromium chromium-driver` (Debian/Ubuntu), and `pip install selenium`"
)
SIZES = ((1280, 800), (1920, 1080))
PAGES = {
    "overview": ("/", "#found"),
    "pilots": ("/pilots?pilot=pilot1", "#lift-chart .main-svg"),
    "pilot_half": ("/pilots?pilot=pilot_half", ".problem"),
    "what_if": ("/what-if?run=what_if", "#what-if-hourly .main-svg"),
    "what_if_broken": ("/what-if?run=broken_what_if", ".problem"),
    "chain": ("/chain?run=chain", "#report-sales .main-svg"),
    "floor": ("/floor?run=traced&t=43200", "#floor-map .main-svg"),
    "models": ("/models", "#bench-stages .main-svg"),
    "services": ("/services", "#load-latency .main-svg"),
}


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(INSTALL)
    webdriver = pytest.importorskip("selenium.webdriver", reason=INSTALL)
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(*SIZES[0])
    yield driver
    driver.quit()


@contextmanager
def serving(
    args: list[str], probe: str, env: dict[str, str] | None = None, deadline_s: float = 120.0
) -> Iterator[str]:
    """A ``storetwin`` command serving on a free port; yields its URL once ``probe`` answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-c", "from twin.cli import app; app()", *args, "--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                if httpx.get(url + probe, timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{' '.join(args)} did not start: {proc.stdout.read()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def dashboard(dash_runs):
    with serving(["dashboard", "--runs", str(dash_runs)], "/") as url:
        yield url


def wait_for(driver, css: str, timeout: float = 30.0):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_page(driver, url: str, css: str):
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    element = wait_for(driver, css)
    time.sleep(0.3)  # let the last charts draw
    return element


@pytest.mark.slow
def test_every_page_loads_without_console_errors(browser, dashboard, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    for size in SIZES:
        browser.set_window_size(*size)
        for name, (path, css) in PAGES.items():
            open_page(browser, dashboard + path, css)
            assert errors(browser) == [], f"{name} at {size}"
            assert "Traceback" not in browser.page_source
            browser.save_screenshot(str(shots / f"{name}-{size[0]}x{size[1]}.png"))
            if size == SIZES[0]:  # and the whole page, as far as it scrolls
                height = browser.execute_script("return document.body.scrollHeight")
                browser.set_window_size(size[0], min(height + 120, 8000))
                browser.save_screenshot(str(shots / f"{name}-{size[0]}-full.png"))
                browser.set_window_size(*size)
    browser.set_window_size(*SIZES[0])
    print(f"screenshots in {shots}")
    assert len(list(shots.glob("*.png"))) == len(PAGES) * (len(SIZES) + 1)


def test_choosing_a_pilot_shows_its_lift_chart_decision_and_warnings(browser, dashboard):
    from selenium.webdriver.common.by import By

    open_page(browser, dashboard + "/pilots", "#pilot-list")
    assert not browser.find_elements(By.ID, "pilot-detail")
    browser.find_element(By.LINK_TEXT, "test self-checkout pilot").click()
    wait_for(browser, "#lift-chart .main-svg")
    assert "Decision: Roll out" in browser.find_element(By.ID, "pilot-decision").text
    warnings = browser.find_element(By.ID, "pilot-warnings").text
    for w in WARNINGS:
        assert w["check"] in warnings and w["meaning"] in warnings
    assert "true effect (twin)" in browser.find_element(By.ID, "lift-chart").text
    open_page(browser, dashboard + "/pilots?pilot=pilot_no_warnings", "#lift-chart .main-svg")
    assert "Run a next round" in browser.find_element(By.ID, "pilot-decision").text
    assert not browser.find_elements(By.ID, "pilot-warnings")
    assert errors(browser) == []


SHOPPERS_JS = """
const plot = document.querySelector('#floor-map .js-plotly-plot');
return plot._fullData.filter(t => /^(shopper|queuing)/.test(t.name))
    .map(t => Array.from(t.x).map((x, i) => [t.customdata[i], x, t.y[i]])).flat();
"""


def test_the_floor_replay_moves_the_shoppers(browser, dashboard, dash_runs):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    tracks = pd.read_parquet(dash_runs / "traced" / "tracks.parquet")
    busiest = int(tracks[tracks["kind"] == "shopper"]["t_s"].value_counts().idxmax())
    open_page(browser, dashboard + f"/floor?run=traced&t={busiest}", "#floor-map .main-svg")
    clock = browser.find_element(By.ID, "floor-clock").text
    before = browser.execute_script(SHOPPERS_JS)
    assert before, "nobody on the floor at noon"
    browser.find_element(By.ID, "floor-play").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "floor-clock").text != clock)
    browser.find_element(By.ID, "floor-play").click()
    time.sleep(0.5)
    after = browser.execute_script(SHOPPERS_JS)
    assert after != before
    assert browser.find_element(By.ID, "floor-play").text == "Play"
    assert errors(browser) == []


@pytest.fixture(scope="module")
def two_store_services(tmp_path_factory):
    """A services database with two stores (one with a day of sales), under `storetwin serve`."""
    from scenarios.chain import expand
    from services.client import InProcessClient
    from services.db import Database
    from services.db.engine import sqlite_url
    from services.schemas import StoreIn
    from twin.run import run_store

    path = tmp_path_factory.mktemp("services") / "services.db"
    db = Database(sqlite_url(path))
    db.create_schema()
    client = InProcessClient(db)
    try:
        first, second = expand(small_chain(stores=2, visitors=30))
        run_store(first, seed=1, days=1, client=client)
        client.register_store(StoreIn(id=second.store_id, name="second", format="supermarket"))
    finally:
        client.close()
        db.dispose()
    keys = {"hq-key": {"role": "hq"}, "s1-key": {"role": "store", "store_id": "S001"}}
    env = {"STORETWIN_API_KEYS": json.dumps(keys)}
    with serving(["serve", "--db", sqlite_url(path)], "/health", env) as url:
        yield url


def picker_options(driver, css: str) -> list[str]:
    """The options a dcc.Dropdown lists once opened (then closed again)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.find_element(By.CSS_SELECTOR, f"{css} .dash-dropdown-trigger, {css}").click()
    wait_for(driver, ".dash-dropdown-option")
    options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")]
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    return options


def test_a_store_key_sees_only_its_own_stores_reports(browser, two_store_services, tmp_path):
    from selenium.webdriver.common.by import By

    args = ["dashboard", "--runs", str(tmp_path), "--services", two_store_services]
    with serving(args, "/", {"STORETWIN_API_KEY": "s1-key"}) as url:
        open_page(browser, url + "/chain", "#report-sales .main-svg")
        body = browser.find_element(By.ID, "report-body").text
        assert "sales" in body
        assert picker_options(browser, "#report-store") == ["S001"]  # S002 is not even listed
        text = open_page(browser, url + "/chain?store=S002", "#report-refused .problem").text
        assert "may not act for store 'S002'" in text
        assert not browser.find_elements(By.CSS_SELECTOR, "#report-body .js-plotly-plot")
        assert picker_options(browser, "#report-store") == ["S001"]
        assert errors(browser) == []
        library = open_page(browser, url + "/pilots", ".problem").text
        assert "project library" in library and "only HQ" in library
    with serving(args, "/", {"STORETWIN_API_KEY": "hq-key"}) as url:  # HQ sees both
        open_page(browser, url + "/chain?store=S002", "#report-body")
        assert picker_options(browser, "#report-store") == ["S001", "S002"]
        assert not browser.find_elements(By.ID, "report-refused")


MARKS_JS = """
const plot = document.querySelector('#floor-map .js-plotly-plot');
return Object.fromEntries(plot.data.filter(t => /^(out of stock|wrong price label)/.test(t.name))
    .map(t => [t.name.split(' (')[0], t.x.length]));
"""


def test_the_floor_slider_replays_empty_shelves_and_wrong_labels(browser, dashboard, dash_runs):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from dashboard import data

    spells = data.shelf_spells(pd.read_parquet(dash_runs / "traced" / "shelf_events.parquet"))
    tracks = pd.read_parquet(dash_runs / "traced" / "tracks.parquet", columns=["t_s"])
    first, last = int(tracks["t_s"].min()), int(tracks["t_s"].max())

    def expected(t):
        now = spells[(spells["start_s"] <= t) & (spells["end_s"] > t)]
        return {
            "out of stock": int((now["kind"] == "out_of_stock").sum()),
            "wrong price label": int((now["kind"] == "price_mismatch").sum()),
        }

    grid = range(first - first % 5, last, 300)
    busiest = max(grid, key=lambda t: expected(t)["out of stock"])
    assert expected(busiest)["out of stock"] > 0, "the traced run must empty some shelf"
    open_page(browser, dashboard + f"/floor?run=traced&t={first}", "#floor-map .main-svg")
    assert browser.execute_script(MARKS_JS) == expected(first - first % 5)
    box = browser.find_element(By.CSS_SELECTOR, "#floor-time input, .card input[type=number]")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(busiest), Keys.ENTER)
    clock = f"{busiest % 86400 // 3600:02d}:{busiest % 3600 // 60:02d}"
    WebDriverWait(browser, 20).until(lambda d: clock in d.find_element(By.ID, "floor-clock").text)
    time.sleep(0.5)
    assert browser.execute_script(MARKS_JS) == expected(busiest)
    assert errors(browser) == []
