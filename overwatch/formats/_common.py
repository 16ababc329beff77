"""Small helpers shared by the exporters: file names, item positions, safe writes."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

from overwatch.errors import FormatError
from overwatch.items import Frame, MissionItem

#: frames whose items carry a position (lat/lon/alt)
POSITION_FRAMES: frozenset[int] = frozenset(
    {
        Frame.GLOBAL,
        Frame.GLOBAL_RELATIVE_ALT,
        Frame.GLOBAL_INT,
        Frame.GLOBAL_RELATIVE_ALT_INT,
        Frame.GLOBAL_TERRAIN_ALT,
    }
)

#: decimals kept for degrees in exports: 1e-7 deg is about 1 cm, MAVLink's own precision
DEG_DECIMALS = 7


def has_position(item: MissionItem) -> bool:
    """True when the item's lat/lon/alt mean a place (its frame is a global one)."""
    return item.frame in POSITION_FRAMES


def slug(text: str) -> str:
    """A file-name-safe lower-case form of ``text`` (``"Tillabéri East"`` → ``tillaberi-east``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned or "mission"


def finite_or_none(value: float) -> float | None:
    """``value`` unless it is NaN or infinite (JSON has no NaN: it becomes null)."""
    return value if math.isfinite(value) else None


def utc_time(start: datetime, t_s: float) -> str:
    """ISO 8601 UTC time ``t_s`` seconds after ``start`` (naive ``start`` is taken as UTC)."""
    base = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
    when = (base + timedelta(seconds=float(t_s))).astimezone(UTC)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``; an OS failure becomes a :class:`FormatError`."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FormatError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 file; a missing/unreadable/undecodable file becomes a :class:`FormatError`."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(f"{path}: no such {what} file") from None
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}: not a UTF-8 text {what} file ({exc.reason})") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
