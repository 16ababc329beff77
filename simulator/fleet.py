"""Simulated vehicles served over MAVLink, several in one asyncio loop.

>>> async def main() -> None:                                    # doctest: +SKIP
...     async with SimulatedFleet(home=(13.5, 2.1, 220.0), vehicles=2, speedup=10,
...                               base_port=0) as fleet:
...         print(fleet.urls)        # ['tcp:127.0.0.1:40123', 'tcp:127.0.0.1:40125']
...         await fleet.run_for(60)  # simulated seconds

A team whose vehicles each have their own launch site, system id and parameters gives
each one a :class:`VehicleSpec` (``team=``); vehicles past the team keep the fleet's.

One task steps every vehicle's physics in fixed simulated steps up to the
clock, then sends due telemetry; socket callbacks feed received frames
through each link's fault injector to the autopilot, whose answers go out
at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.errors import SimulatorError
from simulator.autopilot import Autopilot, VehicleConfig
from simulator.clock import SimClock
from simulator.faults import FaultyLink, LinkFaults
from simulator.geodesy import TangentPlane
from simulator.handlers import handle
from simulator.pose import VehiclePose
from simulator.telemetry import BUILDERS, heartbeat
from simulator.transport import Link, TcpLink, UdpLink

_log = logging.getLogger(__name__)

#: Simulated seconds per physics step.
PHYSICS_DT_S = 0.02
#: Shortest wall-clock pause between simulation ticks, seconds.
MIN_TICK_WALL_S = 0.004
#: Wall time one tick may spend stepping before the clock slips, seconds.
MAX_TICK_WORK_S = 0.05
#: Simulated seconds one tick may step without reading what arrived meanwhile. A process
#: the machine did not schedule for a while slips its clock instead of replaying the gap
#: deaf, which would trip the GCS failsafe and drop GUIDED targets that were on their
#: way. ArduPilot's SITL, lock-stepped to its physics, slows down the same way.
MAX_BACKLOG_S = 1.0


#: What ArduPilot still takes unsigned once it signs (GCS_Signing.cpp's ``accept_list``).
#: Its other exemption, SERIAL0 (USB on a flight controller), has no counterpart here:
#: every port of the built-in simulator stands for a telemetry radio.
UNSIGNED_ACCEPTED = frozenset({mav.MAVLINK_MSG_ID_RADIO_STATUS, mav.MAVLINK_MSG_ID_RADIO})
#: ArduPilot starts signing 1 minute past the key's stored timestamp (replay margin).
_SIGNING_MARGIN = 60 * 100 * 1000


#: the MAVLink system ids a vehicle may have (255 is the ground station's)
SYSIDS = range(1, 255)


@dataclass(frozen=True)
class VehicleSpec:
    """What sets one vehicle of a fleet apart (each left out: the fleet's own).

    ``home`` is (lat_deg, lon_deg, alt_msl_m), the vehicle's own launch site; ``sysid`` its
    MAVLink system id; ``params`` parameters of its own, over the fleet's (its battery's
    ``BATT_CAPACITY``, its crew's ``SIM_BATT_SWAP_S``).
    """

    home: tuple[float, float, float] | None = None
    sysid: int | None = None
    params: Mapping[str, float] = field(default_factory=dict)


def team_sysids(count: int, wanted: Sequence[int | None]) -> list[int]:
    """The system ids of ``count`` vehicles: ``wanted[i]`` where it is given, else *i* + 1
    unless another vehicle has that one, else the lowest id nobody has.

    >>> team_sysids(3, [2, 1])
    [2, 1, 3]
    >>> team_sysids(3, [3])
    [3, 2, 1]
    """
    given = [w for w in list(wanted)[:count] if w is not None]
    for sysid in given:
        if sysid not in SYSIDS:
            raise SimulatorError(f"system id must be in 1..254, got {sysid}")
        if given.count(sysid) > 1:
            raise SimulatorError(f"two vehicles have system id {sysid}")
    taken = set(given)
    sysids: list[int] = []
    for i in range(count):
        own = wanted[i] if i < len(wanted) else None
        if own is None:
            own = i + 1 if i + 1 in SYSIDS and i + 1 not in taken else None
            if own is None:
                own = next((s for s in SYSIDS if s not in taken), None)
            if own is None:
                raise SimulatorError(f"{count} vehicles are more than MAVLink has system ids")
            taken.add(own)
        sysids.append(own)
    return sysids


def _accept_unsigned(_codec: Any, msg_id: int) -> bool:
    return msg_id in UNSIGNED_ACCEPTED


class _Channel:
    """A link as the vehicle uses it: encoder, parser and fault injector.

    Encoder and parser share one signing state, as an ArduPilot channel does:
    one key, one timestamp that outgoing packets stamp and incoming ones advance.
    """

    def __init__(self, vehicle: SimulatedVehicle, link: Link, faults: LinkFaults, index: int):
        self.link = link
        self.index = index
        self.encoder = mav.MAVLink(None, srcSystem=vehicle.sysid, srcComponent=1)
        self.parser = mav.MAVLink(None)
        self.parser.robust_parsing = True
        self.parser.signing = self.encoder.signing
        #: packets dropped because they were unsigned or wrongly signed
        self.rejected_signature = 0
        self.faulty = FaultyLink(
            faults, link.send_frame, self._deliver, vehicle.autopilot_time, stream_id=index
        )
        self._vehicle = vehicle
        link.on_frame = self.faulty.receive

    def _deliver(self, frame: bytes) -> None:
        try:
            msgs = self.parser.parse_buffer(frame) or []
        except mav.MAVError:
            return
        for msg in msgs:
            if msg.get_type() != "BAD_DATA":
                self._vehicle.receive(msg, self)
            elif "signature" in str(getattr(msg, "reason", "")):
                self.rejected_signature += 1

    def load_signing(self, key: bytes | None, timestamp: int, streams: dict[Any, int]) -> None:
        """Sign with ``key`` and refuse unsigned packets (None: neither), as
        ArduPilot's ``load_signing_key``; ``streams`` is shared by every channel."""
        signing = self.encoder.signing
        if key is None:
            signing.secret_key = None
            signing.sign_outgoing = False
            signing.allow_unsigned_callback = None
            return
        signing.secret_key = key
        signing.link_id = self.index % 256
        signing.timestamp = timestamp + _SIGNING_MARGIN
        signing.sign_outgoing = True
        signing.allow_unsigned_callback = _accept_unsigned
        signing.stream_timestamps = streams

    def send(self, msg: Any) -> None:
        frame = msg.pack(self.encoder)
        # pack() stamps the sequence number without advancing it (MAVLink.send() does that);
        # ArduPilot numbers each channel's packets, and ground stations count gaps as losses.
        self.encoder.seq = (self.encoder.seq + 1) % 256
        self.faulty.send(frame)


class SimulatedVehicle:
    """One simulated ArduCopter and its MAVLink endpoints."""

    def __init__(self, config: VehicleConfig, instance: int, faults: LinkFaults) -> None:
        self.instance = instance
        self.autopilot = Autopilot(config)
        self.sysid = config.sysid
        self.faults = faults
        self.channels: list[_Channel] = []
        self.tcp_port: int | None = None
        self.host = "127.0.0.1"
        self._server: asyncio.Server | None = None
        self._next_heartbeat_s = 0.0
        self._link_count = 0
        #: the MAVLink 2 signing key set by SETUP_SIGNING (None: no signing), its
        #: timestamp, and the streams seen, shared by all channels as in ArduPilot
        self.signing_key: bytes | None = None
        self.signing_timestamp = 0
        self._signing_streams: dict[Any, int] = {}

    @property
    def url(self) -> str:
        """Where a ground station connects, e.g. ``tcp:127.0.0.1:5760``."""
        if self.tcp_port is None:
            raise SimulatorError("the vehicle is not serving yet: start the fleet first")
        return f"tcp:{self.host}:{self.tcp_port}"

    def pose(self) -> VehiclePose:
        """Position, attitude and gimbal angles now (see :class:`VehiclePose`)."""
        return self.autopilot.pose()

    def carry_to(self, lat_deg: float, lon_deg: float) -> bool:
        """The patrol carries the landed, disarmed vehicle (see :meth:`Autopilot.carry_to`)."""
        return self.autopilot.carry_to(lat_deg, lon_deg)

    def autopilot_time(self) -> float:
        return self.autopilot.time_s

    async def serve(self, host: str, port: int, udp_out: tuple[str, int] | None) -> None:
        loop = asyncio.get_running_loop()
        self.host = host
        try:
            self._server = await loop.create_server(
                lambda: TcpLink(self._attach), host, port, reuse_address=True
            )
        except OSError as exc:
            raise SimulatorError(
                f"cannot listen on {host}:{port} for vehicle {self.instance}: {exc}"
            ) from exc
        self.tcp_port = self._server.sockets[0].getsockname()[1]
        if udp_out is not None:
            udp = UdpLink(*udp_out)
            try:
                await loop.create_datagram_endpoint(lambda: udp, local_addr=(host, 0))
            except OSError as exc:
                raise SimulatorError(
                    f"cannot open UDP output to {udp_out[0]}:{udp_out[1]}: {exc}"
                ) from exc
            self._attach(udp)

    def attach(self, link: Link) -> None:
        """Talk MAVLink over ``link`` (a socket's, or an in-process one)."""
        self._attach(link)

    def _attach(self, link: Link) -> None:
        channel = _Channel(self, link, self.faults, self._link_count)
        self._link_count += 1
        if self.signing_key is not None:
            channel.load_signing(self.signing_key, self.signing_timestamp, self._signing_streams)
        self.channels.append(channel)
        link.on_close = lambda: self._detach(channel)

    def _detach(self, channel: _Channel) -> None:
        if channel in self.channels:
            self.channels.remove(channel)

    async def close(self) -> None:
        for channel in list(self.channels):
            channel.link.close()
        self.channels.clear()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def receive(self, msg: Any, channel: _Channel) -> None:
        if msg.get_type() == "SETUP_SIGNING":
            self._setup_signing(msg)
            return
        try:
            handle(self.autopilot, msg, channel)
        except Exception:  # one odd message must not take the link down
            _log.exception("vehicle %d: error handling %s", self.sysid, msg.get_type())
        self.flush()

    def _setup_signing(self, msg: Any) -> None:
        """SETUP_SIGNING as ArduPilot's ``handle_setup_signing``: refused when armed; an
        all-zero key and timestamp turns signing off; takes effect on every link at once."""
        if msg.target_system not in (0, self.sysid):
            return
        ap = self.autopilot
        if ap.armed:
            ap.statustext(mav.MAV_SEVERITY_WARNING, "ERROR: Won't setup signing when armed")
            self.flush()
            return
        key = bytes(msg.secret_key)
        off = msg.initial_timestamp == 0 and not any(key)
        self.signing_key = None if off else key
        self.signing_timestamp = int(msg.initial_timestamp)
        for channel in self.channels:
            channel.load_signing(self.signing_key, self.signing_timestamp, self._signing_streams)

    def flush(self) -> None:
        """Send what the autopilot has queued: replies to their link, the rest to all."""
        outbox = self.autopilot.outbox
        if not outbox:
            return
        self.autopilot.outbox = []
        channels = self.channels
        for target, msg in outbox:
            if target is None:
                for channel in channels:
                    channel.send(msg)
            elif target in channels:
                target.send(msg)

    def tick(self) -> None:
        """After stepping: heartbeat, due telemetry, delayed frames, protocol timers."""
        ap = self.autopilot
        self.telemetry()
        ap.transfer.poll()
        self.flush()
        for channel in self.channels:
            channel.faulty.pump()

    def telemetry(self) -> None:
        """Queue the heartbeat and the stream messages due now (after each physics step,
        so a stream keeps its rate up to the physics rate however long a tick is)."""
        ap = self.autopilot
        now = ap.time_s
        if now >= self._next_heartbeat_s:
            self._next_heartbeat_s = max(self._next_heartbeat_s + 1.0, now)
            ap.heartbeat_now = True
        if ap.heartbeat_now:  # on the second, and at once after a mode change
            ap.heartbeat_now = False
            ap.broadcast(heartbeat(ap))
        for msg_id in ap.streams.due(now):
            msg = BUILDERS[msg_id](ap)
            if msg is not None:
                ap.broadcast(msg)


class SimulatedFleet:
    """Several simulated vehicles in one asyncio loop, served over MAVLink/TCP.

    ``home`` is (lat_deg, lon_deg, alt_msl_m); vehicle *i* starts
    ``spacing_m`` × *i* metres east of it, has system id *i* + 1 and listens
    on ``base_port`` + 10·*i* (``base_port=0``: ephemeral ports; read
    ``urls``). ``speedup`` runs simulated time that many times faster than
    the wall clock. ``udp_out`` (host, port) also sends each vehicle's
    stream to port + 10·*i*. Other keyword arguments go to every vehicle's
    :class:`VehicleConfig`.

    ``team[i]`` (a :class:`VehicleSpec`) sets vehicle *i* apart: homed at its own
    site (``spacing_m`` east of it for each vehicle before it homed there too), its
    own system id (the others take *i* + 1 unless that one is taken, see
    :func:`team_sysids`), and its own parameters over the fleet's.
    """

    def __init__(
        self,
        home: tuple[float, float, float],
        vehicles: int = 1,
        speedup: float = 1.0,
        faults: LinkFaults | None = None,
        base_port: int = 5760,
        host: str = "127.0.0.1",
        udp_out: tuple[str, int] | None = None,
        seed: int = 0,
        spacing_m: float = 5.0,
        physics_dt_s: float = PHYSICS_DT_S,
        team: Sequence[VehicleSpec] = (),
        **vehicle_options: Any,
    ) -> None:
        if vehicles < 1:
            raise SimulatorError(f"a fleet needs at least one vehicle, got {vehicles}")
        if not 0 <= base_port <= 65535 - 10 * (vehicles - 1):
            raise SimulatorError(f"base port {base_port} leaves no room for {vehicles} vehicles")
        self.clock = SimClock(speedup)
        self.faults = faults or LinkFaults()
        self.base_port = base_port
        self.host = host
        self.udp_out = udp_out
        self.physics_dt_s = physics_dt_s
        sysids = team_sysids(vehicles, [spec.sysid for spec in team])
        params: dict[str, float] = dict(vehicle_options.pop("params", None) or {})
        homed: list[tuple[float, float, float]] = []  # the sites of the vehicles so far
        self.vehicles: list[SimulatedVehicle] = []
        for i in range(vehicles):
            spec = team[i] if i < len(team) else VehicleSpec()
            site = home if spec.home is None else spec.home
            # beside the vehicles homed at the same site before it (the fleet's: all of them)
            beside = i if spec.home is None else homed.count(site)
            homed.append(site)
            vlat, vlon = TangentPlane(site[0], site[1]).to_lat_lon(spacing_m * beside, 0.0)
            config = VehicleConfig(
                home_lat_deg=vlat,
                home_lon_deg=vlon,
                home_alt_msl_m=site[2],
                sysid=sysids[i],
                seed=seed * 1000 + i,
                params={**params, **spec.params},
                **vehicle_options,
            )
            # one fault generator per vehicle, reproducible from both seeds
            vehicle_faults = replace(self.faults, seed=hash((self.faults.seed, seed, i)))
            self.vehicles.append(SimulatedVehicle(config, i, vehicle_faults))
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.slipped_s = 0.0
        #: wall seconds one tick may spend stepping before the clock slips
        self.tick_budget_s = MAX_TICK_WORK_S

    def lockstep(self, monotonic: Callable[[], float]) -> None:
        """Run on ``monotonic``, a virtual clock (:mod:`simulator.lockstep`), and never slip
        for the wall time stepping takes: the run then depends on nothing but its inputs."""
        self.clock = SimClock(self.clock.speedup, monotonic)
        self.tick_budget_s = math.inf

    @property
    def urls(self) -> list[str]:
        return [v.url for v in self.vehicles]

    async def start(self, *, serve: bool = True) -> None:
        """Open the sockets (none with ``serve=False``: links are attached in process, see
        :meth:`SimulatedVehicle.attach`) and start simulating."""
        try:
            for v in self.vehicles if serve else ():
                port = 0 if self.base_port == 0 else self.base_port + 10 * v.instance
                udp = None
                if self.udp_out is not None:
                    udp = (self.udp_out[0], self.udp_out[1] + 10 * v.instance)
                await v.serve(self.host, port, udp)
        except BaseException:
            await self.stop()
            raise
        self.clock.slip(0.0)
        self._task = asyncio.create_task(self._run(), name="simulated-fleet")

    async def stop(self) -> None:
        """Stop simulating and close every socket (also after the simulation failed, whose
        error is then raised)."""
        self._stopping = True
        task, self._task = self._task, None
        try:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            for v in self.vehicles:
                await v.close()

    async def __aenter__(self) -> SimulatedFleet:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The task that steps the vehicles (None before :meth:`start`): when it ends before
        :meth:`stop`, the simulation has failed and its exception says why."""
        return self._task

    @property
    def time_s(self) -> float:
        """Simulated seconds the vehicles have reached."""
        return self.vehicles[0].autopilot.time_s

    async def run_for(self, sim_s: float) -> None:
        """Wait until ``sim_s`` more simulated seconds have passed."""
        await self.run_until(self.time_s + sim_s)

    async def run_until(self, sim_s: float) -> None:
        """Wait until the vehicles reach simulated time ``sim_s``."""
        while self.time_s < sim_s:
            if self._task is None or self._task.done():
                raise SimulatorError("the simulation is not running")
            await asyncio.sleep(max(MIN_TICK_WALL_S, self.clock.wall_s(sim_s - self.time_s) / 2))

    def step_all(self, budget_s: float = MAX_TICK_WORK_S) -> int:
        """Step every vehicle up to the clock (within a wall budget); returns steps taken."""
        dt = self.physics_dt_s
        target = self.clock.now_s()
        vehicles = self.vehicles
        lead = vehicles[0].autopilot
        if target - lead.time_s > MAX_BACKLOG_S:
            self.slipped_s += target - lead.time_s - MAX_BACKLOG_S
            target = lead.time_s + MAX_BACKLOG_S
            self.clock.slip(target)
        started = time.perf_counter()
        steps = 0
        while lead.time_s + dt <= target + 1e-9:
            for v in vehicles:
                v.autopilot.step(dt)
                v.telemetry()
                if v.autopilot.outbox:
                    v.flush()
            steps += 1
            if steps % 16 == 0 and time.perf_counter() - started > budget_s:
                self.slipped_s += target - lead.time_s
                self.clock.slip(lead.time_s)
                break
        for v in vehicles:
            v.tick()
        return steps

    async def _run(self) -> None:
        dt = self.physics_dt_s
        while not self._stopping:
            self.step_all(self.tick_budget_s)
            ahead = self.time_s + dt - self.clock.now_s()
            await asyncio.sleep(max(MIN_TICK_WALL_S, self.clock.wall_s(ahead)))
