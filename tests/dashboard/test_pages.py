"""Each page's layout without a browser: empty states name their command, bad folders a message."""

import json

import plotly.utils
import pytest

from dashboard.app import create_app
from dashboard.data import CONFIG_KEY, Source


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(Source(tmp_path_factory.mktemp("unused")))


def render(app, source: Source, module: str, **query) -> str:
    from dashboard.pages import chain, floor, home, models, pilots, services, what_if

    pages = {
        "home": home,
        "pilots": pilots,
        "what_if": what_if,
        "chain": chain,
        "models": models,
        "services": services,
        "floor": floor,
    }
    app.server.config[CONFIG_KEY] = source
    with app.server.test_request_context("/"):
        layout = pages[module].layout(**query)
    return json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder)


def find(node, component_id):
    """The component with ``component_id`` in a serialised layout."""
    if isinstance(node, list):
        return next((f for n in node if (f := find(n, component_id)) is not None), None)
    if not isinstance(node, dict):
        return None
    props = node.get("props", {})
    if props.get("id") == component_id:
        return node
    return find(props.get("children"), component_id)


@pytest.mark.parametrize(
    ("module", "command"),
    [
        ("home", "storetwin pilot"),
        ("pilots", "storetwin pilot self_checkout"),
        ("what_if", "storetwin run supermarket"),
        ("chain", "storetwin run"),
        ("models", "storetwin bench models"),
        ("services", "storetwin loadtest"),
        ("floor", "--trace"),
    ],
)
def test_an_empty_runs_folder_shows_the_command_that_makes_the_data(app, tmp_path, module, command):
    page = render(app, Source(tmp_path), module)
    assert "empty-state" in page and command in page
    assert '"type": "Graph"' not in page


def test_a_broken_folder_gives_a_message_on_the_page(app, fake_runs):
    page = render(app, Source(fake_runs), "what_if", run="broken_what_if")
    assert "Cannot show this" in page and "half-written" in page
    page = render(app, Source(fake_runs), "pilots", pilot="pilot_half")
    assert "last step saved: identify" in page
    page = render(app, Source(fake_runs), "pilots", pilot="../../etc")
    assert "not inside the runs folder" in page


def test_the_pilot_page_puts_the_warnings_with_the_decision(app, fake_runs):
    page = json.loads(render(app, Source(fake_runs), "pilots", pilot="pilot1"))
    decision = json.dumps(find(page, "pilot-decision"))
    assert "pilot-warnings" in decision and "41% chance" in decision
