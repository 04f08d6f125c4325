"""Hot paths of the camera pipeline; each also checks its answer, so a wrong speed-up fails."""

import numpy as np
import pytest

from devices.vision.registry import load
from devices.vision.render import Person, Renderer
from devices.vision.scenes import queue_camera, queue_people
from devices.vision.shelf import TagSpec, shelf_frame
from scenarios import load as load_scenario


@pytest.fixture(scope="module")
def queue_frame():
    """One shopper at a lane's till and nobody else in view: the answers below count on it."""
    store = load_scenario("supermarket")
    cam = queue_camera(store.layout, 1)
    one = queue_people(store.layout, 1, 1, np.random.default_rng(0))
    return Renderer.of(store).people(cam, one)


@pytest.fixture(scope="module")
def blazepose():
    return load("blazepose", (640, 480))


def test_render_queue_frame(benchmark):
    layout = load_scenario("supermarket").layout
    renderer, cam = Renderer.of(load_scenario("supermarket")), queue_camera(layout, 1)
    crowd = queue_people(layout, 1, 5, np.random.default_rng(0))
    renderer.scenery(cam)
    frame = benchmark(renderer.people, cam, crowd)
    assert len(frame.people) == 5


def test_render_shelf_frame(benchmark):
    tags = [TagSpec(k, f"Item {k}", f"SKU{k:04d}", 990 + k, 990) for k in range(6)]
    frame = benchmark(shelf_frame, tags)
    assert len(frame.tags) == 6


def test_blazepose_preprocess(benchmark, blazepose, queue_frame):
    tiles, _ = benchmark(blazepose.preprocess, queue_frame.image)
    assert len(tiles) == 24 and tiles[0].shape == (1, 200, 200, 3)


def test_blazepose_infer_one_tile(benchmark, blazepose, queue_frame):
    tiles, _ = blazepose.preprocess(queue_frame.image)
    outputs = benchmark(blazepose.infer, tiles[0])
    assert outputs[0].shape[1] == 2254


def test_blazepose_postprocess(benchmark, blazepose, queue_frame):
    tiles, meta = blazepose.preprocess(queue_frame.image)
    outputs = [blazepose.infer(t) for t in tiles]
    found = benchmark(blazepose.postprocess, outputs, meta)
    assert 1 <= len(found) <= 3


def test_blazepose_frame(benchmark, blazepose, queue_frame):
    found = benchmark(blazepose, queue_frame.image)
    assert len(found) >= 1


def test_ocr_frame(benchmark):
    reader = load("ppocr", (960, 544))
    frame = shelf_frame([TagSpec(0, "Fresh Milk 1L", "DAI0001", 1290, 1290)])
    lines = benchmark.pedantic(reader, args=(frame.image,), rounds=3, iterations=1)
    assert any(line.text == "12.90" for line in lines)


def test_render_ceiling_frame(benchmark):
    from devices.vision.scenes import ceiling_camera

    renderer, cam = Renderer.of(load_scenario("supermarket")), ceiling_camera(10.0, 8.0)
    rng = np.random.default_rng(0)
    crowd = [Person(k, *rng.uniform((8.5, 6.5), (11.5, 9.5)), 0.0) for k in range(5)]
    renderer.scenery(cam)
    frame = benchmark(renderer.people, cam, crowd)
    assert len(frame.people) == 5


def test_topdown_postprocess(benchmark):
    from devices.vision.bench_sets import top_samples

    frame = next(s.frame for s in top_samples(20, seed=0) if len(s.frame.people) >= 6)
    topdown = load("topdown", (320, 320))
    tensors, meta = topdown.preprocess(frame.image)
    outputs = [topdown.infer(t) for t in tensors]
    found = benchmark(topdown.postprocess, outputs, meta)
    assert abs(len(found) - len(frame.people)) <= 1
