"""NMEA 0183 sentences: GGA, RMC and VTG, checksums verified.

:func:`parse_sentence` turns one line into a typed sentence or raises
:class:`NmeaError` saying what was wrong; :class:`NmeaAssembler` merges the
sentences of one receiver epoch into a :class:`~overwatch.feeds.fix.PatrolFix`.

>>> s = parse_sentence("$GPGGA,120000.00,1330.0000,N,00206.0000,E,1,08,0.9,250.0,M,0.0,M,,*5C")
>>> s.lat_deg, s.lon_deg, s.alt_msl_m, s.hdop
(13.5, 2.1, 250.0, 0.9)
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from overwatch.errors import NmeaError
from overwatch.feeds.fix import PatrolFix

log = logging.getLogger(__name__)

#: NMEA 0183 allows 82 characters; some receivers send longer proprietary sentences
MAX_SENTENCE_CHARS = 1024
KNOT_M_S = 1852.0 / 3600.0
KMH_M_S = 1000.0 / 3600.0


@dataclass(frozen=True)
class Gga:
    """GGA: time of day (seconds since UTC midnight), position, fix quality, HDOP, altitude MSL."""

    tod_s: float
    lat_deg: float | None
    lon_deg: float | None
    quality: int
    satellites: int | None
    hdop: float | None
    alt_msl_m: float | None


@dataclass(frozen=True)
class Rmc:
    """RMC: time of day, validity, position, speed (m/s), course (deg true), date."""

    tod_s: float
    valid: bool
    lat_deg: float | None
    lon_deg: float | None
    speed_m_s: float | None
    course_deg: float | None
    date: dt.date | None


@dataclass(frozen=True)
class Vtg:
    """VTG: course over ground (deg true) and speed (m/s); no time, no position."""

    course_deg: float | None
    speed_m_s: float | None


Sentence = Gga | Rmc | Vtg


def checksum(body: str) -> int:
    """XOR of the characters between ``$`` and ``*``."""
    value = 0
    for char in body.encode("ascii", "replace"):
        value ^= char
    return value


def with_checksum(body: str) -> str:
    """``body`` framed as a full sentence: ``$body*HH`` (no line ending)."""
    return f"${body}*{checksum(body):02X}"


def parse_sentence(line: str, *, require_checksum: bool = True) -> Sentence | None:
    """Parse one sentence; ``None`` for a well-formed sentence of another type.

    Raises :class:`NmeaError` for anything malformed: no ``$``/``!``, a wrong or
    missing checksum, a bad field.
    """
    text = line.strip()
    if not text or text[0] not in "$!":
        raise NmeaError(f"NMEA sentence must start with '$': {text[:40]!r}")
    star = text.rfind("*")
    if star >= 0:
        body, given = text[1:star], text[star + 1 :]
        try:
            expected = int(given, 16)
        except ValueError:
            raise NmeaError(f"NMEA checksum {given!r} is not two hex digits") from None
        if len(given) != 2 or checksum(body) != expected:
            raise NmeaError(
                f"NMEA checksum mismatch in {text[:40]!r}: found {given}, "
                f"expected {checksum(body):02X}"
            )
    elif require_checksum:
        raise NmeaError(f"NMEA sentence has no checksum: {text[:40]!r}")
    else:
        body = text[1:]
    fields = body.split(",")
    tag = fields[0]
    if len(tag) != 5 or not tag.isalnum():
        raise NmeaError(f"NMEA address field must be 5 characters (talker+type): {tag!r}")
    kind = tag[2:]
    try:
        if kind == "GGA":
            return _gga(fields)
        if kind == "RMC":
            return _rmc(fields)
        if kind == "VTG":
            return _vtg(fields)
    except (ValueError, IndexError) as exc:
        raise NmeaError(f"bad {kind} sentence {text[:60]!r}: {exc}") from None
    return None


def _need(fields: list[str], count: int) -> None:
    if len(fields) < count:
        raise ValueError(f"expected at least {count - 1} fields, found {len(fields) - 1}")


def _finite(text: str) -> float:
    """A plain decimal number: no nan, inf, exponent, sign tricks or underscores."""
    value = float(text)
    if not math.isfinite(value) or not all(c.isdigit() or c in ".-" for c in text):
        raise ValueError(f"{text!r} is not a decimal number")
    return value


def _opt_float(text: str) -> float | None:
    return _finite(text) if text else None


def _tod_s(text: str) -> float:
    if len(text) < 6 or not text[:6].isdigit():
        raise ValueError(f"time {text!r} is not hhmmss[.ss]")
    hours, minutes, seconds = int(text[0:2]), int(text[2:4]), _finite(text[4:])
    if hours > 23 or minutes > 59 or seconds >= 61:
        raise ValueError(f"time {text!r} out of range")
    return hours * 3600.0 + minutes * 60.0 + seconds


def _angle_deg(value: str, hemisphere: str, degree_digits: int) -> float | None:
    if not value and not hemisphere:
        return None
    if len(value) < degree_digits + 2 or value[degree_digits:].startswith("-"):
        raise ValueError(f"coordinate {value!r} is not d{'d' * (degree_digits - 1)}mm.mmmm")
    if not value[:degree_digits].isdigit():
        raise ValueError(f"coordinate {value!r} is not d{'d' * (degree_digits - 1)}mm.mmmm")
    degrees = int(value[:degree_digits])
    minutes = _finite(value[degree_digits:])
    if minutes >= 60.0:
        raise ValueError(f"minutes {minutes} >= 60 in {value!r}")
    angle = degrees + minutes / 60.0
    positive, negative = ("N", "S") if degree_digits == 2 else ("E", "W")
    limit = 90.0 if degree_digits == 2 else 180.0
    if hemisphere not in (positive, negative):
        raise ValueError(f"hemisphere {hemisphere!r} is not {positive} or {negative}")
    if angle > limit:
        raise ValueError(f"coordinate {value!r} beyond {limit} degrees")
    return -angle if hemisphere == negative else angle


def _gga(fields: list[str]) -> Gga:
    _need(fields, 10)
    if not (fields[6] or "0").isdigit() or (fields[7] and not fields[7].isdigit()):
        raise ValueError(f"fix quality {fields[6]!r} or satellites {fields[7]!r} is not a count")
    quality = int(fields[6] or "0")
    return Gga(
        tod_s=_tod_s(fields[1]),
        lat_deg=_angle_deg(fields[2], fields[3], 2),
        lon_deg=_angle_deg(fields[4], fields[5], 3),
        quality=quality,
        satellites=int(fields[7]) if fields[7] else None,
        hdop=_opt_float(fields[8]),
        alt_msl_m=_opt_float(fields[9]),
    )


def _rmc(fields: list[str]) -> Rmc:
    _need(fields, 10)
    knots = _opt_float(fields[7])
    date_text = fields[9]
    date = None
    if date_text:
        if len(date_text) != 6 or not date_text.isdigit():
            raise ValueError(f"date {date_text!r} is not ddmmyy")
        date = dt.date(2000 + int(date_text[4:6]), int(date_text[2:4]), int(date_text[0:2]))
    if fields[2] not in ("A", "V"):
        raise ValueError(f"status {fields[2]!r} is not A or V")
    return Rmc(
        tod_s=_tod_s(fields[1]),
        valid=fields[2] == "A",
        lat_deg=_angle_deg(fields[3], fields[4], 2),
        lon_deg=_angle_deg(fields[5], fields[6], 3),
        speed_m_s=None if knots is None else knots * KNOT_M_S,
        course_deg=_opt_float(fields[8]),
        date=date,
    )


def _vtg(fields: list[str]) -> Vtg:
    _need(fields, 8)
    course = _opt_float(fields[1])
    kmh = _opt_float(fields[7]) if len(fields) > 7 else None
    knots = _opt_float(fields[5])
    if kmh is not None:
        speed: float | None = kmh * KMH_M_S
    elif knots is not None:
        speed = knots * KNOT_M_S
    else:
        speed = None
    return Vtg(course_deg=course, speed_m_s=speed)


@dataclass
class _Epoch:
    tod_s: float
    kinds: set[str]
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_msl_m: float | None = None
    hdop: float | None = None
    speed_m_s: float | None = None
    course_deg: float | None = None
    date: dt.date | None = None
    fix: bool = False
    emitted: bool = False


class NmeaAssembler:
    """Merges the GGA/RMC/VTG sentences of one epoch (same time of day) into a fix.

    A fix is emitted as soon as the epoch holds every sentence type the receiver
    sent in its previous epoch (so a GGA+RMC+VTG receiver reports once per
    epoch, without waiting for the next); before the pattern is known, an epoch
    is emitted when the next one starts, or on :meth:`flush`. The date comes
    from RMC, else from ``clock`` (UNIX seconds), picking the day that puts the
    fix nearest to now.
    """

    def __init__(self, source: str, clock: Callable[[], float] = time.time) -> None:
        self.source = source
        self._clock = clock
        self._epoch: _Epoch | None = None
        self._pattern: set[str] = set()
        self._date: dt.date | None = None
        self.no_fix = 0

    def push(self, sentence: Sentence) -> list[PatrolFix]:
        """Feed one sentence; returns the fixes it completes (zero or more)."""
        out: list[PatrolFix] = []
        if isinstance(sentence, Vtg):
            epoch = self._epoch
            if epoch is not None:
                epoch.kinds.add("VTG")  # learnt for the pattern even if too late for this fix
                if not epoch.emitted:
                    epoch.course_deg = sentence.course_deg
                    epoch.speed_m_s = sentence.speed_m_s
                    out += self._maybe_emit(epoch)
            return out
        epoch = self._epoch
        if epoch is None or abs(epoch.tod_s - sentence.tod_s) > 1e-3:
            if epoch is not None:
                self._pattern = set(epoch.kinds)
                out += self._emit(epoch)
            epoch = self._epoch = _Epoch(sentence.tod_s, set())
        if isinstance(sentence, Gga):
            epoch.kinds.add("GGA")
            if sentence.quality > 0 and sentence.lat_deg is not None:
                epoch.fix = True
                epoch.lat_deg, epoch.lon_deg = sentence.lat_deg, sentence.lon_deg
            epoch.alt_msl_m = sentence.alt_msl_m
            epoch.hdop = sentence.hdop
        else:
            epoch.kinds.add("RMC")
            if sentence.date is not None:
                epoch.date = self._date = sentence.date
            if sentence.valid and sentence.lat_deg is not None:
                epoch.fix = True
                if epoch.lat_deg is None:
                    epoch.lat_deg, epoch.lon_deg = sentence.lat_deg, sentence.lon_deg
                epoch.speed_m_s = sentence.speed_m_s
                epoch.course_deg = sentence.course_deg
        out += self._maybe_emit(epoch)
        return out

    def flush(self) -> list[PatrolFix]:
        """Emit the epoch in progress, if it holds a fix not yet emitted."""
        return self._emit(self._epoch) if self._epoch is not None else []

    def _maybe_emit(self, epoch: _Epoch) -> list[PatrolFix]:
        if self._pattern and self._pattern <= epoch.kinds:
            return self._emit(epoch)
        return []

    def _emit(self, epoch: _Epoch) -> list[PatrolFix]:
        if epoch.emitted:
            return []
        epoch.emitted = True
        if not epoch.fix or epoch.lat_deg is None or epoch.lon_deg is None:
            self.no_fix += 1
            return []
        return [
            PatrolFix(
                time_s=self._unix_time(epoch),
                lat_deg=epoch.lat_deg,
                lon_deg=epoch.lon_deg,
                alt_msl_m=epoch.alt_msl_m,
                speed_m_s=epoch.speed_m_s,
                course_deg=epoch.course_deg,
                source=self.source,
                hdop=epoch.hdop,
            )
        ]

    def _unix_time(self, epoch: _Epoch) -> float:
        date = epoch.date or self._date
        if date is not None:
            midnight = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp()
            return midnight + epoch.tod_s
        now_s = self._clock()
        midnight = now_s - now_s % 86400.0
        candidates = (midnight - 86400.0, midnight, midnight + 86400.0)
        return min((c + epoch.tod_s for c in candidates), key=lambda t: abs(t - now_s))


class NmeaDecoder:
    """Lines in, fixes out: parsing, assembling and counting bad/no-fix sentences."""

    def __init__(self, source: str, *, require_checksum: bool = True) -> None:
        self.assembler = NmeaAssembler(source)
        self.require_checksum = require_checksum
        self.bad = 0
        self.last_error: str | None = None

    def feed_line(self, raw: bytes | str) -> list[PatrolFix]:
        """Decode one line (bytes are decoded as ASCII; anything else is bad).

        A bad line is counted in ``bad`` (its reason in ``last_error``) and
        yields nothing; no exception escapes.
        """
        try:
            line = raw.decode("ascii") if isinstance(raw, bytes) else raw
            if not line.strip():
                return []
            if len(line) > MAX_SENTENCE_CHARS:
                raise NmeaError(
                    f"NMEA line of {len(line)} characters (expected at most {MAX_SENTENCE_CHARS})"
                )
            sentence = parse_sentence(line, require_checksum=self.require_checksum)
            return [] if sentence is None else self.assembler.push(sentence)
        except NmeaError as exc:
            self.bad += 1
            self.last_error = str(exc)
            return []
        except UnicodeDecodeError:
            self.bad += 1
            self.last_error = "NMEA line is not ASCII"
            return []
        except Exception as exc:  # a parser bug must not end the feed: count, log, go on
            log.exception("NMEA line not decoded: %r", raw[:200])
            self.bad += 1
            self.last_error = f"NMEA line not decoded: {type(exc).__name__}: {exc}"
            return []
