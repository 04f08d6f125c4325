"""Device center over HTTP: telemetry in, alerts out for staff policies to pull and acknowledge."""

from fastapi import APIRouter

from services.api.deps import AccessDep, IdPath, NowDep, OptTextQuery, SessionDep, StoreQuery
from services.api.paging import PageDep
from services.domain import devices
from services.schemas import AckIn, AlertPublic, AlertStatus, TelemetryAccepted, TelemetryIn

router = APIRouter(prefix="/devices", tags=["devices"])


@router.post("/telemetry", status_code=201)
def telemetry(req: TelemetryIn, s: SessionDep, a: AccessDep) -> TelemetryAccepted:
    """A device reading; the alerts it raised come back."""
    a.device(req.store_id, req.device_id)
    return devices.ingest(s, req)


@router.get("/alerts")
def alerts(
    store_id: StoreQuery,
    s: SessionDep,
    a: AccessDep,
    page: PageDep,
    status: AlertStatus | None = AlertStatus.open,
    kind: OptTextQuery = None,
) -> list[AlertPublic]:
    """A store's alerts (open ones unless asked otherwise), oldest first."""
    a.store(store_id)
    return page.of(devices.alerts(s, store_id, status, kind))


@router.post("/alerts/{alert_id}/ack")
def ack(alert_id: IdPath, req: AckIn, s: SessionDep, a: AccessDep, now: NowDep) -> AlertPublic:
    """Acknowledge an alert."""
    a.store(devices.require_alert(s, alert_id).store_id)
    return devices.ack(s, alert_id, req, now)
