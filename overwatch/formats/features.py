"""A plan as map features in WGS84, shared by the GeoJSON and KML writers.

Everything the planner made in metres (local frame) is projected here, once,
to WGS84 degrees. Positions are ``(lon_deg, lat_deg)`` — the order GeoJSON
and KML both use — or ``(lon_deg, lat_deg, alt_rel_m)`` for the flown path,
where ``alt_rel_m`` is above home. Polygon rings are closed, exteriors
counter-clockwise and holes clockwise (GeoJSON's right-hand rule).

Each feature has a ``kind``:

========================  ==========  =============================================
kind                      geometry    what
========================  ==========  =============================================
``route``                 line        the patrol's route
``launch``                point       the take-off site
``rally``                 point       a rally point (mission file)
``keep_in``               polygon     the area the drone must stay inside
``keep_out``              polygon     a named area the drone must never enter
``border``                line        the international border
``border_buffer``         polygon     the strip within ``buffer_m`` of the border
``trajectory``            line (3D)   one sortie's flown path, ``t_s`` per vertex
``baseline_trajectory``   line (3D)   the FOLLOW baseline's path, per sortie
``waypoint``              point       a mission item with a position
``footprint``             polygon     the camera's ground footprint at time ``t_s``
``gap``                   line        a stretch of route not watched in time
``relief``                point       a team's hand-over: the fresh drone takes over here
========================  ==========  =============================================

A team's features (:func:`team_features`) hold every drone: each drone's
``launch``, ``rally``, ``trajectory``, ``waypoint`` and ``footprint`` features carry
``drone`` (its name), ``drone_index`` and ``color`` (``#rrggbb``) properties, a
name that starts with the drone's, and a ``style`` of ``<kind>-<drone number>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import substring

from overwatch.formats._common import DEG_DECIMALS, has_position, utc_time
from overwatch.geo import LocalFrame
from overwatch.geo.camera import footprint_corners
from overwatch.items import Cmd
from overwatch.mission import Camera, MissionGeometry
from overwatch.planning.model import Gap, Plan, TeamPlan, Trajectory

Position = tuple[float, ...]  # (lon_deg, lat_deg) or (lon_deg, lat_deg, alt_rel_m)
PropValue = str | int | float | bool | None | list[float]

#: default spacing of camera footprints, seconds
FOOTPRINT_EVERY_S = 10.0
#: footprints are drawn only above this height (m): low down, taking off or landing, the
#: camera sees nothing useful (the plan's exports and a run's after action alike)
MIN_FOOTPRINT_HEIGHT_M = 5.0


@dataclass(frozen=True)
class PointGeom:
    position: Position


@dataclass(frozen=True)
class LineGeom:
    positions: tuple[Position, ...]


@dataclass(frozen=True)
class PolygonGeom:
    """``rings[0]`` is the exterior (counter-clockwise), the rest holes; all closed."""

    rings: tuple[tuple[Position, ...], ...]


Geometry = PointGeom | LineGeom | PolygonGeom


@dataclass(frozen=True)
class MapFeature:
    """One thing to draw: its ``kind`` (see the module table), a name and properties."""

    kind: str
    name: str
    geometry: Geometry
    properties: Mapping[str, PropValue] = field(default_factory=dict)
    #: ISO 8601 UTC times this feature is about (start, end), for time sliders
    time_span: tuple[str, str] | None = None
    #: the style to draw it with (a drone's own, ``trajectory-2``); ``None``: its kind's
    style: str | None = None


#: one colour per drone (``#rrggbb``), in mission order, repeating after the last
DRONE_COLORS = ("#00ffff", "#ff00ff", "#ffd700", "#7fff00", "#ff7f50", "#1e90ff")


@dataclass(frozen=True)
class DroneTag:
    """Which drone of a team a feature belongs to (index into ``mission.drones``)."""

    name: str
    index: int

    @property
    def color(self) -> str:
        return DRONE_COLORS[self.index % len(DRONE_COLORS)]

    def mark(self, feature: MapFeature) -> MapFeature:
        """``feature`` as this drone's: named, with its properties and its style."""
        props: dict[str, PropValue] = {
            "drone": self.name,
            "drone_index": self.index,
            "color": self.color,
        }
        return replace(
            feature,
            name=f"{self.name} {feature.name}",
            properties={**feature.properties, **props},
            style=f"{feature.kind}-{self.index + 1}",
        )


def plan_features(plan: Plan, *, footprint_every_s: float = FOOTPRINT_EVERY_S) -> list[MapFeature]:
    """All map features of ``plan``, in the order of the module table."""
    geo = plan.geometry
    out = [_route_feature(geo)]
    out += _site_features(plan)
    out += _airspace_features(geo)
    out += _trajectory_features(plan, plan.trajectory, "trajectory")
    out += _trajectory_features(plan, plan.baseline_trajectory, "baseline_trajectory")
    out += _waypoint_features(plan)
    out += _footprint_features(plan, footprint_every_s)
    out += _gap_features(plan.geometry, plan.coverage.gaps)
    return out


def team_features(
    team: TeamPlan, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> list[MapFeature]:
    """All map features of a team's plan: every drone's, its reliefs and the team's gaps.

    In the order of the module table; a drone's features are tagged (see the module
    docstring). The baseline is the one-drone FOLLOW baseline; the gaps are the team's.
    """
    first = team.drones[0]
    geo = team.geometry
    tags = [DroneTag(d.mission.vehicle.name, i) for i, d in enumerate(team.drones)]
    per_kind: dict[str, list[MapFeature]] = {}
    for tag, drone in zip(tags, team.drones, strict=True):
        own = [
            *_site_features(drone),
            *_trajectory_features(drone, drone.trajectory, "trajectory"),
            *_waypoint_features(drone),
            *_footprint_features(drone, footprint_every_s),
        ]  # fmt: skip
        for f in own:
            per_kind.setdefault(f.kind, []).append(tag.mark(f))
    baseline = _trajectory_features(first, first.baseline_trajectory, "baseline_trajectory")
    out = [_route_feature(geo)]
    for kind in ("launch", "rally"):
        out += per_kind.get(kind, [])
    out += _airspace_features(geo)
    out += per_kind.get("trajectory", []) + baseline
    out += per_kind.get("waypoint", []) + per_kind.get("footprint", [])
    out += _gap_features(team.geometry, team.coverage.gaps)
    out += _relief_features(team, tags)
    return out


# -- the parts -----------------------------------------------------------------------


def _route_feature(geo: MissionGeometry) -> MapFeature:
    props: dict[str, PropValue] = {"length_m": round(float(geo.route.length), 1)}
    return MapFeature("route", geo.mission.patrol.callsign, line_wgs84(geo.frame, geo.route), props)


def _site_features(plan: Plan) -> list[MapFeature]:
    """The launch site and the rally points of the plan's drone."""
    geo = plan.geometry
    out = [
        MapFeature("launch", "launch", _point(geo.frame, geo.launch.x, geo.launch.y),
                   {"alt_msl_m": plan.mission.launch.alt_msl_m}),
    ]  # fmt: skip
    out += [
        MapFeature("rally", f"rally {i + 1}", _point(geo.frame, p.x, p.y))
        for i, p in enumerate(geo.rally)
    ]
    return out


def _airspace_features(geo: MissionGeometry) -> list[MapFeature]:
    """The keep-in, the keep-outs, the border and its buffer."""
    frame = geo.frame
    out: list[MapFeature] = []
    if geo.keep_in is not None:
        out += [MapFeature("keep_in", "keep-in", g) for g in polygons_wgs84(frame, geo.keep_in)]
    for name, poly in geo.keep_outs:
        out += [MapFeature("keep_out", name, g) for g in polygons_wgs84(frame, poly)]
    border = geo.mission.airspace.border
    if geo.border is not None and border is not None:
        out.append(MapFeature("border", border.name, line_wgs84(frame, geo.border)))
        buffer_props: dict[str, PropValue] = {"buffer_m": border.buffer_m}
        out += [
            MapFeature("border_buffer", f"{border.name} buffer", g, buffer_props)
            for g in polygons_wgs84(frame, geo.border.buffer(border.buffer_m))
        ]
    return out


def _trajectory_features(plan: Plan, traj: Trajectory, kind: str) -> list[MapFeature]:
    frame = plan.geometry.frame
    start = plan.mission.patrol.start_time
    out = []
    for sortie in np.unique(traj.sortie[traj.sortie >= 0]):
        idx = np.flatnonzero(traj.sortie == sortie)
        if len(idx) < 2:
            continue
        lat, lon = frame.to_wgs84(traj.x_m[idx], traj.y_m[idx])
        alt = traj.alt_rel_m[idx]
        positions = tuple(
            (round_deg(o), round_deg(a), round(float(h), 2))
            for o, a, h in zip(lon, lat, alt, strict=True)
        )
        t = traj.t_s[idx]
        span = (utc_time(start, float(t[0])), utc_time(start, float(t[-1])))
        props: dict[str, PropValue] = {
            "sortie": int(sortie),
            "t_s": [round(float(v), 2) for v in t],
            "alt_rel_m": [round(float(v), 2) for v in alt],
            "start_time": span[0],
            "end_time": span[1],
        }
        name = f"{kind.replace('_', ' ')} sortie {int(sortie) + 1}"
        out.append(MapFeature(kind, name, LineGeom(positions), props, span))
    return out


def _waypoint_features(plan: Plan) -> list[MapFeature]:
    out = []
    for sortie in plan.sorties:
        for seq, item in enumerate(sortie.items):
            if seq == 0 or not has_position(item) or (item.lat_deg == 0 and item.lon_deg == 0):
                continue
            props: dict[str, PropValue] = {
                "sortie": sortie.index,
                "seq": seq,
                "command": int(item.command),
                "command_name": _cmd_name(item.command),
                "frame": int(item.frame),
                "alt_m": item.alt_m,
            }
            out.append(
                MapFeature(
                    "waypoint",
                    f"sortie {sortie.index + 1} item {seq}",
                    PointGeom((round_deg(item.lon_deg), round_deg(item.lat_deg))),
                    props,
                )
            )
    return out


def _footprint_features(plan: Plan, every_s: float) -> list[MapFeature]:
    traj = plan.trajectory
    start = plan.mission.patrol.start_time
    out = []
    for i, polygons in sampled_footprints(
        plan.geometry.frame, plan.mission.vehicle.camera, traj.t_s, traj.x_m, traj.y_m,
        traj.alt_rel_m, traj.yaw_deg, traj.gimbal_pitch_deg, every_s, airborne=traj.airborne,
    ):  # fmt: skip
        when = utc_time(start, float(traj.t_s[i]))
        props: dict[str, PropValue] = {
            "t_s": round(float(traj.t_s[i]), 2),
            "time": when,
            "sortie": int(traj.sortie[i]),
            "watching": bool(traj.watching[i]),
            "alt_rel_m": round(float(traj.alt_rel_m[i]), 2),
        }
        out += [
            MapFeature("footprint", f"footprint t={props['t_s']} s", g, props, (when, when))
            for g in polygons
        ]
    return out


def sampled_footprints(
    frame: LocalFrame,
    camera: Camera,
    t_s: npt.NDArray[np.float64],
    x_m: npt.NDArray[np.float64],
    y_m: npt.NDArray[np.float64],
    alt_rel_m: npt.NDArray[np.float64],
    yaw_deg: npt.NDArray[np.float64],
    gimbal_pitch_deg: npt.NDArray[np.float64],
    every_s: float,
    *,
    airborne: npt.NDArray[np.bool_] | None = None,
) -> list[tuple[int, list[PolygonGeom]]]:
    """The camera's ground footprint every ``every_s`` seconds of a track, in WGS84.

    One ``(index, polygons)`` pair per sample of :func:`footprint_sample_indices`
    whose footprint is a proper polygon; a planned trajectory and a flown one
    (ground truth) are sampled alike."""
    idx = footprint_sample_indices(t_s, alt_rel_m, every_s, airborne=airborne)
    if not idx:
        return []
    quads = footprint_corners(
        x_m[idx], y_m[idx], alt_rel_m[idx], yaw_deg[idx], gimbal_pitch_deg[idx],
        camera.hfov_deg, camera.vfov_deg,
    )  # fmt: skip
    out = []
    for quad, i in zip(quads, idx, strict=True):
        poly = Polygon(quad)
        if poly.is_valid and poly.area > 0:
            out.append((i, polygons_wgs84(frame, poly)))
    return out


def footprint_sample_indices(
    t_s: npt.NDArray[np.float64],
    alt_rel_m: npt.NDArray[np.float64],
    every_s: float,
    *,
    airborne: npt.NDArray[np.bool_] | None = None,
) -> list[int]:
    """Track indices for footprints: above :data:`MIN_FOOTPRINT_HEIGHT_M` (and
    ``airborne`` where the track says so), at least ``every_s`` apart."""
    if every_s <= 0:
        raise ValueError(f"footprint spacing must be > 0 s, got {every_s}")
    ok = alt_rel_m > MIN_FOOTPRINT_HEIGHT_M
    if airborne is not None:
        ok &= airborne
    picked: list[int] = []
    next_t = -np.inf
    for i in np.flatnonzero(ok):
        if t_s[i] >= next_t:
            picked.append(int(i))
            next_t = float(t_s[i]) + every_s
    return picked


def _relief_features(team: TeamPlan, tags: Sequence[DroneTag]) -> list[MapFeature]:
    frame = team.geometry.frame
    start = team.mission.patrol.start_time
    out = []
    for i, r in enumerate(team.reliefs):
        when = utc_time(start, r.leave_t_s)
        props: dict[str, PropValue] = {
            "tired": tags[r.tired].name,
            "fresh": tags[r.fresh].name,
            "tired_sortie": r.tired_sortie + 1,
            "fresh_sortie": r.fresh_sortie + 1,
            "on_station_t_s": round(r.on_station_t_s, 1),
            "leave_t_s": round(r.leave_t_s, 1),
            "overlap_s": round(r.overlap_s, 1),
            "station_m": round(r.station_m, 1),
            "time": when,
        }
        name = f"relief {i + 1}: {tags[r.fresh].name} takes over from {tags[r.tired].name}"
        out.append(MapFeature("relief", name, _point(frame, *r.xy_m), props, (when, when)))
    return out


def _gap_features(geometry: MissionGeometry, gaps: Sequence[Gap]) -> list[MapFeature]:
    route = geometry.route
    out = []
    for gap in gaps:
        piece = substring(route, gap.start_m, gap.end_m)
        if not isinstance(piece, LineString) or piece.length <= 0:
            continue
        props: dict[str, PropValue] = {
            "start_m": round(gap.start_m, 1),
            "end_m": round(gap.end_m, 1),
            "length_m": round(gap.length_m, 1),
            "reason": gap.reason,
        }
        name = f"gap {gap.start_m:.0f}-{gap.end_m:.0f} m"
        out.append(MapFeature("gap", name, line_wgs84(geometry.frame, piece), props))
    return out


# -- projection helpers -----------------------------------------------------------------


def round_deg(deg: float) -> float:
    """Degrees rounded to :data:`DEG_DECIMALS` (about a centimetre)."""
    return round(float(deg), DEG_DECIMALS)


def lonlat_positions(frame: LocalFrame, xy: Sequence[Sequence[float]]) -> tuple[Position, ...]:
    """Local metres → (lon, lat) positions, rounded to :data:`DEG_DECIMALS`."""
    return tuple((round_deg(lon), round_deg(lat)) for lat, lon in frame.coords_to_wgs84(xy))


def _point(frame: LocalFrame, x_m: float, y_m: float) -> PointGeom:
    lat, lon = frame.to_wgs84(x_m, y_m)
    return PointGeom((round_deg(lon), round_deg(lat)))


def line_wgs84(frame: LocalFrame, line: LineString) -> LineGeom:
    """A line in local metres as a WGS84 line geometry."""
    return LineGeom(lonlat_positions(frame, list(line.coords)))


def polygons_wgs84(frame: LocalFrame, geom: BaseGeometry) -> list[PolygonGeom]:
    """Polygon parts of ``geom`` (metres), right-hand-rule oriented, in WGS84.

    The local frame is east/north like lon/lat, so a ring's winding survives
    the projection.
    """
    if isinstance(geom, Polygon):
        parts = [geom]
    elif isinstance(geom, MultiPolygon):
        parts = list(geom.geoms)
    else:
        parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    out = []
    for part in parts:
        if part.is_empty:
            continue
        oriented = orient(part, sign=1.0)
        rings = [oriented.exterior, *oriented.interiors]
        out.append(PolygonGeom(tuple(lonlat_positions(frame, list(r.coords)) for r in rings)))
    return out


def _cmd_name(command: int) -> str:
    try:
        return Cmd(command).name
    except ValueError:
        return str(command)
