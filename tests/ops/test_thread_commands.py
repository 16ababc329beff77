"""The UI's commands through the session thread reach the drone they address (issue 14 §4):
two simulated vehicles on their own links, the session on its own thread and loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from overwatch.errors import OverwatchError
from overwatch.guidance.types import OperatorOverride
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.ops.thread import SessionThread
from simulator.fleet import SimulatedFleet, VehicleSpec

RELIEF = Path(__file__).resolve().parents[2] / "missions" / "relief-patrol.yaml"


async def _commands_through_the_thread() -> list[list[OperatorOverride | None]]:
    geometry = MissionGeometry.of(load_mission(RELIEF))
    drones = geometry.mission.drones
    homes = [(d.launch.site.lat_deg, d.launch.site.lon_deg, d.launch.alt_msl_m) for d in drones]
    fleet = SimulatedFleet(
        home=homes[0],
        vehicles=2,
        team=[
            VehicleSpec(home=h, sysid=d.vehicle.sysid) for h, d in zip(homes, drones, strict=True)
        ],
        base_port=0,
        speedup=10.0,
    )
    async with fleet:
        session = LiveSession(
            geometry,
            SessionConfig(
                connect=fleet.urls[0],
                more_connects=tuple(fleet.urls[1:]),
                patrol_feed="nmea+udp://127.0.0.1:0",
            ),
        )
        thread = SessionThread(session)
        await asyncio.to_thread(thread.start)  # the fleet's loop runs on meanwhile
        assert thread.error is None
        guidance = [crew.controller.guidance for crew in session.crews]
        seen: list[list[OperatorOverride | None]] = []

        def overrides() -> None:
            seen.append([g._operator for g in guidance])  # what each drone was told

        try:
            await thread.commands.addressed(1).hold()
            overrides()
            await thread.commands.hold()  # unaddressed: the drone on duty (the first)
            overrides()
            await thread.commands.addressed(1).resume()
            overrides()
            try:
                await thread.commands.addressed(2).hold()
            except OverwatchError as exc:
                assert "no drone 3: the team has 2" in str(exc)
            else:
                raise AssertionError("a third drone was addressed")
        finally:
            await asyncio.to_thread(thread.stop)
        return seen


def test_each_command_reaches_the_drone_it_addresses() -> None:
    hold = OperatorOverride.HOLD
    assert asyncio.run(_commands_through_the_thread()) == [
        [None, hold],
        [hold, hold],
        [hold, None],
    ]
