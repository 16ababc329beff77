"""Ground-station helpers shared by the flight tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overwatch.items import MissionItem, MissionType, as_ardupilot_stores
from overwatch.link import Link, Vehicle
from overwatch.mission import load_mission
from overwatch.ops.fly import LinkTuning, gcs_heartbeat_hz
from overwatch.planning import Plan
from overwatch.planning import plan as make_plan
from tests.flight.backends import REPO, RunningVehicle

_plans: dict[Path, Plan] = {}

#: Retries for a lossy link to a vehicle on loopback, which answers within milliseconds.
LOSSY_LOOPBACK = LinkTuning(
    command_attempts=20,
    command_timeout_s=0.15,
    param_attempts=20,
    param_timeout_s=0.15,
    item_timeout_s=0.06,
)


def plan_of(mission: Path) -> Plan:
    """The (cached) plan of a mission file."""
    if mission not in _plans:
        _plans[mission] = make_plan(load_mission(mission))
    return _plans[mission]


@asynccontextmanager
async def ground_station(
    running: RunningVehicle,
    *,
    ready: bool = True,
    tuning: LinkTuning | None = None,
    **link_options: Any,
) -> AsyncIterator[tuple[Link, Vehicle]]:
    """A Link to ``running`` (heartbeat scaled to its speed-up) and its vehicle, telemetry on.

    ``tuning`` (retries, timeouts) applies from the first command on.
    """
    link_options.setdefault("heartbeat_hz", gcs_heartbeat_hz(running.speedup))
    async with Link(running.url, **link_options) as link:
        vehicle = await link.wait_vehicle(timeout_s=20)
        if tuning is not None:
            tuning.apply(vehicle)
        await vehicle.request_telemetry()
        if ready:
            await vehicle.wait_ready(timeout_s=120)
        yield link, vehicle


async def until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Wait (polling every 10 ms) until ``condition()``; fail the test naming ``what``."""
    try:
        async with asyncio.timeout(timeout_s):
            while not condition():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"{what} not seen within {timeout_s:g} s") from None


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


async def overwatch_cli(*args: str, timeout_s: float = 120.0) -> Finished:
    """Run ``overwatch ARGS…`` as a child process (the event loop keeps running meanwhile)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "overwatch",
        *args,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        raise AssertionError(
            f"overwatch {' '.join(args)} still running after {timeout_s:g} s:\n"
            f"{out.decode()}\n{err.decode()}"
        ) from None
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


def assert_same_items(
    kind: MissionType, sent: tuple[MissionItem, ...], got: list[MissionItem]
) -> None:
    """What the vehicle holds is what was planned (a mission's item 0 is home: not compared)."""
    assert len(got) == len(sent), f"{kind.name}: {len(got)} items on the vehicle, sent {len(sent)}"
    first = 1 if kind is MissionType.MISSION else 0
    for seq in range(first, len(sent)):
        assert as_ardupilot_stores(sent[seq]).same_as(got[seq]), (
            f"{kind.name} item {seq}: {got[seq]} != {sent[seq]}"
        )


async def assert_plan_on_vehicle(vehicle: Vehicle, plan: Plan) -> None:
    for kind, items in (
        (MissionType.FENCE, plan.fence_items),
        (MissionType.RALLY, plan.rally_items),
        (MissionType.MISSION, plan.sorties[0].items),
    ):
        assert_same_items(kind, items, await vehicle.mission.download(kind))
