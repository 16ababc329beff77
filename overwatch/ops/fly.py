"""Fly a planned sortie in AUTO: upload, verify, set parameters, arm, start, follow.

The steps report through a callback so the command line can print progress
and tests can assert what happened. A refusal stops the flight with the
vehicle's own words: the MAV_RESULT and the STATUSTEXT it sent with it.

How the flight's progress is followed: :mod:`overwatch.ops.flight_progress`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from overwatch.errors import CommandRejected, LinkTimeout
from overwatch.items import MissionItem, MissionType
from overwatch.link import Vehicle
from overwatch.link import events as ev
from overwatch.ops.flight_progress import FlightProgress, FlightResult, Report
from overwatch.planning.model import Plan, Sortie

T = TypeVar("T")

#: ArduCopter FENCE_TYPE bits
FENCE_ALT_MAX = 1
FENCE_POLYGON = 4
#: ArduCopter FENCE_ACTION: 1 = RTL or land
FENCE_ACTION_RTL = 1

#: How long a refusal's STATUSTEXT may trail its COMMAND_ACK (s).
REFUSAL_WORDS_GRACE_S = 0.3


def gcs_heartbeat_hz(speedup: float = 1.0) -> float:
    """The ground station's HEARTBEAT rate (Hz of wall time) for a vehicle at ``speedup``.

    ArduCopter's GCS failsafe (FS_GCS_TIMEOUT, 5 s) counts the vehicle's
    seconds; a simulator at 50× real time counts them 50 times faster. Ten
    heartbeats per timeout keep a lossy link or a busy event loop from
    tripping it. ``speedup`` 1 (a real vehicle) gives 1 Hz, as MAVLink asks.
    """
    return max(1.0, 2.0 * speedup)


@dataclass(frozen=True)
class LinkTuning:
    """How hard the ground station tries: attempts and per-attempt timeouts (s).

    The link layer's defaults suit a good radio. On a lossy one each command
    and parameter write is worth more attempts, and mission items a shorter
    re-send time (each lost step otherwise costs a whole ``item_timeout_s``).
    """

    command_attempts: int = 3
    command_timeout_s: float = 1.5
    param_attempts: int = 3
    param_timeout_s: float = 1.0
    item_timeout_s: float = 1.0

    def apply(self, vehicle: Vehicle) -> None:
        vehicle.commands.attempts = self.command_attempts
        vehicle.commands.timeout_s = self.command_timeout_s
        vehicle.params.attempts = self.param_attempts
        vehicle.params.timeout_s = self.param_timeout_s
        vehicle.mission.item_timeout_s = self.item_timeout_s


#: For a link that loses a fifth of its packets or more.
LOSSY_LINK = LinkTuning(
    command_attempts=10, command_timeout_s=1.0, param_attempts=10, item_timeout_s=0.25
)


#: how many times a vehicle that disarmed before taking off is armed and started again
START_ATTEMPTS = 3


def flight_parameters(plan: Plan) -> dict[str, float]:
    """The fence and failsafe parameters a plan needs (ArduCopter 4.8 names and units;
    :meth:`~overwatch.link.params.Params.set_value` converts for older firmware)."""
    air = plan.mission.airspace
    ow = plan.mission.overwatch
    fence_type = FENCE_ALT_MAX | (FENCE_POLYGON if plan.fence_items else 0)
    return {
        "FENCE_ENABLE": 1.0,
        "FENCE_TYPE": float(fence_type),
        "FENCE_ACTION": float(FENCE_ACTION_RTL),
        "FENCE_ALT_MAX": float(air.max_alt_agl_m),
        "FS_GCS_ENABLE": 1.0,
        "RTL_ALT_M": round(ow.altitude_agl_m, 2),
        "WP_SPD": round(plan.mission.vehicle.cruise_speed_m_s, 2),
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
        stored = await vehicle.params.set_value(name, value)
        report(f"parameter {name} = {stored:g}")


async def fly_sortie(
    vehicle: Vehicle,
    items: Sequence[MissionItem],
    report: Report,
    *,
    timeout_s: float = 3600.0,
) -> FlightResult:
    """Arm in GUIDED, start the mission, and follow it until the vehicle disarms.

    Reports every navigation item as it is done, mode changes, the vehicle's
    STATUSTEXT and link losses. A refused command raises
    :class:`CommandRejected` carrying what the vehicle said;
    :class:`LinkTimeout` if the vehicle has not disarmed after ``timeout_s``
    (wall seconds).

    ArduCopter disarms a copter left on the ground for ``DISARM_DELAY`` (10 s),
    and still accepts MISSION_START when disarmed: over a bad link the start can
    arrive after that. A vehicle that disarms before it ever left the ground is
    armed and started again, up to :data:`START_ATTEMPTS` times.
    """
    started_s = time.monotonic()
    progress = FlightProgress(tuple(items), report)
    remove = vehicle.link.add_listener(progress.on_event, sysid=vehicle.sysid)
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            await in_vehicle_words(vehicle, vehicle.set_mode("GUIDED"))
            report("mode GUIDED")
            await in_vehicle_words(vehicle, vehicle.arm())
            progress.armed_seen = True
            report("armed")
            await in_vehicle_words(vehicle, vehicle.start_mission())
            progress.started = True
            report(f"mission started: {len(progress.nav)} navigation items")
            try:
                async with asyncio.timeout(timeout_s):
                    await progress.ended.wait()
            except TimeoutError:
                raise LinkTimeout(
                    f"vehicle {vehicle.sysid} still armed {timeout_s:g} s after the mission "
                    f"started (mode {vehicle.state.mode}, current item "
                    f"{vehicle.state.mission_current_seq})"
                ) from None
            if progress.left_ground or attempt == START_ATTEMPTS:
                break
            report(
                "the vehicle disarmed on the ground before it took off (DISARM_DELAY ran out "
                f"before the start reached it): arming again ({attempt + 1} of {START_ATTEMPTS})"
            )
            progress.restart()
    finally:
        remove()
    result = progress.result(vehicle, started_s)
    report(f"landed and disarmed: {len(result.passed)} of {len(result.nav_seqs)} items done")
    return result


async def in_vehicle_words(vehicle: Vehicle, command: Awaitable[T]) -> T:
    """Await ``command``; if the vehicle refuses it, add what it said in STATUSTEXT.

    ArduPilot explains a refusal ("PreArm: Need Position Estimate") in a
    STATUSTEXT sent with, or just after, the COMMAND_ACK. The raised
    :class:`CommandRejected` keeps the MAV_RESULT and carries those words in
    ``detail``.
    """
    said: list[str] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.StatusText) and event.text not in said:
            said.append(event.text)

    remove = vehicle.link.add_listener(listen, sysid=vehicle.sysid)
    try:
        try:
            return await command
        except CommandRejected as exc:
            await asyncio.sleep(REFUSAL_WORDS_GRACE_S)
            if not said:
                raise
            words = "vehicle says: " + " / ".join(said)
            detail = f"{exc.detail}; {words}" if exc.detail else words
            raise CommandRejected(exc.command, exc.result, exc.result_name, detail) from None
    finally:
        remove()
