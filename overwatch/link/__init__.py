"""The MAVLink link layer: transports, typed events, state, commands, missions, params, tlog.

Typical use::

    async with Link("tcp:127.0.0.1:5760") as link:
        vehicle = await link.wait_vehicle()
        await vehicle.request_telemetry()
        await vehicle.wait_ready(timeout_s=60)
        await vehicle.set_mode("GUIDED")
        await vehicle.arm()
        await vehicle.takeoff(30.0)

See docs/link.md.
"""

from overwatch.link import events
from overwatch.link.link import Link
from overwatch.link.modes import COPTER_MODES, mode_name, mode_number
from overwatch.link.state import VehicleState
from overwatch.link.tlog import TlogWriter, read_tlog
from overwatch.link.transports import Transport, open_transport
from overwatch.link.vehicle import DEFAULT_TELEMETRY_HZ, Vehicle

__all__ = [
    "COPTER_MODES",
    "DEFAULT_TELEMETRY_HZ",
    "Link",
    "TlogWriter",
    "Transport",
    "Vehicle",
    "VehicleState",
    "events",
    "mode_name",
    "mode_number",
    "open_transport",
    "read_tlog",
]
