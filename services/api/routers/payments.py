"""Payment center over HTTP: pay an order, refund it, read payments; idempotent by key."""

from fastapi import APIRouter

from services.api.deps import AccessDep, IdPath, NowDep, SessionDep
from services.api.paging import PageDep
from services.domain import orders, payments
from services.schemas import OrderPublic, PaymentCreate, PaymentPublic, RefundCreate

router = APIRouter(prefix="/payments", tags=["payments"])


@router.post("")
def pay(req: PaymentCreate, s: SessionDep, a: AccessDep, now: NowDep) -> PaymentPublic:
    """Pay an online order's total; the same key again returns the first payment."""
    order = orders.get_order(s, req.order_id)
    a.member(order.member_id, order.store_id)
    return payments.charge(s, req, now)


@router.post("/refunds/{order_id}")
def refund(
    order_id: IdPath, req: RefundCreate, s: SessionDep, a: AccessDep, now: NowDep
) -> OrderPublic:
    """Refund a paid order in full (store staff); the same key again changes nothing."""
    a.store(orders.get_order(s, order_id).store_id)
    return orders.refund(s, order_id, req, now)


@router.get("/{payment_id}")
def get_payment(payment_id: IdPath, s: SessionDep, a: AccessDep) -> PaymentPublic:
    """One charge or refund."""
    payment = payments.get_payment(s, payment_id)
    order = orders.get_order(s, payment.order_id)
    a.member(order.member_id, order.store_id)
    return payment


@router.get("/orders/{order_id}")
def order_payments(
    order_id: IdPath, s: SessionDep, a: AccessDep, page: PageDep
) -> list[PaymentPublic]:
    """An order's charges and refunds, oldest first."""
    order = orders.get_order(s, order_id)
    a.member(order.member_id, order.store_id)
    return page.of(payments.for_order(s, order_id))
