"""GUIDED takeoff: climb to the height before any setpoint, and say why when it fails.

ArduCopter drops a GUIDED takeoff at the first position target, and a vehicle
still on the ground then stays there until it disarms (measured on SITL
64a9c787): :meth:`Vehicle.takeoff_and_climb` is what the live session waits on.
"""

from __future__ import annotations

import asyncio

import pytest

from overwatch.errors import CommandRejected, TakeoffFailed
from overwatch.link import Vehicle
from overwatch.link.vehicle import takeoff_tolerance_m
from overwatch.ops.headless import RunOutcome
from tests.flight.backends import SHORT_ROAD, Backend
from tests.flight.helpers import ground_station


async def arm_in_guided(vehicle: Vehicle, attempts: int = 60) -> None:
    """Arm in GUIDED, again while the vehicle still says 'not yet' (SITL just after boot)."""
    await vehicle.set_mode("GUIDED")
    for _ in range(attempts):
        try:
            await vehicle.arm()
            return
        except CommandRejected:
            await asyncio.sleep(0.5)
    await vehicle.arm()


async def test_takeoff_returns_once_at_height(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD)
    async with ground_station(running) as (_link, vehicle):
        await arm_in_guided(vehicle)
        await vehicle.takeoff_and_climb(25.0, timeout_s=60, stall_s=20)
        alt = vehicle.state.alt_rel_m
        assert alt is not None and alt >= 25.0 - takeoff_tolerance_m(25.0)
        assert vehicle.state.armed and vehicle.state.mode == "GUIDED"
        # climbing again to the same height is already done
        await vehicle.takeoff_and_climb(25.0, timeout_s=5)


async def test_takeoff_of_a_disarmed_vehicle_says_so(builtin: Backend) -> None:
    running = await builtin.start(SHORT_ROAD)
    async with ground_station(running) as (_link, vehicle):
        await vehicle.set_mode("GUIDED")
        with pytest.raises(TakeoffFailed, match=r"takeoff\(25 m\): the vehicle is disarmed"):
            await vehicle.takeoff_and_climb(25.0, timeout_s=10)


async def test_a_climb_that_ends_in_another_mode_fails_in_the_vehicles_words(
    builtin: Backend,
) -> None:
    running = await builtin.start(SHORT_ROAD)
    async with ground_station(running) as (_link, vehicle):
        await arm_in_guided(vehicle)
        climb = asyncio.create_task(vehicle.takeoff_and_climb(60.0, timeout_s=60, stall_s=20))
        while (vehicle.state.alt_rel_m or 0.0) < 3.0:
            await asyncio.sleep(0.01)
        await vehicle.set_mode("LOITER")  # the operator's transmitter, say
        with pytest.raises(TakeoffFailed, match="left GUIDED for LOITER") as failed:
            await climb
        assert "attempt" in str(failed.value)


def test_a_run_that_never_flew_is_no_success() -> None:
    grounded = RunOutcome("patrol arrived", 0.0, 0, landed=True, airborne=False)
    assert grounded.problems() == ["the drone never got airborne, so nothing was watched"]
    lost = RunOutcome("patrol arrived", 0.9, 2, landed=False, link_lost=True)
    assert "the link to the vehicle was lost" in lost.problems()
    assert "the drone was not seen to land and disarm" in lost.problems()
    assert RunOutcome("patrol arrived", 0.97, 3, landed=True).problems() == []
