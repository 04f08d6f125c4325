import numpy as np
import pytest

from devices.vision.frames import Conditions
from devices.vision.render import Person, Renderer
from devices.vision.scenes import queue_camera, queue_people, queue_region
from devices.vision.shelf import Bay, TagSpec, price_text, shelf_frame
from scenarios import load


@pytest.fixture(scope="module")
def layout():
    return load("supermarket").layout


renderer = Renderer.of(load("supermarket"))


def test_a_queue_frame_carries_every_person_and_the_count_of_its_region(layout):
    rng = np.random.default_rng(1)
    crowd = queue_people(layout, 2, 5, rng)
    frame = renderer.people(
        queue_camera(layout, 2), crowd, regions={"queue": queue_region(layout, 2)}, rng=rng
    )
    assert frame.image.shape == (480, 640, 3) and frame.image.dtype == np.uint8
    assert sorted(p.pid for p in frame.people) == [0, 1, 2, 3, 4]
    assert frame.regions == {"queue": 5}
    nearest = min(frame.people, key=lambda p: p.floor[1])
    furthest = max(frame.people, key=lambda p: p.floor[1])
    height = lambda p: p.head[3] - p.head[1]  # noqa: E731
    assert height(nearest) > height(furthest)
    assert all(p.facing_camera for p in frame.people)


def test_people_behind_the_camera_or_outside_the_image_are_not_in_the_truth(layout):
    cam = queue_camera(layout, 0)
    away = [Person(1, cam.position[0], cam.position[1] - 3, 0.0), Person(2, 40.0, 30.0, 0.0)]
    assert renderer.people(cam, away).people == ()


def test_the_same_generator_state_gives_the_same_pixels(layout):
    cam = queue_camera(layout, 0)
    crowd = queue_people(layout, 0, 3, np.random.default_rng(2))
    look = Conditions(light=0.6, blur=1.0, noise=5.0)
    a = renderer.people(cam, crowd, conditions=look, rng=np.random.default_rng(9))
    b = renderer.people(cam, crowd, conditions=look, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a.image, b.image)
    dark = renderer.people(cam, crowd, conditions=Conditions(light=0.3, noise=0))
    assert dark.image.mean() < a.image.mean()


def test_a_shelf_frame_knows_each_tag_and_its_two_prices():
    tags = [TagSpec(k, f"Item {k}", f"SKU{k:04d}", 1290 + k, 1290) for k in range(4)]
    frame = shelf_frame(tags, Bay(cols=2, rows=2))
    assert [t.sku for t in frame.tags] == [0, 1, 2, 3]
    assert [t.shown_cents - t.price_cents for t in frame.tags] == [0, 1, 2, 3]
    x0, y0, x1, y1 = frame.tags[3].box
    assert 0 <= x0 < x1 <= 960 and 0 <= y0 < y1 <= 544
    assert price_text(1290) == "12.90" and price_text(5) == "0.05"


def test_a_bay_refuses_more_tags_than_it_holds():
    tags = [TagSpec(k, "x", "y", 100, 100) for k in range(7)]
    with pytest.raises(ValueError, match="do not fit"):
        shelf_frame(tags)


def test_conditions_check_their_range():
    with pytest.raises(ValueError, match="light"):
        Conditions(light=0.0)


def test_a_frame_keeps_its_pixels_when_the_next_one_is_drawn(layout):
    cam = queue_camera(layout, 1)
    rng = np.random.default_rng(4)
    cond = Conditions(light=0.7, blur=1.0, noise=5.0)
    first = renderer.people(cam, queue_people(layout, 1, 3, rng), conditions=cond, rng=rng)
    kept = first.image.copy()
    renderer.people(cam, queue_people(layout, 1, 6, rng), conditions=cond, rng=rng)
    assert np.array_equal(first.image, kept)


def test_a_renderer_keeps_the_scenery_of_its_most_recent_cameras_only(layout, monkeypatch):
    import devices.vision.render as render

    monkeypatch.setattr(render, "SCENERY_KEPT", 2)
    fresh = Renderer(layout, lanes=2, supersample=1)
    cams = [queue_camera(layout, lane) for lane in range(3)]
    for cam in cams:
        fresh.scenery(cam)
    fresh.scenery(cams[1])
    assert list(fresh._scenery) == [cams[2], cams[1]]


def test_frames_drawn_in_two_threads_match_frames_drawn_in_one(layout):
    from concurrent.futures import ThreadPoolExecutor

    cam = queue_camera(layout, 0)
    cond = Conditions(light=0.8, blur=0.0, noise=6.0)

    def frame(seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return renderer.people(cam, queue_people(layout, 0, 4, rng), conditions=cond, rng=rng).image

    alone = [frame(s) for s in range(24)]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(frame, range(24)))
    assert all(np.array_equal(a, b) for a, b in zip(alone, together, strict=True))


def test_a_ceiling_frame_shows_each_head_where_its_truth_puts_it(layout):
    from devices.vision.figures import Look
    from devices.vision.scenes import ceiling_camera

    cam = ceiling_camera(10.0, 8.0)
    crowd = [Person(7, 9.0, 7.5, 0.3), Person(8, 11.0, 8.5, 2.0), Person(9, 10.2, 9.2, -1.0)]
    plain = Conditions(light=1.0, blur=0.0, noise=0.0)
    empty = renderer.people(cam, [], conditions=plain).image.astype(int)
    frame = renderer.people(cam, crowd, conditions=plain)
    assert sorted(p.pid for p in frame.people) == [7, 8, 9]
    for person in frame.people:
        x0, y0, x1, _ = person.head
        r = (x1 - x0) / 2  # looked at below-right of the centre, away from the highlight
        cx, cy = round(x0 + 1.4 * r), round(y0 + 1.4 * r)
        pixel = frame.image[cy, cx].astype(int)
        hair = np.array(Look.of(person.pid).hair)
        assert np.abs(pixel - hair).sum() < np.abs(empty[cy, cx] - hair).sum()
        assert person.box[0] <= x0 and person.box[2] >= x1 and person.visible == 1.0
