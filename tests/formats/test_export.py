"""write_all: every format, named from the mission and strategy; fences; edge cases."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from overwatch.errors import FormatError
from overwatch.formats import (
    Fence,
    FencePolygon,
    fence_from_items,
    fence_to_items,
    read_qgc_plan,
    read_waypoints,
    write_all,
    write_geojson,
)
from overwatch.formats.qgc_plan import sortie_home
from overwatch.items import Cmd, Frame, MissionItem, MissionType, home_placeholder
from overwatch.mission import Airspace, MissionGeometry
from overwatch.planning.model import Plan
from tests.formats.conftest import build_mission
from tests.formats.helpers import assert_same_items


def test_write_all_writes_every_format(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "nested"
    paths = write_all(plan, out)
    names = [p.name for p in paths]
    assert names == [
        "tillaberi-east-lead-sortie1.plan",
        "tillaberi-east-lead-sortie1.waypoints",
        "tillaberi-east-lead-sortie2.plan",
        "tillaberi-east-lead-sortie2.waypoints",
        "tillaberi-east-lead.geojson",
        "tillaberi-east-lead.kml",
    ]
    assert all(p.parent == out and p.stat().st_size > 100 for p in paths)
    assert_same_items(read_waypoints(paths[3]), plan.sorties[1].items)
    assert_same_items(read_qgc_plan(paths[2]).items, plan.sorties[1].items)
    assert json.loads(paths[4].read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_write_all_into_a_file_path_is_a_format_error(plan: Plan, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(FormatError, match=r"taken: cannot create the export folder"):
        write_all(plan, blocker)
    with pytest.raises(FormatError, match=r"cannot write"):
        write_geojson(plan, tmp_path / "no" / "such" / "dir.geojson")


def test_home_falls_back_to_takeoff_point(plan: Plan) -> None:
    """A planner that leaves the home placeholder at 0,0 still gets a real home."""
    sortie = dataclasses.replace(
        plan.sorties[0], items=(home_placeholder(), *plan.sorties[0].items[1:])
    )
    lat, lon, alt = sortie_home(plan, sortie)
    assert (lat, lon) == pytest.approx((14.2, 1.45), abs=1e-7)
    assert alt == plan.mission.launch.alt_msl_m


def test_plan_without_airspace_or_sorties(plan: Plan, tmp_path: Path) -> None:
    mission = dataclasses.replace(build_mission(), airspace=Airspace())
    bare = dataclasses.replace(
        plan, mission=mission, geometry=MissionGeometry.of(mission), sorties=(), fence_items=()
    )
    paths = write_all(bare, tmp_path)
    assert [p.suffix for p in paths] == [".geojson", ".kml"]
    kinds = {f["properties"]["kind"] for f in json.loads(paths[0].read_text())["features"]}
    assert not kinds & {"keep_in", "keep_out", "border", "border_buffer", "waypoint"}
    assert {"route", "trajectory", "footprint", "gap"} <= kinds


def test_fence_items_group_and_ungroup(plan: Plan) -> None:
    fence = fence_from_items(plan.fence_items)
    assert [(p.inclusion, len(p.vertices)) for p in fence.polygons] == [(True, 4), (False, 5)]
    assert fence.return_point == (14.205, 1.456, 60.0)
    assert_same_items(fence_to_items(fence), plan.fence_items)
    again = fence_to_items(Fence(polygons=(FencePolygon(False, ((1, 2), (1, 3), (2, 3))),)))
    assert [i.param1 for i in again] == [3.0] * 3 and again[0].mission_type == MissionType.FENCE


def _vertex(n: float, cmd: int = Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION) -> MissionItem:
    return MissionItem(cmd, Frame.GLOBAL, param1=n, lat_deg=1, lon_deg=2,
                       mission_type=MissionType.FENCE)  # fmt: skip


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([_vertex(2), _vertex(2)], r"fence items\[0\]: polygon vertex count \(param1\) is 2"),
        ([_vertex(4)] * 3, r"fence items\[0\]: polygon of 4 vertices is not followed by 3 more"),
        ([_vertex(3), _vertex(3), _vertex(3, Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION)],
         r"polygon of 3 vertices"),
        ([MissionItem(Cmd.NAV_WAYPOINT)], r"fence items\[0\]: command 16 is not a fence command"),
        ([_vertex(0, Cmd.NAV_FENCE_CIRCLE_INCLUSION)], r"circle radius \(param1\) is 0"),
    ],
)  # fmt: skip
def test_bad_fence_items(items: list[MissionItem], expected: str) -> None:
    with pytest.raises(FormatError, match=expected):
        fence_from_items(items)
