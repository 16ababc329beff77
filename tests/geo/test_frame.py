"""The local frame against pyproj.Geod: round trips and distances within 100 km."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from overwatch.geo import WGS84, LocalFrame, geodesic_distance_m

# Mission centres across the Sahel and beyond (the frame must not care).
centres = st.tuples(st.floats(-60, 60), st.floats(-179, 179))
bearings = st.floats(0, 360, exclude_max=True)
ranges_m = st.floats(0, 100_000)


@settings(max_examples=80, deadline=None)
@given(centres, bearings, ranges_m)
def test_round_trip_is_under_a_centimetre(centre, bearing, range_m):
    frame = LocalFrame(*centre)
    lon, lat, _ = WGS84.fwd(centre[1], centre[0], bearing, range_m)
    x, y = frame.to_local(lat, lon)
    lat2, lon2 = frame.to_wgs84(x, y)
    assert geodesic_distance_m(lat, lon, lat2, lon2) < 0.01


@settings(max_examples=80, deadline=None)
@given(centres, bearings, ranges_m)
def test_distance_from_the_centre_matches_geod_to_a_centimetre(centre, bearing, range_m):
    frame = LocalFrame(*centre)
    lon, lat, _ = WGS84.fwd(centre[1], centre[0], bearing, range_m)
    x, y = frame.to_local(lat, lon)
    assert abs(math.hypot(x, y) - geodesic_distance_m(*centre, lat, lon)) < 0.01
    # and the bearing is kept: x east, y north
    east = range_m * math.sin(math.radians(bearing))
    north = range_m * math.cos(math.radians(bearing))
    assert math.hypot(x - east, y - north) < 0.01


@settings(max_examples=80, deadline=None)
@given(centres, bearings, ranges_m, bearings, ranges_m)
def test_planar_distance_between_any_two_points_within_100_km(centre, b1, r1, b2, r2):
    frame = LocalFrame(*centre)
    lon1, lat1, _ = WGS84.fwd(centre[1], centre[0], b1, r1)
    lon2, lat2, _ = WGS84.fwd(centre[1], centre[0], b2, r2)
    x1, y1 = frame.to_local(lat1, lon1)
    x2, y2 = frame.to_local(lat2, lon2)
    true = geodesic_distance_m(lat1, lon1, lat2, lon2)
    assert abs(math.hypot(x2 - x1, y2 - y1) - true) <= 1e-4 * true + 0.01


def test_vectorised_and_scalar_agree():
    frame = LocalFrame(13.5, 2.1)
    lats = np.array([13.4, 13.5, 13.6])
    lons = np.array([2.0, 2.1, 2.2])
    xs, ys = frame.to_local(lats, lons)
    for lat, lon, x, y in zip(lats, lons, xs, ys, strict=True):
        assert frame.to_local(float(lat), float(lon)) == (float(x), float(y))


def test_frame_around_points_is_centred_on_their_bounding_box():
    frame = LocalFrame.around([(13.0, 2.0), (14.0, 3.0)])
    assert (frame.origin_lat_deg, frame.origin_lon_deg) == (13.5, 2.5)


def test_shapely_helpers_see_metres():
    frame = LocalFrame(12.0, 1.0)
    line = frame.line([(12.0, 1.0), (12.009, 1.0)])
    assert abs(line.length - geodesic_distance_m(12.0, 1.0, 12.009, 1.0)) < 0.01
    back = frame.coords_to_wgs84(line.coords)
    assert abs(back[1][0] - 12.009) < 1e-9
