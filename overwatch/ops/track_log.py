"""The run's own record of where the patrol and the drone were: ``track.jsonl``.

A real patrol has no simulator to say where it truly was: the only truth is
its own fixes and the drone's telemetry. The session writes both to the run
directory, in the ground-truth log's JSON lines (``what`` = ``patrol`` or
``drone``, ``t_s`` in seconds from the patrol's planned start), so that
``overwatch score RUN_DIR`` scores a real run as it scores a training run:

- ``patrol``: every fix the feed accepted, with the route station the tracker put
  it at, how far off the route it was, and the fix's quality (HDOP, when the
  source gives it);
- ``drone``: the vehicle's position, height, camera heading and pitch, once a
  second of session time.

Lines go to the OS as they are written, and to the disk every
``FSYNC_EVERY_S`` seconds, so a power cut loses at most that much; a line cut
short by one is skipped when read.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import IO

from shapely.geometry import Point

from overwatch.feeds import PatrolFix
from overwatch.guidance import CameraPose, VehicleSnapshot
from overwatch.mission import MissionGeometry
from overwatch.scoring.rundir import TRACK
from overwatch.tracking import PatrolEstimate

#: seconds of session time between two drone records
DRONE_EVERY_S = 1.0
#: wall seconds between fsyncs
FSYNC_EVERY_S = 5.0


class TrackLog:
    """Appends the patrol's fixes and the drone's poses to ``run_dir/track.jsonl``."""

    def __init__(self, run_dir: Path, geometry: MissionGeometry) -> None:
        self.path = run_dir / TRACK
        self.geometry = geometry
        self._start_s = geometry.mission.patrol.start_time.timestamp()
        # opened at the first record: a session that never ran (a refused URL, say) holds
        # no file open and leaves none behind
        self._file: IO[str] | None = None
        self._closed = False
        self._synced = time.monotonic()
        self._last_drone_s: dict[int | None, float] = {}  # by sysid (None: the first drone)
        self.records = 0

    def patrol(self, fix: PatrolFix, estimate: PatrolEstimate) -> None:
        """A fix the feed accepted, where the tracker put it on the route."""
        x, y = self.geometry.frame.to_local(fix.lat_deg, fix.lon_deg)
        route = self.geometry.route
        station = estimate.station_m
        if station is None:
            station = float(route.project(Point(x, y)))
        p = route.interpolate(min(max(station, 0.0), route.length))
        record: dict[str, object] = {
            "t_s": round(fix.time_s - self._start_s, 3),
            "what": "patrol",
            "lat_deg": round(fix.lat_deg, 7),
            "lon_deg": round(fix.lon_deg, 7),
            "station_m": round(station, 2),
            "off_route_m": round(math.hypot(x - p.x, y - p.y), 2),
            "mode": estimate.mode.value,
        }
        if fix.hdop is not None:
            record["hdop"] = round(fix.hdop, 2)
        self._write(record)

    def drone(self, now_s: float, snap: VehicleSnapshot, sysid: int | None = None) -> None:
        """The drone's pose at session time ``now_s`` (at most one a second per drone);
        ``sysid`` for a team's drones after the first, whose records carry it."""
        if now_s - self._last_drone_s.get(sysid, -math.inf) < DRONE_EVERY_S:
            return
        self._last_drone_s[sysid] = now_s
        camera = CameraPose.of_vehicle(snap, self.geometry)
        record: dict[str, object] = {
            "t_s": round(now_s - self._start_s, 3),
            "what": "drone",
            "lat_deg": round(snap.lat_deg, 7),
            "lon_deg": round(snap.lon_deg, 7),
            "alt_rel_m": round(snap.alt_rel_m, 2),
            "yaw_deg": round(camera.yaw_deg, 2),
            "gimbal_pitch_deg": round(camera.pitch_deg, 2),
        }
        if sysid is not None:
            record["sysid"] = sysid
        self._write(record)

    def close(self) -> None:
        self._closed = True
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    def _write(self, record: dict[str, object]) -> None:
        if self._closed:
            return
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8", buffering=1)
        self._file.write(json.dumps(record) + "\n")
        self.records += 1
        if time.monotonic() - self._synced >= FSYNC_EVERY_S:
            os.fsync(self._file.fileno())
            self._synced = time.monotonic()


__all__ = ["DRONE_EVERY_S", "TRACK", "TrackLog"]
