"""Fly it on a bad link: loss, latency and duplication; an outage; a megabyte of garbage.

Faults come from the built-in simulator's own injector (times in simulated
seconds) or, for SITL, from the same injector in the proxy in front of it.
The outage is a cut of the proxy (the cable), the same on both backends.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.link import events as ev
from overwatch.link.decode import Decoder
from overwatch.ops.flight_progress import nav_seqs
from overwatch.ops.fly import fly_sortie, prepare
from simulator.cli import build_parser, faults_from
from simulator.faults import LinkFaults
from tests.flight.backends import SHORT_ROAD, Backend, fault_args
from tests.flight.helpers import (
    LOSSY_LOOPBACK,
    assert_plan_on_vehicle,
    ground_station,
    plan_of,
    until,
)


def is_increasing(seqs: tuple[int, ...]) -> bool:
    return all(a < b for a, b in itertools.pairwise(seqs))


async def test_flight_survives_loss_latency_and_duplication(backend: Backend) -> None:
    faults = LinkFaults(loss_up_pct=20, loss_down_pct=20, latency_ms=200, duplicate_pct=10, seed=11)
    running = await backend.start(SHORT_ROAD, faults=faults)
    plan = plan_of(SHORT_ROAD)
    sortie = plan.sorties[0]
    lines: list[str] = []
    async with ground_station(running, tuning=LOSSY_LOOPBACK) as (_link, vehicle):
        await prepare(vehicle, plan, sortie, lines.append)  # uploads are verified by download
        result = await fly_sortie(vehicle, sortie.items, lines.append, timeout_s=120)
        quality_pct = vehicle.state.link_quality_pct()
    expected = nav_seqs(sortie.items)
    assert result.passed == expected, "\n".join(lines)  # every item done, in order
    # ArduCopter reports DO items reached too (see test_fly)
    assert is_increasing(result.reached)
    assert set(result.reached) <= set(range(1, len(sortie.items)))
    assert result.reached, "some MISSION_ITEM_REACHED must get through 20 % loss"
    assert result.disarmed and result.landed and "AUTO" in result.modes
    assert quality_pct < 92.0, f"the link lost {100 - quality_pct:.0f} % only: faults not applied?"


async def test_a_vehicle_that_disarms_before_the_start_reaches_it_is_armed_again(
    backend: Backend,
) -> None:
    """The cable is cut just after the arm, longer than DISARM_DELAY but shorter than the
    GCS failsafe: the vehicle disarms on the ground, and MISSION_START (re-sent once the
    cable is back) finds it disarmed. The flight arms and starts again, and flies."""
    running = await backend.start(SHORT_ROAD)
    plan = plan_of(SHORT_ROAD)
    sortie = plan.sorties[0]
    lines: list[str] = []
    async with ground_station(running) as (_link, vehicle):
        await prepare(vehicle, plan, sortie, lines.append)
        disarm_delay_s = await vehicle.params.get("DISARM_DELAY")  # vehicle seconds
        failsafe_after_s = await vehicle.params.get("FS_GCS_TIMEOUT")
        cut_s = disarm_delay_s + 3.0
        assert cut_s < failsafe_after_s  # the vehicle disarms by itself, not by the failsafe
        loop = asyncio.get_running_loop()

        def report(line: str) -> None:
            lines.append(line)
            if line == "armed" and lines.count("armed") == 1:
                running.proxy.cut()
                loop.call_later(cut_s / running.speedup, running.proxy.restore)

        result = await fly_sortie(vehicle, sortie.items, report, timeout_s=120)
    log = "\n".join(lines)
    assert any("disarmed on the ground before it took off" in line for line in lines), log
    assert lines.count("armed") == 2, log
    assert result.passed == nav_seqs(sortie.items), log
    assert result.disarmed and result.landed and "AUTO" in result.modes


async def test_uploads_under_30_percent_loss_verify(backend: Backend) -> None:
    faults = LinkFaults(loss_up_pct=30, loss_down_pct=30, seed=5)
    # no flight: a low speed-up keeps the telemetry (and the machine) quiet
    running = await backend.start(SHORT_ROAD, faults=faults, speedup=5.0)
    plan = plan_of(SHORT_ROAD)
    lines: list[str] = []
    async with ground_station(running, tuning=LOSSY_LOOPBACK) as (_link, vehicle):
        # what `overwatch fly` does first: fence, rally and mission, each verified by
        # a download, then the parameters, each checked against the vehicle's echo
        await prepare(vehicle, plan, plan.sorties[0], lines.append)
        assert sum("uploaded and verified" in line for line in lines) == 3
        await assert_plan_on_vehicle(vehicle, plan)
        assert vehicle.state.link_quality_pct() < 85.0


async def test_outage_makes_the_vehicle_return_and_the_client_recovers(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD)
    plan = plan_of(SHORT_ROAD)
    sortie = plan.sorties[0]
    nav = nav_seqs(sortie.items)
    lines: list[str] = []
    seen: list[ev.Event] = []
    async with ground_station(running, link_lost_after_s=0.5) as (link, vehicle):
        await prepare(vehicle, plan, sortie, lines.append)
        assert await vehicle.params.get("FS_GCS_ENABLE") == 1.0
        failsafe_after_s = await vehicle.params.get("FS_GCS_TIMEOUT")  # vehicle seconds
        link.add_listener(seen.append, sysid=vehicle.sysid)
        flight = asyncio.create_task(fly_sortie(vehicle, sortie.items, lines.append, timeout_s=120))
        try:
            # past the first waypoint (its MISSION_ITEM_REACHED may be overwritten)
            await until(
                lambda: (vehicle.state.mission_current_seq or 0) > nav[1] or flight.done(),
                60,
                f"item {nav[1]} passed",
            )
            assert not flight.done() and vehicle.state.mode == "AUTO"

            running.proxy.cut()
            await until(lambda: vehicle.state.link_lost, 5, "LINK LOST")
            assert any(isinstance(e, ev.LinkLost) for e in seen)
            # stay cut well past the vehicle's GCS failsafe timeout, in its own seconds
            await asyncio.sleep(max(1.0, 3 * failsafe_after_s / running.speedup))
            assert vehicle.state.link_lost
            mark = len(seen)
            running.proxy.restore()

            await until(lambda: not vehicle.state.link_lost, 5, "link recovery")
            await until(lambda: vehicle.state.mode == "RTL", 5, "mode RTL after the outage")
            await until(
                lambda: any(isinstance(e, ev.GlobalPosition) for e in seen[mark:]),
                5,
                "fresh telemetry",
            )
            after = seen[mark:]
            recovered = [e for e in after if isinstance(e, ev.LinkRecovered)]
            assert recovered and recovered[0].outage_s >= 0.9
            assert any(isinstance(e, ev.Heartbeat) and e.mode == "RTL" for e in after)
            result = await flight
        finally:
            flight.cancel()
    assert result.modes.index("RTL") > result.modes.index("AUTO")
    assert result.link_losses >= 1 and result.disarmed
    assert nav[-1] not in result.passed, "the sortie's own landing was never flown"
    assert any(line.startswith("LINK LOST") for line in lines)
    assert any(line.startswith("link recovered") for line in lines)


def pure_garbage(seed: int, size: int = 1 << 20) -> bytes:
    """``size`` random bytes in which neither side's parser finds a valid known message.

    A 16-bit CRC lets about one random frame in 65 536 through, so some seeds
    do hold a valid message (seed 1 an ATTITUDE, seed 2 a
    SET_POSITION_TARGET_GLOBAL_INT); those are not garbage but commands, and
    are refused here. Frames of message ids the dialect does not know (their
    CRC cannot be checked) remain: receivers must drop them.
    """
    junk = random.Random(seed).randbytes(size)
    parser = mavlink.MAVLink(None)  # as the simulator parses
    parser.robust_parsing = True
    kinds = {m.get_type() for m in parser.parse_buffer(junk) or []}
    kinds |= {m.get_type() for m in Decoder().feed(junk)}  # as the link parses
    known = {k for k in kinds if k != "BAD_DATA" and not k.startswith("UNKNOWN_")}
    assert not known, f"seed {seed}: the random bytes hold valid {sorted(known)} messages"
    return junk


async def test_a_megabyte_of_garbage_breaks_nothing(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD)
    items = list(plan_of(SHORT_ROAD).sorties[0].items)
    async with ground_station(running) as (link, vehicle):
        bad_before = link.bad_packets
        running.proxy.inject_to_client(pure_garbage(5))
        running.proxy.inject_to_vehicle(pure_garbage(3))
        await running.proxy.drain()
        await until(lambda: link.bad_packets > bad_before, 10, "garbage counted as bad packets")
        heard = link.messages_received
        await until(lambda: link.messages_received > heard + 20, 10, "telemetry after garbage")
        assert running.alive()
        assert set(link.vehicles) == {vehicle.sysid}, "garbage must not invent vehicles"
        # both ends still work: a command, a parameter, a verified mission upload
        await vehicle.set_mode("GUIDED")
        assert await vehicle.params.get_value("SYSID_THISMAV") == 1.0
        await vehicle.mission.upload(items)


async def test_garbage_on_the_simulators_own_port(builtin: Backend) -> None:
    running = await builtin.start(SHORT_ROAD)
    async with ground_station(running) as (link, vehicle):
        with socket.create_connection(("127.0.0.1", running.port), timeout=5) as raw:
            raw.sendall(pure_garbage(4))
        heard = link.messages_received
        await until(lambda: link.messages_received > heard + 20, 10, "telemetry after garbage")
        assert running.alive()
        await vehicle.set_mode("LOITER")
        assert vehicle.state.mode == "LOITER"


def test_fault_options_reach_the_simulator_unchanged() -> None:
    """The faults a test asks for are the ones the simulator's command line builds."""
    faults = LinkFaults(
        loss_up_pct=20,
        loss_down_pct=30,
        latency_ms=200,
        jitter_ms=15,
        duplicate_pct=10,
        corrupt_pct=1,
        outages=((60.0, 75.5),),
        seed=11,
    )
    assert faults_from(build_parser().parse_args(fault_args(faults))) == faults
