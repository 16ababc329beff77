"""The ground crew beside a real autopilot: a fresh battery after each landing.

The built-in simulator swaps its own pack (``SIM_BATT_SWAP_S``). Beside
ArduPilot SITL the training harness plays the crew instead: once the vehicle
has been on the ground, disarmed, for ``turnaround_s`` of its own time, with a
pack that is no longer full, the crew "puts in a fresh one" by resetting the
battery monitor to 100 % (MAV_CMD_BATTERY_RESET), as the vehicle would read a
new pack. SITL's simulated battery keeps its voltage (``SIM_BATT_CAP_AH`` 0),
so the monitor's remaining capacity is what the vehicle and the ground
station see.
"""

from __future__ import annotations

import asyncio

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from simulator.watcher import MavlinkWatcher

#: a pack at or above this is taken as fresh: no swap
FULL_PCT = 97.0


class GroundCrew:
    """Swaps the battery of the vehicle ``watcher`` follows (see the module docstring)."""

    def __init__(self, watcher: MavlinkWatcher, turnaround_s: float) -> None:
        self.watcher = watcher
        self.turnaround_s = turnaround_s
        self.swaps = 0

    def _on_ground_disarmed(self) -> bool:
        alt = self.watcher.alt_rel_m
        return not self.watcher.armed and alt is not None and alt < 2.0

    async def run(self, poll_wall_s: float = 0.05) -> None:
        landed_at: float | None = None
        while True:
            now = self.watcher.time_s()
            battery = self.watcher.battery_pct
            if self._on_ground_disarmed() and battery is not None and battery < FULL_PCT:
                landed_at = now if landed_at is None else landed_at
                if now - landed_at >= self.turnaround_s:
                    self.watcher.command_long(mavlink.MAV_CMD_BATTERY_RESET, 0xFF, 100.0)
                    self.swaps += 1
                    landed_at = None
                    await asyncio.sleep(poll_wall_s * 20)  # let the new reading arrive
                    continue
            else:
                landed_at = None
            await asyncio.sleep(poll_wall_s)
