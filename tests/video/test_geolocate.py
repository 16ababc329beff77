"""Geolocation geometry: the geolocator and the camera's renderer agree on conventions."""

from __future__ import annotations

import math

import pytest

from overwatch.camera import Box, Detection
from overwatch.geo import LocalFrame, geodesic_bearing_deg, geodesic_distance_m
from overwatch.video import CameraIntrinsics, CameraPose, Geolocator
from overwatch.video.geolocate import classify_by_width
from simulator.camera.render import GroundRenderer
from simulator.camera.scene import GroundTexture, SceneActor
from tests.video.scene import FRAME, HOME_ALT_MSL_M

CAM = CameraIntrinsics(640, 480, 60.0)


def _pose(**kw: float) -> CameraPose:
    base = {"lat_deg": 13.5, "lon_deg": 2.1, "alt_msl_m": 400.0, "alt_rel_m": 100.0}
    return CameraPose(**(base | kw))


def test_nadir_centre_pixel_is_under_the_vehicle() -> None:
    fix = Geolocator(CAM).locate_pixel(320, 240, _pose(gimbal_pitch_deg=-90))
    assert fix is not None
    assert geodesic_distance_m(13.5, 2.1, fix.lat_deg, fix.lon_deg) < 0.01
    assert fix.slant_range_m == pytest.approx(100.0)


@pytest.mark.parametrize("yaw_deg", [0.0, 90.0, 225.0])
def test_oblique_centre_pixel_lands_ahead_along_the_heading(yaw_deg: float) -> None:
    fix = Geolocator(CAM).locate_pixel(320, 240, _pose(yaw_deg=yaw_deg, gimbal_pitch_deg=-45))
    assert fix is not None
    assert geodesic_distance_m(13.5, 2.1, fix.lat_deg, fix.lon_deg) == pytest.approx(100, abs=0.05)
    bearing = geodesic_bearing_deg(13.5, 2.1, fix.lat_deg, fix.lon_deg)
    assert math.isclose(bearing, yaw_deg, abs_tol=0.05) or abs(bearing - yaw_deg) > 359.9
    assert fix.slant_range_m == pytest.approx(100 * math.sqrt(2), rel=1e-6)


def test_right_of_image_is_right_of_heading_and_sky_has_no_fix() -> None:
    geo = Geolocator(CAM)
    fix = geo.locate_pixel(630, 240, _pose(yaw_deg=0, gimbal_pitch_deg=-90))
    assert fix is not None and fix.lon_deg > 2.1  # heading north: image right is east
    assert geo.locate_pixel(320, 5, _pose(gimbal_pitch_deg=0)) is None


def test_uncertainty_grows_with_slant_range() -> None:
    geo = Geolocator(CAM)
    near = geo.locate_pixel(320, 240, _pose(gimbal_pitch_deg=-60))
    far = geo.locate_pixel(320, 240, _pose(gimbal_pitch_deg=-15))
    assert near is not None and far is not None
    assert far.slant_range_m > 3 * near.slant_range_m
    assert far.sigma_m > 3 * near.sigma_m


@pytest.mark.parametrize("stabilised", [True, False])
def test_rendered_actor_geolocates_to_its_true_position(
    ground: GroundTexture, stabilised: bool
) -> None:
    lat, lon = FRAME.to_wgs84(25.0, -30.0)
    actor = SceneActor("v", "vehicle", lat, lon, (200, 30, 30), heading_deg=40)
    cam_lat, cam_lon = FRAME.to_wgs84(0.0, -80.0)
    pose = CameraPose(
        cam_lat, cam_lon, HOME_ALT_MSL_M + 50, 50.0,
        roll_deg=8.0, pitch_deg=-6.0, yaw_deg=20.0,
        gimbal_pitch_deg=-40.0, gimbal_yaw_deg=5.0,
    )  # fmt: skip
    renderer = GroundRenderer(ground, CAM, stabilised_gimbal=stabilised)
    _, (truth,) = renderer.render(pose, [actor])
    detection = Detection(truth.box, "vehicle", 1.0)
    sighting = Geolocator(CAM, stabilised_gimbal=stabilised, frame=LocalFrame(13.5, 2.1)).locate(
        detection, pose, 0.0
    )
    assert sighting is not None
    error = geodesic_distance_m(sighting.lat_deg, sighting.lon_deg, lat, lon)
    assert error < 0.03 * truth.slant_range_m, (error, truth.slant_range_m)
    assert sighting.kind == "vehicle"


def test_kind_from_width() -> None:
    assert classify_by_width(0.6) == "person"
    assert classify_by_width(1.8) == "object"
    assert classify_by_width(4.5) == "vehicle"


def test_detections_on_a_downscaled_frame_use_scaled_pixels() -> None:
    geo = Geolocator(CAM)
    pose = _pose(gimbal_pitch_deg=-50)
    full = geo.locate(Detection(Box(400, 300, 420, 320), "person", 0.9), pose, 1.0)
    half = geo.locate(
        Detection(Box(200, 150, 210, 160), "person", 0.9), pose, 1.0, image_size_px=(320, 240)
    )
    assert full is not None and half is not None
    assert geodesic_distance_m(full.lat_deg, full.lon_deg, half.lat_deg, half.lon_deg) < 1e-3


def test_actor_from_a_scenario_size_keeps_proportions() -> None:
    truck = SceneActor.sized("T2", "vehicle", 13.5, 2.1, 9.2)
    assert truck.length_m == pytest.approx(9.2)
    assert truck.width_m == pytest.approx(1.9 * 2, rel=0.01)
    person = SceneActor.sized("T1", "person", 13.5, 2.1, 1.8, colour_rgb=(1, 2, 3))
    assert person.height_m == pytest.approx(1.8) and person.colour_rgb == (1, 2, 3)
    with pytest.raises(ValueError, match="kind 'ghost'"):
        SceneActor.sized("X", "ghost", 13.5, 2.1, 1.0)
