"""Project library over HTTP: the six-step pilot projects (HQ)."""

from fastapi import APIRouter

from services.api.deps import AccessDep, IdPath, NowDep, SessionDep
from services.api.paging import PageDep
from services.domain import projects
from services.schemas import ProjectCreate, ProjectPublic, ProjectStatus, ProjectUpdate

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201)
def create(req: ProjectCreate, s: SessionDep, a: AccessDep, now: NowDep) -> ProjectPublic:
    """Add a project identified from the blueprint."""
    a.hq()
    return projects.create(s, req, now)


@router.get("")
def list_projects(
    s: SessionDep, a: AccessDep, page: PageDep, status: ProjectStatus | None = None
) -> list[ProjectPublic]:
    """The library, optionally one step, oldest first."""
    a.hq()
    return page.of(projects.list_all(s, status))


@router.get("/{project_id}")
def get(project_id: IdPath, s: SessionDep, a: AccessDep) -> ProjectPublic:
    """One project."""
    a.hq()
    return projects.get(s, project_id)


@router.patch("/{project_id}")
def update(
    project_id: IdPath, req: ProjectUpdate, s: SessionDep, a: AccessDep, now: NowDep
) -> ProjectPublic:
    """Change a project (status moves forward only)."""
    a.hq()
    return projects.update(s, project_id, req, now)


@router.delete("/{project_id}", status_code=204)
def delete(project_id: IdPath, s: SessionDep, a: AccessDep) -> None:
    """Remove a project."""
    a.hq()
    projects.delete(s, project_id)
