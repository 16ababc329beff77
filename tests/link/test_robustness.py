"""Garbage, failing subscribers, link loss and recovery, several vehicles on one link."""

from __future__ import annotations

import asyncio
import random

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import LinkTimeout
from overwatch.link import Link, events
from tests.link.peer import PeerHost, ScriptedVehicle


async def test_one_megabyte_of_garbage_crashes_nothing(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    garbage = random.Random(42).randbytes(1_000_000)
    for start in range(0, len(garbage), 4096):
        host.inject(garbage[start : start + 4096])
    await asyncio.sleep(0)
    await vehicle.arm()  # the link still reads and writes after the garbage
    assert vehicle.state.armed
    assert link.bad_packets > 1000
    assert all(task.done() is False for task in link._tasks)


async def test_a_failing_subscriber_does_not_stop_the_link(link: Link, host: PeerHost) -> None:
    def broken(event: events.Event) -> None:
        raise RuntimeError("subscriber bug")

    link.add_listener(broken)
    heartbeats = 0

    def count(event: events.Event) -> None:
        nonlocal heartbeats
        heartbeats += isinstance(event, events.Heartbeat)

    link.add_listener(count)
    vehicle = await link.wait_vehicle(timeout_s=5)
    await vehicle.set_mode("LOITER")
    assert link.listener_errors > 0
    assert heartbeats >= 1


async def test_a_vehicle_still_booting_is_waited_for(host: PeerHost) -> None:
    # ArduCopter takes commands while it starts up, then sets its initial mode over them:
    # the link hands the vehicle out only once its heartbeat says it has booted
    host.vehicle.system_status = mavlink.MAV_STATE_BOOT
    port = await host.serve_tcp()
    async with Link(f"tcp:127.0.0.1:{port}") as link:
        with pytest.raises(LinkTimeout, match=r"vehicle 1 .* was still booting"):
            await link.wait_vehicle(timeout_s=0.5)
        waiting = asyncio.create_task(link.wait_vehicle(timeout_s=10))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        host.vehicle.system_status = mavlink.MAV_STATE_STANDBY
        vehicle = await waiting
        assert vehicle.sysid == 1 and vehicle.state.system_status == mavlink.MAV_STATE_STANDBY


async def test_link_lost_and_recovered(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    changes = vehicle.events(events.LinkLost, events.LinkRecovered)
    host.vehicle.silent = True
    lost = await asyncio.wait_for(anext(changes), 3)
    assert isinstance(lost, events.LinkLost) and lost.sysid == 1
    assert lost.silent_s > link.link_lost_after_s
    assert vehicle.state.link_lost
    host.vehicle.silent = False
    back = await asyncio.wait_for(anext(changes), 3)
    await changes.aclose()
    assert isinstance(back, events.LinkRecovered)
    assert back.outage_s >= link.link_lost_after_s
    assert not vehicle.state.link_lost


async def test_two_vehicles_on_one_link_are_kept_apart() -> None:
    host = PeerHost(ScriptedVehicle(sysid=1), ScriptedVehicle(sysid=2, seed=2))
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}") as link:
            await asyncio.wait_for(_both_heard(link), 5)
            one, two = link.vehicle(1), link.vehicle(2)
            await one.arm()
            await two.set_mode("GUIDED")
            assert (host.vehicles[0].armed, host.vehicles[1].armed) == (True, False)
            assert (one.state.armed, two.state.armed) == (True, False)
            assert (one.state.mode, two.state.mode) == ("STABILIZE", "GUIDED")
            assert [v.sysid for v in (one, two)] == [1, 2]
            assert sorted(link.vehicles) == [1, 2]
    finally:
        await host.close()


async def _both_heard(link: Link) -> None:
    while not all(
        sysid in link.vehicles and link.vehicles[sysid].state.heartbeat_seen for sysid in (1, 2)
    ):
        await asyncio.sleep(0.02)


async def test_link_quality_counts_sequence_gaps() -> None:
    host = PeerHost(ScriptedVehicle(heartbeat_hz=100, drop_out=0.5, seed=3))
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}") as link:
            vehicle = await link.wait_vehicle(timeout_s=5)
            await asyncio.sleep(1.0)
            assert vehicle.state.link_quality_pct(compid=1) == pytest.approx(50, abs=12)
    finally:
        await host.close()


def test_garbage_between_packets_does_not_swallow_them() -> None:
    from pymavlink.dialects.v20 import ardupilotmega as mavlink

    from overwatch.link.decode import Decoder

    rng = random.Random(5)
    codec = mavlink.MAVLink(None, srcSystem=1, srcComponent=1)
    stream = bytearray()
    for i in range(300):
        # Garbage full of false MAVLink markers, claiming lengths that overrun the packet.
        stream += bytes(rng.choice((0xFD, 0xFE, rng.randrange(256))) for _ in range(40))
        stream += mavlink.MAVLink_mission_item_reached_message(i).pack(codec)
    # A false frame near the end waits for bytes to complete it, as a live stream
    # would supply: give it some.
    stream += bytes(600)
    decoder = Decoder()
    got: list[int] = []
    at = 0
    while at < len(stream):
        step = rng.randrange(1, 300)
        got += [m.seq for m in decoder.feed(bytes(stream[at : at + step]))]
        at += step
    assert got == list(range(300))
    assert decoder.bad_packets > 300
