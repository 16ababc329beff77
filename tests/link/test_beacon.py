"""The patrol's position goes out through the drone's link as a MAVLink system of its own."""

from __future__ import annotations

import asyncio
import socket

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.link import Link
from overwatch.link.beacon import PositionBeacon


async def test_a_beacon_sends_global_position_int_as_its_own_system_in_mavlink_units() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx:
        rx.bind(("127.0.0.1", 0))
        rx.setblocking(False)
        async with Link(f"udpout:127.0.0.1:{rx.getsockname()[1]}") as link:
            beacon = PositionBeacon(link, sysid=200)
            beacon.send(
                time_s=1796103000.25, lat_deg=13.7603623, lon_deg=-5.2424948, alt_msl_m=231.5,
                speed_m_s=4.0, course_deg=300.0,
            )  # fmt: skip
            parser = mav.MAVLink(None)
            loop = asyncio.get_running_loop()
            found = None
            while found is None:
                data = await asyncio.wait_for(loop.sock_recv(rx, 4096), 10.0)
                for msg in parser.parse_buffer(data) or []:
                    if msg.get_type() == "GLOBAL_POSITION_INT":
                        found = msg
    assert beacon.sent == 1
    assert (found.get_srcSystem(), found.get_srcComponent()) == (200, 1)
    assert (found.lat, found.lon, found.alt) == (137603623, -52424948, 231500)
    assert (found.vx, found.vy, found.vz) == (200, -346, 0)  # 4 m/s at 300°: north +, east −
    assert found.hdg == 30000
    assert found.time_boot_ms == int(1796103000.25 * 1000) & 0xFFFFFFFF
