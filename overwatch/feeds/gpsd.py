"""The gpsd JSON protocol over TCP (``gpsd://HOST:PORT``, default 127.0.0.1:2947).

The feed sends ``?WATCH={"enable":true,"json":true}`` and turns each TPV
report with ``mode`` ≥ 2 (2D or 3D fix) into a fix; the HDOP comes from the
latest SKY report. It reconnects whenever gpsd goes away.

:func:`parse_report` is the parser of one line: it raises
:class:`GpsdError` (a :class:`~overwatch.errors.MessageError`) for anything
malformed, and the feed counts such a line as bad and reads on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import AsyncIterator

from overwatch.errors import GpsdError, MessageError
from overwatch.feeds.base import StreamFeed, read_lines
from overwatch.feeds.fix import PatrolFix, iso_utc_to_unix_s
from overwatch.feeds.guard import GuardConfig

log = logging.getLogger(__name__)

DEFAULT_GPSD_PORT = 2947
WATCH_COMMAND = b'?WATCH={"enable":true,"json":true}\n'


def parse_report(line: bytes | str) -> dict[str, object] | None:
    """One line from gpsd → its JSON object; ``None`` for a blank line.

    Raises :class:`GpsdError` when the line is not a JSON object.

    >>> parse_report(b'{"class":"TPV","mode":3}')
    {'class': 'TPV', 'mode': 3}
    """
    if not line.strip():
        return None
    try:
        report = json.loads(line)
    except UnicodeDecodeError:
        raise GpsdError("gpsd report is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise GpsdError(f"gpsd report is not JSON: {exc.msg} at column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:  # huge integers, absurd nesting
        raise GpsdError(f"gpsd report cannot be read: {exc}") from None
    if not isinstance(report, dict):
        raise GpsdError(f"gpsd report is a JSON {type(report).__name__}, expected an object")
    return report


def _number(report: dict[str, object], key: str) -> float | None:
    value = report.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return number if math.isfinite(number) else None


def parse_iso_time_s(text: str) -> float:
    """ISO 8601 UTC (``2026-11-25T12:00:00.000Z``) → UNIX seconds.

    Raises :class:`GpsdError` when ``text`` is not such a time.
    """
    try:
        return iso_utc_to_unix_s(text)
    except ValueError:
        raise GpsdError(f"TPV time={text[:40]!r} is not an ISO 8601 time") from None


def tpv_to_fix(report: dict[str, object], source: str, hdop: float | None) -> PatrolFix | None:
    """A TPV report → fix, or ``None`` when it has no usable 2D/3D fix.

    Raises :class:`GpsdError` when a field is malformed. A TPV without ``time``
    (gpsd does not know the date yet) is not used: a made-up time would
    confuse the jump and order checks.
    """
    mode = report.get("mode")
    if not isinstance(mode, int) or mode < 2:
        return None
    for key in ("lat", "lon"):
        if key in report and _number(report, key) is None:
            raise GpsdError(f"TPV {key}={str(report[key])[:40]!r} is not a number")
    lat, lon = _number(report, "lat"), _number(report, "lon")
    if lat is None or lon is None:
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise GpsdError(f"TPV position {lat}, {lon} out of range")
    stamp = report.get("time")
    if stamp is None:
        return None
    if not isinstance(stamp, str):
        raise GpsdError(f"TPV time={str(stamp)[:40]!r} is not an ISO 8601 string")
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
        """One line → maybe a fix; a bad line is counted, never raised."""
        try:
            report = parse_report(line)
            if report is None:
                return None
            kind = report.get("class")
            if kind == "SKY":
                self._hdop = _number(report, "hdop") or self._hdop
                return None
            if kind != "TPV":
                return None
            fix = tpv_to_fix(report, self.url, self._hdop)
        except MessageError as exc:
            self.stats.bad += 1
            self.last_error = f"{self.url}: bad gpsd report: {exc}"
            return None
        except Exception as exc:  # a parser bug must not end the feed: count, log, go on
            log.exception("gpsd report not decoded: %r", line[:200])
            self.stats.bad += 1
            self.last_error = f"{self.url}: bad gpsd report: {type(exc).__name__}: {exc}"
            return None
        if fix is None:
            self.stats.no_fix += 1
        return fix
