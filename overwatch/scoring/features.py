"""A run as map features in WGS84, for the after-action GeoJSON and KML.

Positions are ``(lon_deg, lat_deg)`` (GeoJSON and KML order) or ``(lon_deg,
lat_deg, alt_rel_m)`` for the drone's track (height above home). Each feature
has a ``kind``:

===================  ==========  ==============================================
kind                 geometry    what
===================  ==========  ==============================================
``route``            line        the patrol's planned route
``keep_out``         polygon     a named area the drone must never enter
``border``           line        the international border
``border_buffer``    polygon     the strip within ``buffer_m`` of the border
``patrol_track``     line        where the patrol really drove (``t_s`` per vertex)
``drone_track``      line (3D)   where the drone really flew, one per sortie
``telemetry_track``  line        the drone's positions as the tlog reported them
``footprint``        polygon     the camera's ground footprint at ``t_s`` (sampled)
``threat``           point       a threat's true position, with how it was handled
``cue``              point       a cue the session recorded: kind, status, times, notes
===================  ==========  ==============================================

Times: ``*_s`` properties are scenario seconds (since the patrol's planned
start); ``*_utc`` properties are ISO 8601 UTC.
"""

from __future__ import annotations

import numpy as np

from overwatch.formats._common import utc_time
from overwatch.formats.features import (
    LineGeom,
    MapFeature,
    PointGeom,
    PropValue,
    line_wgs84,
    polygons_wgs84,
    round_deg,
    sampled_footprints,
)
from overwatch.scoring.run import LoadedRun
from overwatch.scoring.score import RunScore, drone_trajectory

#: default spacing of camera footprints in the bundle, seconds
FOOTPRINT_EVERY_S = 20.0
#: at most this many vertices per track line (long runs are thinned evenly)
MAX_TRACK_VERTICES = 5000


def run_features(
    run: LoadedRun, score: RunScore, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> list[MapFeature]:
    """All map features of a scored run, in the order of the module table."""
    return [
        *airspace_features(run),
        *patrol_features(run),
        *drone_features(run),
        *telemetry_features(run),
        *footprint_features(run, footprint_every_s),
        *threat_features(run, score),
        *cue_features(run, score),
    ]


def airspace_features(run: LoadedRun) -> list[MapFeature]:
    geo = run.geometry
    frame = geo.frame
    out = [MapFeature("route", geo.mission.patrol.callsign, line_wgs84(frame, geo.route),
                      {"length_m": round(float(geo.route.length), 1)})]  # fmt: skip
    for name, poly in geo.keep_outs:
        out += [MapFeature("keep_out", name, g) for g in polygons_wgs84(frame, poly)]
    border = geo.mission.airspace.border
    if geo.border is not None and border is not None:
        out.append(MapFeature("border", border.name, line_wgs84(frame, geo.border)))
        out += [
            MapFeature("border_buffer", f"{border.name} buffer", g, {"buffer_m": border.buffer_m})
            for g in polygons_wgs84(frame, geo.border.buffer(border.buffer_m))
        ]
    return out


def patrol_features(run: LoadedRun) -> list[MapFeature]:
    rows = _thin(run.truth.patrol_rows)
    if len(rows) < 2:
        return []
    start = run.geometry.mission.patrol.start_time
    positions = tuple((round_deg(lon), round_deg(lat)) for lat, lon in rows[:, 1:3])
    span = (utc_time(start, float(rows[0, 0])), utc_time(start, float(rows[-1, 0])))
    props: dict[str, PropValue] = {
        "t_s": [round(float(v), 1) for v in rows[:, 0]],
        "start_utc": span[0],
        "end_utc": span[1],
        "max_off_route_m": round(float(run.truth.patrol_rows[:, 4].max()), 1),
    }
    name = f"{run.geometry.mission.patrol.callsign} (true track)"
    return [MapFeature("patrol_track", name, LineGeom(positions), props, span)]


def drone_features(run: LoadedRun) -> list[MapFeature]:
    traj = drone_trajectory(run.truth, run.geometry)
    rows = run.truth.drone_rows
    start = run.geometry.mission.patrol.start_time
    out = []
    for sortie in np.unique(traj.sortie[traj.sortie >= 0]):
        part = _thin(rows[traj.sortie == sortie])
        if len(part) < 2:
            continue
        positions = tuple(
            (round_deg(lon), round_deg(lat), round(float(alt), 2)) for lat, lon, alt in part[:, 1:4]
        )
        span = (utc_time(start, float(part[0, 0])), utc_time(start, float(part[-1, 0])))
        props: dict[str, PropValue] = {
            "sortie": int(sortie),
            "t_s": [round(float(v), 1) for v in part[:, 0]],
            "alt_rel_m": [round(float(v), 2) for v in part[:, 3]],
            "start_utc": span[0],
            "end_utc": span[1],
        }
        out.append(MapFeature("drone_track", f"drone sortie {int(sortie) + 1}",
                              LineGeom(positions), props, span))  # fmt: skip
    return out


def telemetry_features(run: LoadedRun) -> list[MapFeature]:
    if run.tlog is None or len(run.tlog.positions) < 2:
        return []
    rows = _thin(run.tlog.positions)
    positions = tuple((round_deg(lon), round_deg(lat)) for lat, lon in rows[:, 1:3])
    props: dict[str, PropValue] = {
        "packets": run.tlog.packets,
        "positions": len(run.tlog.positions),
        "file": run.tlog.path.name,
    }
    return [MapFeature("telemetry_track", "drone (telemetry)", LineGeom(positions), props)]


def footprint_features(run: LoadedRun, every_s: float) -> list[MapFeature]:
    traj = drone_trajectory(run.truth, run.geometry)
    start = run.geometry.mission.patrol.start_time
    out = []
    for i, polygons in sampled_footprints(
        run.geometry.frame, run.geometry.mission.vehicle.camera, traj.t_s, traj.x_m, traj.y_m,
        traj.alt_rel_m, traj.yaw_deg, traj.gimbal_pitch_deg, every_s,
    ):  # fmt: skip
        when = utc_time(start, float(traj.t_s[i]))
        props: dict[str, PropValue] = {
            "t_s": round(float(traj.t_s[i]), 1),
            "time_utc": when,
            "alt_rel_m": round(float(traj.alt_rel_m[i]), 1),
        }
        out += [
            MapFeature("footprint", f"footprint t={props['t_s']} s", g, props, (when, when))
            for g in polygons
        ]
    return out


def threat_features(run: LoadedRun, score: RunScore) -> list[MapFeature]:
    start = run.geometry.mission.patrol.start_time
    out = []
    for threat, ts in zip(run.truth.threats, score.threats, strict=True):
        props: dict[str, PropValue] = {
            "truth_id": threat.truth_id,
            "threat_kind": threat.kind,
            "outcome": ts.outcome,
            "appear_s": round(threat.appear_s, 1),
            "appear_utc": utc_time(start, threat.appear_s),
            "station_m": round(threat.station_m, 1),
            "patrol_arrival_s": round(threat.patrol_arrival_s, 1),
            "patrol_arrival_utc": utc_time(start, threat.patrol_arrival_s),
            "cue_id": ts.cue_id,
            "time_to_cue_s": _round(ts.time_to_cue_s),
            "lead_s": _round(ts.lead_s),
        }
        geom = PointGeom((round_deg(threat.lon_deg), round_deg(threat.lat_deg)))
        out.append(MapFeature("threat", f"{threat.truth_id} ({threat.kind})", geom, props))
    return out


def cue_features(run: LoadedRun, score: RunScore) -> list[MapFeature]:
    start = run.geometry.mission.patrol.start_time
    owner = {cid: ts.truth_id for ts in score.threats for cid in ts.cue_ids}
    false = set(score.false_cues)
    out = []
    for cue in run.cues:
        first = utc_time(start, cue.first_seen_s)
        props: dict[str, PropValue] = {
            "cue_id": cue.cue_id,
            "cue_kind": cue.kind,
            "status": cue.status,
            "source": cue.source,
            "first_seen_s": round(cue.first_seen_s, 1),
            "first_seen_utc": first,
            "last_seen_s": _round(cue.last_seen_s),
            "sigma_m": round(cue.sigma_m, 1),
            "confidence": round(cue.confidence, 3),
            "sightings": cue.sightings,
            "notes": " | ".join(cue.notes),
            "matches": owner.get(cue.cue_id),
            "false_cue": cue.cue_id in false,
        }
        geom = PointGeom((round_deg(cue.lon_deg), round_deg(cue.lat_deg)))
        out.append(
            MapFeature(
                "cue", f"{cue.cue_id} {cue.kind} ({cue.status})", geom, props, (first, first)
            )
        )
    return out


# -- helpers -------------------------------------------------------------------------------


def _round(v: float | None, digits: int = 1) -> float | None:
    return None if v is None else round(v, digits)


def _thin(rows: np.ndarray, limit: int = MAX_TRACK_VERTICES) -> np.ndarray:
    if len(rows) <= limit:
        return rows
    keep = np.unique(np.linspace(0, len(rows) - 1, limit).round().astype(int))
    return np.asarray(rows[keep])
