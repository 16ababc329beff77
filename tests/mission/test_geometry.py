"""A mission in metres: the forbidden zone includes the far side of the border."""

from __future__ import annotations

from datetime import UTC, datetime

from shapely.geometry import LineString, Point

from overwatch.mission import (
    Airspace,
    Border,
    Camera,
    GeoPoint,
    KeepOut,
    Launch,
    Mission,
    MissionGeometry,
    Overwatch,
    Patrol,
    Vehicle,
)


def _mission(border_lon: float = 2.05) -> Mission:
    route = (GeoPoint(13.50, 2.00), GeoPoint(13.55, 2.00), GeoPoint(13.60, 2.01))
    return Mission(
        name="test",
        patrol=Patrol(
            callsign="P1",
            route=route,
            speed_m_s=8.0,
            leg_speeds_m_s=(8.0, 8.0),
            halts=(),
            start_time=datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
        ),
        vehicle=Vehicle("copter", 1, 15.0, 20.0, 3.0, 2.0, 2100.0, 0.2, Camera()),
        launch=Launch(site=route[0], with_patrol=True),
        airspace=Airspace(
            keep_out=(
                KeepOut(
                    "village",
                    (GeoPoint(13.52, 1.98), GeoPoint(13.52, 1.99), GeoPoint(13.53, 1.99)),
                ),
            ),
            border=Border(
                "border", (GeoPoint(13.4, border_lon), GeoPoint(13.7, border_lon)), 300.0
            ),
        ),
        overwatch=Overwatch(),
    )


def test_far_side_of_the_border_and_its_buffer_are_forbidden():
    geo = MissionGeometry.of(_mission())
    lat_border = 13.55
    x_border, y = geo.frame.to_local(lat_border, 2.05)
    assert geo.is_allowed(Point(x_border - 400, y))  # our side, outside the buffer
    assert not geo.is_allowed(Point(x_border - 200, y))  # inside the buffer
    assert not geo.is_allowed(Point(x_border + 5_000, y))  # across the border
    # far past the ends of the border as drawn, across is still forbidden
    x_far, y_far = geo.frame.to_local(13.9, 2.2)
    assert not geo.is_allowed(Point(x_far, y_far))
    # a path that hops over the buffer is caught
    assert not geo.is_allowed(LineString([(x_border - 500, y), (x_border + 5_000, y)]))


def test_keep_outs_are_forbidden_and_the_route_is_in_metres():
    geo = MissionGeometry.of(_mission())
    assert not geo.is_allowed(geo.frame.point(13.524, 1.988))
    assert 11_000 < geo.route.length < 11_500
    assert geo.schedule.length_m == geo.route.length


def test_allowed_mask_matches_is_allowed():
    import numpy as np

    geo = MissionGeometry.of(_mission())
    xs = np.linspace(-8000, 8000, 41)
    pts = np.array([(x, y) for x in xs for y in xs])
    mask = geo.allowed_mask(pts)
    assert mask.any() and not mask.all()
    for (x, y), ok in list(zip(pts, mask, strict=True))[::37]:
        assert geo.is_allowed(Point(x, y)) == ok
