"""Test helper: NMEA 0183 logs of a patrol driving north, with real checksums."""

from __future__ import annotations

import datetime as dt

from overwatch.feeds.nmea import KNOT_M_S, with_checksum

START = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC)
LAT0_DEG, LON0_DEG = 13.5, 2.1
STEP_DEG = 1e-4  # ≈ 11.06 m of latitude per second
SPEED_M_S = 11.06


def _lat(lat: float) -> tuple[str, str]:
    a = abs(lat)
    return f"{int(a):02d}{(a - int(a)) * 60:09.6f}", "N" if lat >= 0 else "S"


def _lon(lon: float) -> tuple[str, str]:
    a = abs(lon)
    return f"{int(a):03d}{(a - int(a)) * 60:09.6f}", "E" if lon >= 0 else "W"


def epoch(i: int, *, kinds: tuple[str, ...] = ("RMC", "GGA", "VTG")) -> list[str]:
    """Sentences (CRLF-terminated) of epoch ``i``: position LAT0 + i*STEP, one per second."""
    when = START + dt.timedelta(seconds=i)
    tod = when.strftime("%H%M%S.00")
    date = when.strftime("%d%m%y")
    lat, ns = _lat(LAT0_DEG + i * STEP_DEG)
    lon, ew = _lon(LON0_DEG)
    knots = SPEED_M_S / KNOT_M_S
    bodies = {
        "RMC": f"GPRMC,{tod},A,{lat},{ns},{lon},{ew},{knots:.2f},0.0,{date},,,A",
        "GGA": f"GPGGA,{tod},{lat},{ns},{lon},{ew},1,08,0.9,250.0,M,0.0,M,,",
        "VTG": f"GPVTG,0.0,T,,M,{knots:.2f},N,{SPEED_M_S * 3.6:.2f},K,A",
    }
    return [with_checksum(bodies[k]) + "\r\n" for k in kinds]


def log(count: int, *, kinds: tuple[str, ...] = ("RMC", "GGA", "VTG")) -> str:
    return "".join(line for i in range(count) for line in epoch(i, kinds=kinds))


def unix_time(i: int) -> float:
    return (START + dt.timedelta(seconds=i)).timestamp()
