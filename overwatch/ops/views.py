"""From the link's vehicle state to what screens show: shared by live sessions and replays."""

from __future__ import annotations

from collections.abc import Iterable

from overwatch.cues.model import Cue
from overwatch.geo.camera import footprint_corners
from overwatch.guidance import CameraPose, VehicleSnapshot
from overwatch.link.state import VehicleState
from overwatch.mission import MissionGeometry
from overwatch.ops.state import CueView, DroneView, LatLon, Severity

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
        footprint=footprint,
        trail=tuple(trail),
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
