"""Recording each step in the services' project library (DOMAIN.md section 5, step 1).

The library is HQ's record of every pilot: what it is, what it should bring,
which stores, what came out and what was decided. A pilot run keeps it in a
SQLite file in its run folder, or in a running ``storetwin serve``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services.client import StoreClient
from services.domain.errors import Conflict
from services.schemas import Decision, ProjectCreate, ProjectStatus, ProjectUpdate

STATUS = {
    "identify": ProjectStatus.identified,
    "estimate": ProjectStatus.estimated,
    "review": ProjectStatus.reviewed,
    "run": ProjectStatus.piloting,
    "evaluate": ProjectStatus.evaluated,
    "decide": ProjectStatus.decided,
}


@contextmanager
def open_library(out: Path, services: str | None = None) -> Iterator[StoreClient]:
    """The project library: ``services`` (a ``storetwin serve`` URL) or ``out/projects.db``."""
    if services is not None:
        from twin.executor import connect

        with connect(services) as client:
            yield client
        return
    from services.client import InProcessClient
    from services.db import Database
    from services.db.engine import sqlite_url

    out.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite_url(out / "projects.db"))
    db.create_schema()
    client = InProcessClient(db)
    try:
        yield client
    finally:
        client.close()
        db.dispose()


def enter(client: StoreClient, name: str, intervention: str, notes: str) -> int:
    """Add the project (or find the one a crashed run added) and return its id."""
    try:
        return client.create_project(
            ProjectCreate(name=name, intervention=intervention, notes=notes[:2000])
        ).id
    except Conflict:
        same = [p for p in client.list_projects() if p.name == name]
        if same and same[0].intervention == intervention:
            return same[0].id
        raise


def record(client: StoreClient, project_id: int, step: str, **fields: Any) -> None:
    """Move the project to ``step``'s status and store the step's figures.

    A step run again (its artefact was deleted) never moves the status back.
    """
    if "decision" in fields:
        fields["decision"] = Decision(fields["decision"])
    order = list(ProjectStatus)
    status = max(STATUS[step], client.get_project(project_id).status, key=order.index)
    client.update_project(project_id, ProjectUpdate(status=status, **fields))
