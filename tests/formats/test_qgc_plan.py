"""QGroundControl .plan: documented structure, round trip, and bad files."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest

from overwatch.errors import FormatError
from overwatch.formats import read_qgc_plan, write_qgc_plan
from overwatch.formats.fence import signed_area_deg2
from overwatch.items import Cmd, Frame, MissionItem
from overwatch.planning.model import Plan
from tests.formats.conftest import LAUNCH, LAUNCH_ALT_MSL_M
from tests.formats.helpers import assert_same_items, canonical_fence

# Keys from QGC's "Plan File Format" page (qgc-dev-guide/file_formats/plan.md)
TOP_KEYS = {"fileType", "version", "groundStation", "mission", "geoFence", "rallyPoints"}
MISSION_KEYS = {
    "version", "firmwareType", "globalPlanAltitudeMode", "vehicleType",
    "cruiseSpeed", "hoverSpeed", "items", "plannedHomePosition",
}  # fmt: skip
ITEM_KEYS = {"autoContinue", "command", "doJumpId", "frame", "params", "type"}
ALT_KEYS = {"AMSLAltAboveTerrain", "Altitude", "AltitudeMode"}


def _strict_json(path: Path) -> dict[str, Any]:
    def no_constants(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constants)
    assert isinstance(doc, dict)
    return doc


@pytest.fixture
def plan_file(plan: Plan, tmp_path: Path) -> Path:
    return write_qgc_plan(plan, plan.sorties[0], tmp_path / "s1.plan")


def test_structure_follows_qgc_documented_keys(plan: Plan, plan_file: Path) -> None:
    doc = _strict_json(plan_file)
    assert set(doc) == TOP_KEYS
    assert (doc["fileType"], doc["version"]) == ("Plan", 1)
    mission = doc["mission"]
    assert isinstance(mission, dict)
    assert set(mission) == MISSION_KEYS
    assert (mission["version"], mission["firmwareType"], mission["vehicleType"]) == (2, 3, 2)
    assert mission["cruiseSpeed"] == mission["hoverSpeed"] == 12.0
    assert mission["plannedHomePosition"] == [LAUNCH.lat_deg, LAUNCH.lon_deg, LAUNCH_ALT_MSL_M]
    items = mission["items"]
    # home is not an item: the items are the sortie's items after seq 0
    assert len(items) == len(plan.sorties[0].items) - 1
    for seq, item in enumerate(items, start=1):
        assert item["type"] == "SimpleItem"
        assert item["doJumpId"] == seq
        assert len(item["params"]) == 7
        positioned = item["frame"] in (Frame.GLOBAL, Frame.GLOBAL_RELATIVE_ALT)
        assert set(item) == (ITEM_KEYS | ALT_KEYS if positioned else ITEM_KEYS)
        if positioned:
            assert item["AltitudeMode"] == 1  # relative to home
            assert item["Altitude"] == item["params"][6]
    waypoint = next(i for i in items if i["command"] == Cmd.NAV_WAYPOINT)
    assert waypoint["frame"] == Frame.GLOBAL_RELATIVE_ALT  # the INT frame is written as 3
    assert waypoint["params"][3] is None  # NaN yaw → null
    assert waypoint["params"][4:6] == [14.21, 1.457]  # lat, lon

    fence = doc["geoFence"]
    assert isinstance(fence, dict)
    assert fence["version"] == 2
    assert [p["inclusion"] for p in fence["polygons"]] == [True, False]
    for poly in fence["polygons"]:
        assert set(poly) == {"inclusion", "polygon", "version"} and poly["version"] == 1
        ring = [tuple(v) for v in poly["polygon"]]
        assert signed_area_deg2(ring) < 0, "QGC documents fence polygons as clockwise"
    assert fence["circles"] == [
        {"circle": {"center": [14.25, 1.49], "radius": 150.0}, "inclusion": False, "version": 1}
    ]
    assert fence["breachReturn"] == [14.205, 1.456, 60.0]
    rally = doc["rallyPoints"]
    assert isinstance(rally, dict)
    assert rally == {"version": 2, "points": [[14.21, 1.455, 60.0], [14.245, 1.472, 60.0]]}


@pytest.mark.parametrize("index", [0, 1])
def test_round_trip_keeps_items_fence_and_rally(plan: Plan, tmp_path: Path, index: int) -> None:
    sortie = plan.sorties[index]
    back = read_qgc_plan(write_qgc_plan(plan, sortie, tmp_path / "x.plan"))
    assert_same_items(back.items, sortie.items)
    assert any(math.isnan(i.param4) for i in back.items)  # NaN survived as NaN
    assert canonical_fence(back.fence_items) == canonical_fence(plan.fence_items)
    assert_same_items(back.rally_items, plan.rally_items)
    assert (back.home_lat_deg, back.home_lon_deg, back.home_alt_msl_m) == (
        LAUNCH.lat_deg, LAUNCH.lon_deg, LAUNCH_ALT_MSL_M,
    )  # fmt: skip
    assert (back.firmware_type, back.vehicle_type, back.cruise_speed_m_s) == (3, 2, 12.0)


def test_altitude_mode_follows_the_frame(plan: Plan, tmp_path: Path) -> None:
    """MSL items get AltitudeMode 2, terrain-frame items 4; both read back in their frame."""
    msl = MissionItem(Cmd.NAV_WAYPOINT, Frame.GLOBAL, lat_deg=14.21, lon_deg=1.46, alt_m=300.0)
    terrain = MissionItem(Cmd.NAV_WAYPOINT, Frame.GLOBAL_TERRAIN_ALT, lat_deg=14.22,
                          lon_deg=1.46, alt_m=60.0)  # fmt: skip
    sortie = dataclasses.replace(plan.sorties[0], items=(plan.sorties[0].items[0], msl, terrain))
    path = write_qgc_plan(plan, sortie, tmp_path / "alt.plan")
    items = _strict_json(path)["mission"]["items"]
    assert [(i["frame"], i["AltitudeMode"], i["Altitude"]) for i in items] == [
        (0, 2, 300.0), (10, 4, 60.0),
    ]  # fmt: skip
    assert_same_items(read_qgc_plan(path).items, sortie.items)


def test_reads_a_qgc_written_plan(tmp_path: Path) -> None:
    """The example from QGC's documentation, as QGroundControl itself writes it."""
    doc = {
        "fileType": "Plan",
        "geoFence": {
            "circles": [
                {"circle": {"center": [47.39756763610029, 8.544649762407738], "radius": 319.85},
                 "inclusion": True, "version": 1}
            ],
            "polygons": [
                {"inclusion": True, "version": 1,
                 "polygon": [[47.39807773798406, 8.543834631785785],
                             [47.39983519888905, 8.550024648373267],
                             [47.39641100087146, 8.54499282423751],
                             [47.395590322265186, 8.539435808992085]]}
            ],
            "version": 2,
        },
        "groundStation": "QGroundControl",
        "mission": {
            "cruiseSpeed": 15, "firmwareType": 12, "globalPlanAltitudeMode": 1, "hoverSpeed": 5,
            "items": [
                {"AMSLAltAboveTerrain": None, "Altitude": 50, "AltitudeMode": 0,
                 "autoContinue": True, "command": 22, "doJumpId": 1, "frame": 3,
                 "params": [15, 0, 0, None, 47.3985099, 8.5451002, 50], "type": "SimpleItem"}
            ],
            "plannedHomePosition": [47.3977419, 8.545594, 487.989],
            "vehicleType": 2,
            "version": 2,
        },
        "rallyPoints": {"points": [[47.39760401, 8.5509154, 50], [47.39902017, 8.54263274, 50]],
                        "version": 2},
        "version": 1,
    }  # fmt: skip
    path = tmp_path / "qgc.plan"
    path.write_text(json.dumps(doc), encoding="utf-8")
    back = read_qgc_plan(path)
    assert len(back.items) == 2 and back.items[0].alt_m == pytest.approx(487.989)
    takeoff = back.items[1]
    assert (takeoff.command, takeoff.frame, takeoff.param1) == (22, 3, 15.0)
    assert math.isnan(takeoff.param4)
    assert (takeoff.lat_deg, takeoff.lon_deg, takeoff.alt_m) == (47.3985099, 8.5451002, 50.0)
    assert [i.command for i in back.fence_items] == [Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION] * 4 + [
        Cmd.NAV_FENCE_CIRCLE_INCLUSION
    ]
    assert back.fence_items[-1].param1 == pytest.approx(319.85)
    assert [(r.lat_deg, r.alt_m) for r in back.rally_items] == [(47.39760401, 50.0),
                                                                (47.39902017, 50.0)]  # fmt: skip


def _minimal(**mission_overrides: object) -> dict[str, object]:
    mission: dict[str, object] = {
        "version": 2, "firmwareType": 3, "vehicleType": 2, "cruiseSpeed": 10, "hoverSpeed": 10,
        "plannedHomePosition": [14.2, 1.45, 200.0],
        "items": [{"autoContinue": True, "command": 16, "doJumpId": 1, "frame": 3,
                   "params": [0, 0, 0, 0, 14.21, 1.46, 50], "type": "SimpleItem"}],
    }  # fmt: skip
    mission.update(mission_overrides)
    return {"fileType": "Plan", "version": 1, "groundStation": "x", "mission": mission}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", r"bad\.plan:1:2: not valid JSON"),
        ("[]", r"bad\.plan: top level: expected a JSON object, found a list of 0"),
        (json.dumps({**_minimal(), "fileType": "Mission"}), r"fileType: found 'Mission'"),
        (json.dumps({**_minimal(), "version": 3}), r"bad\.plan: version: found 3; expected 1"),
        (json.dumps({"fileType": "Plan", "version": 1}), r"bad\.plan: mission: missing"),
        (json.dumps(_minimal(version=1)), r"mission\.version: found 1; expected 2"),
        (json.dumps(_minimal(plannedHomePosition=[1, 2])),
         r"mission\.plannedHomePosition: expected a list of 3 numbers, found a list of 2"),
        (json.dumps(_minimal(items=[{"type": "ComplexItem", "complexItemType": "survey"}])),
         r"mission\.items\[0\]\.type: found 'ComplexItem'; only \"SimpleItem\""),
        (json.dumps(_minimal(items=[{"type": "SimpleItem", "command": 16, "frame": 3,
                                     "autoContinue": True, "params": [0, 0, 0, 0, 1, 2]}])),
         r"mission\.items\[0\]\.params: expected a list of 7 numbers, found a list of 6"),
        (json.dumps(_minimal(items=[{"type": "SimpleItem", "command": "WAYPOINT", "frame": 3,
                                     "autoContinue": True, "params": [0] * 7}])),
         r"mission\.items\[0\]\.command: expected an integer, found the string 'WAYPOINT'"),
        (json.dumps(_minimal(items=[{"type": "SimpleItem", "command": 16, "frame": 3,
                                     "autoContinue": True, "params": [0, 0, 0, 0, "n", 2, 3]}])),
         r"mission\.items\[0\]\.params\[4\]: expected a number or null, found the string 'n'"),
        (json.dumps({**_minimal(), "geoFence": {"polygons": [{"inclusion": True,
                                                              "polygon": [[1, 2], [3, 4]]}]}}),
         r"geoFence\.polygons\[0\]\.polygon: expected 3 or more vertices, found 2"),
        (json.dumps({**_minimal(), "rallyPoints": {"points": [[1, 2]]}}),
         r"rallyPoints\.points\[0\]: expected a list of 3 numbers"),
    ],
)  # fmt: skip
def test_bad_files_raise_format_error_naming_file_and_field(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.plan"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=expected) as info:
        read_qgc_plan(path)
    assert str(path) in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"nope\.plan: no such \.plan file"):
        read_qgc_plan(tmp_path / "nope.plan")
    binary = tmp_path / "bin.plan"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(FormatError, match=r"bin\.plan: not a UTF-8 text \.plan file"):
        read_qgc_plan(binary)
