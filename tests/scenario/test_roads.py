"""Generated roads wind like the example routes, keep their length and never cross themselves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from overwatch.scenario.roads import (
    FOOT_PATH,
    VEHICLE_ROAD,
    RoadStyle,
    border_beside,
    polyline_length_m,
    winding_road,
)

#: the sharpest turn between two legs, degrees, at the largest bendiness the generator draws
SHARPEST_TURN_DEG = {"vehicle": 16.0, "foot": 28.0}
STYLES: dict[str, RoadStyle] = {"vehicle": VEHICLE_ROAD, "foot": FOOT_PATH}


def turns_deg(road: np.ndarray) -> np.ndarray:
    d = np.diff(road, axis=0)
    heading = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
    return np.asarray(np.abs((np.diff(heading) + 180.0) % 360.0 - 180.0))


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(sorted(STYLES)),
    length_m=st.floats(1_000.0, 50_000.0),
    bearing=st.floats(0.0, 360.0),
)
def test_a_road_has_its_length_bends_smoothly_and_never_crosses_itself(
    seed: int, kind: str, length_m: float, bearing: float
) -> None:
    style = STYLES[kind]
    road = winding_road(np.random.default_rng(seed), length_m, style, bearing, bendiness=1.2)
    assert polyline_length_m(road) == pytest.approx(length_m, abs=1e-3)
    assert LineString(road).is_simple
    legs = np.hypot(*np.diff(road, axis=0).T)[:-1]  # the last leg ends the road where it must
    assert (legs >= 0.89 * style.vertex_spacing_m).all()
    assert (legs <= 1.11 * style.vertex_spacing_m).all()
    # the last turn meets the shortened last leg: judge the ones between full legs
    assert turns_deg(road)[:-1].max() <= SHARPEST_TURN_DEG[kind]


def test_the_same_generator_state_draws_the_same_road() -> None:
    one = winding_road(np.random.default_rng(5), 12_000.0, VEHICLE_ROAD, 80.0)
    two = winding_road(np.random.default_rng(5), 12_000.0, VEHICLE_ROAD, 80.0)
    assert one.tobytes() == two.tobytes()


@pytest.mark.parametrize("side", [1, -1])
def test_the_border_lies_on_its_side_and_runs_past_both_ends(side: int) -> None:
    rng = np.random.default_rng(11)
    road = winding_road(rng, 15_000.0, VEHICLE_ROAD, 90.0)  # roughly east
    line = border_beside(
        rng,
        road,
        side=side,
        gap_m=(900.0, 1300.0),
        smoothing_m=3_000.0,
        beyond_m=3_000.0,
        vertex_spacing_m=1_200.0,
    )
    border, route = LineString(line), LineString(road)
    assert border.is_simple and not border.intersects(route)
    assert border.distance(route) > 500.0
    # heading east, the right is south
    middle = route.interpolate(0.5, normalized=True)
    nearest = border.interpolate(border.project(middle))
    assert (nearest.y - middle.y) * side < 0
    # past both ends of the road
    assert border.project(Point(road[0])) > 2_000.0
    assert border.length - border.project(Point(road[-1])) > 2_000.0
