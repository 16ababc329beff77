"""Two real SITL vehicles side by side: their own instance numbers, ports and system ids."""

from __future__ import annotations

import asyncio

import pytest

from overwatch.link import Link
from overwatch.link.vehicle import takeoff_tolerance_m
from overwatch.ops.fly import gcs_heartbeat_hz
from overwatch.ops.training import free_port_block
from simulator.sitl import SitlInstance
from tests.flight.test_takeoff import arm_in_guided

pytestmark = [pytest.mark.sitl]

SPEEDUP = 10.0


async def _climb(url: str, sysid: int, alt_m: float) -> float:
    async with Link(url, heartbeat_hz=gcs_heartbeat_hz(SPEEDUP)) as link:
        vehicle = await link.wait_vehicle(timeout_s=30)
        assert vehicle.sysid == sysid
        await vehicle.request_telemetry()
        await vehicle.wait_ready(timeout_s=120)
        await arm_in_guided(vehicle)
        await vehicle.takeoff_and_climb(alt_m, timeout_s=60)
        assert set(link.vehicles) == {sysid}  # each link hears its own vehicle only
        return vehicle.state.alt_rel_m or 0.0


async def test_two_sitl_instances_fly_side_by_side() -> None:
    base = free_port_block(15)  # instance i serves base + 10·i … + 10·i + 4
    first, second = (
        SitlInstance(home=(13.5, 2.1, 220.0, 0.0), instance=i, speedup=SPEEDUP, base_port=base)
        for i in (0, 1)
    )
    assert (first.port, second.port) == (base, base + 10)
    assert (first.sysid, second.sysid) == (1, 2)
    try:
        await asyncio.gather(first.start(timeout_s=90), second.start(timeout_s=90))
        alts = await asyncio.gather(_climb(first.url, 1, 20.0), _climb(second.url, 2, 30.0))
    finally:
        await asyncio.gather(first.stop(), second.stop())
    assert alts[0] >= 20.0 - takeoff_tolerance_m(20.0)
    assert alts[1] >= 30.0 - takeoff_tolerance_m(30.0)
