"""The pilot project library of the six-step method: one record per project, JSON-friendly.

A project moves forward through the steps (identified, estimated, reviewed,
piloting, evaluated, decided); a decision is recorded only at the last step.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.db.models import Project
from services.domain.errors import Conflict, DomainError, NotFound
from services.schemas import ProjectCreate, ProjectPublic, ProjectStatus, ProjectUpdate

STEPS = list(ProjectStatus)


def create(session: Session, req: ProjectCreate, now: dt.datetime) -> ProjectPublic:
    """Add a project to the library; names are unique."""
    if session.scalar(select(Project.id).where(Project.name == req.name)) is not None:
        raise Conflict(f"name: a project called {req.name!r} exists")
    row = Project(
        **req.model_dump(),
        status=ProjectStatus.identified.value,
        pilot_stores=[],
        reference_stores=[],
        results={},
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"name: a project called {req.name!r} exists") from None
    return _public(row)


def _require(session: Session, project_id: int) -> Project:
    row = session.get(Project, project_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no project {project_id}")
    return row


def get(session: Session, project_id: int) -> ProjectPublic:
    """One project."""
    return _public(_require(session, project_id))


def list_all(session: Session, status: ProjectStatus | None = None) -> list[ProjectPublic]:
    """The library (optionally one step), oldest first."""
    stmt = select(Project).order_by(Project.id)
    if status is not None:
        stmt = stmt.where(Project.status == status.value)
    return [_public(p) for p in session.scalars(stmt)]


def update(session: Session, project_id: int, req: ProjectUpdate, now: dt.datetime):
    """Change the given fields; the status never moves back, a decision needs status decided."""
    row = _require(session, project_id)
    changes = req.model_dump(exclude_unset=True, mode="json")
    if req.status is not None and STEPS.index(req.status) < STEPS.index(ProjectStatus(row.status)):
        raise Conflict(f"status: project {project_id} is {row.status}; it cannot go back")
    status = req.status or ProjectStatus(row.status)
    if req.decision is not None and status != ProjectStatus.decided:
        raise DomainError("decision: only a project whose status is decided has a decision")
    for key, value in changes.items():
        if value is not None:
            setattr(row, key, value)
    row.updated_at = now
    session.flush()
    return _public(row)


def delete(session: Session, project_id: int) -> None:
    """Remove a project from the library."""
    session.delete(_require(session, project_id))
    session.flush()


def _public(p: Project) -> ProjectPublic:
    return ProjectPublic(
        id=p.id,
        name=p.name,
        intervention=p.intervention,
        status=p.status,
        estimates=p.estimates,
        pilot_stores=p.pilot_stores,
        reference_stores=p.reference_stores,
        results=p.results,
        decision=p.decision,
        notes=p.notes,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )
