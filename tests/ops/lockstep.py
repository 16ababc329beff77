"""A training run in one process, on one virtual clock (see :mod:`simulator.lockstep`).

The built-in simulator (as ``overwatch sim`` builds it for the mission), the scenario's
patrol, threats and stand-in detector, and a live session driven headless all run in
one :class:`~simulator.lockstep.VirtualTimeLoop`. MAVLink, the patrol's NMEA and the
detector's CoT are the same bytes as on the wire, handed over in memory, and decoded by
the session's own parsers. The run is as fast as the CPU allows and the same on a busy
machine as on an idle one.

A mission with a team gives one vehicle per drone (as ``overwatch sim`` does): every
vehicle talks over the one in-process transport, as several drones on one radio
channel, so the ground station hears every sysid on its one link, and the scenario's
stand-in detector looks through every drone's camera.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from overwatch.feeds import PatrolFix
from overwatch.feeds.base import Feed
from overwatch.feeds.cot_xml import CotEvent, parse_cot_event
from overwatch.feeds.guard import FixGuard
from overwatch.feeds.nmea import NmeaDecoder
from overwatch.mission import load_mission
from overwatch.scenario.loader import load_scenario
from simulator import cli as sim_cli
from simulator.command import simulator_arguments
from simulator.fleet import SimulatedFleet
from simulator.lockstep import InProcessLink
from simulator.scenario.actors import World
from simulator.scenario.runner import ScenarioRunner, team_of

#: where the session believes it is connected (names only: nothing is opened)
CONNECT = "in-process:vehicle-1"
PATROL_FEED = "nmea+in-process://patrol"


class InProcessTransport:
    """The ground station's side of :class:`~simulator.lockstep.InProcessLink`: what any
    vehicle sends comes in through :meth:`push`; what the station writes goes to every
    vehicle (``to_vehicle``), as on a shared radio channel."""

    description = CONNECT

    def __init__(self) -> None:
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.to_vehicle: Callable[[bytes], None] = lambda data: None

    def push(self, data: bytes) -> None:
        """Bytes from the vehicle."""
        self._chunks.put_nowait(data)

    async def open(self) -> None:
        pass

    async def read(self) -> bytes:
        return await self._chunks.get()

    def write(self, data: bytes) -> None:
        self.to_vehicle(data)

    async def close(self) -> None:
        self._chunks.put_nowait(b"")


class InProcessNmeaFeed(Feed):
    """The patrol's NMEA, as the scenario publishes it, decoded by the feeds' own decoder
    and guard (the guard dates arrivals on ``clock``, the run's)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(PATROL_FEED)
        self.guard = FixGuard(clock=clock)
        self.decoder = NmeaDecoder(PATROL_FEED)
        self._data: asyncio.Queue[bytes] = asyncio.Queue()

    def push(self, data: bytes) -> None:
        self._data.put_nowait(data)

    async def _raw_fixes(self) -> AsyncIterator[PatrolFix]:
        self.guard.connected = True
        while True:
            data = await self._data.get()
            for line in data.splitlines():
                for fix in self.decoder.feed_line(line):
                    yield fix
            self.stats.bad = self.decoder.bad


T = TypeVar("T")


class SimulationFailed(RuntimeError):
    """The in-process simulator or scenario stopped before the ground station was done."""


@dataclass
class InProcessWorld:
    """The simulator and the scenario of one run, and the session's ends of their links;
    the detector's markers go to ``on_marker`` once it is set."""

    fleet: SimulatedFleet
    transport: InProcessTransport
    feed: InProcessNmeaFeed
    scenario: asyncio.Task[None] | None = None
    on_marker: Callable[[CotEvent], None] | None = None
    failed: bool = False  # the simulator or the scenario failed, and :meth:`run` said so

    async def run(self, main: Coroutine[Any, Any, T], limit_s: float) -> T:
        """Run ``main`` (the ground station's part) beside the world, for at most ``limit_s``
        virtual seconds; a simulator or a scenario that fails ends it with its error
        rather than leave the station talking to a vehicle that no longer moves."""
        station = asyncio.create_task(main, name="ground station")
        parts = {t for t in (self.fleet.task, self.scenario) if t is not None}
        try:
            async with asyncio.timeout(limit_s):
                while True:
                    done, _ = await asyncio.wait(
                        {station, *parts}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if station in done:
                        return station.result()
                    for part in done:
                        parts.discard(part)
                        if part is self.fleet.task or part.exception() is not None:
                            self.failed = True
                            raise SimulationFailed(
                                f"{part.get_name()} stopped at {self.fleet.time_s:.1f} s"
                            ) from part.exception()
        finally:
            station.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await station

    def marker(self, data: bytes) -> None:
        """A detector's CoT marker, parsed as the session's sightings feed parses it."""
        if self.on_marker is not None:
            self.on_marker(parse_cot_event(data))


@contextlib.asynccontextmanager
async def in_process_world(
    mission: Path,
    scenario: Path,
    run_dir: Path,
    sim_args: tuple[str, ...],
    *,
    speedup: float,
    pre_roll_s: float = 180.0,
    prepare: Callable[[SimulatedFleet], None] | None = None,
) -> AsyncIterator[InProcessWorld]:
    """``overwatch sim MISSION --scenario SCENARIO --truth RUN_DIR/truth.jsonl --speedup
    SPEEDUP SIM_ARGS`` on the running (virtual-time) loop, its links in memory.
    ``prepare`` is handed the fleet before its links are attached (a test's faults on one
    vehicle: its own link outage, a parameter that stops it arming)."""
    loop = asyncio.get_running_loop()
    args = ["--speedup", repr(speedup), *sim_args]
    ns = simulator_arguments(load_mission(mission), mission, args)
    fleet = sim_cli.fleet_from(ns)
    fleet.lockstep(loop.time)
    if prepare is not None:
        prepare(fleet)
    transport = InProcessTransport()
    links = [InProcessLink(transport.push) for _ in fleet.vehicles]
    for vehicle, link in zip(fleet.vehicles, links, strict=True):
        vehicle.attach(link)
    if len(links) == 1:
        transport.to_vehicle = links[0].from_ground
    else:

        def to_every_vehicle(data: bytes) -> None:
            for link in links:
                link.from_ground(data)

        transport.to_vehicle = to_every_vehicle
    world = InProcessWorld(fleet, transport, InProcessNmeaFeed(loop.time))
    loaded = load_scenario(scenario)
    runner = ScenarioRunner(
        World(loaded),
        fleet.vehicles[0],
        lambda: fleet.time_s,
        patrol_feed=None,
        patrol_sink=world.feed.push,
        sightings_sink=world.marker,
        truth_path=run_dir / "truth.jsonl",
        pre_roll_s=pre_roll_s,
        team=team_of(loaded.mission, fleet.vehicles, [v.sysid for v in fleet.vehicles]),
    )
    await fleet.start(serve=False)
    task = world.scenario = asyncio.create_task(runner.run(tick_wall_s=0.02), name="scenario")
    try:
        yield world
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        runner.close()
        # a failure :meth:`InProcessWorld.run` reported is not raised a second time here
        with contextlib.suppress(Exception) if world.failed else contextlib.nullcontext():
            await fleet.stop()
