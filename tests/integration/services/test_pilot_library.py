"""A pilot records its steps in a running `storetwin serve` when given its URL."""

from scenarios.pilot import load_pilot, run_pilot
from services.client import HttpClient

from .conftest import live_server


def test_the_identified_pilot_is_in_the_served_project_library(app, tmp_path, monkeypatch):
    monkeypatch.setenv("STORETWIN_API_KEY", "hq")
    pilot = load_pilot("self_checkout")
    with live_server(app) as url:
        arts = run_pilot(pilot, tmp_path, until="identify", services=url)
        client = HttpClient(url, "hq")
        try:
            [project] = client.list_projects()
        finally:
            client.close()
    assert project.id == arts["identify"].project_id
    assert project.intervention == pilot.spec.label and project.status == "identified"
    assert project.intervention == "self_checkout+ai_loss_prevention"
    assert not (tmp_path / "projects.db").exists()
