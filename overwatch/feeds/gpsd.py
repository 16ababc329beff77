"""The gpsd JSON protocol over TCP (``gpsd://HOST:PORT``, default 127.0.0.1:2947).

The feed sends ``?WATCH={"enable":true,"json":true}`` and turns each TPV
report with ``mode`` ≥ 2 (2D or 3D fix) into a fix; the HDOP comes from the
latest SKY report. It reconnects whenever gpsd goes away.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from collections.abc import AsyncIterator

from overwatch.feeds.base import StreamFeed, read_lines
from overwatch.feeds.fix import PatrolFix
from overwatch.feeds.guard import GuardConfig

DEFAULT_GPSD_PORT = 2947
WATCH_COMMAND = b'?WATCH={"enable":true,"json":true}\n'


def _number(report: dict[str, object], key: str) -> float | None:
    value = report.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def parse_iso_time_s(text: str) -> float:
    """ISO 8601 UTC (``2026-11-25T12:00:00.000Z``) → UNIX seconds."""
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()


def tpv_to_fix(report: dict[str, object], source: str, hdop: float | None) -> PatrolFix | None:
    """A TPV report → fix, or ``None`` when it has no usable 2D/3D fix.

    Raises ``ValueError`` when a field is malformed. A TPV without ``time``
    (gpsd does not know the date yet) is not used: a made-up time would
    confuse the jump and order checks.
    """
    mode = report.get("mode")
    if not isinstance(mode, int) or mode < 2:
        return None
    for key in ("lat", "lon"):
        if key in report and _number(report, key) is None:
            raise ValueError(f"TPV {key}={report[key]!r} is not a number")
    lat, lon = _number(report, "lat"), _number(report, "lon")
    if lat is None or lon is None:
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"position {lat}, {lon} out of range")
    stamp = report.get("time")
    if stamp is None:
        return None
    if not isinstance(stamp, str):
        raise ValueError(f"TPV time={stamp!r} is not an ISO 8601 string")
    time_s = parse_iso_time_s(stamp)
    alt = _number(report, "altMSL")
    if alt is None and mode >= 3:
        alt = _number(report, "alt")
    return PatrolFix(
        time_s=time_s,
        lat_deg=lat,
        lon_deg=lon,
        alt_msl_m=alt,
        speed_m_s=_number(report, "speed"),
        course_deg=_number(report, "track"),
        source=source,
        hdop=hdop,
    )


class GpsdFeed(StreamFeed):
    """Fixes from a gpsd daemon."""

    def __init__(
        self,
        url: str,
        host: str = "127.0.0.1",
        port: int = DEFAULT_GPSD_PORT,
        *,
        guard: GuardConfig | None = None,
        reconnect_delay_s: float = 1.0,
    ) -> None:
        super().__init__(url, guard=guard, reconnect_delay_s=reconnect_delay_s)
        self.host, self.port = host, port
        self._hdop: float | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter | None]:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write(WATCH_COMMAND)
        await writer.drain()
        return reader, writer

    async def _session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None
    ) -> AsyncIterator[PatrolFix]:
        async for line in read_lines(reader, self._count_bad):
            fix = self._decode(line)
            if fix is not None:
                yield fix

    def _count_bad(self) -> None:
        self.stats.bad += 1

    def _decode(self, line: bytes) -> PatrolFix | None:
        if not line.strip():
            return None
        try:
            report = json.loads(line)
            if not isinstance(report, dict):
                raise ValueError("a gpsd report is a JSON object")
            kind = report.get("class")
            if kind == "SKY":
                self._hdop = _number(report, "hdop") or self._hdop
                return None
            if kind != "TPV":
                return None
            fix = tpv_to_fix(report, self.url, self._hdop)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            self.stats.bad += 1
            self.last_error = f"{self.url}: bad gpsd report: {exc}"
            return None
        if fix is None:
            self.stats.no_fix += 1
        return fix
