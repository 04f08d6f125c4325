"""Liveness: the trivial endpoint the services benchmark compares checkout against."""

from fastapi import APIRouter

from services.schemas import Schema

router = APIRouter(prefix="/health", tags=["health"])


class Health(Schema):
    """The service answers."""

    status: str


@router.get("")
def health() -> Health:
    """Always ok while the process serves requests."""
    return Health(status="ok")
