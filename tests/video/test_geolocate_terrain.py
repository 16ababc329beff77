"""Geolocation over an elevation raster: a ridge's hillside and a conical hill.

The terrain is a real GeoTIFF (EPSG:4326, 0.0001° ≈ 11 m pixels) made by
gdal_translate from heights given by formulas in the local frame; the truth is
where each pixel's ray meets the *formula* surface, found by a 1 cm march.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from overwatch.camera import Box, Detection
from overwatch.geo import LocalFrame, geodesic_distance_m
from overwatch.geo.terrain import Terrain
from overwatch.video import CameraIntrinsics, CameraPose, Geolocator
from overwatch.video.geolocate import TARGET_HEIGHT_M, camera_rotation
from tests.geo.dem_files import FloatArray, pixel_centres, write_geotiff

CAM = CameraIntrinsics(640, 480, 60.0)
FRAME = LocalFrame(13.5, 2.1)
HOME_MSL_M = 300.0
# ±0.01° around the frame's origin: about ±1.08 km east–west, ±1.1 km north–south
WEST, SOUTH, CELL, SIZE = 2.09, 13.49, 0.0001, 200


def ground_msl_m(x_m: FloatArray, y_m: FloatArray) -> FloatArray:
    """A ridge whose west face (slope 0.4) rises 80 m from x = 300 m to 500 m east,
    and a cone (slope 0.5, 100 m high) centred 400 m west, 400 m north."""
    ridge = HOME_MSL_M + 0.4 * np.clip(x_m - 300.0, 0.0, 200.0)
    cone = HOME_MSL_M + np.maximum(0.0, 100.0 - 0.5 * np.hypot(x_m + 400.0, y_m - 400.0))
    return np.maximum(ridge, cone)


@pytest.fixture(scope="module")
def terrain(tmp_path_factory: pytest.TempPathFactory) -> Terrain:
    lon, lat = pixel_centres(SIZE, SIZE, west=WEST, south=SOUTH, cell=CELL)
    x_m, y_m = FRAME.to_local(lat.ravel(), lon.ravel())
    heights = ground_msl_m(x_m, y_m).reshape(lat.shape)
    path = tmp_path_factory.mktemp("dem") / "ridge.tif"
    return Terrain.open(write_geotiff(path, heights, west=WEST, south=SOUTH, cell=CELL))


def pose(**kw: float) -> CameraPose:
    base = {"lat_deg": 13.5, "lon_deg": 2.1, "alt_msl_m": 400.0, "alt_rel_m": 100.0}
    return CameraPose(**(base | kw))


def true_hit(
    u_px: float, v_px: float, p: CameraPose, lift_m: float = 0.0
) -> tuple[float, tuple[float, float]]:
    """``(slant_m, (x_m, y_m))`` where the pixel's ray first meets the formula surface + lift."""
    ray_cam = np.array([(u_px - CAM.cx_px) / CAM.focal_px, (v_px - CAM.cy_px) / CAM.focal_px, 1.0])
    north, east, down = camera_rotation(p, stabilised_gimbal=True) @ ray_cam
    norm = math.sqrt(north**2 + east**2 + down**2)
    t = np.arange(0.0, 3000.0, 0.01)
    x0, y0 = FRAME.to_local(p.lat_deg, p.lon_deg)
    x, y = x0 + t * east / norm, y0 + t * north / norm
    below = p.alt_msl_m - t * down / norm <= ground_msl_m(x, y) + lift_m
    i = int(np.argmax(below))
    assert below[i], "the ray must meet the surface within 3 km"
    return float(t[i]), (float(x[i]), float(y[i]))


def miss_m(lat_deg: float, lon_deg: float, xy_m: tuple[float, float]) -> float:
    lat, lon = FRAME.to_wgs84(*xy_m)
    return geodesic_distance_m(lat_deg, lon_deg, lat, lon)


def test_centre_pixel_on_the_hillside_matches_the_closed_form(terrain: Terrain) -> None:
    p = pose(yaw_deg=90.0, gimbal_pitch_deg=-10.0)  # looking east, 10° down
    s, c = math.sin(math.radians(10.0)), math.cos(math.radians(10.0))
    slant = (400.0 - HOME_MSL_M + 0.4 * 300.0) / (s + 0.4 * c)  # on the face x ∈ [300, 500]
    assert 300.0 < slant * c < 500.0
    fix = Geolocator(CAM, frame=FRAME, terrain=terrain).locate_pixel(320, 240, p)
    assert fix is not None
    assert fix.slant_range_m == pytest.approx(slant, rel=0.01)
    assert miss_m(fix.lat_deg, fix.lon_deg, (slant * c, 0.0)) < 0.01 * slant
    flat = Geolocator(CAM, frame=FRAME).locate_pixel(320, 240, p)
    assert flat is not None
    assert miss_m(flat.lat_deg, flat.lon_deg, (slant * c, 0.0)) > 0.3 * slant


@pytest.mark.parametrize(
    ("yaw_deg", "pitch_deg", "u_px", "v_px"),
    [
        (90.0, -25.0, 100.0, 60.0),  # the ridge face, up and left in the image
        (90.0, -25.0, 600.0, 20.0),
        (315.0, -8.0, 320.0, 240.0),  # the cone's flank, towards its peak
        (300.0, -10.0, 480.0, 200.0),  # the cone's flank, seen obliquely
    ],
)
def test_pixels_on_hillsides_land_within_one_percent_of_slant_range(
    terrain: Terrain, yaw_deg: float, pitch_deg: float, u_px: float, v_px: float
) -> None:
    p = pose(yaw_deg=yaw_deg, gimbal_pitch_deg=pitch_deg)
    slant, xy = true_hit(u_px, v_px, p)
    assert float(ground_msl_m(np.array(xy[0]), np.array(xy[1]))) > HOME_MSL_M + 10.0  # a hillside
    fix = Geolocator(CAM, frame=FRAME, terrain=terrain).locate_pixel(u_px, v_px, p)
    assert fix is not None
    assert fix.slant_range_m == pytest.approx(slant, rel=0.01)
    assert miss_m(fix.lat_deg, fix.lon_deg, xy) < 0.01 * slant
    flat = Geolocator(CAM, frame=FRAME).locate_pixel(u_px, v_px, p)
    assert flat is not None
    assert miss_m(flat.lat_deg, flat.lon_deg, xy) > 0.05 * slant  # flat ground is wrong here


def test_a_level_ray_meets_the_ridge_above_the_camera_height(terrain: Terrain) -> None:
    p = pose(alt_msl_m=350.0, alt_rel_m=50.0, yaw_deg=90.0, gimbal_pitch_deg=0.0)
    assert Geolocator(CAM, frame=FRAME).locate_pixel(320, 240, p) is None  # never meets flat
    fix = Geolocator(CAM, frame=FRAME, terrain=terrain).locate_pixel(320, 240, p)
    assert fix is not None  # the face reaches 350 m MSL at x = 425 m
    assert fix.slant_range_m == pytest.approx(425.0, rel=0.005)
    assert miss_m(fix.lat_deg, fix.lon_deg, (425.0, 0.0)) < 2.0


@pytest.mark.parametrize(
    "p",
    [
        pose(yaw_deg=270.0, gimbal_pitch_deg=-2.0),  # leaves the raster to the west first
        CameraPose(*FRAME.to_wgs84(0.0, 3000.0), 400.0, 100.0),  # camera beyond its north edge
    ],
)
def test_off_the_raster_falls_back_to_flat_ground_at_home(terrain: Terrain, p: CameraPose) -> None:
    fix = Geolocator(CAM, frame=FRAME, terrain=terrain).locate_pixel(320, 240, p)
    flat = Geolocator(CAM, frame=FRAME).locate_pixel(320, 240, p)
    assert fix is not None and flat is not None
    assert (fix.lat_deg, fix.lon_deg, fix.slant_range_m) == (
        flat.lat_deg,
        flat.lon_deg,
        flat.slant_range_m,
    )
    assert fix.slant_range_m == pytest.approx(100.0 / math.sin(-math.radians(p.gimbal_pitch_deg)))


def test_sighting_of_a_person_on_the_hillside(terrain: Terrain) -> None:
    p = pose(yaw_deg=90.0, gimbal_pitch_deg=-12.0)
    box = Box(300.0, 230.0, 306.0, 250.0)
    u, v = box.centre
    lift = TARGET_HEIGHT_M["person"] / 2  # the box centre is the person's middle
    slant, xy = true_hit(u, v, p, lift_m=lift)
    sighting = Geolocator(CAM, frame=FRAME, terrain=terrain).locate(
        Detection(box, "person", 0.8), p, 1234.5
    )
    assert sighting is not None and sighting.kind == "person"
    assert sighting.slant_range_m == pytest.approx(slant, rel=0.01)
    assert miss_m(sighting.lat_deg, sighting.lon_deg, xy) < 0.01 * slant
    assert sighting.time_unix_s == 1234.5


def test_uncertainty_still_grows_with_slant_range(terrain: Terrain) -> None:
    geo = Geolocator(CAM, frame=FRAME, terrain=terrain)
    near = geo.locate_pixel(320, 240, pose(yaw_deg=90.0, gimbal_pitch_deg=-45.0))
    far = geo.locate_pixel(320, 240, pose(yaw_deg=90.0, gimbal_pitch_deg=-10.0))
    assert near is not None and far is not None
    assert far.slant_range_m > 2 * near.slant_range_m
    assert far.sigma_m > 3 * near.sigma_m
    assert near.sigma_m > geo.position_sigma_m
