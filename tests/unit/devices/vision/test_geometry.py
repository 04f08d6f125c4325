import numpy as np
import pytest

from devices.vision.geometry import Pinhole
from devices.vision.scenes import ceiling_camera, queue_camera
from scenarios import load


def test_a_floor_point_comes_back_from_its_pixel():
    cam = queue_camera(load("supermarket").layout, 1)
    points = np.array([[24.5, 3.0, 1.6], [24.0, 6.1, 1.6], [25.3, 2.2, 1.6]])
    uv, depth = cam.project(points)
    assert (depth > 0).all()
    np.testing.assert_allclose(cam.unproject(uv, 1.6), points[:, :2], atol=1e-9)


def test_a_ceiling_camera_keeps_the_store_upright_and_centred():
    cam = ceiling_camera(10.0, 5.0, height=3.5, size=320)
    uv, _ = cam.project(np.array([[10.0, 5.0, 0.0], [10.0, 6.0, 0.0], [11.0, 5.0, 0.0]]))
    np.testing.assert_allclose(uv[0], [160, 160])
    assert uv[1][1] < uv[0][1]  # further into the store is up in the image
    assert uv[2][0] > uv[0][0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"width": 8}, "too small"), ({"hfov_deg": 200}, "hfov_deg"), ({"target": (1, 1, 1)}, "own")],
)
def test_bad_cameras_are_refused(kwargs, match):
    args = {"position": (1, 1, 1), "target": (1, 5, 0)} | kwargs
    with pytest.raises(ValueError, match=match):
        Pinhole(**args)
