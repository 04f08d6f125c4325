"""``install_cameras``: put a scenario's cameras into a store model, each with its own stream."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import numpy as np

from devices.base import Device, FaultModel
from devices.vision.audit import PriceAuditCamera
from devices.vision.cameras import CeilingCamera, DoorCounter, QueueCamera
from devices.vision.errors import ErrorTable
from devices.vision.frames import Conditions
from devices.vision.scenes import ceiling_camera
from scenarios.cameras import (
    CamerasSpec,
    CeilingCameraSpec,
    DoorCounterSpec,
    Fidelity,
    PriceAuditSpec,
    QueueCameraSpec,
)

if TYPE_CHECKING:
    from twin.model import StoreModel
    from twin.rng import Streams


def camera_stream(
    model: StoreModel, name: str, streams: Streams | None = None
) -> np.random.Generator:
    """An independent generator for one camera.

    With ``streams`` it is ``streams.generator(name)``; without, it is spawned
    from the seed sequence behind ``model.rng`` by name, drawing nothing from
    it, so adding a camera never shifts any other stream.
    """
    if streams is not None:
        return streams.generator(name)
    seq = model.rng.bit_generator.seed_seq
    key = (*seq.spawn_key, zlib.crc32(name.encode()))
    return np.random.default_rng(np.random.SeedSequence(seq.entropy, spawn_key=key))


def install_cameras(
    model: StoreModel, spec: CamerasSpec, streams: Streams | None = None
) -> list[Device]:
    """Build the cameras ``spec`` describes, add them to ``model.devices`` and return them.

    They start with the run (``StoreModel.run`` starts every device). Raises
    ValueError for a lane, zone or model the store does not have.
    """
    fidelities = {c.fidelity or spec.fidelity for c in spec.cameras}
    errors = (
        ErrorTable.load(spec.error_table)
        if Fidelity.measured in fidelities or Fidelity.real in fidelities
        else None
    )
    c = spec.conditions
    conditions = Conditions(light=c.light, blur=c.blur, noise=c.noise)
    n_lanes = len(model.lanes)
    built: list[Device] = []
    for cam in spec.cameras:
        common = dict(
            fidelity=cam.fidelity or spec.fidelity,
            model_name=cam.model,
            conditions=conditions,
            errors=errors,
            from_day=spec.from_day,
        )
        head = (
            model,
            cam.id,
            (0.0, 0.0),
            camera_stream(model, f"camera:{cam.id}", streams),
            FaultModel(mtbf_h=cam.mtbf_h, repair_h=cam.repair_h),
        )
        if isinstance(cam, QueueCameraSpec):
            lanes = cam.lanes if cam.lanes is not None else list(range(n_lanes))
            bad = [lane for lane in lanes if not 0 <= lane < n_lanes]
            if bad:
                raise ValueError(
                    f"camera {cam.id}: lanes {bad} do not exist (the store has {n_lanes})"
                )
            device = QueueCamera(*head, lanes=lanes, interval_s=cam.interval_s, **common)
        elif isinstance(cam, DoorCounterSpec):
            device = DoorCounter(*head, line_m=cam.line_m, interval_s=cam.interval_s, **common)
        elif isinstance(cam, CeilingCameraSpec):
            pose = ceiling_camera(cam.x, cam.y, cam.height_m)
            device = CeilingCamera(*head, cam=pose, interval_s=cam.interval_s, **common)
        else:
            assert isinstance(cam, PriceAuditSpec)
            device = PriceAuditCamera(*head, spec=cam, **common)
        built.append(device)
    model.devices.extend(built)
    return built
