"""The vehicles the flight tests fly: the built-in simulator, or real ArduPilot SITL.

A :class:`Backend` starts a vehicle homed at a mission's launch site and
returns a :class:`RunningVehicle`: the URL a ground station connects to
(always through a :class:`~tests.flight.proxy.LinkProxy`, the cable a test
can cut or feed garbage into), the vehicle's own TCP port, its speed-up
and whether its process is still alive.

Link faults (:class:`simulator.faults.LinkFaults`) are applied by the
built-in simulator itself (``--loss-up`` …, in simulated time); SITL has no
injector, so the proxy applies the same faults in front of it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from overwatch.mission import load_mission
from overwatch.ops.training import SimProcess, free_port_block
from simulator.failsafes import gcs_failsafe_timeout_s
from simulator.faults import LinkFaults
from simulator.sitl import SitlInstance
from tests.flight.proxy import LinkProxy

REPO = Path(__file__).resolve().parents[2]
#: A 3 km patrol road: one short sortie of six navigation items (about 320 simulated s).
SHORT_ROAD = Path(__file__).resolve().parent / "short-road.yaml"
VEHICLE_PATROL = REPO / "missions" / "vehicle-patrol.yaml"


def fault_args(faults: LinkFaults) -> list[str]:
    """The ``python -m simulator`` options that ask for ``faults``."""
    args = [
        "--loss-up",
        repr(faults.loss_up_pct),
        "--loss-down",
        repr(faults.loss_down_pct),
        "--latency-ms",
        repr(faults.latency_ms),
        "--jitter-ms",
        repr(faults.jitter_ms),
        "--duplicate",
        repr(faults.duplicate_pct),
        "--corrupt",
        repr(faults.corrupt_pct),
        "--seed",
        str(faults.seed),
    ]
    for start, end in faults.outages:
        args += ["--outage", f"{start!r}:{end!r}"]
    return args


class _Process(Protocol):
    def alive(self) -> bool: ...

    async def stop(self) -> None: ...


@dataclass
class RunningVehicle:
    """One started vehicle. ``url`` goes through ``proxy``; ``port`` is the vehicle's own."""

    backend: str
    speedup: float
    home: tuple[float, float, float]
    port: int
    proxy: LinkProxy
    process: _Process

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def direct_url(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    @property
    def watch_url(self) -> str:
        """A second MAVLink port on the same vehicle, for a watcher beside the ground
        station: SITL's serial1; the built-in simulator serves more than one client."""
        return f"tcp:127.0.0.1:{self.port + 2 if self.backend == 'sitl' else self.port}"

    def alive(self) -> bool:
        return self.process.alive()

    async def stop(self) -> None:
        await self.proxy.close()
        await self.process.stop()


class _SimChild:
    def __init__(self, sim: SimProcess) -> None:
        self.sim = sim

    def alive(self) -> bool:
        return self.sim.process is not None and self.sim.process.poll() is None

    async def stop(self) -> None:
        await asyncio.to_thread(self.sim.stop)


class _SitlChild:
    def __init__(self, sitl: SitlInstance) -> None:
        self.sitl = sitl

    def alive(self) -> bool:
        return self.sitl.running

    async def stop(self) -> None:
        await self.sitl.stop()


@dataclass
class Backend:
    """Starts vehicles of one kind and stops them all in :meth:`close`.

    ``speedup`` is the default simulated time per wall time for this
    backend: as fast as it flies reliably on a small machine.
    """

    name: str
    run_dir: Path
    speedup: float
    started: list[RunningVehicle] = field(default_factory=list)

    async def start(
        self,
        mission: Path = SHORT_ROAD,
        *,
        speedup: float | None = None,
        faults: LinkFaults | None = None,
        ekf_delay_s: float = 1.0,
        params: dict[str, float] | None = None,
    ) -> RunningVehicle:
        """A vehicle homed at ``mission``'s launch site, ready to be connected to.

        ``params`` are set at boot; FS_GCS_TIMEOUT defaults to
        :func:`gcs_failsafe_timeout_s`. ``ekf_delay_s``: simulated seconds from
        boot until the EKF uses GPS (the built-in simulator only; SITL takes
        what it takes).
        """
        speedup = self.speedup if speedup is None else speedup
        params = {"FS_GCS_TIMEOUT": gcs_failsafe_timeout_s(speedup), **(params or {})}
        loaded = load_mission(mission)
        home = (loaded.launch.site.lat_deg, loaded.launch.site.lon_deg, loaded.launch.alt_msl_m)
        if self.name == "builtin":
            running = await self._start_builtin(mission, home, speedup, faults, ekf_delay_s, params)
        else:
            running = await self._start_sitl(home, speedup, faults, params)
        self.started.append(running)
        return running

    async def _start_builtin(
        self,
        mission: Path,
        home: tuple[float, float, float],
        speedup: float,
        faults: LinkFaults | None,
        ekf_delay_s: float,
        params: dict[str, float] | None,
    ) -> RunningVehicle:
        extra = ["--gps-delay", repr(min(0.5, ekf_delay_s)), "--ekf-delay", repr(ekf_delay_s)]
        if faults is not None:
            extra += fault_args(faults)
        for name, value in (params or {}).items():
            extra += ["--param", f"{name}={value!r}"]
        sim = SimProcess(
            mission,
            None,
            self.run_dir / f"sim-{len(self.started)}",
            speedup=speedup,
            extra_args=tuple(extra),
        )
        await asyncio.to_thread(sim.start)
        child = _SimChild(sim)
        try:
            proxy = await LinkProxy("127.0.0.1", sim.tcp_port).start()
        except BaseException:
            await child.stop()
            raise
        return RunningVehicle("builtin", speedup, home, sim.tcp_port, proxy, child)

    async def _start_sitl(
        self,
        home: tuple[float, float, float],
        speedup: float,
        faults: LinkFaults | None,
        params: dict[str, float] | None,
    ) -> RunningVehicle:
        sitl = SitlInstance(
            home=(*home, 0.0), speedup=speedup, base_port=free_port_block(), params=params or {}
        )
        await sitl.start(timeout_s=60.0)
        child = _SitlChild(sitl)
        try:
            proxy = await LinkProxy("127.0.0.1", sitl.port, faults=faults, speedup=speedup).start()
        except BaseException:
            await child.stop()
            raise
        return RunningVehicle("sitl", speedup, home, sitl.port, proxy, child)

    async def close(self) -> None:
        for running in self.started:
            await running.stop()
        self.started.clear()


#: Default speed-ups: the built-in simulator at 50×, SITL at 10× (its physics runs at 1.2 kHz).
DEFAULT_SPEEDUP = {"builtin": 50.0, "sitl": 10.0}
