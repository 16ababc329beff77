"""A small valid mission to mutate in error tests, and a writer for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from overwatch.errors import MissionError
from overwatch.mission import load_mission

# A short road 860 m east of a north–south border (buffer 300 m), a depot keep-out.
BASE = """\
schema_version: 1
name: test mission
patrol:
  callsign: T-1
  kind: vehicle
  start: 2026-12-03T14:00:00Z
  speed: 20 km/h
  route:
    - [14.034066, 0.424441]
    - [14.033434, 0.420738]
    - [14.032169, 0.417035]
    - [14.031898, 0.413795]
    - [14.030000, 0.405000]
vehicle:
  name: Hexa-1
  cruise_speed: 15 m/s
  max_speed: 20 m/s
  endurance: 35 min
  reserve: 20 %
launch:
  site: {lat: 14.027288, lon: 0.411480}
  alt_msl: 238 m
airspace:
  keep_out:
    - name: fuel depot
      polygon:
        - [14.031446, 0.408055]
        - [14.032350, 0.408055]
        - [14.032350, 0.406389]
        - [14.031446, 0.406389]
  border:
    name: Niger–Burkina Faso
    buffer: 300 m
    line:
      - [14.057114, 0.380928]
      - [14.040846, 0.392039]
      - [14.030000, 0.396668]
      - [14.018250, 0.400371]
      - [14.002885, 0.406851]
  altitude: {min: 30 m, max: 120 m}
overwatch:
  strategy: lead
  altitude: 80 m
"""


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def write(tmp_path: Path, text: str, name: str = "mission.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mutate(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def load_error(tmp_path: Path, text: str) -> MissionError:
    """Load ``text`` as a mission file and return the MissionError it must raise."""
    with pytest.raises(MissionError) as info:
        load_mission(write(tmp_path, text))
    return info.value
