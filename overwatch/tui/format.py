"""Short, unit-bearing text for figures shown on a small screen.

>>> duration(185.0), duration(7.25), duration(3725.0), duration(None)
('3m05s', '7.2 s', '1h02m', '—')
>>> distance(850.4), distance(4210.0), distance(None)
('850 m', '4.21 km', '—')
>>> clock_utc(0.0)
'00:00:00'
"""

from __future__ import annotations

import time

MISSING = "—"


def duration(seconds: float | None) -> str:
    """A duration in seconds as ``7.2 s``, ``3m05s`` or ``1h02m``."""
    if seconds is None:
        return MISSING
    s = max(0.0, seconds)
    if s < 60.0:
        return f"{s:.1f} s"
    whole = int(s)
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{(whole % 3600) // 60:02d}m"


def distance(metres: float | None) -> str:
    """A distance in metres as ``850 m`` or ``4.21 km``."""
    if metres is None:
        return MISSING
    if abs(metres) < 1000.0:
        return f"{metres:.0f} m"
    return f"{metres / 1000.0:.2f} km"


def number(value: float | None, fmt: str, unit: str = "") -> str:
    """``value`` formatted with ``fmt`` and a unit, or the missing mark."""
    if value is None:
        return MISSING
    return f"{value:{fmt}}{unit}"


def clock_utc(time_s: float) -> str:
    """UNIX time in seconds → ``HH:MM:SS`` UTC."""
    return time.strftime("%H:%M:%S", time.gmtime(time_s))


def lat_lon(position: tuple[float, float] | None) -> str:
    """``(lat_deg, lon_deg)`` as ``13.76543°N 5.27300°E``."""
    if position is None:
        return MISSING
    lat, lon = position
    return f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"
