"""Run a scenario beside simulated (or SITL) vehicles: publish the patrol and the sightings.

Scenario time ``t_s`` is seconds since the patrol's planned start; the run
begins ``pre_roll_s`` before it so the drone can boot, take off and get ahead.
Everything leaves on the wire (UDP/TCP on loopback by default) and a ground
truth log (JSON lines) is written for scoring only. The patrol's fixes carry
the scenario's feed faults (:mod:`simulator.scenario.feed_faults`): an outlier
goes out displaced, a bad sentence corrupted; the truth log keeps the true
position in the ``patrol`` record and says what went out in a ``feed_fault``
record beside it.

With a team, the stand-in detector looks through every drone's camera, each with that
drone's camera model: the first vehicle's records are those of a drone alone, and the
others' ``drone``, ``sighting`` and ``pickup`` records carry their ``sysid``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from overwatch.mission.model import Camera, Mission
from simulator.pose import VehiclePose
from simulator.scenario.actors import World
from simulator.scenario.feed_faults import TRUE_FIX, FeedFaults, FixFault
from simulator.scenario.publish import cot_event, nmea_fix, sighting_event
from simulator.scenario.sensor import CameraPose, look

#: wall seconds between fsyncs of the ground-truth log
TRUTH_FSYNC_S = 5.0


class PoseSource(Protocol):
    def pose(self) -> VehiclePose: ...


@runtime_checkable
class Carriable(Protocol):
    """A vehicle the patrol can pick up and carry (the built-in simulator's; SITL's stays
    where it landed)."""

    def pose(self) -> VehiclePose: ...

    def carry_to(self, lat_deg: float, lon_deg: float) -> bool: ...


#: with ``recovery: with_patrol``, the patrol picks up a drone landed this close to it (the
#: crew walks over to one that came down off the road, clear of a keep-out or the border), m
PICKUP_RADIUS_M = 500.0


@dataclass(frozen=True)
class TeamVehicle:
    """Another drone of the team, beside the runner's first vehicle: the stand-in detector
    looks through its camera (``camera``, its own model), and with ``recovers_with_patrol``
    the patrol may pick it up."""

    vehicle: PoseSource
    sysid: int
    camera: Camera
    recovers_with_patrol: bool = False


def team_of(
    mission: Mission, vehicles: Sequence[PoseSource], sysids: Sequence[int]
) -> list[TeamVehicle]:
    """The vehicles after the first one as :class:`TeamVehicle`: vehicle *i* is the mission's
    drone *i* (its camera, its launch's recovery) where the mission has one, else a copy of
    the first drone."""
    drones = mission.drones
    team: list[TeamVehicle] = []
    for i in range(1, len(vehicles)):
        drone = drones[i] if i < len(drones) else drones[0]
        team.append(
            TeamVehicle(
                vehicles[i],
                sysids[i],
                drone.vehicle.camera,
                drone.launch.recovers_with_patrol,
            )
        )
    return team


@dataclass
class _Eye:
    """One vehicle the runner watches: what it looks with and what it has seen."""

    vehicle: PoseSource
    camera: Camera
    recovers_with_patrol: bool
    rng: random.Random
    #: what its records add (the first vehicle's are a lone drone's: nothing; the others'
    #: their ``sysid``), and how its markers' uids begin
    extra: dict[str, object] = field(default_factory=dict)
    uid_prefix: str = "det-"
    sightings: int = 0
    carrying: bool = False
    pickups: int = 0


@dataclass(frozen=True)
class FeedTarget:
    """Where the patrol's position goes: ``nmea`` or ``cot`` over ``udp``/``tcp`` to host:port."""

    kind: str  # "nmea" or "cot"
    transport: str  # "udp" or "tcp"
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> FeedTarget:
        """``nmea+udp://127.0.0.1:10110`` or ``cot+tcp://127.0.0.1:8087``."""
        scheme, _, rest = url.partition("://")
        kind, _, transport = scheme.partition("+")
        host, _, port = rest.rpartition(":")
        if kind not in ("nmea", "cot") or transport not in ("udp", "tcp") or not port.isdigit():
            raise ValueError(
                f"patrol feed target {url!r}: expected nmea+udp://HOST:PORT, "
                "nmea+tcp://HOST:PORT, cot+udp://HOST:PORT or cot+tcp://HOST:PORT"
            )
        return cls(kind, transport, host.strip("[]") or "127.0.0.1", int(port))


class _Sender:
    """Send datagrams over UDP, or a stream to a TCP listener (reconnecting)."""

    def __init__(self, transport: str, host: str, port: int) -> None:
        self.transport, self.host, self.port = transport, host, port
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None

    def send(self, data: bytes) -> None:
        try:
            if self.transport == "udp":
                if self._udp is None:
                    self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._udp.sendto(data, (self.host, self.port))
                return
            if self._tcp is None:
                self._tcp = socket.create_connection((self.host, self.port), timeout=0.5)
                self._tcp.setblocking(False)
            self._tcp.send(data)
        except OSError:
            # nobody listening yet, or the listener went away: try again next time
            if self._tcp is not None:
                self._tcp.close()
                self._tcp = None

    def close(self) -> None:
        for s in (self._udp, self._tcp):
            if s is not None:
                s.close()


@dataclass(frozen=True)
class _InProcess:
    """What a :class:`_Sender` would send, handed to a function in this process instead."""

    send: Callable[[bytes], None]

    def close(self) -> None:
        pass


class ScenarioRunner:
    """Drives one scenario at the simulator's clock.

    ``sim_now`` returns simulated seconds since the simulator booted; the
    scenario's clock is ``sim_now() - pre_roll_s``. ``vehicle`` is the first drone
    (the mission's ``vehicle``); ``team`` the others (see :func:`team_of`), each looked
    through by the stand-in detector with its own camera and random generator, so the
    first drone's sightings are the same with or without them.
    """

    def __init__(
        self,
        world: World,
        vehicle: PoseSource | None,
        sim_now: Callable[[], float],
        *,
        patrol_feed: FeedTarget | None,
        sightings_to: tuple[str, int] | None = None,
        truth_path: Path | None = None,
        pre_roll_s: float = 180.0,
        fix_interval_s: float = 1.0,
        seed: int | None = None,
        patrol_sink: Callable[[bytes], None] | None = None,
        sightings_sink: Callable[[bytes], None] | None = None,
        team: Sequence[TeamVehicle] = (),
    ) -> None:
        self.world = world
        self.vehicle = vehicle
        self.sim_now = sim_now
        self.pre_roll_s = pre_roll_s
        self.fix_interval_s = fix_interval_s
        self.rng = random.Random(world.scenario.seed if seed is None else seed)
        # in process (simulator.lockstep), the NMEA and the CoT go to ``*_sink`` instead
        self._feed: _Sender | _InProcess | None = None
        if patrol_feed is not None:
            self._feed = _Sender(patrol_feed.transport, patrol_feed.host, patrol_feed.port)
        elif patrol_sink is not None:
            self._feed = _InProcess(patrol_sink)
        self._feed_kind = patrol_feed.kind if patrol_feed else "nmea"
        self._sightings: _Sender | _InProcess | None = None
        if sightings_to is not None:
            self._sightings = _Sender("udp", *sightings_to)
        elif sightings_sink is not None:
            self._sightings = _InProcess(sightings_sink)
        # a line at a time to the OS (a killed simulator loses no whole line) and to the
        # disk every TRUTH_FSYNC_S (a power cut loses at most that much)
        self._truth: IO[str] | None = truth_path.open("w", buffering=1) if truth_path else None
        self._truth_synced = time.monotonic()
        mission = world.scenario.mission
        self._eyes: list[_Eye] = []
        if vehicle is not None:
            self._eyes.append(
                _Eye(vehicle, mission.vehicle.camera, mission.launch.recovers_with_patrol, self.rng)
            )
        seed = world.scenario.seed if seed is None else seed
        for member in team:
            self._eyes.append(
                _Eye(
                    member.vehicle,
                    member.camera,
                    member.recovers_with_patrol,
                    random.Random(f"{seed}/sysid {member.sysid}"),
                    extra={"sysid": member.sysid},
                    uid_prefix=f"det-{member.sysid}-",
                )
            )
        self.fixes_sent = 0
        self.sightings_sent = 0
        self._faults = FeedFaults(world.scenario.patrol)
        #: fixes the patrol's tracker sent displaced, and sent corrupted
        self.outliers_sent = 0
        self.corrupt_sent = 0
        for threat in world.threats:
            t = threat.threat
            self._log(
                {
                    "what": "threat",
                    "truth_id": t.threat_id,
                    "kind": t.kind,
                    "lat_deg": t.position.lat_deg,
                    "lon_deg": t.position.lon_deg,
                    "appear_s": t.appear_s,
                    "station_m": round(threat.station_on_route(world.geometry), 2),
                    "patrol_arrival_s": round(
                        world.patrol_arrival_s(threat.station_on_route(world.geometry)), 2
                    ),
                }
            )

    @property
    def carrying(self) -> bool:
        """The patrol carries the first drone (picked up beside it, until it is armed again)."""
        return bool(self._eyes) and self._eyes[0].carrying

    @property
    def pickups(self) -> int:
        """How often the patrol picked the first drone up."""
        return self._eyes[0].pickups if self._eyes else 0

    @property
    def watched(self) -> int:
        """How many vehicles the stand-in detector looks through."""
        return len(self._eyes)

    def scenario_time_s(self) -> float:
        return self.sim_now() - self.pre_roll_s

    @property
    def finished(self) -> bool:
        return self.scenario_time_s() > self.world.end_s

    async def run(self, *, until_s: float | None = None, tick_wall_s: float = 0.01) -> None:
        """Publish until the exercise is over (:attr:`World.end_s`; or scenario time
        ``until_s``): the patrol, at its route's end, goes on reporting meanwhile."""
        next_fix = -self.pre_roll_s
        next_look = -self.pre_roll_s
        try:
            while not self.finished and (until_s is None or self.scenario_time_s() < until_s):
                t = self.scenario_time_s()
                if t >= next_fix:
                    self.publish_patrol(t)
                    next_fix = t + self.fix_interval_s
                if t >= next_look:
                    self.sensor_look(t)
                    next_look = t + self.world.scenario.sensor.look_interval_s
                await asyncio.sleep(tick_wall_s)
        finally:
            self.close()

    def publish_patrol(self, t_s: float) -> None:
        world = self.world
        state = world.patrol.state_at(t_s)
        lat, lon = world.geometry.frame.to_wgs84(state.x_m, state.y_m)
        self._carry(t_s, state.x_m, state.y_m, lat, lon)
        when = world.scenario.mission.patrol.start_time + timedelta(seconds=t_s)
        reporting = world.patrol.reporting(t_s)
        # faults fall on the fixes the tracker sends, whether or not a feed is connected
        fault = self._faults.next_fix(t_s) if reporting else TRUE_FIX
        sent_lat, sent_lon = lat, lon
        if fault.outlier is not None:
            sent_lat, sent_lon = world.geometry.frame.to_wgs84(
                *fault.displaced(state.x_m, state.y_m)
            )
        if reporting and self._feed is not None:
            alt = world.scenario.mission.launch.alt_msl_m
            if self._feed_kind == "nmea":
                data = nmea_fix(
                    when,
                    sent_lat,
                    sent_lon,
                    alt,
                    state.speed_m_s,
                    state.heading_deg,
                    corrupt=fault.corrupt,
                )
            else:
                data = cot_event(
                    uid=f"patrol-{world.scenario.mission.patrol.callsign}",
                    cot_type="a-f-G-U-C",
                    when=when,
                    lat_deg=sent_lat,
                    lon_deg=sent_lon,
                    hae_m=alt,
                    callsign=world.scenario.mission.patrol.callsign,
                    course_deg=state.heading_deg,
                    speed_m_s=state.speed_m_s,
                    corrupt=fault.corrupt,
                )
            self._feed.send(data)
            self.fixes_sent += 1
        self._log_fault(t_s, fault, sent_lat, sent_lon)
        self._log(
            {
                "t_s": round(t_s, 3),
                "what": "patrol",
                "lat_deg": round(lat, 7),
                "lon_deg": round(lon, 7),
                "station_m": round(world.patrol.station_at(t_s), 2),
                "off_route_m": round(world.patrol.off_route_m(t_s), 2),
                "reporting": reporting,
            }
        )

    def _log_fault(self, t_s: float, fault: FixFault, lat_deg: float, lon_deg: float) -> None:
        """A ``feed_fault`` record for each way a fix went out wrong (none for a true fix):
        ``outlier`` with the position sent, ``bad_sentence`` for a corrupted one."""
        if fault.outlier is not None:
            self.outliers_sent += 1
            self._log(
                {
                    "t_s": round(t_s, 3),
                    "what": "feed_fault",
                    "fault": "outlier",
                    "lat_deg": round(lat_deg, 7),
                    "lon_deg": round(lon_deg, 7),
                    "offset_m": fault.outlier.offset_m,
                    "bearing_deg": fault.outlier.bearing_deg,
                }
            )
        if fault.corrupt:
            self.corrupt_sent += 1
            self._log({"t_s": round(t_s, 3), "what": "feed_fault", "fault": "bad_sentence"})

    def _carry(self, t_s: float, x_m: float, y_m: float, lat_deg: float, lon_deg: float) -> None:
        """With ``recovery: with_patrol``, the patrol picks up a drone that landed beside it
        and carries it on until it is armed for its next sortie."""
        for eye in self._eyes:
            vehicle = eye.vehicle
            if not eye.recovers_with_patrol or not isinstance(vehicle, Carriable):
                continue
            if not eye.carrying:
                pose = vehicle.pose()
                if pose.alt_rel_m > 1.0:
                    continue
                dx, dy = self.world.geometry.frame.to_local(pose.lat_deg, pose.lon_deg)
                if math.hypot(dx - x_m, dy - y_m) > PICKUP_RADIUS_M:
                    continue
            carried = vehicle.carry_to(lat_deg, lon_deg)
            if carried and not eye.carrying:
                eye.pickups += 1
                self._log(
                    {"what": "pickup", "t_s": round(t_s, 2), "count": eye.pickups, **eye.extra}
                )
            eye.carrying = carried

    def sensor_look(self, t_s: float) -> None:
        """One look of the stand-in detector through each drone's camera."""
        for eye in self._eyes:
            self._look(eye, t_s)

    def _look(self, eye: _Eye, t_s: float) -> None:
        pose = eye.vehicle.pose()
        frame = self.world.geometry.frame
        x, y = frame.to_local(pose.lat_deg, pose.lon_deg)
        camera = eye.camera
        self._log(
            {
                "t_s": round(t_s, 3),
                "what": "drone",
                **eye.extra,
                "lat_deg": round(pose.lat_deg, 7),
                "lon_deg": round(pose.lon_deg, 7),
                "alt_rel_m": round(pose.alt_rel_m, 2),
                "yaw_deg": round((pose.yaw_deg + pose.gimbal_yaw_deg) % 360.0, 2),
                "gimbal_pitch_deg": round(pose.gimbal_pitch_deg, 2),
            }
        )
        if pose.alt_rel_m < 5.0:
            return
        cam = CameraPose(
            x,
            y,
            pose.alt_rel_m,
            (pose.yaw_deg + pose.gimbal_yaw_deg) % 360.0,
            pose.gimbal_pitch_deg,
            camera.hfov_deg,
            camera.vfov_deg,
        )
        when = self.world.scenario.mission.patrol.start_time + timedelta(seconds=t_s)
        for s in look(self.world, t_s, cam, eye.rng):
            lat, lon = frame.to_wgs84(s.x_m, s.y_m)
            eye.sightings += 1
            if self._sightings is not None:
                self._sightings.send(
                    sighting_event(
                        uid=f"{eye.uid_prefix}{eye.sightings}",
                        when=when,
                        lat_deg=lat,
                        lon_deg=lon,
                        kind=s.kind,
                        sigma_m=s.sigma_m,
                        confidence=s.confidence,
                    )
                )
                self.sightings_sent += 1
            self._log(
                {
                    "t_s": round(t_s, 3),
                    "what": "sighting",
                    **eye.extra,
                    "truth_id": s.truth_id,
                    "kind": s.kind,
                    "lat_deg": round(lat, 7),
                    "lon_deg": round(lon, 7),
                    "sigma_m": round(s.sigma_m, 2),
                }
            )

    def close(self) -> None:
        for sender in (self._feed, self._sightings):
            if sender is not None:
                sender.close()
        if self._truth is not None:
            os.fsync(self._truth.fileno())
            self._truth.close()
            self._truth = None

    def _log(self, record: dict[str, object]) -> None:
        if self._truth is not None:
            self._truth.write(json.dumps(record) + "\n")
            if time.monotonic() - self._truth_synced >= TRUTH_FSYNC_S:
                os.fsync(self._truth.fileno())
                self._truth_synced = time.monotonic()
