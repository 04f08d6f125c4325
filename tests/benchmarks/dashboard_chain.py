"""How fast the dashboard opens a 28-day, 20-store chain: a folder of that shape, and its timings.

A real 28-day, 20-store run costs hundreds of CPU seconds, so ``build`` makes a
folder of the same shape from one real supermarket store-day: ``daily.parquet``
with a row per store-day (the real day's KPIs scaled per store, weekday and
noise, from a fixed seed), ``stores.parquet`` with the stores' formats and
regions, ``summary.json``, and for the first store the services database of
the real day repeated over every day of the run (orders, lines and payments
moved by whole days), so its manager reports read as many orders as a real
28-day supermarket would. The other stores have no database, so their
reports say so.

    PYTHONPATH=$PWD python tests/benchmarks/dashboard_chain.py [--out DIR] [--browser] [--trials N]

prints the server-side times (layout built and serialised, as Dash sends it)
of the overview, the chain page (which carries its first store's reports) and
those reports alone, and with
``--browser`` the time until the charts are drawn in headless Chromium: each
trial starts a new dashboard and a new browser (nothing cached on either
side), opens the overview, then the chain page (first open), then the chain
page again; the median over the trials is printed with the CPU seconds the
server and the browser spent on each step, which a busy machine disturbs far
less than the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

STORES, DAYS = 20, 28
FORMATS = {"supermarket": (10, 1.0), "convenience": (6, 0.3), "department": (4, 2.2)}
"""Stores per format and their size against the template supermarket."""
WEEKDAY = (0.92, 0.95, 0.97, 1.0, 1.1, 1.3, 0.8)
RATES = ("conversion", "queue_wait_p95_s", "satisfaction")
SHIFTED = {"orders": ("created_at", "updated_at"), "payments": ("created_at",)}
"""The tables a manager report reads, and their time columns."""


def template_day(work: Path, seed: int) -> tuple[pd.Series, dict[str, Any], Path]:
    """One real supermarket store-day: its daily KPIs, its summary and its services database."""
    from scenarios import load
    from twin.run import run

    db = work / "template.db"
    result = run(load("supermarket"), seed=seed, db_path=db)
    return result.tables["daily"].to_pandas().iloc[0], result.summary(), db


def store_table(rng: np.random.Generator) -> pd.DataFrame:
    """The chain's stores: id, format, region, and the traffic they draw."""
    rows = []
    for fmt, (count, size) in FORMATS.items():
        for _ in range(count):
            rows.append({"format": fmt, "size": size * float(rng.lognormal(0.0, 0.25))})
    stores = pd.DataFrame(rows)
    stores.insert(0, "store_id", [f"S{i + 1:03d}" for i in range(len(stores))])
    stores["region"] = rng.choice(["north", "east", "south", "west"], len(stores))
    stores["traffic_factor"] = stores.pop("size").round(3)
    stores["daily_visitors"] = (stores["traffic_factor"] * 2981).round(1)
    return stores


def daily_table(day: pd.Series, stores: pd.DataFrame, days: int, rng: np.random.Generator):
    """A row per store-day: the template day scaled by store size, weekday and noise."""
    numeric = [c for c in day.index if c not in ("store_id", "day") and c not in RATES]
    numeric = [c for c in numeric if isinstance(day[c], int | float | np.number)]
    rows = []
    for store in stores.itertuples():
        for d in range(days):
            factor = store.traffic_factor * WEEKDAY[d % 7] * float(rng.normal(1.0, 0.05))
            row = {**day.to_dict(), "store_id": store.store_id, "day": d}
            for c in numeric:
                value = day[c] * factor
                row[c] = round(value) if isinstance(day[c], int | np.integer) else value
            row["queue_wait_p95_s"] = day["queue_wait_p95_s"] * factor
            row["satisfaction"] = min(10.0, day["satisfaction"] * float(rng.normal(1.0, 0.02)))
            row["conversion"] = row["transactions"] / max(row["visitors"], 1)
            rows.append(row)
    return pd.DataFrame(rows)


def repeat_days(db: Path, days: int) -> int:
    """Repeat every order (with its lines and payments) of ``db`` on each later day; orders."""
    with sqlite3.connect(db) as con:
        top = {t: con.execute(f"SELECT max(id) FROM {t}").fetchone()[0] or 0 for t in SHIFTED}
        top["order_lines"] = con.execute("SELECT max(id) FROM order_lines").fetchone()[0] or 0
        columns = {
            t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
            for t in ("orders", "order_lines", "payments")
        }
        for d in range(1, days):

            def moved(table: str, column: str, d: int = d) -> str:
                if column == "id":
                    return f"id + {d * top[table]}"
                if column == "order_id":
                    return f"order_id + {d * top['orders']}"
                if column == "idempotency_key":
                    return f"idempotency_key || ':day{d}'"
                if column in SHIFTED.get(table, ()):
                    return f"datetime({column}, '+{d} days') || substr({column}, 20)"
                return column

            for table, cols in columns.items():
                names = ", ".join(cols)
                values = ", ".join(moved(table, c) for c in cols)
                con.execute(
                    f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} "
                    f"WHERE id <= {top[table]}"
                )
        return con.execute("SELECT count(*) FROM orders").fetchone()[0]


def build(out: Path, stores: int = STORES, days: int = DAYS, seed: int = 1) -> Path:
    """A chain run folder of ``stores`` stores over ``days`` days under ``out`` (see above)."""
    if stores != sum(n for n, _ in FORMATS.values()):
        raise ValueError(f"the chain's formats add up to {STORES} stores")
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        day, summary, db = template_day(Path(tmp), seed)
        table = store_table(rng)
        daily = daily_table(day, table, days, rng)
        daily.to_parquet(out / "daily.parquet")
        table.to_parquet(out / "stores.parquet")
        first = out / "stores" / table["store_id"].iloc[0]
        first.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db, first / "store.db")
    repeat_days(first / "store.db", days)
    summary.update({"days": days, "stores": stores})
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return out


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """``call()``'s result, wall seconds and CPU seconds of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def server_side(runs: Path, name: str = "chain") -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds to build and serialise each part of a page, as Dash serves it."""
    import plotly.utils

    from dashboard import data
    from dashboard.app import create_app

    source = data.Source(runs)
    app = create_app(source)  # pages register themselves with an app, so they come after it
    from dashboard.pages import chain, home

    def sent(build_layout: Callable[[], Any]) -> Callable[[], str]:
        return lambda: json.dumps(build_layout(), cls=plotly.utils.PlotlyJSONEncoder)

    out = {}
    with app.server.test_request_context("/"):
        store = data.load_chain(runs, name).stores[0]
        parts = {
            "overview": sent(home.layout),
            "chain page": sent(lambda: chain.layout(run=name)),
            f"reports of {store}": sent(lambda: chain.report_body(source, name, store)),
        }
        for label, call in parts.items():
            _, wall, cpu = timed(call)
            out[label] = (wall, cpu)
    return out


def cpu_of(processes: list[Any]) -> float:
    """CPU seconds (user + system) the processes have used so far; ones that ended count 0."""
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except Exception:  # an ended renderer or helper process
            continue
    return total


BROWSER_STEPS = {
    "overview": ("/", "#found"),
    "chain page: grid drawn": ("/chain?run={name}", "#chain-grid .main-svg"),
    "chain page: reports drawn": (None, "#report-sales .main-svg"),
    "chain page again: reports": ("/chain?run={name}", "#report-sales .main-svg"),
}
"""What one trial does in a fresh browser against a freshly started dashboard: the overview
(a user's way in), the chain page (its grid, then its first store's reports), and the page
once more. A step without a path goes on waiting on the page the step before opened."""


def browser_trial(runs: Path, name: str = "chain") -> dict[str, tuple[float, float, float]]:
    """(wall, server CPU, browser CPU) seconds of each step, from asking for it until drawn."""
    import psutil

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.dashboard.test_browser import CHROMEDRIVER, CHROMIUM, serving, wait_for

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    me = psutil.Process()
    out = {}
    with serving(["dashboard", "--runs", str(runs)], "/", deadline_s=600) as url:
        server = [p for p in me.children() if "dashboard" in " ".join(p.cmdline())]
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_window_size(1920, 1080)
        try:
            driver_pid = driver.service.process.pid
            start = (time.perf_counter(), 0.0, 0.0)
            for label, (path, ready) in BROWSER_STEPS.items():
                browser = psutil.Process(driver_pid).children(recursive=True)
                if path is not None:
                    start = (time.perf_counter(), cpu_of(server), cpu_of(browser))
                    driver.get(url + path.format(name=name))
                wait_for(driver, ready)
                browser = psutil.Process(driver_pid).children(recursive=True)
                out[label] = (
                    time.perf_counter() - start[0],
                    cpu_of(server) - start[1],
                    cpu_of(browser) - start[2],
                )
        finally:
            driver.quit()
    return out


def in_browser(runs: Path, trials: int) -> dict[str, list[tuple[float, float, float]]]:
    """Every trial's figures per step (each trial a new server and a new browser)."""
    out: dict[str, list[tuple[float, float, float]]] = {}
    for _ in range(trials):
        for label, figures in browser_trial(runs).items():
            out.setdefault(label, []).append(figures)
    return out


def main() -> None:
    """Build the folder (or reuse it) and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench_dashboard"))
    parser.add_argument("--browser", action="store_true", help="also time headless Chromium")
    parser.add_argument("--trials", type=int, default=5, help="fresh browsers (and servers)")
    args = parser.parse_args()
    chain = args.out / "chain"
    if not (chain / "daily.parquet").exists():
        _, wall, cpu = timed(lambda: build(chain))
        print(f"built {chain}: {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"load average (1, 5, 15 min): {os.getloadavg()}, CPUs: {os.cpu_count()}")
    for _ in range(2):  # the second round is what a user sees once the server is warm
        for label, (wall, cpu) in server_side(args.out).items():
            print(f"server  {label:28s} {wall:6.3f} s wall {cpu:6.3f} s CPU")
    if args.browser:
        print(f"browser, {args.trials} trials (a new server and browser each): median [min-max]")
        for label, runs in in_browser(args.out, args.trials).items():
            walls, servers, browsers = (sorted(x) for x in zip(*runs, strict=True))
            print(
                f"browser {label:28s} {np.median(walls):6.3f} s wall [{walls[0]:.2f}-"
                f"{walls[-1]:.2f}], CPU {np.median(servers):5.2f} s server + "
                f"{np.median(browsers):5.2f} s browser"
            )
        print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
