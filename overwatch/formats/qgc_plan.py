"""QGroundControl ``.plan`` files (JSON): write one per sortie, read them back.

The layout follows QGroundControl's documented plan file format
(fileType ``"Plan"``, version 1; mission version 2 with ``SimpleItem`` items;
geoFence version 2 with polygons/circles; rallyPoints version 2). A QGC plan
keeps home apart from the items: ``plannedHomePosition`` is
``[lat_deg, lon_deg, alt_msl_m]`` and ``items`` are the mission items after
home, so ``doJumpId`` equals the ArduPilot mission sequence number.

Positions are WGS84 degrees; ``Altitude`` is in the datum ``AltitudeMode``
names (1 relative to home, 2 above mean sea level, 4 terrain frame); rally
point altitudes are above home. NaN params are written as JSON ``null`` and
read back as NaN.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overwatch.errors import FormatError
from overwatch.formats._common import (
    finite_or_none,
    has_position,
    read_text,
    write_text,
)
from overwatch.formats._json import JsonReader
from overwatch.formats.fence import (
    Fence,
    FenceCircle,
    FencePolygon,
    clockwise,
    fence_from_items,
    fence_to_items,
)
from overwatch.items import Frame, MissionItem, home_placeholder, rally_point
from overwatch.planning.model import Plan, Sortie

GROUND_STATION = "Overwatch"
FIRMWARE_ARDUPILOT = 3  # MAV_AUTOPILOT_ARDUPILOTMEGA
VEHICLE_QUADROTOR = 2  # MAV_TYPE_QUADROTOR
ALT_MODE_MIXED = 0  # QGC AltMode: each item names its own mode

#: MAV_FRAME → QGC AltitudeMode (QGroundControlQmlGlobal::AltMode)
_ALT_MODE: dict[int, int] = {
    Frame.GLOBAL_RELATIVE_ALT: 1,
    Frame.GLOBAL: 2,
    Frame.GLOBAL_TERRAIN_ALT: 4,
}


@dataclass(frozen=True)
class QgcPlan:
    """What a ``.plan`` file holds, as Overwatch items.

    ``items`` start with a home placeholder (seq 0, ``Frame.GLOBAL``, altitude
    MSL) built from ``plannedHomePosition``, like :attr:`Sortie.items`.
    """

    home_lat_deg: float
    home_lon_deg: float
    home_alt_msl_m: float
    items: tuple[MissionItem, ...]
    fence_items: tuple[MissionItem, ...]
    rally_items: tuple[MissionItem, ...]
    cruise_speed_m_s: float
    hover_speed_m_s: float
    firmware_type: int
    vehicle_type: int


# -- writing -----------------------------------------------------------------------


def sortie_home(plan: Plan, sortie: Sortie) -> tuple[float, float, float]:
    """``(lat_deg, lon_deg, alt_msl_m)`` of a sortie's home.

    The sortie's item 0 when it holds a position, else its take-off point
    projected from the local frame; the altitude is the launch site's
    ``alt_msl_m`` unless item 0 gives an MSL altitude.
    """
    alt_msl = plan.mission.launch.alt_msl_m
    if sortie.items:
        home = sortie.items[0]
        if home.lat_deg != 0.0 or home.lon_deg != 0.0:
            if home.normalised().frame == Frame.GLOBAL and home.alt_m != 0.0:
                alt_msl = home.alt_m
            return home.lat_deg, home.lon_deg, alt_msl
    lat, lon = plan.geometry.frame.to_wgs84(*sortie.takeoff_xy_m)
    return lat, lon, alt_msl


def plan_document(plan: Plan, sortie: Sortie) -> dict[str, Any]:
    """The ``.plan`` JSON object for one sortie, with the plan's fence and rally points."""
    home = sortie_home(plan, sortie)
    speed = plan.mission.vehicle.cruise_speed_m_s
    return {
        "fileType": "Plan",
        "version": 1,
        "groundStation": GROUND_STATION,
        "mission": {
            "version": 2,
            "firmwareType": FIRMWARE_ARDUPILOT,
            "vehicleType": VEHICLE_QUADROTOR,
            "cruiseSpeed": speed,
            "hoverSpeed": speed,
            "globalPlanAltitudeMode": ALT_MODE_MIXED,
            "plannedHomePosition": [_deg(home[0]), _deg(home[1]), home[2]],
            "items": [_simple_item(seq, item) for seq, item in enumerate(sortie.items[1:], 1)],
        },
        "geoFence": _geofence(plan.fence_items),
        "rallyPoints": {
            "version": 2,
            "points": [[_deg(r.lat_deg), _deg(r.lon_deg), r.alt_m] for r in plan.rally_items],
        },
    }


def write_qgc_plan(plan: Plan, sortie: Sortie, path: Path) -> Path:
    """Write ``sortie`` (with the plan's fence and rally points) as a QGC ``.plan`` file."""
    text = json.dumps(plan_document(plan, sortie), indent=2, allow_nan=False)
    return write_text(path, text + "\n")


def _deg(value: float) -> float:
    return round(value, 8)


def _simple_item(seq: int, item: MissionItem) -> dict[str, Any]:
    frame = int(item.normalised().frame)
    params = [item.param1, item.param2, item.param3, item.param4]
    params += [_deg(item.lat_deg), _deg(item.lon_deg), item.alt_m]
    out: dict[str, Any] = {}
    if has_position(item):
        out["AMSLAltAboveTerrain"] = None
        out["Altitude"] = finite_or_none(item.alt_m)
        out["AltitudeMode"] = _ALT_MODE.get(frame, 1)
    out.update(
        {
            "autoContinue": bool(item.autocontinue),
            "command": int(item.command),
            "doJumpId": seq,
            "frame": frame,
            "params": [finite_or_none(p) for p in params],
            "type": "SimpleItem",
        }
    )
    return out


def _geofence(fence_items: Sequence[MissionItem]) -> dict[str, Any]:
    fence = fence_from_items(fence_items)
    out: dict[str, Any] = {
        "version": 2,
        "polygons": [
            {
                "inclusion": p.inclusion,
                # QGC documents its polygons as clockwise; ArduPilot accepts either
                "polygon": [[_deg(lat), _deg(lon)] for lat, lon in clockwise(p.vertices)],
                "version": 1,
            }
            for p in fence.polygons
        ],
        "circles": [
            {
                "circle": {"center": [_deg(c.center[0]), _deg(c.center[1])], "radius": c.radius_m},
                "inclusion": c.inclusion,
                "version": 1,
            }
            for c in fence.circles
        ],
    }
    if fence.return_point is not None:
        lat, lon, alt = fence.return_point
        out["breachReturn"] = [_deg(lat), _deg(lon), alt]
    return out


# -- reading -----------------------------------------------------------------------


def read_qgc_plan(path: Path | str) -> QgcPlan:
    """Read a QGC ``.plan`` file written by Overwatch or QGroundControl.

    Only ``SimpleItem`` mission items are understood. Raises :class:`FormatError`
    naming the file, the field (``mission.items[3].params``) and what was expected.
    """
    path = Path(path)
    text = read_text(path, ".plan")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    r = _PlanReader(path)
    top = r.obj(doc, "")
    if r.get(top, "", "fileType", str) != "Plan":
        raise r.error("fileType", f'found {top["fileType"]!r}; expected "Plan"')
    if r.get(top, "", "version", int) != 1:
        raise r.error("version", f"found {top['version']}; expected 1")
    mission = r.obj(r.get(top, "", "mission", dict), "mission")
    if r.get(mission, "mission", "version", int) != 2:
        raise r.error("mission.version", f"found {mission['version']}; expected 2")
    home = r.numbers(
        r.get(mission, "mission", "plannedHomePosition", list), "mission.plannedHomePosition", 3
    )
    home_lat, home_lon, home_alt = (_nan_to_zero(v) for v in home)
    items: list[MissionItem] = [home_placeholder(home_lat, home_lon, home_alt)]
    for i, raw in enumerate(r.get(mission, "mission", "items", list)):
        items.append(r.simple_item(raw, f"mission.items[{i}]"))
    fence_items: tuple[MissionItem, ...] = ()
    if "geoFence" in top:
        fence_items = fence_to_items(r.fence(r.obj(top["geoFence"], "geoFence")))
    rally_items: tuple[MissionItem, ...] = ()
    if "rallyPoints" in top:
        rally_items = r.rally(r.obj(top["rallyPoints"], "rallyPoints"))
    return QgcPlan(
        home_lat_deg=home_lat,
        home_lon_deg=home_lon,
        home_alt_msl_m=home_alt,
        items=tuple(items),
        fence_items=fence_items,
        rally_items=rally_items,
        cruise_speed_m_s=r.number(mission.get("cruiseSpeed", 0.0), "mission.cruiseSpeed"),
        hover_speed_m_s=r.number(mission.get("hoverSpeed", 0.0), "mission.hoverSpeed"),
        firmware_type=r.get(mission, "mission", "firmwareType", int),
        vehicle_type=r.get(mission, "mission", "vehicleType", int),
    )


def _nan_to_zero(value: float) -> float:
    return 0.0 if math.isnan(value) else value


class _PlanReader(JsonReader):
    """Reads the parts of a .plan document."""

    def simple_item(self, raw: object, field: str) -> MissionItem:
        obj = self.obj(raw, field)
        kind = obj.get("type")
        if kind != "SimpleItem":
            raise self.error(
                f"{field}.type",
                f'found {kind!r}; only "SimpleItem" is supported '
                "(complex items such as surveys must be converted to simple items in QGC)",
            )
        p = self.numbers(self.get(obj, field, "params", list), f"{field}.params", 7, nullable=True)
        return MissionItem(
            command=self.get(obj, field, "command", int),
            frame=self.get(obj, field, "frame", int),
            param1=p[0],
            param2=p[1],
            param3=p[2],
            param4=p[3],
            lat_deg=_nan_to_zero(p[4]),
            lon_deg=_nan_to_zero(p[5]),
            alt_m=_nan_to_zero(p[6]),
            autocontinue=self.get(obj, field, "autoContinue", bool),
        )

    def fence(self, obj: Mapping[str, Any]) -> Fence:
        polygons: list[FencePolygon] = []
        for i, raw in enumerate(obj.get("polygons", [])):
            field = f"geoFence.polygons[{i}]"
            poly = self.obj(raw, field)
            pts = self.get(poly, field, "polygon", list)
            if len(pts) < 3:
                raise self.error(
                    f"{field}.polygon", f"expected 3 or more vertices, found {len(pts)}"
                )
            vertices = tuple(self.lat_lon(v, f"{field}.polygon[{k}]") for k, v in enumerate(pts))
            polygons.append(FencePolygon(self.get(poly, field, "inclusion", bool), vertices))
        circles: list[FenceCircle] = []
        for i, raw in enumerate(obj.get("circles", [])):
            field = f"geoFence.circles[{i}]"
            circ = self.obj(raw, field)
            inner = self.obj(self.get(circ, field, "circle", dict), f"{field}.circle")
            lat, lon = self.numbers(
                self.get(inner, f"{field}.circle", "center", list), f"{field}.circle.center", 2
            )
            radius = self.number(inner.get("radius"), f"{field}.circle.radius")
            if radius <= 0:
                raise self.error(f"{field}.circle.radius", f"found {radius:g}; expected > 0 m")
            circles.append(
                FenceCircle(self.get(circ, field, "inclusion", bool), (lat, lon), radius)
            )
        ret: tuple[float, float, float] | None = None
        if obj.get("breachReturn") is not None:
            lat, lon, alt = self.numbers(obj["breachReturn"], "geoFence.breachReturn", 3)
            ret = (lat, lon, alt)
        return Fence(tuple(polygons), tuple(circles), ret)

    def rally(self, obj: Mapping[str, Any]) -> tuple[MissionItem, ...]:
        out = []
        for i, raw in enumerate(self.get(obj, "rallyPoints", "points", list)):
            lat, lon, alt = self.numbers(raw, f"rallyPoints.points[{i}]", 3)
            out.append(rally_point(lat, lon, alt))
        return tuple(out)
