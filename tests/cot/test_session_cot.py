"""The live session shares its picture with TAK: real UDP on loopback, XML decoded."""

from __future__ import annotations

import asyncio
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from simulator.fleet import SimulatedFleet, VehicleSpec
from simulator.scenario.publish import nmea_fix

MISSION = Path(__file__).resolve().parents[2] / "missions" / "vehicle-patrol.yaml"


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


async def _share(tmp_path: Path) -> list[ET.Element]:
    geometry = MissionGeometry.of(load_mission(MISSION))
    site = geometry.mission.launch.site
    tak = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tak.bind(("127.0.0.1", 0))
    tak.setblocking(False)
    feed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    feed.bind(("127.0.0.1", 0))
    feed_port = feed.getsockname()[1]
    feed.close()
    fleet = SimulatedFleet(
        home=(site.lat_deg, site.lon_deg, 272.0),
        base_port=0,
        gps_fix_delay_s=0.5,
        ekf_gps_delay_s=1.0,
        speedup=5.0,
    )
    async with fleet:
        session = LiveSession(
            geometry,
            SessionConfig(
                connect=fleet.urls[0],
                patrol_feed=f"nmea+udp://127.0.0.1:{feed_port}",
                cot_out=f"udp://127.0.0.1:{tak.getsockname()[1]}",
                run_dir=tmp_path,
            ),
        )
        await session.start()
        try:
            assert session.vehicle is not None
            await session.vehicle.wait_ready(timeout_s=20)
            sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            start = geometry.mission.patrol.route[0]
            for i in range(3):
                sender.sendto(
                    nmea_fix(
                        datetime.now(UTC), start.lat_deg, start.lon_deg + i * 1e-5, 272.0, 1.0, 90.0
                    ),
                    ("127.0.0.1", feed_port),
                )
                await asyncio.sleep(0.2)
            sender.close()
            parked = (site.lat_deg + 0.002, site.lon_deg)
            await session.commands.mark_cue(parked, "vehicle", "parked")
            loop = asyncio.get_running_loop()
            events: list[ET.Element] = []
            deadline = loop.time() + 8.0
            while loop.time() < deadline:
                try:
                    data = tak.recv(65536)
                except BlockingIOError:
                    await asyncio.sleep(0.05)
                    continue
                events.append(ET.fromstring(data))
                types = {e.get("type") for e in events}
                if {"a-f-A-M-H-Q", "a-f-G-U-C"} <= types and any(
                    t and t.startswith(("a-u-G", "a-h-G")) for t in types
                ):
                    break
            return events
        finally:
            await session.close()
            tak.close()


def test_the_session_sends_drone_patrol_and_cue_markers(tmp_path: Path) -> None:
    events = asyncio.run(_share(tmp_path))
    by_type: dict[str, ET.Element] = {}
    for e in events:
        by_type.setdefault(str(e.get("type")), e)
    assert "a-f-A-M-H-Q" in by_type, "no drone (rotary-wing UAV) marker"
    assert "a-f-G-U-C" in by_type, "no patrol marker"
    cue = next(e for t, e in by_type.items() if t.startswith(("a-u-G", "a-h-G")))
    assert "parked" in (cue.findtext("detail/remarks") or "")
    for event in by_type.values():
        point = event.find("point")
        assert point is not None
        assert _decimals(point.get("lat", "")) >= 6 and _decimals(point.get("lon", "")) >= 6
        assert event.get("uid", "").startswith("overwatch-")
        assert event.get("stale", "") > event.get("time", "")
    drone = by_type["a-f-A-M-H-Q"]
    assert drone.find("detail/sensor") is not None, "the camera's view is missing"
    # a single drone's uid is its name's, as before teams; no team role in its remarks
    name = load_mission(MISSION).vehicle.name
    drones = [e for e in events if e.get("type") == "a-f-A-M-H-Q"]
    assert {e.get("uid") for e in drones} == {f"overwatch-uav-{name}"}
    assert all(e.find("detail/remarks") is None for e in drones)


RELIEF = Path(__file__).resolve().parents[2] / "missions" / "relief-patrol.yaml"


async def _share_a_team(tmp_path: Path) -> tuple[list[ET.Element], list[str]]:
    """Both drones of the relief mission, each on its own link, climbing: what TAK hears."""
    geometry = MissionGeometry.of(load_mission(RELIEF))
    sites = [d.launch for d in geometry.mission.drones]
    tak = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tak.bind(("127.0.0.1", 0))
    tak.setblocking(False)
    fleet = SimulatedFleet(
        home=(sites[0].site.lat_deg, sites[0].site.lon_deg, sites[0].alt_msl_m),
        vehicles=2,
        team=[
            VehicleSpec(home=(s.site.lat_deg, s.site.lon_deg, s.alt_msl_m), sysid=d.vehicle.sysid)
            for s, d in zip(sites, geometry.mission.drones, strict=True)
        ],
        base_port=0,
        gps_fix_delay_s=0.5,
        ekf_gps_delay_s=1.0,
        speedup=10.0,
    )
    async with fleet:
        session = LiveSession(
            geometry,
            SessionConfig(
                connect=fleet.urls[0],
                more_connects=tuple(fleet.urls[1:]),
                patrol_feed="nmea+udp://127.0.0.1:0",
                cot_out=f"udp://127.0.0.1:{tak.getsockname()[1]}",
                run_dir=tmp_path,
            ),
        )
        await session.start()
        climbs: list[asyncio.Task[None]] = []
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20.0
            while any(c.vehicle is None for c in session.crews) and loop.time() < deadline:
                await asyncio.sleep(0.05)
            for crew in session.crews:
                assert crew.vehicle is not None, f"{crew.name} never heard"
                await crew.vehicle.wait_ready(timeout_s=20)
            # each drone up by the operator's own command, addressed to it
            climbs = [
                asyncio.create_task(session.commands.addressed(i).arm_and_takeoff())
                for i in range(len(session.crews))
            ]
            events: list[ET.Element] = []
            deadline = loop.time() + 15.0
            while loop.time() < deadline:
                try:
                    data = tak.recv(65536)
                except BlockingIOError:
                    await asyncio.sleep(0.05)
                    continue
                events.append(ET.fromstring(data))
                footprints = {e.get("uid") for e in events if e.get("type") == "u-d-f"}
                if len(footprints) == 2:
                    break
            return events, [c.name for c in session.crews]
        finally:
            for climb in climbs:
                climb.cancel()
            await session.close()
            tak.close()


def test_each_drone_of_a_team_is_its_own_track_with_its_own_footprint(tmp_path: Path) -> None:
    events, names = asyncio.run(_share_a_team(tmp_path))
    assert names == ["Hexa-1", "Hexa-2"]
    drones: dict[str, ET.Element] = {}
    footprints: dict[str, ET.Element] = {}
    for e in events:
        if e.get("type") == "a-f-A-M-H-Q":
            drones[str(e.get("uid"))] = e
        elif e.get("type") == "u-d-f":
            footprints[str(e.get("uid"))] = e
    # the uids come from the drones' names (unique in a mission): the same next run
    assert set(drones) == {"overwatch-uav-Hexa-1", "overwatch-uav-Hexa-2"}
    assert set(footprints) == {"overwatch-footprint-Hexa-1", "overwatch-footprint-Hexa-2"}
    for name in names:
        drone = drones[f"overwatch-uav-{name}"]
        contact = drone.find("detail/contact")
        assert contact is not None and contact.get("callsign") == name
        assert (drone.findtext("detail/remarks") or "").startswith(f"{name}: ")
        assert drone.find("detail/sensor") is not None
    # two tracks, two places: each drone took off from its own launch site
    points = [drones[f"overwatch-uav-{n}"].find("point") for n in names]
    lons = [float(p.get("lon", "nan")) for p in points if p is not None]
    assert len(lons) == 2 and abs(lons[0] - lons[1]) > 0.05  # about 9 km apart
