"""Order center over HTTP: POS checkout, online orders and their lifecycle."""

from fastapi import APIRouter

from services.api.deps import AccessDep, IdPath, NowDep, OptIdQuery, OptStoreQuery, SessionDep
from services.api.paging import PageDep
from services.domain import orders
from services.schemas import CheckoutRequest, OrderCreate, OrderEvent, OrderPublic, Receipt

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("/checkout")
def checkout(req: CheckoutRequest, s: SessionDep, a: AccessDep, now: NowDep) -> Receipt:
    """One in-store sale: promotions, coupon, payment, stock and points in one transaction."""
    a.store(req.store_id)
    return orders.checkout(s, req, now)


@router.post("", status_code=201)
def create_order(req: OrderCreate, s: SessionDep, a: AccessDep, now: NowDep) -> OrderPublic:
    """An online order (pickup or delivery) with its stock reserved; same key, same order."""
    a.member(req.member_id, req.store_id)
    return orders.create_online(s, req, now)


@router.get("")
def list_orders(
    s: SessionDep,
    a: AccessDep,
    page: PageDep,
    store_id: OptStoreQuery = None,
    member_id: OptIdQuery = None,
    open_only: bool = False,
) -> list[OrderPublic]:
    """Orders of a store or of a member, oldest first (open online orders only, if asked)."""
    if member_id is not None and store_id is None:
        a.member(member_id, None)
    else:
        a.store(store_id)
    found = orders.list_orders(s, store_id, member_id, open_only, page.rows, page.offset)
    return page.done(found)


@router.get("/{order_id}")
def get_order(order_id: IdPath, s: SessionDep, a: AccessDep) -> OrderPublic:
    """One order."""
    order = orders.get_order(s, order_id)
    a.member(order.member_id, order.store_id)
    return order


def _step(step, order_id: int, event: OrderEvent, s, a, now) -> OrderPublic:
    a.store(orders.get_order(s, order_id).store_id)
    return step(s, order_id, event.at or now)


@router.post("/{order_id}/pick")
def pick(
    order_id: IdPath, event: OrderEvent, s: SessionDep, a: AccessDep, now: NowDep
) -> OrderPublic:
    """A paid online order has been picked."""
    return _step(orders.pick, order_id, event, s, a, now)


@router.post("/{order_id}/fulfil")
def fulfil(
    order_id: IdPath, event: OrderEvent, s: SessionDep, a: AccessDep, now: NowDep
) -> OrderPublic:
    """The customer has the goods."""
    return _step(orders.fulfil, order_id, event, s, a, now)


@router.post("/{order_id}/cancel")
def cancel(
    order_id: IdPath, event: OrderEvent, s: SessionDep, a: AccessDep, now: NowDep
) -> OrderPublic:
    """Cancel an online order before it is fulfilled."""
    return _step(orders.cancel, order_id, event, s, a, now)
