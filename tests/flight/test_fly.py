"""Fly it: upload fence, rally points and a sortie, fly every item in AUTO, land, disarm.

Once through the Python API (what ``overwatch fly`` calls) and once through
the real command line as a child process; ``--dry-run`` leaves the plan on a
disarmed vehicle. The flight's tlog replays through the ``tlog:`` transport
and pymavlink's own ``mavlogdump.py`` reads it.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

from overwatch.geo import geodesic_distance_m
from overwatch.items import Cmd, MissionItem
from overwatch.link import Link
from overwatch.link import events as ev
from overwatch.ops.flight_progress import nav_seqs
from overwatch.ops.fly import fly_sortie, prepare
from tests.flight.backends import SHORT_ROAD, VEHICLE_PATROL, Backend
from tests.flight.helpers import assert_plan_on_vehicle, ground_station, overwatch_cli, plan_of

MAVLOGDUMP = Path(sys.executable).parent / "mavlogdump.py"


def landing_point(items: tuple[MissionItem, ...]) -> tuple[float, float]:
    land = items[-1]
    assert land.command == Cmd.NAV_LAND, "the planned sortie ends with a landing"
    return land.lat_deg, land.lon_deg


async def test_full_flight_reaches_every_item_in_order(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD)
    plan = plan_of(SHORT_ROAD)
    sortie = plan.sorties[0]
    lines: list[str] = []
    async with ground_station(running) as (_link, vehicle):
        await prepare(vehicle, plan, sortie, lines.append)
        await assert_plan_on_vehicle(vehicle, plan)
        params = {
            name: await vehicle.params.get_value(name) for name in ("FS_GCS_ENABLE", "RTL_ALT_M")
        }
        assert params == {"FS_GCS_ENABLE": 1.0, "RTL_ALT_M": 40.0}

        result = await fly_sortie(vehicle, sortie.items, lines.append, timeout_s=120)

        expected = nav_seqs(sortie.items)
        assert len(expected) >= 5 and sortie.items[expected[0]].command == Cmd.NAV_TAKEOFF
        # ArduCopter sends MISSION_ITEM_REACHED for DO items too, and keeps one pending
        # index: a waypoint's is overwritten when a DO item completes at once after it
        # (measured on SITL 64a9c787). What holds: the ones heard come in mission order,
        # and every navigation item is passed, in order.
        said = "\n".join(lines)
        assert result.reached, said
        assert list(result.reached) == sorted(set(result.reached)), said
        assert set(result.reached) <= set(range(1, len(sortie.items))), said
        assert result.complete and result.passed == expected, said
        assert "AUTO" in result.modes and result.link_losses == 0
        assert result.disarmed and result.landed and not vehicle.state.armed
        state = vehicle.state
        assert state.lat_deg is not None and state.lon_deg is not None
        assert state.alt_rel_m is not None and abs(state.alt_rel_m) < 1.0
        where = landing_point(sortie.items)
        assert geodesic_distance_m(*where, state.lat_deg, state.lon_deg) < 10.0
    # one progress line per navigation item, in order: reached, or passed when its
    # MISSION_ITEM_REACHED was overwritten or lost
    done = [line for line in lines if re.match(r"item \d+ \(\w+\) (reached|passed|done)", line)]
    assert [int(line.split()[1]) for line in done] == list(expected), lines


async def test_overwatch_fly_command_flies_it_and_its_tlog_replays(
    backend: Backend, tmp_path: Path
) -> None:
    running = await backend.start(SHORT_ROAD)
    tlog = tmp_path / "flight.tlog"
    done = await overwatch_cli(
        "fly",
        str(SHORT_ROAD),
        "--connect",
        running.url,
        "--speedup",
        f"{running.speedup:g}",
        "--flight-timeout",
        "120",
        "--tlog",
        str(tlog),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    expected = nav_seqs(plan_of(SHORT_ROAD).sorties[0].items)
    printed = [
        int(m[1])
        for m in re.finditer(r"^item (\d+) \(\w+\) (reached|passed|done)", done.stdout, re.M)
    ]
    assert printed == list(expected), done.stdout
    assert "fence: uploaded and verified" in done.stdout
    assert f"flight complete: {len(expected)} of {len(expected)}" in done.stdout

    # the tlog replays through the same Link as a live vehicle
    reached: list[int] = []
    armed_seen = False
    async with Link(f"tlog:{tlog}?speed=0", heartbeat_hz=0) as replay:
        vehicle = replay.vehicle(1)

        def collect(event: ev.Event) -> None:
            nonlocal armed_seen
            if isinstance(event, ev.MissionItemReached) and event.seq not in reached:
                reached.append(event.seq)
            elif isinstance(event, ev.Heartbeat) and event.armed:
                armed_seen = True

        replay.add_listener(collect, sysid=1)
        await asyncio.wait_for(replay.ended.wait(), 30)
        assert reached and reached == sorted(set(reached))  # in mission order
        assert set(reached) <= set(range(1, len(plan_of(SHORT_ROAD).sorties[0].items)))
        assert armed_seen and not vehicle.state.armed
        assert replay.bad_packets == 0

    # and pymavlink's own reader understands it
    dump = await _mavlogdump(tlog)
    dumped = [json.loads(line)["data"]["seq"] for line in dump.splitlines() if line.strip()]
    assert list(dict.fromkeys(dumped)) == reached  # the same messages as our replay


async def _mavlogdump(tlog: Path) -> str:
    finished = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            str(MAVLOGDUMP),
            "--types",
            "MISSION_ITEM_REACHED",
            "--format",
            "json",
            str(tlog),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


async def test_dry_run_leaves_the_plan_on_a_disarmed_vehicle(
    backend: Backend, tmp_path: Path
) -> None:
    running = await backend.start(VEHICLE_PATROL)
    tlog = tmp_path / "dry.tlog"
    done = await overwatch_cli(
        "fly",
        str(VEHICLE_PATROL),
        "--connect",
        running.url,
        "--speedup",
        f"{running.speedup:g}",
        "--dry-run",
        "--tlog",
        str(tlog),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dry run" in done.stdout and "not arming" in done.stdout
    assert "armed" not in done.stdout.replace("disarmed", "")
    plan = plan_of(VEHICLE_PATROL)
    assert len(plan.sorties[0].items) > 30 and len(plan.fence_items) > 10
    async with ground_station(running, ready=False) as (_link, vehicle):
        await asyncio.sleep(0.2)
        assert vehicle.state.heartbeat_seen and not vehicle.state.armed
        assert vehicle.state.mode != "AUTO"
        await assert_plan_on_vehicle(vehicle, plan)
    # never armed, not even for a moment
    async with Link(f"tlog:{tlog}?speed=0", heartbeat_hz=0) as replay:
        heartbeats: list[ev.Heartbeat] = []
        replay.add_listener(
            lambda e: heartbeats.append(e) if isinstance(e, ev.Heartbeat) else None, sysid=1
        )
        await asyncio.wait_for(replay.ended.wait(), 30)
    assert heartbeats and not any(hb.armed for hb in heartbeats)
