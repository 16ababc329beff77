"""``overwatch fly`` flies the first sortie of every example mission, landing and disarming.

Run as a process against a vehicle on each backend, while the test watches the
vehicle from a second MAVLink port (SITL's serial1), as a second ground
station would: it must see the vehicle climb, fly and come back to the ground
disarmed, and the command must say so and exit 0.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from overwatch.link import Link
from overwatch.link import events as ev
from overwatch.ops.flight_progress import nav_seqs
from overwatch.ops.fly import gcs_heartbeat_hz
from tests.flight.backends import REPO, Backend
from tests.flight.helpers import overwatch_cli, plan_of

EXAMPLES = sorted(
    path for path in (REPO / "missions").glob("*.yaml") if not path.name.endswith(".scenario.yaml")
)


@pytest.mark.timeout(1800)  # a whole patrol or sortie on SITL at 10×
@pytest.mark.parametrize("mission", EXAMPLES, ids=[p.stem for p in EXAMPLES])
async def test_overwatch_fly_flies_the_first_sortie_of_each_example(
    backend: Backend, mission: Path, tmp_path: Path
) -> None:
    running = await backend.start(mission)
    sortie = plan_of(mission).sorties[0]
    highest_m = 0.0
    armed_seen = False
    disarmed_after_flight = False

    def watch(event: ev.Event) -> None:
        nonlocal highest_m, armed_seen, disarmed_after_flight
        if isinstance(event, ev.GlobalPosition):
            highest_m = max(highest_m, event.alt_rel_m)
        elif isinstance(event, ev.Heartbeat) and event.compid == 1:
            armed_seen |= event.armed
            disarmed_after_flight = armed_seen and not event.armed and highest_m > 5.0

    # the watcher is no ground station: it sends no heartbeat of its own
    async with Link(running.watch_url, heartbeat_hz=0, sysid=252) as watcher:
        vehicle = await watcher.wait_vehicle(timeout_s=30)
        watcher.add_listener(watch, sysid=vehicle.sysid)
        await vehicle.request_telemetry({"GLOBAL_POSITION_INT": 2.0 * running.speedup / 10})
        flight_s = 1.5 * sortie.flight_time_s / running.speedup + 120.0
        done = await overwatch_cli(
            "fly",
            str(mission),
            "--connect",
            running.url,
            "--speedup",
            f"{running.speedup:g}",
            "--flight-timeout",
            f"{flight_s:.0f}",
            timeout_s=flight_s + 180.0,
        )
        await asyncio.sleep(max(0.5, 20.0 / gcs_heartbeat_hz(running.speedup)))
    assert done.returncode == 0, done.stdout + done.stderr
    expected = nav_seqs(sortie.items)
    assert f"flight complete: {len(expected)} of {len(expected)}" in done.stdout, done.stdout
    printed = [
        int(m[1])
        for m in re.finditer(r"^item (\d+) \(\w+\) (reached|passed|done)", done.stdout, re.M)
    ]
    assert printed == list(expected), done.stdout
    # what the second port saw: a real flight, ending on the ground, disarmed
    flight_alt_m = max(item.alt_m for item in sortie.items[1:] if item.frame in (3, 6))
    assert highest_m >= 0.8 * flight_alt_m, highest_m
    assert disarmed_after_flight, "the watcher never saw the vehicle disarm after flying"
