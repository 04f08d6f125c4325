"""Device center over HTTP: telemetry in, alerts out for staff policies to pull and acknowledge."""

from fastapi import APIRouter

from services.api.deps import AccessDep, NowDep, SessionDep
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
    store_id: str,
    s: SessionDep,
    a: AccessDep,
    status: AlertStatus | None = AlertStatus.open,
    kind: str | None = None,
) -> list[AlertPublic]:
    """A store's alerts (open ones unless asked otherwise)."""
    a.store(store_id)
    return devices.alerts(s, store_id, status, kind)


@router.post("/alerts/{alert_id}/ack")
def ack(alert_id: int, req: AckIn, s: SessionDep, a: AccessDep, now: NowDep) -> AlertPublic:
    """Acknowledge an alert."""
    a.store(devices.require_alert(s, alert_id).store_id)
    return devices.ack(s, alert_id, req, now)
