"""Mission Planner / MAVProxy ``.waypoints`` files (``QGC WPL 110``).

One header line, then one tab-separated line per item::

    seq  current  frame  command  p1  p2  p3  p4  lat_deg  lon_deg  alt_m  autocontinue

Item 0 is home (``current`` 1, frame 0, altitude MSL). Frames are written in
their float form (``GLOBAL_RELATIVE_ALT_INT`` 6 → 3), as the file holds floats. Degrees are written
with 8 decimals (about 1 mm); NaN params are written ``NaN``, which both
Python's ``float`` and .NET's parser accept. pymavlink's ``MAVWPLoader``,
MAVProxy's ``wp load`` and Mission Planner read these files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from overwatch.errors import FormatError
from overwatch.formats._common import read_text, write_text
from overwatch.items import MissionItem, MissionType

HEADER = "QGC WPL 110"
_FIELDS = ("seq", "current", "frame", "command", "param1", "param2", "param3", "param4",
           "latitude", "longitude", "altitude", "autocontinue")  # fmt: skip


def waypoints_text(items: Sequence[MissionItem]) -> str:
    """The file text for ``items`` (item 0 must be home, as in :attr:`Sortie.items`)."""
    lines = [HEADER]
    for seq, item in enumerate(items):
        values = [
            str(seq),
            "1" if seq == 0 else "0",
            str(int(item.normalised().frame)),
            str(int(item.command)),
            *(_num(v, 6) for v in (item.param1, item.param2, item.param3, item.param4)),
            _num(item.lat_deg, 8),
            _num(item.lon_deg, 8),
            _num(item.alt_m, 6),
            "1" if item.autocontinue else "0",
        ]
        lines.append("\t".join(values))
    return "\n".join(lines) + "\n"


def write_waypoints(items: Sequence[MissionItem], path: Path) -> Path:
    """Write ``items`` (home first) as a ``.waypoints`` file; returns ``path``."""
    return write_text(path, waypoints_text(items))


def read_waypoints(path: Path | str) -> tuple[MissionItem, ...]:
    """Read a ``QGC WPL 110`` file into mission items (home first).

    Raises :class:`FormatError` naming the file, the line and the field when the
    header, the field count, a number or the sequence is wrong.
    """
    path = Path(path)
    lines = read_text(path, ".waypoints").splitlines()
    if not lines or lines[0].strip() != HEADER:
        found = repr(lines[0].strip()[:40]) if lines else "an empty file"
        raise FormatError(f"{path}:1: header is {found}; expected {HEADER!r}")
    items: list[MissionItem] = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) != len(_FIELDS):
            raise FormatError(
                f"{path}:{lineno}: found {len(fields)} fields; expected {len(_FIELDS)} "
                f"({' '.join(_FIELDS)}), separated by tabs"
            )
        seq = _int(path, lineno, fields, 0)
        if seq != len(items):
            raise FormatError(f"{path}:{lineno}: seq is {seq}; expected {len(items)}")
        values = [_float(path, lineno, fields, k) for k in range(4, 11)]
        items.append(
            MissionItem(
                command=_int(path, lineno, fields, 3),
                frame=_int(path, lineno, fields, 2),
                param1=values[0],
                param2=values[1],
                param3=values[2],
                param4=values[3],
                lat_deg=values[4],
                lon_deg=values[5],
                alt_m=values[6],
                autocontinue=_int(path, lineno, fields, 11) != 0,
                mission_type=MissionType.MISSION,
            )
        )
    if not items:
        raise FormatError(f"{path}: no items after the header; expected at least home (seq 0)")
    return tuple(items)


def _num(value: float, decimals: int) -> str:
    if math.isnan(value):
        return "NaN"
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _int(path: Path, lineno: int, fields: list[str], k: int) -> int:
    try:
        return int(fields[k])
    except ValueError:
        raise FormatError(
            f"{path}:{lineno}: {_FIELDS[k]} is {fields[k]!r}; expected an integer"
        ) from None


def _float(path: Path, lineno: int, fields: list[str], k: int) -> float:
    try:
        return float(fields[k])
    except ValueError:
        raise FormatError(
            f"{path}:{lineno}: {_FIELDS[k]} is {fields[k]!r}; expected a number"
        ) from None
