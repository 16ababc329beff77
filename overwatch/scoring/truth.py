"""The ground-truth log a scenario run writes (``truth.jsonl``), read for scoring.

One JSON object per line, ``what`` says which (see
``simulator/scenario/runner.py``, the writer):

- ``threat``: ``truth_id``, ``kind``, ``lat_deg``, ``lon_deg`` (where it first
  stands), ``appear_s``, ``station_m`` (closest station on the route) and
  ``patrol_arrival_s`` (when the real patrol reaches that station);
- ``patrol``: ``t_s``, ``lat_deg``, ``lon_deg``, ``station_m``, ``off_route_m``, ``reporting``;
- ``drone``: ``t_s``, ``lat_deg``, ``lon_deg``, ``alt_rel_m``, ``yaw_deg`` (camera
  bearing, clockwise from north), ``gimbal_pitch_deg`` (negative below the horizon);
- ``sighting``: ``t_s``, ``truth_id``, ``kind``, ``lat_deg``, ``lon_deg``, ``sigma_m`` —
  what the stand-in detector reported, with the threat it really was;
- ``feed_fault``: ``t_s``, ``fault`` — ``outlier`` (with ``lat_deg``, ``lon_deg``
  as sent, ``offset_m``, ``bearing_deg``) or ``bad_sentence`` (the fix went out
  corrupted): a patrol fix the scenario sent wrong, whose ``patrol`` record keeps
  the true position.

``t_s`` is scenario time: seconds since the patrol's planned start. Unknown
``what`` values are skipped, so the writer may add records.

With a team, the first drone's records are a lone drone's; the other drones' ``drone``,
``sighting`` and ``pickup`` records carry their ``sysid``. Their tracks are kept apart
(:attr:`TruthLog.team_rows`): the score's drone is the first one; every drone's
sightings count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from overwatch.errors import RunDirError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ThreatTruth:
    """A threat as the scenario placed it (degrees, scenario seconds, metres along the route)."""

    truth_id: str
    kind: str
    lat_deg: float
    lon_deg: float
    appear_s: float
    station_m: float
    patrol_arrival_s: float


@dataclass(frozen=True)
class SightingTruth:
    """One report of the stand-in detector and the threat it really was."""

    t_s: float
    truth_id: str
    kind: str
    lat_deg: float
    lon_deg: float
    sigma_m: float


_DRONE_FIELDS = ("t_s", "lat_deg", "lon_deg", "alt_rel_m", "yaw_deg", "gimbal_pitch_deg")
_PATROL_FIELDS = ("t_s", "lat_deg", "lon_deg", "station_m", "off_route_m")


@dataclass(frozen=True, eq=False)
class TruthLog:
    """The parts of a ground-truth log the score and the after-action bundle need.

    ``drone_rows`` columns: ``t_s, lat_deg, lon_deg, alt_rel_m, yaw_deg,
    gimbal_pitch_deg``; ``patrol_rows`` columns: ``t_s, lat_deg, lon_deg,
    station_m, off_route_m``. Rows are in time order. ``torn_lines`` counts
    a last line cut short (a simulator killed mid-write): it is left out.
    ``team_rows`` holds the other drones' tracks of a team, by sysid, in the
    columns of ``drone_rows``.
    """

    threats: tuple[ThreatTruth, ...]
    drone_rows: FloatArray
    patrol_rows: FloatArray
    sightings: tuple[SightingTruth, ...] = ()
    torn_lines: int = 0
    team_rows: dict[int, FloatArray] = field(default_factory=dict)

    @property
    def patrol_t_s(self) -> FloatArray:
        return self.patrol_rows[:, 0]

    @property
    def patrol_station_m(self) -> FloatArray:
        return self.patrol_rows[:, 3]

    @property
    def end_s(self) -> float:
        """The last scenario time the log speaks of, seconds."""
        return float(max(self.patrol_rows[-1, 0], self.drone_rows[-1, 0]))

    @classmethod
    def read(cls, path: Path) -> TruthLog:
        """Read ``truth.jsonl``; a malformed line raises :class:`RunDirError` with its number.

        A last line with no newline that is not JSON is what a writer killed
        mid-line leaves: it is left out and counted in ``torn_lines``, and
        every record before it is kept.
        """
        threats: list[ThreatTruth] = []
        drone: list[list[float]] = []
        team: dict[int, list[list[float]]] = {}
        patrol: list[list[float]] = []
        sightings: list[SightingTruth] = []
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RunDirError(f"{path}: cannot read the ground-truth log: {exc}") from None
        lines = text.split("\n")
        torn = 0
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    if number == len(lines):  # no newline after it: cut short
                        torn += 1
                        continue
                    raise
                if not isinstance(record, dict):
                    raise TypeError("not a JSON object")
                what = record["what"]
                if what == "threat":
                    threats.append(_threat(record))
                elif what == "drone":
                    row = [float(record[k]) for k in _DRONE_FIELDS]
                    if "sysid" in record:  # another drone of the team
                        team.setdefault(int(record["sysid"]), []).append(row)
                    else:
                        drone.append(row)
                elif what == "patrol":
                    patrol.append([float(record[k]) for k in _PATROL_FIELDS])
                elif what == "sighting":
                    sightings.append(_sighting(record))
            except json.JSONDecodeError as exc:
                raise RunDirError(
                    f"{path}:{number}: not JSON ({exc.msg}; expected one ground-truth record)"
                ) from None
            except KeyError as exc:
                raise RunDirError(
                    f"{path}:{number}: field {exc} is missing (expected a ground-truth record "
                    "with 'what' = threat, patrol, drone or sighting)"
                ) from None
            except (ValueError, TypeError) as exc:
                raise RunDirError(f"{path}:{number}: not a ground-truth record ({exc})") from None
        if not patrol:
            raise RunDirError(f"{path}: no 'patrol' records (expected the patrol's true track)")
        if not drone:
            raise RunDirError(f"{path}: no 'drone' records (expected the drone's true track)")
        d = np.asarray(drone, dtype=float)
        p = np.asarray(patrol, dtype=float)
        return cls(
            tuple(threats),
            d[np.argsort(d[:, 0], kind="stable")],
            p[np.argsort(p[:, 0], kind="stable")],
            tuple(sightings),
            torn,
            {sysid: _in_time_order(rows) for sysid, rows in sorted(team.items())},
        )


def _in_time_order(rows: list[list[float]]) -> FloatArray:
    a = np.asarray(rows, dtype=float)
    return a[np.argsort(a[:, 0], kind="stable")]


def _threat(r: dict[str, Any]) -> ThreatTruth:
    return ThreatTruth(
        str(r["truth_id"]),
        str(r["kind"]),
        float(r["lat_deg"]),
        float(r["lon_deg"]),
        float(r["appear_s"]),
        float(r["station_m"]),
        float(r["patrol_arrival_s"]),
    )


def _sighting(r: dict[str, Any]) -> SightingTruth:
    return SightingTruth(
        float(r["t_s"]),
        str(r["truth_id"]),
        str(r["kind"]),
        float(r["lat_deg"]),
        float(r["lon_deg"]),
        float(r["sigma_m"]),
    )
