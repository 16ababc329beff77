"""Cursor-on-Target XML ``<event>`` decoding (what ATAK and TAK servers send).

>>> e = parse_cot_event(
...     b'<event version="2.0" uid="ANDROID-1" type="a-f-G-U-C" how="m-g" '
...     b'time="2026-11-25T12:00:00Z" start="2026-11-25T12:00:00Z" stale="2026-11-25T12:02:00Z">'
...     b'<point lat="13.5123456" lon="2.1234567" hae="250" ce="5" le="9999999.0"/>'
...     b'<detail><track course="90.0" speed="12.5"/></detail></event>')
>>> e.uid, e.lat_deg, e.lon_deg, e.le_m, e.course_deg, e.stale_s - e.time_s
('ANDROID-1', 13.5123456, 2.1234567, None, 90.0, 120.0)
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from overwatch.errors import FeedError

UNKNOWN_COT_VALUE = 9999999.0
"""CoT's 'unknown' for hae/ce/le."""


class CotError(FeedError):
    """A CoT message is malformed."""


@dataclass(frozen=True)
class CotEvent:
    """One CoT event. Times are UNIX seconds; ``hae_m`` is height above the
    WGS84 ellipsoid; ``ce_m``/``le_m`` circular/linear error (m); ``course_deg``
    and ``speed_m_s`` from ``<track>``; ``None`` where absent or 'unknown'."""

    uid: str
    type: str
    how: str
    time_s: float
    start_s: float
    stale_s: float
    lat_deg: float
    lon_deg: float
    hae_m: float | None
    ce_m: float | None
    le_m: float | None
    course_deg: float | None
    speed_m_s: float | None
    callsign: str | None
    remarks: str | None
    xml: bytes


def parse_cot_time(text: str | None, field: str) -> float:
    """CoT (W3C dateTime, UTC) time → UNIX seconds."""
    if not text:
        raise CotError(f"CoT event has no {field} attribute")
    try:
        stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CotError(f"CoT {field}={text!r} is not an ISO 8601 time") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()


def _float(element: ET.Element, name: str, *, required: bool = False) -> float | None:
    text = element.get(name)
    if text is None or not text.strip():
        if required:
            raise CotError(f"CoT <{element.tag}> has no {name} attribute")
        return None
    try:
        value = float(text)
    except ValueError:
        raise CotError(f"CoT <{element.tag} {name}={text!r}> is not a number") from None
    if not math.isfinite(value):
        raise CotError(f"CoT <{element.tag} {name}={text!r}> is not finite")
    if not required and value >= UNKNOWN_COT_VALUE:
        return None
    return value


def parse_cot_event(data: bytes | str) -> CotEvent:
    """Decode one ``<event>`` (an optional XML declaration may precede it).

    Raises :class:`CotError` naming the attribute that is missing or wrong.
    Documents with a DTD are refused (no entity expansion from the network).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise CotError("CoT message carries a DTD; refused")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise CotError(f"CoT message is not well-formed XML: {exc}") from None
    if root.tag != "event":
        raise CotError(f"CoT root element is <{root.tag}>, expected <event>")
    uid, kind = root.get("uid"), root.get("type")
    if not uid:
        raise CotError("CoT event has no uid")
    if not kind:
        raise CotError(f"CoT event {uid!r} has no type")
    point = root.find("point")
    if point is None:
        raise CotError(f"CoT event {uid!r} has no <point>")
    lat, lon = _float(point, "lat", required=True), _float(point, "lon", required=True)
    assert lat is not None and lon is not None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise CotError(f"CoT event {uid!r}: point {lat}, {lon} out of range")
    detail = root.find("detail")
    track = detail.find("track") if detail is not None else None
    contact = detail.find("contact") if detail is not None else None
    remarks = detail.find("remarks") if detail is not None else None
    time_s = parse_cot_time(root.get("time"), "time")
    return CotEvent(
        uid=uid,
        type=kind,
        how=root.get("how", ""),
        time_s=time_s,
        start_s=parse_cot_time(root.get("start") or root.get("time"), "start"),
        stale_s=parse_cot_time(root.get("stale"), "stale"),
        lat_deg=lat,
        lon_deg=lon,
        hae_m=_float(point, "hae"),
        ce_m=_float(point, "ce"),
        le_m=_float(point, "le"),
        course_deg=_float(track, "course") if track is not None else None,
        speed_m_s=_float(track, "speed") if track is not None else None,
        callsign=contact.get("callsign") if contact is not None else None,
        remarks=remarks.text if remarks is not None else None,
        xml=raw,
    )


class CotStreamSplitter:
    """Cuts a TCP byte stream into whole ``<event>…</event>`` messages.

    TAK streams have no length prefix: events follow each other, each maybe
    preceded by an XML declaration. Anything over ``max_bytes`` without a
    closing tag is dropped and counted in ``overflows``.
    """

    END = b"</event>"

    def __init__(self, max_bytes: int = 65536) -> None:
        self.max_bytes = max_bytes
        self.overflows = 0
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        messages: list[bytes] = []
        while True:
            end = self._buffer.find(self.END)
            if end < 0:
                break
            cut = end + len(self.END)
            message = bytes(self._buffer[:cut]).strip()
            del self._buffer[:cut]
            messages.append(message)
        if len(self._buffer) > self.max_bytes:
            self.overflows += 1
            self._buffer.clear()
        return messages
