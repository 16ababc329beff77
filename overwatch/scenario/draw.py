"""One random patrol exercise — a mission and its training scenario — drawn from a Generator.

:func:`draw_exercise` makes every choice from the numpy ``Generator`` it is
given and from nothing else, so one seed gives one exercise. What it draws,
and why the ranges are what they are (docs/generated-patrols.md says the same
for users):

- **where**: a border region of the Sahel, like the examples (illustrative
  places, not surveyed lines), the road's middle up to 0.15° from its anchor;
- **the road**: a winding road (:mod:`overwatch.scenario.roads`), 5–8 km on
  foot, 5–40 km by vehicle (5–10 km when the drone must fly back to its
  launch site after every battery), unless the length is given;
- **the patrol**: 1.2–1.6 m/s on foot or 6–14 m/s by vehicle, up to three
  stretches at another speed (``legs``), 1–3 halts of 2–10 min;
- **the border** on one side of the road, its buffer 200–500 m, the road
  staying at least the buffer, half the corridor and 150 m from it, so the
  drone can always watch the road;
- **the launch and recovery**: ``launch.recovery`` drawn (or given) among
  ``with_patrol``, ``launch`` and ``rally``; the drone starts from the patrol
  (``site: with_patrol``) or from a post up to about a kilometre from the
  route's start on the side away from the border, with rally points along
  the route when sorties land at the quickest site;
- **airspace**: 1–6 keep-outs (villages, markets, depots …) beside the road,
  never on it, some close enough to push the drone off it; sometimes a
  keep-in box around everything;
- **the drone**: cruise at least 1.4 times the patrol's fastest leg, an
  endurance sized so that the patrol lasts 1–3 batteries (its planned
  duration over the battery's usable time, endurance less reserve), the
  camera of the examples;
- **the overwatch**: lead or escort or bounding, a lead window that opens 60–90 s
  ahead of the patrol (the time a crew needs to act on a cue);
- **the scenario**: a late start, a patrol faster or slower than planned, a
  planned halt that runs long or one nobody planned, sometimes a detour off the
  road (away from the border), tracker dropouts, and 1–4 threats beside the
  road (inside the watched corridor, present before the drone is due to look);
- **the feed's faults**: up to two outlier fixes 0.5–5 km off and up to two
  bursts of 1–5 fixes sent corrupted, away from the dropouts, drawn from a
  Generator of their own spawned from the draw's (``rng.spawn``), so every
  other choice is what it was before the scenario format had them.

A draw that its own checks refuse (a border too close to a bend, a patrol that
would outlast three batteries) comes back as a :class:`Refusal`; the caller
draws again from the same Generator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Literal, TypeVar

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from overwatch.geo import LocalFrame
from overwatch.mission import (
    Airspace,
    Border,
    BoundingParams,
    Camera,
    EscortParams,
    FollowBaseline,
    GeoPoint,
    Halt,
    KeepOut,
    Launch,
    LeadParams,
    Mission,
    Overwatch,
    Patrol,
    PatrolSchedule,
    StrategyName,
    Vehicle,
)
from overwatch.mission.model import RECOVERIES, RecoveryName
from overwatch.scenario.model import (
    BadSentences,
    Detour,
    Dropout,
    ExtraHalt,
    Outlier,
    PatrolScript,
    SensorModel,
)
from overwatch.scenario.roads import (
    FOOT_PATH,
    VEHICLE_ROAD,
    FloatArray,
    along,
    border_beside,
    heading_at_deg,
    right_of,
    winding_road,
)

PatrolKind = Literal["vehicle", "foot"]

#: drawn road lengths, km, by patrol kind (a launch-site recovery keeps vehicle roads short)
FOOT_LENGTH_KM = (5.0, 8.0)
VEHICLE_LENGTH_KM = (5.0, 40.0)
LAUNCH_RECOVERY_LENGTH_KM = (5.0, 10.0)
#: patrol speeds, m/s
FOOT_SPEED_M_S = (1.2, 1.6)
VEHICLE_SPEED_M_S = (6.0, 14.0)
#: the drone's endurance is drawn inside this range, minutes
ENDURANCE_MIN = (15.0, 70.0)
#: the patrol lasts this many batteries at most (and one at least)
MAX_BATTERIES = 3
#: the lead window opens at least this far ahead of the patrol, seconds
LEAD_MIN_S = (60.0, 75.0, 90.0)
#: how far an outlier fix is off, m, and how many fixes one burst of bad sentences spoils
OUTLIER_OFFSET_M = (500.0, 5_000.0)
BAD_BURST_FIXES = (1, 5)
#: feed faults lie at least this long from a dropout and from each other, s
FEED_FAULT_CLEARANCE_S = 30.0
#: how many times one keep-out, threat or rally point is placed before the draw gives up
_PLACEMENT_TRIES = 40


@dataclass(frozen=True)
class Region:
    """A border region a patrol is placed in: where, which border, how high the ground is."""

    place: str
    border: str
    lat_deg: float
    lon_deg: float
    ground_msl_m: tuple[float, float]


#: plausible places for customs and border patrols, like the examples (illustrative only)
REGIONS = (
    Region("Birni N'Konni", "Niger–Nigeria", 13.72, 5.30, (250.0, 320.0)),
    Region("Makalondi", "Niger–Burkina Faso", 12.80, 1.62, (280.0, 340.0)),
    Region("Gaya", "Niger–Benin", 11.95, 3.40, (160.0, 220.0)),
    Region("Ayorou", "Niger–Mali", 14.70, 0.85, (220.0, 280.0)),
    Region("Diffa", "Niger–Nigeria", 13.40, 12.55, (290.0, 330.0)),
)

#: what keep-outs are named after, with the kilometre of road they lie beside
_KEEP_OUT_KINDS = (
    "village",
    "hamlet",
    "weekly market",
    "school",
    "fuel depot",
    "well field",
    "herders camp",
    "clinic",
    "quarry",
)
_HALT_NAMES = ("checkpoint", "radio check", "well", "market stop", "lookout", "water stop")
#: threat kinds, the name given to each, and how far off the road's centreline it waits (m)
_THREATS: dict[str, tuple[str, float, float]] = {
    "person": ("watcher", 12.0, 45.0),
    "vehicle": ("pickup", 15.0, 45.0),
    "object": ("device", 0.0, 10.0),
}

T = TypeVar("T")


@dataclass(frozen=True)
class ExerciseOptions:
    """What the user fixes; everything else is drawn. ``None`` draws it too."""

    seed: int
    length_km: float | None = None
    recovery: RecoveryName | None = None


@dataclass(frozen=True)
class ThreatDraw:
    """A threat as the scenario file places it: ``at_m`` along the route, ``offset_m`` right."""

    threat_id: str
    kind: str
    at_m: float
    offset_m: float
    appear_s: float = 0.0
    size_m: float | None = None  # None: the kind's default size


@dataclass(frozen=True)
class ExerciseDraw:
    """A drawn exercise: the mission as the loader will read it, and the scenario's parts.

    ``batteries`` is how many full batteries the planned patrol lasts (its
    duration over endurance less reserve, rounded up).
    """

    seed: int
    region: Region
    length_km: float
    mission: Mission
    batteries: int
    border_side: int  # +1: the border lies right of the direction of travel, -1: left
    script: PatrolScript
    threats: tuple[ThreatDraw, ...]
    sensor: SensorModel

    @property
    def recovery(self) -> RecoveryName:
        """How sorties end (the mission's ``launch.recovery``)."""
        return self.mission.launch.recovery_mode

    @property
    def mission_file(self) -> str:
        return f"generated-{self.seed}.yaml"

    @property
    def scenario_file(self) -> str:
        return f"generated-{self.seed}.scenario.yaml"


@dataclass(frozen=True)
class Refusal:
    """A draw its own checks refused, and why (the caller draws again)."""

    reason: str


def draw_exercise(rng: np.random.Generator, options: ExerciseOptions) -> ExerciseDraw | Refusal:
    """Draw one exercise from ``rng`` with the user's ``options`` fixed (see the module doc)."""
    region = _pick(rng, REGIONS)
    anchor = LocalFrame(
        round(region.lat_deg + rng.uniform(-0.15, 0.15), 6),
        round(region.lon_deg + rng.uniform(-0.15, 0.15), 6),
    )
    length_km = options.length_km
    kind: PatrolKind = "vehicle"
    if (length_km is None or length_km <= FOOT_LENGTH_KM[1]) and rng.random() < 0.35:
        kind = "foot"
    recovery = options.recovery or _recovery(rng, kind)
    if length_km is None:
        low, high = (
            FOOT_LENGTH_KM
            if kind == "foot"
            else LAUNCH_RECOVERY_LENGTH_KM
            if recovery == "launch"
            else VEHICLE_LENGTH_KM
        )
        length_km = round(rng.uniform(low, high), 2)
    style = FOOT_PATH if kind == "foot" else VEHICLE_ROAD
    road = winding_road(
        rng, length_km * 1000.0, style, rng.uniform(0.0, 360.0), bendiness=rng.uniform(0.6, 1.2)
    )
    road = road - (road.min(axis=0) + road.max(axis=0)) / 2.0  # centred on the anchor
    ground = _Ground(road, LineString(road))
    overwatch = _overwatch(rng, kind)
    border_side = 1 if rng.random() < 0.5 else -1
    border = _border(rng, ground, kind, border_side, overwatch.corridor_width_m)
    if isinstance(border, Refusal):
        return border
    border_line, buffer_m = border
    patrol_speeds = _patrol_speeds(rng, kind, len(road) - 1)
    halts = _halts(rng, ground)
    schedule = PatrolSchedule.build(
        ground.line, patrol_speeds[1], [(h.at_m, h.duration_s) for h in halts]
    )
    launch_xy, rally_xy = _launch_sites(rng, ground, recovery, -border_side)
    avoid = [Point(launch_xy) if launch_xy is not None else Point(road[0])]
    avoid += [Point(p) for p in rally_xy]
    keep_outs = _keep_outs(rng, ground, border_side, border_line, buffer_m, avoid)
    if isinstance(keep_outs, Refusal):
        return keep_outs
    vehicle = _vehicle(rng, kind, max(patrol_speeds[1]), schedule.duration_s)
    if isinstance(vehicle, Refusal):
        return vehicle
    the_vehicle, batteries = vehicle
    keep_in = _keep_in(rng, ground, avoid) if rng.random() < 0.6 else None
    threats = _threats(rng, ground, schedule, keep_outs, overwatch)
    if isinstance(threats, Refusal):
        return threats
    script = _script(rng, ground, schedule, halts, kind, -border_side)
    # a Generator of their own: drawing them leaves every later draw from ``rng`` as it was
    script = _feed_faults(rng.spawn(1)[0], schedule, script)

    def geo(xy: FloatArray) -> tuple[GeoPoint, ...]:
        return tuple(
            GeoPoint(round(lat, 6), round(lon, 6)) for lat, lon in anchor.coords_to_wgs84(xy)
        )

    route = geo(road)
    start_time = _start_time(rng)
    callsign = (
        f"DOUANE-FOOT-{int(rng.integers(1, 10))}"
        if kind == "foot"
        else f"DOUANE-{int(rng.integers(10, 100))}"
    )
    mission = Mission(
        name=f"Generated {kind} patrol {options.seed} near {region.place}",
        patrol=Patrol(
            callsign=callsign,
            route=route,
            speed_m_s=patrol_speeds[0],
            leg_speeds_m_s=patrol_speeds[1],
            halts=halts,
            start_time=start_time,
            kind=kind,
        ),
        vehicle=the_vehicle,
        launch=Launch(
            site=route[0] if launch_xy is None else geo(launch_xy.reshape(1, 2))[0],
            with_patrol=launch_xy is None,
            rally=geo(np.asarray(rally_xy).reshape(-1, 2)),
            alt_msl_m=float(round(rng.uniform(*region.ground_msl_m))),
            recovery=recovery,
        ),
        airspace=Airspace(
            keep_in=geo(np.asarray(keep_in.exterior.coords)[:-1]) if keep_in else None,
            keep_out=tuple(
                KeepOut(name, geo(np.asarray(p.exterior.coords)[:-1])) for name, p in keep_outs
            ),
            border=Border(region.border, geo(border_line), buffer_m),
            min_alt_agl_m=30.0,
            max_alt_agl_m=float(_pick(rng, (100.0, 120.0))),
        ),
        overwatch=overwatch,
        description=(
            f"A generated {length_km:.2f} km {kind} patrol near {region.place}, the "
            f"{region.border} border on its {'right' if border_side > 0 else 'left'}; the "
            f"drone is sized for {batteries} batter{'y' if batteries == 1 else 'ies'}."
        ),
    )
    sensor = SensorModel(
        detection_probability=_step(rng, 0.6, 0.85, 0.05),
        position_sigma_m=_step(rng, 4.0, 8.0, 1.0),
    )
    return ExerciseDraw(
        seed=options.seed,
        region=region,
        length_km=length_km,
        mission=mission,
        batteries=batteries,
        border_side=border_side,
        script=script,
        threats=threats,
        sensor=sensor,
    )


# -- the ground: road, border, sites, keep-outs ---------------------------------------


@dataclass(frozen=True)
class _Ground:
    """The road in the draw's metric frame, as vertices and as a shapely line."""

    road: FloatArray
    line: LineString

    @property
    def length_m(self) -> float:
        return float(self.line.length)

    def point(self, station_m: float) -> FloatArray:
        return np.asarray(along(self.road, np.array([station_m]))[0], dtype=float)

    def right(self, station_m: float) -> FloatArray:
        """The unit vector to the right of travel at ``station_m``."""
        return np.asarray(right_of(heading_at_deg(self.road, np.array([station_m])))[0])

    def ahead(self, station_m: float) -> FloatArray:
        """The unit vector along the direction of travel at ``station_m``."""
        rx, ry = self.right(station_m)
        return np.array([-ry, rx])

    def beside(self, station_m: float, offset_m: float) -> FloatArray:
        """The point ``offset_m`` right of the road (left < 0) at ``station_m``."""
        return self.point(station_m) + self.right(station_m) * offset_m


def _border(
    rng: np.random.Generator, ground: _Ground, kind: PatrolKind, side: int, corridor_m: float
) -> tuple[FloatArray, float] | Refusal:
    """The border line on ``side`` of the road and its buffer, far enough to watch the road."""
    buffer_m = (
        _step(rng, 300.0, 500.0, 50.0) if kind == "vehicle" else _step(rng, 200.0, 400.0, 50.0)
    )
    clearance = buffer_m + corridor_m / 2.0 + 150.0
    near = clearance + rng.uniform(100.0, 400.0)
    line = border_beside(
        rng,
        ground.road,
        side=side,
        gap_m=(near, near + rng.uniform(200.0, 700.0)),
        smoothing_m=3_000.0 if kind == "vehicle" else 1_000.0,
        beyond_m=3_000.0,
        vertex_spacing_m=1_200.0 if kind == "vehicle" else 600.0,
    )
    border = LineString(line)
    if not border.is_simple:
        return Refusal("the border drawn beside the road crosses itself")
    gap = float(border.distance(ground.line))
    if gap < clearance:
        return Refusal(
            f"a bend brings the road {gap:.0f} m from the border (it needs {clearance:.0f} m)"
        )
    return line, buffer_m


def _launch_sites(
    rng: np.random.Generator, ground: _Ground, recovery: RecoveryName, away: int
) -> tuple[FloatArray | None, list[FloatArray]]:
    """The launch site (None: ``with_patrol``) and the rally points, on the side ``away``.

    Sorties recovered by the patrol mostly start from it too (the mobile team);
    otherwise a post near the route's start sends the drone out to a team that
    carries spare packs. Swaps at rally points mostly start from a post, or
    from the patrol, whose vehicle then waits at the rally points (as the foot
    example's does). Returning to the launch site needs a post. The post lies
    up to 600 m behind the start and 150–900 m to its side. Rally points lie
    along the route, one per 8 km (up to four) when sorties land there, else
    sometimes one or two, where to land in an emergency.
    """
    from_patrol = {"with_patrol": 0.7, "rally": 0.3, "launch": 0.0}[recovery]
    site: FloatArray | None = None
    if rng.random() >= from_patrol:
        behind = -ground.ahead(0.0) * rng.uniform(0.0, 600.0)
        aside = ground.right(0.0) * away * rng.uniform(150.0, 900.0)
        site = ground.point(0.0) + behind + aside
    rally: list[FloatArray] = []
    if recovery == "rally":
        count = min(4, max(1, math.ceil(ground.length_m / 8_000.0)))
        for i in range(count):
            s = min((i + rng.uniform(0.6, 1.0)) * ground.length_m / count, ground.length_m)
            rally.append(ground.beside(s, away * rng.uniform(120.0, 500.0)))
    elif rng.random() < 0.4:
        for _ in range(int(rng.integers(1, 3))):
            s = rng.uniform(0.2, 0.9) * ground.length_m
            rally.append(ground.beside(s, away * rng.uniform(120.0, 500.0)))
    return site, rally


def _keep_outs(
    rng: np.random.Generator,
    ground: _Ground,
    border_side: int,
    border: FloatArray,
    buffer_m: float,
    sites: list[Point],
) -> list[tuple[str, Polygon]] | Refusal:
    """1–6 named keep-outs beside the road: never on it, clear of the sites and of each other."""
    wanted = int(rng.integers(1, 7))
    border_zone = LineString(border).buffer(buffer_m + 50.0)
    placed: list[tuple[str, Polygon]] = []
    for _ in range(wanted * _PLACEMENT_TRIES):
        if len(placed) == wanted:
            break
        s = round(rng.uniform(0.05, 0.95) * ground.length_m, -1)
        side = border_side if rng.random() < 0.25 else -border_side
        near = rng.uniform(25.0, 350.0)
        polygon = _area(rng, ground.beside(s, side * near), ground.right(s) * side)
        if (
            polygon.distance(ground.line) < 20.0
            or polygon.intersects(border_zone)
            or any(polygon.distance(p) < 60.0 for _, p in placed)
            or any(polygon.distance(site) < 150.0 for site in sites)
        ):
            continue
        name = f"{_pick(rng, _KEEP_OUT_KINDS)} at {s / 1000:.2f} km"
        if all(name != n for n, _ in placed):
            placed.append((name, polygon))
    if not placed:
        return Refusal("no keep-out fitted beside the road")
    return sorted(placed, key=lambda item: item[0])


def _area(rng: np.random.Generator, edge: FloatArray, outward: FloatArray) -> Polygon:
    """A keep-out whose nearest side is about at ``edge``, reaching ``outward`` from the road.

    Half are north-up boxes, as drawn in the examples; half irregular
    polygons (star-shaped around their centre, so never self-crossing).
    """
    half = rng.uniform(60.0, 250.0, size=2)
    if rng.random() < 0.5:
        reach = float(abs(outward[0]) * half[0] + abs(outward[1]) * half[1])
        cx, cy = edge + outward * reach
        return box(cx - half[0], cy - half[1], cx + half[0], cy + half[1])
    corners = int(rng.integers(5, 9))
    sector = 2.0 * np.pi / corners
    # each corner inside its own sector: the angles stay in order around the centre
    angles = np.arange(corners) * sector + rng.uniform(-0.35, 0.35, size=corners) * sector
    radius = float(half.mean()) * rng.uniform(0.7, 1.0, size=corners)
    ring = np.column_stack([np.cos(angles) * radius, np.sin(angles) * radius])
    centre = edge + outward * float(radius.max())
    return Polygon(ring + centre)


def _keep_in(rng: np.random.Generator, ground: _Ground, sites: list[Point]) -> Polygon:
    """A keep-in rectangle 1–2.5 km around the road and the sites, turned as they lie."""
    everything: BaseGeometry = shapely.union_all([ground.line, *sites])
    margin = rng.uniform(1_000.0, 2_500.0)
    rectangle: Polygon = shapely.minimum_rotated_rectangle(everything.buffer(margin))
    return rectangle


# -- the patrol and the drone -----------------------------------------------------------


def _recovery(rng: np.random.Generator, kind: PatrolKind) -> RecoveryName:
    weights = (0.6, 0.1, 0.3) if kind == "foot" else (0.4, 0.2, 0.4)
    return RECOVERIES[int(rng.choice(len(RECOVERIES), p=weights))]


def _patrol_speeds(
    rng: np.random.Generator, kind: PatrolKind, legs: int
) -> tuple[float, tuple[float, ...]]:
    """The overall speed and each leg's: up to three stretches at another speed.

    A stretch runs 0.6–1.4 times the overall speed (slower through a village,
    faster on a good stretch), inside the kind's speed range.
    """
    low, high = FOOT_SPEED_M_S if kind == "foot" else VEHICLE_SPEED_M_S
    places = 2 if kind == "foot" else 1
    speed = round(rng.uniform(low, high), places)
    speeds = [speed] * legs
    for _ in range(int(rng.integers(0, 4))):
        span = int(rng.integers(2, max(3, legs // 4)))
        first = int(rng.integers(0, max(1, legs - span)))
        other = round(min(high, max(low, speed * rng.uniform(0.6, 1.4))), places)
        speeds[first : first + span] = [other] * len(speeds[first : first + span])
    return speed, tuple(speeds)


def _halts(rng: np.random.Generator, ground: _Ground) -> tuple[Halt, ...]:
    """1–3 planned halts of 2–10 min, 10–90 % along the road and at least 500 m apart."""
    wanted = int(rng.integers(1, 4))
    stations: list[float] = []
    for _ in range(wanted * _PLACEMENT_TRIES):
        if len(stations) == wanted:
            break
        s = round(rng.uniform(0.1, 0.9) * ground.length_m, -1)
        if all(abs(s - other) >= 500.0 for other in stations):
            stations.append(s)
    names = list(_HALT_NAMES)
    halts = []
    for s in sorted(stations):
        name = names.pop(int(rng.integers(len(names))))
        halts.append(Halt(at_m=s, duration_s=60.0 * int(rng.integers(2, 11)), name=name))
    return tuple(halts)


def _vehicle(
    rng: np.random.Generator, kind: PatrolKind, fastest_m_s: float, patrol_s: float
) -> tuple[Vehicle, int] | Refusal:
    """A drone fast enough to lead the patrol, with a battery the patrol outlasts 1–3 times."""
    cruise = min(20.0, math.ceil(max(10.0, 1.4 * fastest_m_s, rng.uniform(10.0, 16.0)) * 2) / 2)
    reserve = _pick(rng, (0.2, 0.25, 0.3))
    wanted = int(rng.integers(1, MAX_BATTERIES + 1))
    usable_s = patrol_s / wanted * rng.uniform(1.05, 1.25)
    endurance_min = float(round(usable_s / (1.0 - reserve) / 60.0))
    endurance_min = min(max(endurance_min, ENDURANCE_MIN[0]), ENDURANCE_MIN[1])
    batteries = math.ceil(patrol_s / (endurance_min * 60.0 * (1.0 - reserve)))
    if batteries > MAX_BATTERIES:
        return Refusal(
            f"the {patrol_s / 60:.0f} min patrol outlasts {MAX_BATTERIES} batteries of "
            f"the longest endurance, {ENDURANCE_MIN[1]:.0f} min"
        )
    vehicle = Vehicle(
        name=f"{'Quad' if kind == 'foot' else 'Hexa'}-{int(rng.integers(1, 4))}",
        sysid=1,
        cruise_speed_m_s=cruise,
        max_speed_m_s=min(25.0, cruise + _step(rng, 3.0, 6.0, 0.5)),
        climb_rate_m_s=_step(rng, 2.5, 3.5, 0.5),
        descent_rate_m_s=_step(rng, 1.5, 2.5, 0.5),
        endurance_s=endurance_min * 60.0,
        reserve_fraction=reserve,
        camera=Camera(
            hfov_deg=70.0,
            vfov_deg=55.0,
            gimbal_pitch_deg=_pick(rng, (-40.0, -45.0, -50.0, -60.0)),
            width_px=1280,
            height_px=720,
        ),
        turnaround_s=60.0 * int(rng.integers(3, 9)),
    )
    return vehicle, batteries


def _overwatch(rng: np.random.Generator, kind: PatrolKind) -> Overwatch:
    """The strategy and its parameters; the lead window opens 60–90 s ahead."""
    strategies: tuple[StrategyName, ...] = ("lead", "escort", "bounding")
    weights = (0.3, 0.2, 0.5) if kind == "foot" else (0.6, 0.2, 0.2)
    strategy = strategies[int(rng.choice(len(strategies), p=weights))]
    lead_min = _pick(rng, LEAD_MIN_S)
    lead_max = 60.0 * _pick(rng, (6, 8, 10) if kind == "foot" else (4, 5, 6, 8))
    target = lead_min + (lead_max - lead_min) * rng.uniform(0.35, 0.6)
    hop = (400.0, 900.0) if kind == "foot" else (800.0, 1500.0)
    return Overwatch(
        strategy=strategy,
        altitude_agl_m=_step(rng, 60.0, 90.0, 10.0),
        corridor_width_m=_step(rng, 80.0, 140.0, 10.0),
        lead_min_s=lead_min,
        lead_max_s=lead_max,
        lead=LeadParams(target_lead_s=round(target / 15.0) * 15.0),
        escort=EscortParams(
            radius_m=_step(rng, 100.0, 180.0, 10.0), ahead_s=_step(rng, 60.0, 120.0, 15.0)
        ),
        bounding=BoundingParams(
            standoff_m=_step(rng, 100.0, 200.0, 10.0), hop_m=_step(rng, *hop, 50.0)
        ),
        baseline=FollowBaseline(offset_ahead_m=_step(rng, 150.0, 300.0, 10.0)),
    )


def _start_time(rng: np.random.Generator) -> datetime:
    """A morning or afternoon start in December 2026, West Africa Time."""
    wat = timezone(timedelta(hours=1))
    day = datetime(2026, 12, 1, tzinfo=wat) + timedelta(days=int(rng.integers(0, 28)))
    minutes = 60 * int(rng.integers(6, 16)) + 15 * int(rng.integers(0, 4))
    return day + timedelta(minutes=minutes)


# -- the scenario ----------------------------------------------------------------------


def _threats(
    rng: np.random.Generator,
    ground: _Ground,
    schedule: PatrolSchedule,
    keep_outs: list[tuple[str, Polygon]],
    overwatch: Overwatch,
) -> tuple[ThreatDraw, ...] | Refusal:
    """1–4 threats beside the road, inside the corridor, clear of keep-outs, 300 m apart.

    Each waits where the patrol is due at least a minute after the lead window
    has opened from the start (scenario time 0, when threats "there from the
    start" appear): a drone that takes off early to get ahead must not pass
    a threat before it is there. Most are there from the start; one in four
    appears later, but before the lead window on its stretch opens.
    """
    wanted = int(rng.integers(1, 5))
    half_corridor = overwatch.corridor_width_m / 2.0 - 5.0
    first = float(schedule.station_at(overwatch.lead_max_s + 60.0))
    last = 0.95 * ground.length_m
    if first >= last:
        return Refusal("the patrol is over before a threat could be watched a lead window ahead")
    placed: list[ThreatDraw] = []
    for _ in range(wanted * _PLACEMENT_TRIES):
        if len(placed) == wanted:
            break
        kind = _pick(rng, tuple(_THREATS))
        label, near, far = _THREATS[kind]
        s = math.ceil(rng.uniform(first, last) / 10.0) * 10.0
        offset = round(
            rng.uniform(near, min(far, half_corridor)) * (1 if rng.random() < 0.5 else -1)
        )
        where = Point(ground.beside(s, offset))
        if any(p.distance(where) < 30.0 for _, p in keep_outs) or any(
            abs(t.at_m - s) < 300.0 for t in placed
        ):
            continue
        appear = 0.0
        latest = float(schedule.arrival_time_s(s)) - overwatch.lead_max_s - 120.0
        if latest > 120.0 and rng.random() < 0.25:
            appear = round(rng.uniform(60.0, latest) / 30.0) * 30.0
        size = round(rng.uniform(0.5, 1.5), 1) if kind == "object" else None
        placed.append(ThreatDraw(label, kind, s, float(offset), appear, size))
    if not placed:
        return Refusal("no threat fitted beside the road")
    ordered = sorted(placed, key=lambda t: t.at_m)
    # numbered along the road, as the example scenarios are
    return tuple(replace(t, threat_id=f"T{i}-{t.threat_id}") for i, t in enumerate(ordered, 1))


def _script(
    rng: np.random.Generator,
    ground: _Ground,
    schedule: PatrolSchedule,
    halts: tuple[Halt, ...],
    kind: PatrolKind,
    away: int,
) -> PatrolScript:
    """How the real patrol departs from its plan: late, faster or slower, stops, detour, drops."""
    late = round(rng.uniform(30.0, 180.0) / 30.0) * 30.0 if rng.random() < 0.5 else 0.0
    factor = round(rng.uniform(0.85, 1.15), 2) if rng.random() < 0.5 else 1.0
    extra: list[ExtraHalt] = []
    if halts and rng.random() < 0.5:  # a planned halt runs long
        extra.append(ExtraHalt(_pick(rng, halts).at_m, 60.0 * int(rng.integers(2, 9))))
    if rng.random() < 0.3:  # a stop nobody planned
        extra.append(
            ExtraHalt(
                round(rng.uniform(0.1, 0.9) * ground.length_m, -1), 60.0 * int(rng.integers(1, 6))
            )
        )
    detours: list[Detour] = []
    if rng.random() < 0.35:
        span = rng.uniform(200.0, 500.0) if kind == "foot" else rng.uniform(600.0, 1500.0)
        span = min(span, 0.5 * ground.length_m)
        start = round(rng.uniform(0.15 * ground.length_m, 0.85 * ground.length_m - span), -1)
        side = rng.uniform(40.0, 120.0) if kind == "foot" else rng.uniform(100.0, 250.0)
        detours.append(Detour(start, round(start + span, -1), float(away * round(side, -1))))
    dropouts: list[Dropout] = []
    for _ in range(int(rng.integers(0, 4))):
        at = round(rng.uniform(60.0, max(120.0, schedule.duration_s - 120.0)) / 10.0) * 10.0
        duration = round(rng.uniform(20.0, 120.0) / 5.0) * 5.0
        if all(
            at + duration + 60.0 < d.at_s or d.at_s + d.duration_s + 60.0 < at for d in dropouts
        ):
            dropouts.append(Dropout(at, duration))
    return PatrolScript(
        late_start_s=late,
        speed_factor=factor,
        halts=tuple(sorted(extra, key=lambda h: h.at_m)),
        detours=tuple(detours),
        dropouts=tuple(sorted(dropouts, key=lambda d: d.at_s)),
    )


def _feed_faults(
    rng: np.random.Generator, schedule: PatrolSchedule, script: PatrolScript
) -> PatrolScript:
    """``script`` with 0–2 outlier fixes and 0–2 bursts of 1–5 bad fixes added.

    An outlier is 0.5–5 km off on any bearing, as a real log's multipath fix
    is. Each fault lies from 2 min into the patrol to 85 % of its planned
    duration (a patrol 15 % fast still reports then), at least
    :data:`FEED_FAULT_CLEARANCE_S` from every dropout and from each other: the
    patrol is reporting, and the receiver meets each fault a second after a
    good fix. A fault that finds no such place is left out.
    """
    first, last = 120.0, 0.85 * schedule.duration_s
    taken = [(d.at_s, d.at_s + d.duration_s) for d in script.dropouts]

    def place(span_s: float) -> float | None:
        if last - span_s <= first:
            return None
        for _ in range(_PLACEMENT_TRIES):
            at = round(rng.uniform(first, last - span_s) / 10.0) * 10.0
            clear = FEED_FAULT_CLEARANCE_S
            if all(at + span_s + clear < start or end + clear < at for start, end in taken):
                taken.append((at, at + span_s))
                return at
        return None

    outliers: list[Outlier] = []
    for _ in range(int(rng.integers(0, 3))):
        offset = round(rng.uniform(*OUTLIER_OFFSET_M), -1)
        bearing = float(rng.integers(0, 360))
        at = place(1.0)
        if at is not None:
            outliers.append(Outlier(at, offset, bearing))
    bursts: list[BadSentences] = []
    for _ in range(int(rng.integers(0, 3))):
        count = int(rng.integers(BAD_BURST_FIXES[0], BAD_BURST_FIXES[1] + 1))
        at = place(float(count))
        if at is not None:
            bursts.append(BadSentences(at, count))
    return replace(
        script,
        outliers=tuple(sorted(outliers, key=lambda o: o.at_s)),
        bad_sentences=tuple(sorted(bursts, key=lambda b: b.at_s)),
    )


# -- drawing helpers ----------------------------------------------------------------------


def _pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    """One of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def _step(rng: np.random.Generator, low: float, high: float, step: float) -> float:
    """A uniform draw from ``low``–``high`` on a grid of ``step`` (as a person would write it)."""
    count = round((high - low) / step)
    return round(low + step * int(rng.integers(0, count + 1)), 6)
