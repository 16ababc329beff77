"""From the session's state to what screens show, without side effects: the drone (shared
by live sessions and replays), the patrol, the ranked cues and the coverage."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from overwatch.cues import CueBook, RouteProgress
from overwatch.cues.model import Cue
from overwatch.cues.ranking import Severity as CueSeverity
from overwatch.feeds import FeedStatus
from overwatch.geo.camera import footprint_corners
from overwatch.guidance import CameraPose, LiveCoverageSummary, VehicleSnapshot
from overwatch.link.state import VehicleState
from overwatch.mission import MissionGeometry
from overwatch.ops.state import (
    CoverageView,
    CueView,
    DroneView,
    LatLon,
    PatrolView,
    SessionSnapshot,
    Severity,
)
from overwatch.tracking import PatrolTracker, TrackMode

if TYPE_CHECKING:
    from overwatch.ops.crew import Crew
    from overwatch.ops.session import LiveSession

#: GPS_FIX_TYPE names as a field crew reads them
GPS_FIX_NAMES = {0: "NO GPS", 1: "NO FIX", 2: "2D", 3: "3D", 4: "DGPS", 5: "RTK FLOAT", 6: "RTK"}
#: below this height above home the camera's view is not drawn
FOOTPRINT_MIN_ALT_M = 2.0


def vehicle_snapshot(state: VehicleState) -> VehicleSnapshot | None:
    """The drone as guidance needs it, or ``None`` until it has a 3D fix.

    Before a fix ArduPilot reports 0°, 0°: nothing is ever steered or drawn from that.
    """
    s = state
    if s.lat_deg is None or s.lon_deg is None or s.alt_rel_m is None:
        return None
    if (s.gps_fix_type or 0) < 3 or not s.has_position:
        return None
    heading = s.heading_deg if s.heading_deg is not None else (s.yaw_deg or 0.0)
    return VehicleSnapshot(
        lat_deg=s.lat_deg,
        lon_deg=s.lon_deg,
        alt_rel_m=s.alt_rel_m,
        heading_deg=heading % 360.0,
        battery_remaining_pct=s.battery_remaining_pct,
        gimbal_pitch_deg=s.gimbal_pitch_deg,
        gimbal_yaw_deg=s.gimbal_yaw_deg,
    )


def camera_footprint(snap: VehicleSnapshot, geometry: MissionGeometry) -> tuple[LatLon, ...]:
    """The four ground corners the camera sees, WGS84 (flat ground at home altitude)."""
    pose = CameraPose.of_vehicle(snap, geometry)
    cam = geometry.mission.vehicle.camera
    quad = footprint_corners(
        pose.x_m, pose.y_m, pose.height_m, pose.yaw_deg, pose.pitch_deg, cam.hfov_deg, cam.vfov_deg
    )
    return tuple(geometry.frame.coords_to_wgs84(quad))


def drone_view(
    state: VehicleState,
    geometry: MissionGeometry,
    *,
    now_s: float,
    guidance_state: str,
    trail: Iterable[LatLon],
    link_lost: bool | None = None,
    bad_packets: int = 0,
    stop_request: str | None = None,
    name: str = "",
    role: str = "",
) -> DroneView:
    """The drone panel's contents from the vehicle state (``now_s`` on the state's clock)."""
    s = state
    snap = vehicle_snapshot(s)
    footprint: tuple[LatLon, ...] = ()
    if snap is not None and snap.alt_rel_m > FOOTPRINT_MIN_ALT_M:
        footprint = camera_footprint(snap, geometry)
    return DroneView(
        position=(snap.lat_deg, snap.lon_deg) if snap is not None else None,
        alt_rel_m=s.alt_rel_m,
        groundspeed_m_s=s.groundspeed_m_s,
        heading_deg=s.heading_deg,
        mode=s.mode or "UNKNOWN",
        armed=s.armed,
        airborne=bool(s.armed and (s.alt_rel_m or 0.0) > 1.0),
        battery_pct=s.battery_remaining_pct,
        battery_v=s.battery_voltage_v,
        battery_time_left_s=s.battery_time_left_s,
        gps_fix=GPS_FIX_NAMES.get(s.gps_fix_type or 0, "NO FIX"),
        gps_satellites=s.gps_satellites,
        link_quality_pct=s.link_quality_pct(),
        last_message_age_s=s.age_s(now_s),
        link_lost=s.link_lost if link_lost is None else link_lost,
        bad_packets=bad_packets,
        mission_item=s.mission_current_seq,
        guidance_state=guidance_state,
        stop_request=stop_request,
        footprint=footprint,
        trail=tuple(trail),
        name=name,
        sysid=s.sysid,
        role=role,
    )


def cue_view(
    cue: Cue,
    *,
    age_s: float,
    eta_s: float | None = None,
    off_route_m: float = 0.0,
    severity: Severity = Severity.INFO,
) -> CueView:
    """The cue list's row for ``cue`` (ETA and severity when the patrol's progress is known)."""
    return CueView(
        cue.id,
        str(cue.kind),
        (cue.lat_deg, cue.lon_deg),
        cue.sigma_m,
        eta_s,
        off_route_m,
        cue.confidence,
        age_s,
        str(cue.status),
        severity,
        str(cue.source),
        cue.notes,
    )


def route_progress(
    tracker: PatrolTracker, geometry: MissionGeometry, now_s: float
) -> RouteProgress | None:
    """Where the patrol is on its route and when it reaches each station (for ranking cues);
    None before the tracker has a forecast."""
    est = tracker.estimate(now_s)
    if est.station_m is None or tracker.prediction() is None:
        return None

    def eta(stations: np.ndarray) -> np.ndarray:
        return np.asarray(tracker.arrival_times_s(stations), dtype=float) - now_s

    return RouteProgress(geometry.frame, geometry.route, est.station_m, eta)


def next_checkpoint(
    tracker: PatrolTracker, geometry: MissionGeometry, station_m: float | None, now_s: float
) -> tuple[str | None, float | None]:
    """The next planned halt ahead of ``station_m`` (or the route's end) and the seconds to it."""
    if station_m is None:
        return None, None
    for halt in sorted(geometry.mission.patrol.halts, key=lambda h: h.at_m):
        if halt.at_m > station_m + 1.0:
            arrival = float(tracker.arrival_times_s(np.array([halt.at_m]))[0])
            name = halt.name or f"halt at {halt.at_m / 1000:.1f} km"
            return name, (arrival - now_s) if math.isfinite(arrival) else None
    arrival = float(tracker.arrival_times_s(np.array([geometry.route.length]))[0])
    return "end of route", (arrival - now_s) if math.isfinite(arrival) else None


def patrol_view(
    tracker: PatrolTracker,
    geometry: MissionGeometry,
    now_s: float,
    *,
    source: str,
    status: FeedStatus,
    trail: Iterable[LatLon],
) -> PatrolView:
    """The patrol panel's contents: the tracker's estimate, the feed's state, what is next."""
    est = tracker.estimate(now_s)
    checkpoint, eta = next_checkpoint(tracker, geometry, est.station_m, now_s)
    position = (
        (est.lat_deg, est.lon_deg) if est.lat_deg is not None and est.lon_deg is not None else None
    )
    return PatrolView(
        source=source,
        feed_status=status.state.value,
        fix_age_s=est.age_s,
        position=position,
        heading_deg=est.course_deg,
        speed_m_s=est.speed_m_s,
        station_m=est.station_m,
        route_length_m=geometry.route.length,
        next_checkpoint=checkpoint,
        eta_next_checkpoint_s=eta,
        off_route_m=abs(est.cross_track_m) if est.cross_track_m is not None else None,
        deviating=est.mode is TrackMode.OFF_ROUTE,
        trail=tuple(trail),
        bad_messages=status.bad,
    )


def cue_views(book: CueBook, progress: RouteProgress | None, now_s: float) -> tuple[CueView, ...]:
    """The cue list's rows: ranked by how soon the patrol reaches each, once it can be told."""
    if progress is None:
        return tuple(cue_view(c, age_s=now_s - c.first_seen_s) for c in book.cues())
    return tuple(
        cue_view(
            r.cue,
            age_s=now_s - r.cue.first_seen_s,
            eta_s=r.eta_s,
            off_route_m=r.off_route_m,
            severity=_SEVERITY.get(r.severity, Severity.LOW),
        )
        for r in book.ranked(progress)
    )


_SEVERITY = {
    CueSeverity.CRITICAL: Severity.CRITICAL,
    CueSeverity.HIGH: Severity.HIGH,
    CueSeverity.MEDIUM: Severity.MEDIUM,
}


def coverage_view(summary: LiveCoverageSummary, planned: float | None = None) -> CoverageView:
    """The coverage strip: lead coverage so far (and the plan's), how far the road is
    watched, gaps ahead."""
    covered = summary.station_fraction > 0
    watched_to = float(summary.station_m[covered].max()) if covered.any() else 0.0
    return CoverageView(
        lead_coverage=summary.resolved_coverage if summary.resolved else None,
        watched_to_m=watched_to,
        unwatched_ahead=tuple((g.start_m, g.end_m) for g in summary.gaps),
        planned=planned,
    )


def session_snapshot(session: LiveSession) -> SessionSnapshot:
    """Everything a screen shows of ``session``, as of now (reading it changes nothing)."""
    now = session.clock.now()
    geometry, tracker = session.geometry, session.tracker
    progress = route_progress(tracker, geometry, now)
    video = session.video
    drones = tuple(_crew_drone(session, crew) for crew in session.crews)
    team = session.team
    duty = session.crews.index(session.duty)
    return SessionSnapshot(
        time_s=now,
        drone=drones[duty],
        drones=drones,
        duty=duty if team is not None and team.duty is not None else None,
        patrol=patrol_view(
            tracker,
            geometry,
            now,
            source=session.config.patrol_feed,
            status=session.feed.status(),
            trail=session.patrol_trail,
        ),
        cues=cue_views(session.cues, progress, now),
        coverage=coverage_view(session.coverage.summary(), session.config.planned_lead_coverage),
        events=tuple(session.events),
        strategy=session.mode,
        video_frame=video.thumbnail() if video is not None else None,
        video_status=video.status() if video is not None else "no video",
    )


def _crew_drone(session: LiveSession, crew: Crew) -> DroneView:
    vehicle, controller = crew.vehicle, crew.controller
    team = session.team
    role = "" if team is None else team.roles[crew.index].value
    if vehicle is None:
        return DroneView(name=crew.name, sysid=crew.sysid, role=role)
    command = controller.last_command
    active = command is not None and controller.active
    stop = command.energy.stop_request if command is not None and active else None
    return drone_view(
        vehicle.state,
        crew.geometry,
        now_s=asyncio.get_running_loop().time(),
        guidance_state=command.state.value if command is not None and active else "IDLE",
        trail=crew.trail,
        bad_packets=vehicle.link.bad_packets,
        stop_request=None if stop is None or command is None else stop.text(command.time_s),
        name=crew.name,
        role=role,
    )
