"""Cameras inside a store model: the observation API in every fidelity, faults, audits."""

import numpy as np
import pytest
from pydantic import ValidationError

from devices.vision import install_cameras
from devices.vision.audit import PriceAuditCamera
from devices.vision.cameras import LineCounter, QueueCamera
from scenarios import load
from scenarios.cameras import CamerasSpec, QueueCameraSpec
from services.client import InProcessClient
from twin.model import StoreModel
from twin.rng import Streams

HOUR = 3600.0


def _spec(fidelity, **camera):
    return CamerasSpec.model_validate(
        {"fidelity": fidelity, "cameras": [{"kind": "queue", "id": "q1", **camera}]}
    )


def _queue_readings(store, fidelity, interval_s=20.0):
    """(observed, true) queue length of every lane at every frame of one day."""
    (cam,) = install_cameras(store, _spec(fidelity, interval_s=interval_s))
    store.run(1)
    rows = store.log.tables()["readings"].to_pylist()
    return cam, np.array(
        [(r["observed"], r["truth"]) for r in rows if r["device_id"] == cam.device_id]
    )


def test_an_oracle_queue_camera_sees_the_true_length(store):
    cam, series = _queue_readings(store, "oracle")
    assert isinstance(cam, QueueCamera) and cam.latency_s == 0
    assert series[:, 1].max() >= 3
    np.testing.assert_array_equal(series[:, 0], series[:, 1])
    assert set(cam.queue_lengths()) == set(range(len(store.lanes)))


def test_measured_fidelity_errs_as_the_benchmark_measured(store):
    """Policy-free cost of model error: the observed queue-length series against the true one."""
    cam, series = _queue_readings(store, "measured")
    observed, true = series.T
    assert cam.latency_s > 0
    busy = true >= 1
    error = (observed - true)[busy]
    assert 0 < np.abs(error).mean() < 1.0
    assert 0.5 < (error == 0).mean() < 1.0


def test_a_faulty_camera_gives_none_and_the_fault_is_an_event(store):
    (cam,) = install_cameras(store, _spec("oracle", lanes=[1], interval_s=30.0))

    def breakdown():
        yield store.env.timeout(10 * HOUR)
        cam.fail()
        yield store.env.timeout(90.0)
        seen.append(cam.queue_lengths())
        cam.repair()
        yield store.env.timeout(60.0)
        seen.append(cam.queue_lengths())

    seen = []
    store.env.process(breakdown())
    store.run(1)
    assert seen[0] == {1: None}
    assert isinstance(seen[1][1], int)
    tables = store.log.tables()
    events = [e["event"] for e in tables["device_events"].to_pylist() if e["device_id"] == "q1"]
    assert events == ["fault", "repaired"]
    missed = [
        r
        for r in tables["readings"].to_pylist()
        if r["device_id"] == "q1" and r["observed"] is None
    ]
    assert len(missed) == 3 and all(r["truth"] is not None for r in missed)


def test_a_real_queue_camera_runs_the_model_on_rendered_frames(store):
    install_cameras(store, _spec("real", lanes=[0], interval_s=1800.0))
    store.run(1)
    rows = [r for r in store.log.tables()["readings"].to_pylist() if r["metric"] == "queue_len_0"]
    assert len(rows) > 20 // 3
    busy = [r for r in rows if r["truth"] > 0]
    assert busy, "some frames must show a queue"
    assert np.mean([abs(r["observed"] - r["truth"]) for r in busy]) <= 1.0


def test_a_price_changed_in_services_but_not_on_a_paper_label_is_flagged(store):
    spec = CamerasSpec.model_validate(
        {
            "fidelity": "real",
            "cameras": [{"kind": "price_audit", "id": "robot", "zones": ["bakery"]}],
        }
    )
    (cam,) = install_cameras(store, spec)
    assert isinstance(cam, PriceAuditCamera) and cam.audit() is None
    sku = cam.skus[4]
    product = store.catalog.products[sku]
    store.client.upsert_products(
        [product.model_copy(update={"price_cents": product.price_cents + 200})]
    )
    store.env.process(cam.sweep())
    store.env.run(until=3600)
    assert cam.mismatches() == [sku]
    readings = dict(cam.audit())
    assert readings[sku] == product.price_cents  # the paper label still shows the old price
    assert len(readings) == len(cam.skus) == 25
    events = store.log.tables()["device_events"].to_pylist()
    assert [e["event"] for e in events] == ["price_mismatch"]
    assert product.sku in events[0]["detail"]


def test_an_esl_sync_failure_is_missed_by_no_fidelity(store):
    spec = CamerasSpec.model_validate(
        {"fidelity": "oracle", "cameras": [{"kind": "price_audit", "id": "r", "zones": ["dairy"]}]}
    )
    (cam,) = install_cameras(store, spec)
    sku = cam.skus[0]
    store.labels.show(sku, int(store.labels.shown_cents[sku]) - 100)
    store.env.process(cam.sweep())
    store.env.run(until=60)
    assert cam.mismatches() == [sku]


@pytest.mark.parametrize("fidelity", ["oracle", "measured"])
def test_the_door_counter_counts_entries(db, small, fidelity):
    client = InProcessClient(db)
    store = StoreModel(small(load("convenience"), 400), Streams(2), client)
    spec = CamerasSpec.model_validate(
        {"fidelity": fidelity, "cameras": [{"kind": "door", "id": "d"}]}
    )
    (door,) = install_cameras(store, spec)
    store.run(1)
    client.close()
    assert door.true.entries == store.flows["visitors"]
    if fidelity == "oracle":
        assert door.count == door.true.entries
    else:
        assert door.count == pytest.approx(door.true.entries, rel=0.25)


def test_a_line_counter_counts_each_walker_once_and_ignores_strays():
    counter = LineCounter(line=1.5)
    for y in (0.2, 1.1, 2.0, 2.9, 1.0, 2.0):
        counter.update(np.array([[4.0, y], [9.0, 3.0]]))
    assert counter.entries == 1
    strays = LineCounter(line=1.5)
    strays.update(np.array([[4.0, 1.0]]))
    strays.update(np.array([[4.0, 1.8]]))
    strays.update(np.zeros((0, 2)))
    assert strays.entries == 0


def test_camera_specs_are_strict():
    with pytest.raises(ValidationError, match="extra"):
        QueueCameraSpec(id="q", fps=3)
    with pytest.raises(ValidationError, match="unique"):
        CamerasSpec.model_validate(
            {"cameras": [{"kind": "door", "id": "a"}, {"kind": "door", "id": "a"}]}
        )
    with pytest.raises(ValidationError, match="kind"):
        CamerasSpec.model_validate({"cameras": [{"kind": "drone", "id": "a"}]})


def test_lanes_and_zones_the_store_lacks_are_refused(store):
    with pytest.raises(ValueError, match="lanes"):
        install_cameras(store, _spec("oracle", lanes=[7]))
    bad_zone = {
        "fidelity": "oracle",
        "cameras": [{"kind": "price_audit", "id": "r", "zones": ["garden"]}],
    }
    with pytest.raises(ValueError, match="garden"):
        install_cameras(store, CamerasSpec.model_validate(bad_zone))


def test_adding_a_camera_changes_no_other_stream(db, small):
    def day(with_camera):
        client = InProcessClient(db)
        m = StoreModel(
            small(load("convenience"), 200), Streams(5), client, store_id=f"S{with_camera}"
        )
        if with_camera:
            install_cameras(m, _spec("measured", interval_s=60.0))
        m.run(1)
        client.close()
        return m.visits.table().column("departure_s").to_pylist()

    assert day(False) == day(True)


def test_cameras_do_not_film_a_closed_store(db, small):
    """The day's frames run from opening until the last shopper leaves, none in the night."""
    client = InProcessClient(db)
    store = StoreModel(small(load("convenience"), 200), Streams(4), client)
    (cam,) = install_cameras(store, _spec("oracle", interval_s=60.0))
    store.run(1)
    client.close()
    times = np.array(
        [r["t_s"] for r in store.log.tables()["readings"].to_pylist() if r["device_id"] == "q1"]
    )
    hours = store.scenario.hours
    assert times.min() >= hours.open_s
    last_out = max(store.visits.table().column("departure_s").to_pylist())
    assert times.max() <= max(hours.close_s, last_out) + 60.0
    open_frames = (hours.close_s - hours.open_s) / 60.0
    assert len(times) / len(cam.lanes) == pytest.approx(open_frames, abs=2)


@pytest.mark.parametrize(
    ("camera", "says"),
    [
        ({"model": "/models/mine.tflite"}, "is a file"),
        ({"model": "mystery"}, "unknown people model 'mystery'"),
        ({"model": "ppocr"}, "unknown people model 'ppocr'"),
        ({"model": "mystery", "block": "real"}, "for real fidelity"),
    ],
)
def test_a_camera_model_the_twin_cannot_run_is_refused_at_validation(camera, says):
    fidelity = camera.pop("block", "measured")
    with pytest.raises(ValidationError, match=says):
        _spec(fidelity, **camera)
    assert _spec("oracle", model="mystery").cameras[0].model == "mystery"  # the truth needs none


def test_a_model_of_ones_own_runs_by_name_from_its_bench_table(tmp_path):
    table = tmp_path / "bench.json"
    table.write_text('{"models": [{"name": "mine", "task": "people", "latency_ms_p50": 1}]}')
    spec = CamerasSpec.model_validate(
        {"error_table": str(table), "cameras": [{"kind": "queue", "id": "q", "model": "mine"}]}
    )
    assert spec.cameras[0].model == "mine"
    with pytest.raises(ValidationError, match="not found"):
        CamerasSpec.model_validate(
            {"error_table": str(tmp_path / "none.json"), "cameras": [{"kind": "door", "id": "d"}]}
        )
