"""Camera footprints on flat ground."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from overwatch.geo.camera import footprint_corners, points_in_quads


def test_nadir_footprint_is_centred_and_sized_by_the_fields_of_view():
    quad = footprint_corners(10.0, 20.0, 80.0, 0.0, -90.0, 70.0, 55.0)
    half_w = 80.0 * math.tan(math.radians(35.0))
    half_h = 80.0 * math.tan(math.radians(27.5))
    assert np.allclose(quad.mean(axis=0), [10.0, 20.0])
    assert np.allclose(quad.max(axis=0) - quad.min(axis=0), [2 * half_w, 2 * half_h])


def test_forward_pitch_puts_the_footprint_ahead_along_the_yaw():
    quad = footprint_corners(0.0, 0.0, 80.0, 90.0, -45.0, 70.0, 55.0)  # looking east
    assert quad[:, 0].min() > 0  # all of it east of the drone
    near = 80.0 / math.tan(math.radians(45 + 27.5))
    assert math.isclose(quad[0:2, 0].min(), near, rel_tol=1e-6)


def test_rays_above_the_horizon_are_cut_at_max_range():
    quad = footprint_corners(0.0, 0.0, 80.0, 0.0, -10.0, 70.0, 55.0, max_range_m=1000.0)
    far = np.hypot(quad[2:, 0], quad[2:, 1])
    assert np.allclose(far, 1000.0)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0, 360),
    st.floats(-90, -20),
    st.floats(20, 150),
)
def test_the_point_the_camera_looks_at_is_inside_its_footprint(yaw, pitch, height):
    quad = footprint_corners(0.0, 0.0, height, yaw, pitch, 70.0, 55.0, max_range_m=1e6)
    ground = height / math.tan(math.radians(-pitch)) if pitch > -89.999 else 0.0
    centre = np.array(
        [[ground * math.sin(math.radians(yaw)), ground * math.cos(math.radians(yaw))]]
    )
    assert points_in_quads(quad[None], centre)[0]
    behind = -10 * height * np.array([[math.sin(math.radians(yaw)), math.cos(math.radians(yaw))]])
    assert not points_in_quads(quad[None], behind)[0]
