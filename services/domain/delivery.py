"""Delivery center: couriers and the dispatch of delivery orders in batches.

Paid delivery orders whose window has started are grouped by window and
direction (eight compass sectors of the bearing from the store); each group is
cut into batches of at most one courier's capacity, nearest first. The
store's own riders take batches before third-party couriers; each courier
takes one batch per window, and a batch no courier is left for waits with no
courier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import groupby

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.db.engine import connection_of
from services.db.models import Courier, Delivery, DeliveryBatch, Order
from services.db.prepared import Prepared, PreparedInsert, PreparedRow
from services.domain.stores import check_store, require_store
from services.schemas import BatchPublic, CourierCreate, CourierKind, CourierPublic, OrderStatus

SECTORS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
DEFAULT_BATCH = 5


def direction(bearing_deg: float) -> str:
    """The compass sector of a bearing (N is 337.5..22.5 degrees)."""
    return SECTORS[int(((bearing_deg + 22.5) % 360) // 45)]


def add_courier(session: Session, req: CourierCreate) -> CourierPublic:
    """Register a courier for a store."""
    require_store(session, req.store_id)
    row = Courier(**req.model_dump(), active=True)
    session.add(row)
    session.flush()
    return _courier(row)


def couriers(session: Session, store_id: str) -> list[CourierPublic]:
    """A store's couriers, own riders first."""
    require_store(session, store_id)
    return _fleet(session, store_id)


def _fleet(session: Session, store_id: str) -> list[CourierPublic]:
    rows = _COURIERS_OF.all(connection_of(session), {"s_id": store_id})
    return sorted((_courier(c) for c in rows), key=lambda c: c.kind != CourierKind.own)


# Couriers, deliveries and batches are read and written with Core, not ORM objects: a
# store's dispatch runs every few minutes of a store-day, mostly finding nothing to
# batch, and the ORM's session bookkeeping cost ten times its three reads.
_COURIERS = Courier.__table__
_DELIVERIES = Delivery.__table__
_BATCHES = DeliveryBatch.__table__
_ORDERS = Order.__table__
_COURIERS_OF = PreparedRow(
    select(_COURIERS).where(_COURIERS.c.store_id == bindparam("s_id")).order_by(_COURIERS.c.id)
)
# A dispatch's statements run on the DBAPI cursor (``services.db.prepared``): its
# waiting deliveries as a prepared SELECT (the statuses are bound, not an IN of literals
# SQLAlchemy renders at every execution) and a batch's deliveries one UPDATE each, not
# Core's expanding IN; PostgreSQL runs the same statements (``PreparedRow`` reads on
# Core there), and the rows were locked by the SELECT ... FOR UPDATE before.
_WAITING = PreparedRow(
    select(
        _DELIVERIES.c.order_id,
        _DELIVERIES.c.window_start,
        _DELIVERIES.c.bearing_deg,
        _DELIVERIES.c.distance_km,
    )
    .join(_ORDERS, _ORDERS.c.id == _DELIVERIES.c.order_id)
    .where(
        _DELIVERIES.c.store_id == bindparam("s_id"),
        _DELIVERIES.c.batch_id.is_(None),
        _DELIVERIES.c.window_start < bindparam("until"),
        _ORDERS.c.status.in_([bindparam("w_paid"), bindparam("w_picked")]),
    )
    # A concurrent dispatch holds these rows until it commits; PostgreSQL then
    # re-reads them, and those it batched no longer match ``batch_id IS NULL``.
    .with_for_update(of=_DELIVERIES)
)
_WAITING_STATUS = {"w_paid": OrderStatus.paid.value, "w_picked": OrderStatus.picked.value}
_NEW_BATCH = PreparedInsert(insert(_BATCHES), _BATCHES.c.id)
_INTO_BATCH = Prepared(
    update(_DELIVERIES)
    .where(_DELIVERIES.c.order_id == bindparam("o_id"))
    .values(batch_id=bindparam("b_id"))
)


def dispatch(
    session: Session, store_id: str, until: dt.datetime, at: dt.datetime
) -> list[BatchPublic]:
    """Batch the store's paid or picked delivery orders with a window starting before ``until``."""
    check_store(session, store_id)
    conn = connection_of(session)
    fleet = [c for c in _fleet(session, store_id) if c.active]
    rows = _WAITING.all(conn, {"s_id": store_id, "until": until, **_WAITING_STATUS})
    groups: dict[tuple[dt.datetime, str], list[Row]] = defaultdict(list)
    for d in rows:
        groups[(d.window_start, direction(d.bearing_deg))].append(d)
    batches = []
    for window, keys in groupby(sorted(groups), key=lambda k: k[0]):
        free = list(fleet)
        for key in keys:
            pending = sorted(groups[key], key=lambda d: (d.distance_km, d.order_id))
            while pending:
                courier = free.pop(0) if free else None
                size = courier.capacity if courier else DEFAULT_BATCH
                chunk, pending = pending[:size], pending[size:]
                courier_id = courier.id if courier else None
                batch_id = _NEW_BATCH.new_id(
                    conn,
                    {
                        "store_id": store_id,
                        "courier_id": courier_id,
                        "window_start": window,
                        "direction": key[1],
                        "dispatched_at": at,
                    },
                )
                order_ids = [d.order_id for d in chunk]
                _INTO_BATCH.executemany(conn, [{"o_id": o, "b_id": batch_id} for o in order_ids])
                batches.append(
                    BatchPublic(
                        id=batch_id,
                        store_id=store_id,
                        courier_id=courier_id,
                        courier_kind=courier.kind if courier else None,
                        window_start=window,
                        direction=key[1],
                        order_ids=order_ids,
                    )
                )
    return batches


def batches(session: Session, store_id: str) -> list[BatchPublic]:
    """Every batch dispatched for a store, oldest first."""
    require_store(session, store_id)
    kinds = {c.id: c for c in couriers(session, store_id)}
    rows = session.scalars(
        select(DeliveryBatch).where(DeliveryBatch.store_id == store_id).order_by(DeliveryBatch.id)
    ).all()
    members: dict[int, list[int]] = defaultdict(list)
    for batch_id, order_id in session.execute(
        select(Delivery.batch_id, Delivery.order_id)
        .where(Delivery.batch_id.in_([b.id for b in rows]))
        .order_by(Delivery.order_id)
    ):
        members[batch_id].append(order_id)
    return [_batch(b, kinds.get(b.courier_id), members[b.id]) for b in rows]


def _batch(b: DeliveryBatch, courier: CourierPublic | None, order_ids: list[int]) -> BatchPublic:
    return BatchPublic(
        id=b.id,
        store_id=b.store_id,
        courier_id=b.courier_id,
        courier_kind=courier.kind if courier else None,
        window_start=b.window_start,
        direction=b.direction,
        order_ids=order_ids,
    )


def _courier(c: Courier | Row) -> CourierPublic:
    return CourierPublic(
        id=c.id,
        store_id=c.store_id,
        name=c.name,
        kind=c.kind,
        capacity=c.capacity,
        active=c.active,
    )
