"""Overwatch strategies: each turns a mission into a desired, timed watch track.

A strategy is a small object with one method, :meth:`Strategy.watch_track`,
that says where the drone would like to be and where its camera would like to
look at every step of mission time. It knows nothing about batteries, keep-outs
or MAVLink: :mod:`overwatch.planning.flight` pushes the track into allowed
airspace, flies it within the vehicle's limits and splits it into sorties.

Camera poses: ``yaw_deg`` clockwise from north, ``gimbal_pitch_deg`` negative
below the horizon; ``aim_xy_m`` is the ground point the camera should look
at, so that a drone pushed away from its desired spot can still aim there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import shapely

from overwatch.geo.camera import DEFAULT_MAX_RANGE_M
from overwatch.mission import Mission, MissionGeometry
from overwatch.mission.model import GeoPoint
from overwatch.planning.model import FloatArray
from overwatch.planning.routeview import RouteView, bearing_deg


@dataclass(frozen=True, eq=False)
class WatchTrack:
    """Desired poses on a uniform time grid (arrays of equal length, metres/seconds/degrees).

    ``behind_s`` and ``ahead_s`` are the track's slack: taking the pose of
    ``t - behind_s`` … ``t + ahead_s`` at time ``t`` still does the job (for
    lead and bounding, every stretch is still seen inside the lead window).
    The flight uses it to catch up after a battery swap and to watch further
    ahead before leaving for one.
    """

    t_s: FloatArray
    xy_m: FloatArray  # (n, 2) desired drone position
    aim_xy_m: FloatArray  # (n, 2) ground point the camera should look at
    yaw_deg: FloatArray
    gimbal_pitch_deg: FloatArray
    #: how far (s) the drone may lag behind / run ahead of the clock and still do its job
    behind_s: float = 0.0
    ahead_s: float = 0.0

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if n < 2:
            raise ValueError("a watch track needs at least two steps")
        for name in ("xy_m", "aim_xy_m", "yaw_deg", "gimbal_pitch_deg"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"WatchTrack.{name} has a different length than t_s")

    @property
    def step_s(self) -> float:
        return float(self.t_s[1] - self.t_s[0])

    def __len__(self) -> int:
        return len(self.t_s)


@dataclass(frozen=True)
class WatchRequest:
    """What every strategy is given: the mission in metres, the flight altitude, the time step."""

    geometry: MissionGeometry
    flight_alt_m: float
    step_s: float = 1.0

    @property
    def mission(self) -> Mission:
        return self.geometry.mission

    @cached_property
    def route(self) -> RouteView:
        return RouteView.of(self.geometry)


class Strategy(Protocol):
    """A way of watching over a patrol."""

    @property
    def name(self) -> str:
        """The strategy's name, as missions spell it (``lead``)."""
        ...

    def watch_track(self, request: WatchRequest) -> WatchTrack:
        """The desired timed poses for ``request`` (see :class:`WatchTrack`)."""
        ...


#: slack is kept this far inside the lead window, s
_SLACK_MARGIN_S = 5.0


# -- camera geometry ----------------------------------------------------------------


def ground_reach_m(height_m: float, depression_deg: float) -> float:
    """Horizontal distance at which a ray ``depression_deg`` below the horizon meets flat ground.

    Beyond 90° the ray looks backwards and the distance is negative; at or above
    the horizon it is cut at the footprint's maximum range.
    """
    if depression_deg <= 0.0:
        return DEFAULT_MAX_RANGE_M
    return min(height_m / math.tan(math.radians(depression_deg)), DEFAULT_MAX_RANGE_M)


def forward_reach_m(height_m: float, pitch_deg: float, vfov_deg: float) -> tuple[float, float]:
    """(near, far) ground distance ahead of the drone covered along the camera's boresight."""
    dep = -pitch_deg
    return ground_reach_m(height_m, dep + vfov_deg / 2.0), ground_reach_m(
        height_m, dep - vfov_deg / 2.0
    )


def _grid(t0_s: float, t1_s: float, step_s: float) -> FloatArray:
    start = math.floor(t0_s / step_s) * step_s
    n = max(2, math.ceil((t1_s - start) / step_s) + 1)
    return start + step_s * np.arange(n, dtype=float)


def _poses_towards(xy: FloatArray, aim: FloatArray, fallback_yaw: FloatArray) -> FloatArray:
    d = aim - xy
    yaw = bearing_deg(d[:, 0], d[:, 1])
    return np.asarray(np.where(np.hypot(d[:, 0], d[:, 1]) > 1.0, yaw, fallback_yaw), dtype=float)


def _pitch_to(xy: FloatArray, aim: FloatArray, height_m: float) -> FloatArray:
    dist = np.hypot(*(aim - xy).T)
    return np.asarray(-np.degrees(np.arctan2(height_m, dist)), dtype=float)


def lead_window_mid_s(mission: Mission) -> float:
    ow = mission.overwatch
    if ow.lead.target_lead_s is not None:
        return ow.lead.target_lead_s
    return (ow.lead_min_s + ow.lead_max_s) / 2.0


# -- the strategies -------------------------------------------------------------------


@dataclass(frozen=True)
class LeadStrategy:
    """Route clearance: fly over the route ``L`` seconds of patrol time ahead, camera forward.

    The drone's station is ``station_at(t + L)``, so it keeps the patrol's own
    timing: it stops where the patrol will stop (waiting ahead during halts).
    ``L`` is the target lead (middle of the lead window unless the mission
    names one) minus the time the patrol needs to cover the distance from the
    drone to the middle of the camera's footprint. The track starts early
    enough that the route's first stretch is swept inside the window too.
    """

    name: str = "lead"

    def watch_track(self, request: WatchRequest) -> WatchTrack:
        mission, route, h = request.mission, request.route, request.flight_alt_m
        cam = mission.vehicle.camera
        near, far = forward_reach_m(h, cam.gimbal_pitch_deg, cam.vfov_deg)
        centre = ground_reach_m(h, -cam.gimbal_pitch_deg)
        lead_s = lead_window_mid_s(mission) - (near + far) / 2.0 / route.mean_speed_m_s
        t0 = float(route.arrival_time_s(np.array(-max(far, 0.0)))) - lead_s
        t1 = float(route.arrival_time_s(np.array(route.length_m))) - lead_s
        t = _grid(t0, t1, request.step_s)
        s_drone = route.station_at(t + lead_s)
        xy = route.points(s_drone)
        aim = route.points(s_drone + max(centre, 1.0))
        yaw = _poses_towards(xy, aim, route.heading_deg(s_drone))
        pitch = np.full(len(t), cam.gimbal_pitch_deg)
        ow = mission.overwatch
        v = route.mean_speed_m_s
        behind = lead_s + far / v - ow.lead_min_s - _SLACK_MARGIN_S
        ahead = ow.lead_max_s - (lead_s + near / v) - _SLACK_MARGIN_S
        return WatchTrack(t, xy, aim, yaw, pitch, max(behind, 0.0), max(ahead, 0.0))


@dataclass(frozen=True)
class EscortStrategy:
    """Orbit the patrol's predicted position ``ahead_s`` ahead, camera on the orbit centre."""

    name: str = "escort"

    def watch_track(self, request: WatchRequest) -> WatchTrack:
        mission, route, h = request.mission, request.route, request.flight_alt_m
        params, vehicle = mission.overwatch.escort, mission.vehicle
        t = _grid(0.0, route.schedule.duration_s, request.step_s)
        centre = route.points(route.schedule.station_at(t + params.ahead_s))
        radius = max(params.radius_m, 1.0)
        spare = min(vehicle.cruise_speed_m_s, vehicle.max_speed_m_s - route.max_speed_m_s)
        orbit_speed = max(spare, 0.3 * vehicle.cruise_speed_m_s)
        theta = t * orbit_speed / radius
        xy = centre + radius * np.column_stack([np.sin(theta), np.cos(theta)])
        yaw = _poses_towards(xy, centre, np.zeros(len(t)))
        return WatchTrack(t, xy, centre, yaw, _pitch_to(xy, centre, h))


@dataclass(frozen=True)
class BoundingStrategy:
    """Leapfrog between vantage points ``standoff_m`` beside the route, one per ``hop_m`` stretch.

    The drone holds vantage point k (beside the middle of stretch k) from the
    moment the patrol is ``L`` seconds from the stretch's start until it is
    ``L`` seconds from its end, with the camera on the route point whose lead
    is ``L`` right now (``L`` = middle of the lead window), then hops on.
    The vantage point sits on the side of the route farther from forbidden
    airspace.
    """

    name: str = "bounding"

    def watch_track(self, request: WatchRequest) -> WatchTrack:
        mission, route, h = request.mission, request.route, request.flight_alt_m
        params = mission.overwatch.bounding
        hop = bounding_hop_m(params.hop_m)
        lead_s = lead_window_mid_s(mission)
        t = _grid(
            -lead_s, float(route.arrival_time_s(np.array(route.length_m))) - lead_s, request.step_s
        )
        vantage = vantage_points(request.geometry, route, hop, params.standoff_m)
        s_now = route.station_at(t + lead_s)
        k = np.clip((s_now // hop).astype(np.int64), 0, len(vantage) - 1)
        xy = vantage[k]
        aim = route.points(s_now)
        yaw = _poses_towards(xy, aim, route.heading_deg(s_now))
        ow = mission.overwatch
        behind = max(lead_s - ow.lead_min_s - _SLACK_MARGIN_S, 0.0)
        ahead = max(ow.lead_max_s - lead_s - _SLACK_MARGIN_S, 0.0)
        return WatchTrack(t, xy, aim, yaw, _pitch_to(xy, aim, h), behind, ahead)


def bounding_hop_m(hop_m: float) -> float:
    """The length of one bounding stretch (at least 50 m)."""
    return max(hop_m, 50.0)


def vantage_points(
    geometry: MissionGeometry, route: RouteView, hop_m: float, standoff_m: float
) -> FloatArray:
    """One vantage point per ``hop_m`` stretch of the route, ``standoff_m`` beside its middle,
    on the side farther from forbidden airspace ((n, 2) local metres; stretch k is
    ``[k·hop, (k+1)·hop)``). The planner and the live guidance both fly these."""
    count = max(1, math.ceil(route.length_m / hop_m))
    stations = np.minimum((np.arange(count) + 0.5) * hop_m, route.length_m)
    centre = route.points(stations)
    heading = np.radians(route.heading_deg(stations))
    right = np.column_stack([np.cos(heading), -np.sin(heading)])
    options = [centre + standoff_m * right, centre - standoff_m * right]
    scores = []
    for pts in options:
        if geometry.forbidden.is_empty:
            dist = np.full(len(pts), 1e9)
        else:
            dist = np.asarray(
                shapely.distance(geometry.forbidden, shapely.points(pts)), dtype=float
            )
        allowed = geometry.allowed_mask(pts)
        scores.append(np.where(allowed, dist, -1.0))
    return np.where((scores[0] >= scores[1])[:, None], options[0], options[1])


@dataclass(frozen=True)
class StaticStrategy:
    """Hold (camera straight down) or orbit (camera on the site) over a fixed site."""

    name: str = "static"

    def watch_track(self, request: WatchRequest) -> WatchTrack:
        mission, route, h = request.mission, request.route, request.flight_alt_m
        params = mission.overwatch.static
        site = static_site(request.geometry, params.site)
        duration = params.duration_s if params.duration_s is not None else route.schedule.duration_s
        t = _grid(0.0, max(duration, request.step_s), request.step_s)
        aim = np.broadcast_to(site, (len(t), 2)).copy()
        if params.orbit_radius_m > 0.0:
            theta = t * mission.vehicle.cruise_speed_m_s / params.orbit_radius_m
            xy = site + params.orbit_radius_m * np.column_stack([np.sin(theta), np.cos(theta)])
            yaw = _poses_towards(xy, aim, np.zeros(len(t)))
            return WatchTrack(t, xy, aim, yaw, _pitch_to(xy, aim, h))
        return WatchTrack(t, aim.copy(), aim, np.zeros(len(t)), np.full(len(t), -90.0))


def static_site(geometry: MissionGeometry, site: GeoPoint | None) -> FloatArray:
    """The static watch site in local metres: ``site``, or the route's last point."""
    if site is None:
        return np.asarray(geometry.route.coords[-1], dtype=float)
    return np.asarray(geometry.frame.to_local(site.lat_deg, site.lon_deg), dtype=float)


@dataclass(frozen=True)
class FollowStrategy:
    """The ArduPilot FOLLOW baseline: a fixed offset from the patrol's *current* position.

    Offsets are along the patrol's heading (``offset_ahead_m``) and to its
    right (``offset_right_m``); the camera looks along the patrol's heading at
    the mission's gimbal pitch.
    """

    name: str = "follow"

    def watch_track(self, request: WatchRequest) -> WatchTrack:
        mission, route, h = request.mission, request.route, request.flight_alt_m
        offset = mission.overwatch.baseline
        cam = mission.vehicle.camera
        t = _grid(0.0, route.schedule.duration_s, request.step_s)
        s_now = route.schedule.station_at(t)
        patrol = route.points(s_now)
        heading = route.heading_deg(s_now)
        rad = np.radians(heading)
        fwd = np.column_stack([np.sin(rad), np.cos(rad)])
        right = np.column_stack([np.cos(rad), -np.sin(rad)])
        xy = patrol + offset.offset_ahead_m * fwd + offset.offset_right_m * right
        aim = xy + max(ground_reach_m(h, -cam.gimbal_pitch_deg), 1.0) * fwd
        return WatchTrack(t, xy, aim, heading, np.full(len(t), cam.gimbal_pitch_deg))


#: the strategies :func:`overwatch.planning.plan` knows by name
STRATEGY_BY_NAME: dict[str, Strategy] = {
    "lead": LeadStrategy(),
    "escort": EscortStrategy(),
    "bounding": BoundingStrategy(),
    "static": StaticStrategy(),
    "follow": FollowStrategy(),
}
