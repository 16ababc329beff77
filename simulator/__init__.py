"""The built-in ArduCopter-compatible simulator.

Vehicles speak MAVLink 2 over TCP exactly as ArduCopter SITL (4.8) does, so
Overwatch flies them the way it flies a real drone. Start here:

- :class:`SimulatedFleet` — run N vehicles in one asyncio loop (``fleet.urls``); a
  :class:`VehicleSpec` per vehicle gives a team its own homes, system ids and parameters.
- :class:`LinkFaults` — loss, latency, jitter, duplication, corruption, outages.
- :class:`VehiclePose` — what ``fleet.vehicles[i].pose()`` returns to the synthetic camera.
- :mod:`simulator.sitl` — launch a real ``arducopter`` SITL binary instead.
- :func:`simulator.cli.run_sim` — the command line (``python -m simulator``).
"""

from simulator.autopilot import Autopilot, VehicleConfig
from simulator.faults import LinkFaults
from simulator.fleet import SimulatedFleet, SimulatedVehicle, VehicleSpec
from simulator.modes import Mode
from simulator.pose import VehiclePose

__all__ = [
    "Autopilot",
    "LinkFaults",
    "Mode",
    "SimulatedFleet",
    "SimulatedVehicle",
    "VehicleConfig",
    "VehiclePose",
    "VehicleSpec",
]
