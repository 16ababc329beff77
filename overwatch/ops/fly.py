"""Fly a planned sortie in AUTO: upload, verify, set parameters, arm, start, follow.

The steps report through a callback so the command line can draw progress
and tests can assert what happened. A refusal stops the flight with the
vehicle's own words: the MAV_RESULT and the latest STATUSTEXT it sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from overwatch.errors import CommandRejected, LinkError
from overwatch.items import MissionItem, MissionType
from overwatch.link import Vehicle
from overwatch.link import events as ev
from overwatch.planning.model import Plan, Sortie

Report = Callable[[str], object]

#: ArduCopter FENCE_TYPE bits
FENCE_ALT_MAX = 1
FENCE_POLYGON = 4
#: ArduCopter FENCE_ACTION: 1 = RTL or land
FENCE_ACTION_RTL = 1


@dataclass(frozen=True)
class FlightResult:
    """What happened: items reached in order, and how the flight ended."""

    reached: tuple[int, ...]
    item_count: int
    landed: bool
    disarmed: bool
    duration_s: float


def flight_parameters(plan: Plan) -> dict[str, float]:
    """The fence and failsafe parameters a plan needs (ArduCopter names, its units)."""
    air = plan.mission.airspace
    ow = plan.mission.overwatch
    fence_type = FENCE_ALT_MAX | (FENCE_POLYGON if plan.fence_items else 0)
    return {
        "FENCE_ENABLE": 1.0,
        "FENCE_TYPE": float(fence_type),
        "FENCE_ACTION": float(FENCE_ACTION_RTL),
        "FENCE_ALT_MAX": float(air.max_alt_agl_m),
        "FS_GCS_ENABLE": 1.0,
        "RTL_ALT": float(round(ow.altitude_agl_m * 100)),  # centimetres
        "WPNAV_SPEED": float(round(plan.mission.vehicle.cruise_speed_m_s * 100)),  # cm/s
    }


async def prepare(vehicle: Vehicle, plan: Plan, sortie: Sortie, report: Report) -> None:
    """Upload and verify fence, rally and mission; set the parameters the plan needs."""
    for name, items, kind in (
        ("fence", plan.fence_items, MissionType.FENCE),
        ("rally points", plan.rally_items, MissionType.RALLY),
        (f"mission for sortie {sortie.index + 1}", sortie.items, MissionType.MISSION),
    ):
        report(f"uploading {name} ({len(items)} items)…")
        await vehicle.mission.upload(list(items), kind, verify=True)
        report(f"{name}: uploaded and verified")
    for name, value in flight_parameters(plan).items():
        resolved = await vehicle.params.resolve(name)
        stored = await vehicle.params.set(resolved, value)
        report(f"parameter {resolved} = {stored:g}")


async def fly_sortie(
    vehicle: Vehicle,
    items: tuple[MissionItem, ...],
    report: Report,
    *,
    timeout_s: float = 3600.0,
) -> FlightResult:
    """Arm in GUIDED, start the mission, and follow it until landed and disarmed."""
    started = time.monotonic()
    reached: list[int] = []
    item_count = len(items)
    done = asyncio.Event()
    landed_seen = False

    def on_event(event: ev.Event) -> None:
        nonlocal landed_seen
        if isinstance(event, ev.MissionItemReached) and event.seq not in reached:
            reached.append(event.seq)
            report(f"reached item {event.seq} of {item_count - 1}")
        elif isinstance(event, ev.StatusText):
            report(f"vehicle: {event.text}")
        elif isinstance(event, ev.Heartbeat) and not event.armed and reached:
            done.set()
        elif (
            isinstance(event, ev.ExtendedSysState)
            and event.landed_state_name.endswith("ON_GROUND")
            and reached
        ):
            landed_seen = True

    remove = vehicle.link.add_listener(on_event, sysid=vehicle.sysid)
    try:
        await _refusal_words(vehicle, vehicle.set_mode("GUIDED"))
        report("mode GUIDED")
        await _refusal_words(vehicle, vehicle.arm())
        report("armed")
        await _refusal_words(vehicle, vehicle.start_mission())
        report("mission started")
        try:
            async with asyncio.timeout(timeout_s):
                await done.wait()
        except TimeoutError:
            raise LinkError(f"the flight did not end within {timeout_s:g} s") from None
    finally:
        remove()
    report("landed and disarmed")
    return FlightResult(
        reached=tuple(reached),
        item_count=item_count,
        landed=landed_seen or not vehicle.state.armed,
        disarmed=not vehicle.state.armed,
        duration_s=time.monotonic() - started,
    )


async def _refusal_words(vehicle: Vehicle, command: Awaitable[object]) -> None:
    """Await ``command``; if refused, add what the vehicle said in STATUSTEXT."""
    before = {id(t) for t in vehicle.state.status_texts}
    try:
        await command
    except CommandRejected as exc:
        await asyncio.sleep(0.2)  # the STATUSTEXT explaining a refusal may trail the ack
        said = [t.text for t in vehicle.state.status_texts if id(t) not in before]
        if said and not exc.detail:
            raise CommandRejected(exc.command, exc.result, exc.result_name, said[-1]) from None
        raise
