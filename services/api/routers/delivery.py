"""Delivery center over HTTP: couriers, dispatch in batches, batches dispatched."""

from fastapi import APIRouter

from services.api.deps import AccessDep, NowDep, SessionDep, StorePath
from services.api.paging import PageDep
from services.domain import delivery
from services.schemas import BatchPublic, CourierCreate, CourierPublic, DispatchRequest

router = APIRouter(prefix="/delivery", tags=["delivery"])


@router.post("/couriers", status_code=201)
def add_courier(req: CourierCreate, s: SessionDep, a: AccessDep) -> CourierPublic:
    """Register an own rider or a third-party courier for a store."""
    a.store(req.store_id)
    return delivery.add_courier(s, req)


@router.get("/{store_id}/couriers")
def couriers(
    store_id: StorePath, s: SessionDep, a: AccessDep, page: PageDep
) -> list[CourierPublic]:
    """A store's couriers, own riders first."""
    a.store(store_id)
    return page.of(delivery.couriers(s, store_id))


@router.post("/{store_id}/dispatch")
def dispatch(
    store_id: StorePath, req: DispatchRequest, s: SessionDep, a: AccessDep, now: NowDep
) -> list[BatchPublic]:
    """Batch paid delivery orders by window and direction and hand them to couriers."""
    a.store(store_id)
    return delivery.dispatch(s, store_id, req.until, req.at or now)


@router.get("/{store_id}/batches")
def batches(store_id: StorePath, s: SessionDep, a: AccessDep, page: PageDep) -> list[BatchPublic]:
    """Batches dispatched for a store, oldest first."""
    a.store(store_id)
    return page.of(delivery.batches(s, store_id))
