"""Device center: telemetry from the store's devices, and the alerts staff policies pull.

Readings are kept as they come. Some kinds carry a condition staff must act on;
``RULES`` turns those into alerts, at most one open alert per store, kind and
subject (a SKU, a lane, a fridge), until someone acknowledges it:

- ``shelf`` / ``smart_shelf`` ``{"sku", "units", "low_below"?}``: units 0 -> out_of_stock;
  units at or below ``low_below`` -> low_stock
- ``esl`` / ``price_label`` / ``shelf_camera`` ``{"sku", "shown_price_cents"}``: a price
  other than the store's price at that time -> price_mismatch
- ``queue`` / ``people_counter`` ``{"lane", "length", "threshold"?}``: length at or
  above the threshold (default 4) -> queue_too_long
- ``fridge`` ``{"temp_c", "max_c"?}``: above max_c (default 8) -> temperature_high
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.db.models import Alert, Telemetry
from services.domain import catalog
from services.domain.errors import DomainError, NotFound
from services.domain.stores import check_store, require_store
from services.schemas import AckIn, AlertPublic, AlertStatus, TelemetryAccepted, TelemetryIn

QUEUE_THRESHOLD = 4
FRIDGE_MAX_C = 8.0

Finding = tuple[str, str, str] | None  # (alert kind, subject, message)


def _field(payload: dict, name: str, kind: type | tuple[type, ...]):
    value = payload.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        wanted = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        article = "an" if wanted[0] in "aeiou" else "a"
        raise DomainError(f"payload.{name}: must be {article} {wanted}, got {type(value).__name__}")
    return value


def _optional(payload: dict, name: str, default: float) -> float:
    """An optional number of the payload: its default when absent, never a string or null."""
    return _field(payload, name, (int, float)) if name in payload else default


def _shelf(session: Session, t: TelemetryIn) -> Finding:
    sku, units = _field(t.payload, "sku", str), _field(t.payload, "units", int)
    if units <= 0:
        return "out_of_stock", sku, f"{sku} is out of stock on the shelf"
    low = t.payload.get("low_below")
    if isinstance(low, int | float) and not isinstance(low, bool) and units <= low:
        return "low_stock", sku, f"{sku} is down to {units} on the shelf"
    return None


def _label(session: Session, t: TelemetryIn) -> Finding:
    sku, shown = _field(t.payload, "sku", str), _field(t.payload, "shown_price_cents", int)
    price = catalog.store_prices(session, t.store_id, [sku], t.at)[sku][0]
    if shown != price:
        return "price_mismatch", sku, f"{sku} label shows {shown} cents, price is {price}"
    return None


def _queue(session: Session, t: TelemetryIn) -> Finding:
    lane, length = _field(t.payload, "lane", int), _field(t.payload, "length", int)
    limit = _optional(t.payload, "threshold", QUEUE_THRESHOLD)
    if length >= limit:
        return "queue_too_long", f"lane {lane}", f"{length} people queue at lane {lane}"
    return None


def _fridge(session: Session, t: TelemetryIn) -> Finding:
    temp = _field(t.payload, "temp_c", (int, float))
    limit = _optional(t.payload, "max_c", FRIDGE_MAX_C)
    if temp > limit:
        return "temperature_high", t.device_id, f"{t.device_id} is at {temp} C (max {limit})"
    return None


RULES: dict[str, Callable[[Session, TelemetryIn], Finding]] = {
    "shelf": _shelf,
    "smart_shelf": _shelf,
    "esl": _label,
    "price_label": _label,
    "shelf_camera": _label,
    "queue": _queue,
    "people_counter": _queue,
    "fridge": _fridge,
}


def ingest(session: Session, t: TelemetryIn) -> TelemetryAccepted:
    """Store a reading and raise the alert it calls for (unless one is open already)."""
    check_store(session, t.store_id)
    rule = RULES.get(t.kind)
    finding = rule(session, t) if rule else None
    row = Telemetry(**t.model_dump())
    session.add(row)
    session.flush()
    raised = []
    if finding is not None:
        kind, subject, message = finding
        open_one = session.scalar(
            select(Alert.id).where(
                Alert.store_id == t.store_id,
                Alert.kind == kind,
                Alert.subject == subject,
                Alert.status == AlertStatus.open.value,
            )
        )
        if open_one is None:
            alert = Alert(
                store_id=t.store_id,
                kind=kind,
                subject=subject,
                device_id=t.device_id,
                message=message,
                raised_at=t.at,
                status=AlertStatus.open.value,
            )
            session.add(alert)
            session.flush()
            raised.append(_public(alert))
    return TelemetryAccepted(telemetry_id=row.id, alerts=raised)


def alerts(
    session: Session, store_id: str, status: AlertStatus | None = AlertStatus.open, kind=None
) -> list[AlertPublic]:
    """A store's alerts (open ones by default), oldest first."""
    require_store(session, store_id)
    stmt = select(Alert).where(Alert.store_id == store_id).order_by(Alert.id)
    if status is not None:
        stmt = stmt.where(Alert.status == status.value)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    return [_public(a) for a in session.scalars(stmt)]


def require_alert(session: Session, alert_id: int) -> Alert:
    """The alert with this id, or NotFound."""
    alert = session.get(Alert, alert_id, populate_existing=True)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def ack(session: Session, alert_id: int, req: AckIn, now: dt.datetime) -> AlertPublic:
    """Acknowledge an alert; acknowledging it again changes nothing."""
    require_alert(session, alert_id)
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == AlertStatus.open.value)
        .values(status=AlertStatus.acked.value, acked_by=req.by, acked_at=req.at or now)
    )
    return _public(require_alert(session, alert_id))


def _public(a: Alert) -> AlertPublic:
    return AlertPublic(
        id=a.id,
        store_id=a.store_id,
        kind=a.kind,
        subject=a.subject,
        device_id=a.device_id,
        message=a.message,
        raised_at=a.raised_at,
        status=a.status,
        acked_by=a.acked_by,
        acked_at=a.acked_at,
    )
