"""Chain (HQ and store managers): KPIs by store and format, and the managers' reports.

KPIs come from a chain (or store) run folder, aggregated per store and per
format-day before anything is drawn. The manager reports (sales by day,
category and payment method, monthly profit) come from the services' report
endpoints when the dashboard has ``--services`` (with its API key: a store key
is refused other stores), else from the run folder's own services database.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as ui
from dashboard import data
from dashboard import figures as dfig

dash.register_page(
    __name__, path="/chain", name="Chain", order=3, title="Chain", plotly_js="cartesian"
)

PAGE = "/chain"
KPIS = (
    "sales",
    "contribution",
    "visitors",
    "conversion",
    "gross_margin",
    "queue_wait_p95_s",
    "satisfaction",
    "labour_cost",
)
STORE_COLUMNS = ("store_id", "format", "region", "days", *KPIS)


def overview(c: data.Chain) -> list[Any]:
    """The KPI picker, the store grid, the per-format days, and the store table."""
    rows = c.by_store.to_dict("records")
    columns = [k for k in STORE_COLUMNS if k in c.by_store]
    return [
        html.Div(
            [
                html.Label("KPI: "),
                dcc.Dropdown(id="chain-kpi", options=list(KPIS), value="sales", clearable=False),
            ],
            className="controls card",
        ),
        dcc.Store(id="chain-name", data=c.name),
        html.Div(
            [
                ui.chart(dfig.store_grid(c.by_store, "sales"), "chain-grid"),
                ui.chart(dfig.format_days(c.by_format_day, "sales"), "chain-days"),
            ],
            className="grid2",
        ),
        html.Div(
            [
                html.H3(f"KPIs per store over the whole run ({len(rows)} stores)"),
                ui.table(
                    rows, columns, [c.replace("_", " ") for c in columns], table_id="store-table"
                ),
                html.P(
                    "Sums over the run's days; queue p95 and satisfaction are daily means.",
                    className="note",
                ),
            ],
            className="card",
        ),
    ]


def reach(source: data.Source) -> list[str] | None:
    """The stores the dashboard's key may see; None for all (HQ, or no services)."""
    if source.services is None:
        return None
    with data.client_for(source) as client:
        return data.store_reach(client)


def report_stores(source: data.Source, c: data.Chain | None, only: list[str] | None) -> list[str]:
    """The stores whose reports can be asked for (from the services, else the run)."""
    if only is not None:
        return only
    if source.services is not None:
        with data.client_for(source) as client:
            return data.service_stores(client)
    return c.stores if c is not None else []


def refused(source: data.Source, store: str) -> html.Div:
    """Why a store asked for by the URL is not shown: the services' own answer."""
    try:
        with data.client_for(source) as client:
            data.reports(client, store, data.FAR_PAST, data.FAR_PAST)
    except data.Problem as exc:
        return html.Div(ui.problem(exc), id="report-refused")
    return html.Div(ui.problem(f"the services list no store {store!r}"), id="report-refused")


def manager_section(
    source: data.Source,
    c: data.Chain | None,
    store: str | None,
    only: list[str] | None,
    run: str | None = None,
) -> html.Div:
    """The store picker (only the stores the key may read) and the place its reports go."""
    where = (
        f"the services at {source.services}" if source.services else "this run's services database"
    )
    try:
        stores = report_stores(source, c, only)
    except data.Problem as exc:
        return html.Div([html.H3("Store manager reports"), ui.problem(exc)], className="card")
    shut = store is not None and store not in stores and source.services is not None
    chosen = store if store in stores else (stores[0] if stores and not shut else None)
    return html.Div(
        [
            html.H3("Store manager reports"),
            html.P(f"Read from {where}.", className="note"),
            *([refused(source, store)] if shut and store is not None else []),
            html.Div(
                [
                    html.Label("Store: "),
                    dcc.Dropdown(
                        id="report-store",
                        options=stores,
                        value=chosen,
                        clearable=False,
                    ),
                ],
                className="controls",
            ),
            dcc.Loading(html.Div(first_reports(source, run, chosen), id="report-body")),
        ],
        className="card",
    )


def first_reports(source: data.Source, run: str | None, store: str | None) -> Any:
    """The chosen store's reports, sent with the page rather than by a second request.

    A callback that fires as the page arrives costs the browser one more round
    trip to the server and one more render before the first open is drawn; the
    server builds the same reports either way (from its cache once warmed, see
    dashboard.speed.warm), so the page carries them and the picker's callback
    only answers a change of store.
    """
    if store is None:
        return html.P("Choose a store to see its reports.", className="note")
    return ui.guarded(lambda: report_body(source, run, store))


def report_body(source: data.Source, run: str | None, store: str) -> list[Any]:
    """One store's reports, or why they cannot be shown."""
    if source.services is not None:
        with data.client_for(source) as client:
            r = data.reports(client, store)
    elif run is None:
        raise data.Problem("no run folder chosen and no services given (--services)")
    else:
        r = data.run_reports(source.runs, run, store)
    total = r.sales["sales_cents"].sum() / 100 if not r.sales.empty else 0.0
    orders = int(r.sales["orders"].sum()) if not r.sales.empty else 0
    return [
        ui.figures([("sales", ui.fmt(total)), ("orders", ui.fmt(orders))]),
        html.Div(
            [
                ui.chart(dfig.sales_by_day(r.sales), "report-sales"),
                ui.chart(
                    dfig.share_bars(r.categories, "category", "sales_cents", "Sales by category"),
                    "report-categories",
                ),
                profit_part(r.profit),
                payments_part(r.payments),
            ],
            className="grid2",
        ),
    ]


CHARTED_MONTHS = 3
"""Above this many months the monthly profit is a chart; up to it, a table says as much."""


def profit_part(profit: pd.DataFrame) -> html.Div:
    """Sales, cost and gross profit per month: a table for a few months, bars for more.

    A 28-day run has one or two months; three bars a month add nothing to three
    numbers, and a chart costs the browser a plot to draw on the page's first open.
    """
    if len(profit) > CHARTED_MONTHS:
        return ui.chart(dfig.monthly_profit(profit), "report-profit")
    rows = [
        {
            "month": p["month"],
            "sales": p["sales_cents"] / 100,
            "cost": p["cost_cents"] / 100,
            "profit": p["profit_cents"] / 100,
            "margin": f"{p['profit_cents'] / p['sales_cents']:.1%}" if p["sales_cents"] else "-",
        }
        for p in profit.to_dict("records")
    ]
    return report_table(
        "Monthly profit",
        rows,
        ["month", "sales", "cost of goods", "gross profit", "margin"],
        "report-profit",
        "no months with sales in this range",
    )


def payments_part(payments: pd.DataFrame) -> html.Div:
    """Sales per payment method with its share: a table (a store takes a few methods)."""
    total = payments["amount_cents"].sum() if not payments.empty else 0
    rows = [
        {
            "method": p["method"],
            "payments": int(p["payments"]),
            "amount": p["amount_cents"] / 100,
            "share": f"{p['amount_cents'] / total:.1%}" if total else "-",
        }
        for p in payments.sort_values("amount_cents", ascending=False).to_dict("records")
    ]
    return report_table(
        "Sales by payment method",
        rows,
        ["method", "payments", "amount", "share of sales"],
        "report-payments",
        "nothing in this range",
    )


def report_table(
    title: str, rows: list[dict[str, Any]], headers: list[str], table_id: str, nothing: str
) -> html.Div:
    """A report as a titled table in a card (``headers`` name the rows' keys in order)."""
    body = (
        ui.table(rows, list(rows[0]), headers, table_id=table_id)
        if rows
        else html.P(nothing, className="note", id=table_id)
    )
    return html.Div([html.H4(title), body], className="card")


def layout(run: str | None = None, store: str | None = None, **_: Any) -> html.Div:
    """The chain and store runs, the chosen one, and the manager reports."""
    source = data.Source.current()
    found = data.of_kind(source.runs, "chain", "run")
    if not found and source.services is None:
        return ui.empty_state("chain or store runs", "chain", source.runs)
    body: list[Any] = []
    chain = None
    try:
        only = reach(source)
    except data.Problem as exc:
        return html.Div(ui.problem(exc))
    if found:
        links = [html.A(f.name, href=ui.link(PAGE, run=f.name)) for f in found]
        body.append(
            html.Div(
                [html.H2("Chain and store runs"), html.Div([html.Span([a, " "]) for a in links])],
                className="card",
            )
        )
        run = run or found[0].name
        try:
            chain = data.load_chain(source.runs, run, only)
            body += [html.H2(f"Run: {run}"), *overview(chain)]
        except data.Problem as exc:
            body.append(ui.problem(exc))
    body.append(dcc.Store(id="report-run", data=run))
    body.append(manager_section(source, chain, store, only, run))
    return html.Div(body)


@callback(
    Output("chain-grid", "figure"),
    Output("chain-days", "figure"),
    Input("chain-kpi", "value"),
    State("chain-name", "data"),
    prevent_initial_call=True,
)
def chain_kpi(kpi: str, name: str):
    """Colour the stores and draw the days by another KPI."""
    source = data.Source.current()
    try:
        c = data.load_chain(source.runs, name, reach(source))
    except data.Problem as exc:
        return dfig.empty(str(exc)), dfig.empty(str(exc))
    return dfig.store_grid(c.by_store, kpi), dfig.format_days(c.by_format_day, kpi)


@callback(
    Output("report-body", "children"),
    Input("report-store", "value"),
    State("report-run", "data"),
    prevent_initial_call=True,  # the page arrives with its first store's reports
)
def store_reports(store: str | None, run: str | None):
    """Another store's reports."""
    return first_reports(data.Source.current(), run, store)
