"""Cursor-on-Target decoding: the one parser for every CoT message Overwatch reads.

Everything that takes CoT in — the patrol feed, the sightings feed, TAK
markers and detector markers turned into cues — calls :func:`parse_cot_event`
(or cuts a TCP stream with :class:`CotStreamSplitter` first). It takes:

- CoT XML ``<event>`` (an XML declaration may precede it), parsed with
  ``defusedxml``: no DTD, no entity expansion, no external entities, UTF-8
  only, at most :data:`MAX_MESSAGE_BYTES`;
- TAK protocol v1 (protobuf, magic byte ``0xbf``) in mesh framing (UDP) or one
  stream frame (TCP), see :mod:`overwatch.feeds.takv1`.

Anything malformed raises :class:`CotError` (a
:class:`~overwatch.errors.MessageError`) saying what is wrong; nothing else
escapes.

>>> e = parse_cot_event(
...     b'<event version="2.0" uid="ANDROID-1" type="a-f-G-U-C" how="m-g" '
...     b'time="2026-11-25T12:00:00Z" start="2026-11-25T12:00:00Z" stale="2026-11-25T12:02:00Z">'
...     b'<point lat="13.5123456" lon="2.1234567" hae="250" ce="5" le="9999999.0"/>'
...     b'<detail><track course="90.0" speed="12.5"/></detail></event>')
>>> e.uid, e.lat_deg, e.lon_deg, e.le_m, e.course_deg, e.stale_s - e.time_s
('ANDROID-1', 13.5123456, 2.1234567, None, 90.0, 120.0)
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET

from overwatch.errors import CotError, TakProtocolError
from overwatch.feeds.fix import iso_utc_to_unix_s
from overwatch.feeds.takv1 import (
    MAGIC,
    MAX_MESSAGE_BYTES,
    decode_tak_message,
    mesh_payload,
    read_varint,
    tak_message_class,
)

UNKNOWN_COT_VALUE = 9999999.0
"""CoT's 'unknown' for hae/ce/le."""

#: the detail tag our detector (and the simulator's) put on a camera sighting
OVERWATCH_TAG = "__overwatch"

_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}
#: UNIX seconds of 10000-01-01: later times are not W3C dateTimes
_LATEST_S = 253402300800.0


@dataclass(frozen=True)
class CotEvent:
    """One CoT event. Times are UNIX seconds; ``hae_m`` is height above the
    WGS84 ellipsoid; ``ce_m``/``le_m`` circular/linear error (m); ``course_deg``
    and ``speed_m_s`` from ``<track>``; ``None`` where absent or 'unknown'.

    ``overwatch_tag`` holds the attributes of a ``<detail><__overwatch …/>``
    tag (a detector's sighting), ``None`` without one; ``protocol`` is
    ``"xml"`` or ``"tak-v1"``.
    """

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
    overwatch_tag: dict[str, str] | None = None
    protocol: str = "xml"


def parse_cot_time(text: str | None, field: str) -> float:
    """CoT (W3C dateTime, UTC) time → UNIX seconds."""
    if not text:
        raise CotError(f"CoT event has no {field} attribute")
    try:
        return iso_utc_to_unix_s(text)
    except ValueError:
        raise CotError(f"CoT {field}={text[:40]!r} is not an ISO 8601 time") from None


def _number(value: float, where: str, *, required: bool) -> float | None:
    if not math.isfinite(value):
        raise CotError(f"CoT {where}={value!r} is not finite")
    if not required and value >= UNKNOWN_COT_VALUE:
        return None
    return value


def _float(element: ET.Element, name: str, *, required: bool = False) -> float | None:
    text = element.get(name)
    if text is None or not text.strip():
        if required:
            raise CotError(f"CoT <{element.tag}> has no {name} attribute")
        return None
    try:
        value = float(text)
    except ValueError:
        raise CotError(f"CoT <{element.tag} {name}={text[:40]!r}> is not a number") from None
    return _number(value, f"<{element.tag} {name}>", required=required)


def _check_position(uid: str, lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise CotError(f"CoT event {uid!r}: point {lat}, {lon} out of range")


def _xml_root(raw: bytes) -> ET.Element:
    declared = _ENCODING.match(raw)
    if declared and declared.group(1).decode("ascii", "replace").lower() not in _UTF8_NAMES:
        name = declared.group(1)[:20].decode("ascii", "replace")
        raise CotError(f"CoT message declares encoding {name!r} (expected UTF-8)")
    try:
        root: ET.Element = SafeET.fromstring(
            raw, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except ET.ParseError as exc:
        raise CotError(f"CoT message is not well-formed XML: {exc}") from None
    except SafeET.DTDForbidden:
        raise CotError("CoT message carries a DTD; refused") from None
    except (SafeET.EntitiesForbidden, SafeET.ExternalReferenceForbidden):
        raise CotError("CoT message declares entities; refused") from None
    except Exception as exc:  # expat and its codecs on arbitrary bytes: never let one through
        raise CotError(f"CoT message cannot be read as XML: {type(exc).__name__}: {exc}") from None
    return root


def _detail_extras(detail: ET.Element | None) -> tuple[str | None, dict[str, str] | None]:
    """``<remarks>`` text and the ``<__overwatch>`` tag's attributes of a ``<detail>``."""
    if detail is None:
        return None, None
    remarks = detail.find("remarks")
    tag = detail.find(OVERWATCH_TAG)
    return (
        remarks.text if remarks is not None else None,
        dict(tag.attrib) if tag is not None else None,
    )


def _from_xml(raw: bytes) -> CotEvent:
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise CotError("CoT message carries a DTD; refused")
    root = _xml_root(raw)
    if root.tag != "event":
        raise CotError(f"CoT root element is <{str(root.tag)[:40]}>, expected <event>")
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
    _check_position(uid, lat, lon)
    detail = root.find("detail")
    track = detail.find("track") if detail is not None else None
    contact = detail.find("contact") if detail is not None else None
    remarks, tag = _detail_extras(detail)
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
        remarks=remarks,
        overwatch_tag=tag,
    )


def _ms_time(value: int, field: str, uid: str) -> float:
    if value <= 0:
        raise CotError(f"TAK event {uid!r} has no {field}")
    seconds = value / 1000.0
    if seconds >= _LATEST_S:
        raise CotError(f"TAK event {uid!r}: {field}={value} ms is past the year 9999")
    return seconds


def _from_tak(message: Any) -> CotEvent:
    event = message.cotEvent
    uid, kind = str(event.uid), str(event.type)
    if not uid:
        raise CotError("TAK event has no uid")
    if not kind:
        raise CotError(f"TAK event {uid!r} has no type")
    lat = _number(float(event.lat), "lat", required=True)
    lon = _number(float(event.lon), "lon", required=True)
    assert lat is not None and lon is not None
    _check_position(uid, lat, lon)
    detail = event.detail if event.HasField("detail") else None
    course = speed = None
    callsign = remarks = tag = None
    if detail is not None:
        if detail.HasField("track"):
            course = _number(float(detail.track.course), "track course", required=False)
            speed = _number(float(detail.track.speed), "track speed", required=False)
        if detail.HasField("contact"):
            callsign = str(detail.contact.callsign) or None
        if detail.xmlDetail:
            text = str(detail.xmlDetail)
            if len(text) > MAX_MESSAGE_BYTES:
                raise CotError(f"TAK event {uid!r}: xmlDetail longer than {MAX_MESSAGE_BYTES}")
            wrapped = _xml_root(b"<detail>" + text.encode("utf-8") + b"</detail>")
            remarks, tag = _detail_extras(wrapped)
    time_s = _ms_time(int(event.sendTime), "sendTime", uid)
    start = int(event.startTime)
    return CotEvent(
        uid=uid,
        type=kind,
        how=str(event.how),
        time_s=time_s,
        start_s=_ms_time(start, "startTime", uid) if start else time_s,
        stale_s=_ms_time(int(event.staleTime), "staleTime", uid),
        lat_deg=lat,
        lon_deg=lon,
        hae_m=_number(float(event.hae), "hae", required=False),
        ce_m=_number(float(event.ce), "ce", required=False),
        le_m=_number(float(event.le), "le", required=False),
        course_deg=course,
        speed_m_s=speed,
        callsign=callsign,
        remarks=remarks,
        overwatch_tag=tag,
        protocol="tak-v1",
    )


def _tak_payload(raw: bytes) -> bytes:
    """The ``TakMessage`` bytes of a mesh datagram or of one stream frame."""
    if raw.startswith(b"\xbf\x01\xbf"):
        return mesh_payload(raw)
    header = read_varint(raw, 1)
    if header is None:
        raise CotError("TAK stream frame is cut short in its length")
    length, start = header
    if len(raw) - start != length:
        raise CotError(
            f"TAK stream frame says {length} bytes, carries {len(raw) - start} "
            "(expected one whole frame)"
        )
    return raw[start:]


def parse_cot_event(data: bytes | str) -> CotEvent:
    """Decode one CoT message: an XML ``<event>`` or a TAK protocol v1 message.

    Raises :class:`CotError` naming what is missing or wrong (and never any
    other exception). XML documents with a DTD are refused (no entity
    expansion from the network); messages over :data:`MAX_MESSAGE_BYTES` are
    refused unread.
    """
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise CotError(f"CoT message of {len(raw)} bytes (expected at most {MAX_MESSAGE_BYTES})")
    if not raw.strip():
        raise CotError("CoT message is empty")
    if raw[0] == MAGIC:
        try:
            return _from_tak(decode_tak_message(_tak_payload(raw)))
        except TakProtocolError as exc:
            raise CotError(str(exc)) from None
    return _from_xml(raw)


class CotStreamSplitter:
    """Cuts a TCP byte stream into whole CoT messages (XML events and TAK v1 frames).

    XML events follow each other with no length prefix, each maybe preceded
    by an XML declaration; a message starts at the last ``<?xml`` or
    ``<event`` before its ``</event>``, so garbage before it cannot swallow
    it. A TAK protocol v1 frame is ``0xbf``, a varint length and the message;
    a frame that does not decode is taken for garbage and scanning goes on
    from the next byte, so a stray ``0xbf`` can delay the messages after it
    but not swallow them. Garbage between messages, a TAK length over
    ``max_bytes``, and over ``max_bytes`` without a closing tag are dropped
    and counted in ``overflows``.
    """

    END = b"</event>"
    STARTS = (b"<?xml", b"<event")

    def __init__(self, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.overflows = 0
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add ``chunk``; returns the messages it completes, in order."""
        buf = self._buffer
        buf += chunk
        messages: list[bytes] = []
        while buf:
            if not self._skip_garbage(buf):
                break
            if buf[0] == MAGIC:
                frame = self._frame_at(buf, 0)
                if frame is _WAIT:
                    break
                if frame is _NOT_A_FRAME:
                    self.overflows += 1
                    del buf[:1]
                    continue
                messages.append(bytes(buf[: len(frame)]))
                del buf[: len(frame)]
                continue
            end = buf.find(self.END)
            first = 0
            if end >= 0:
                first = max(0, *(buf.rfind(s, 0, end) for s in self.STARTS))
                if buf.startswith(b"<event", first):  # keep its own declaration with it
                    declaration = buf.rfind(b"<?xml", 0, first)
                    closing = buf.find(b"?>", declaration) if declaration >= 0 else -1
                    if closing >= 0 and not buf[closing + 2 : first].strip():
                        first = declaration
            # a whole TAK frame after a stray "<" is not part of any XML event
            frame_at = self._whole_frame_before(buf, first if end >= 0 else len(buf))
            if frame_at is not None:
                if buf[:frame_at].strip():
                    self.overflows += 1
                del buf[:frame_at]
                continue
            if end < 0:
                if len(buf) > self.max_bytes:
                    self.overflows += 1
                    buf.clear()
                break
            cut = end + len(self.END)
            if buf[:first].strip():
                self.overflows += 1
            messages.append(bytes(buf[first:cut]).strip())
            del buf[:cut]
        return messages

    def _skip_garbage(self, buf: bytearray) -> bool:
        """Drop what comes before the next ``<`` or ``0xbf``; False when nothing is left."""
        for i, byte in enumerate(buf):
            if byte in (MAGIC, 0x3C):  # 0x3C is "<"
                if buf[:i].strip():
                    self.overflows += 1
                del buf[:i]
                return True
        if buf.strip():
            self.overflows += 1
        buf.clear()
        return False

    def _whole_frame_before(self, buf: bytearray, limit: int) -> int | None:
        """Where the first whole, decodable TAK frame in ``buf[1:limit]`` starts, if any."""
        pos = buf.find(MAGIC, 1, limit)
        while pos >= 0:
            frame = self._frame_at(buf, pos)
            if frame is not _WAIT and frame is not _NOT_A_FRAME:
                return pos
            pos = buf.find(MAGIC, pos + 1, limit)
        return None

    def _frame_at(self, buf: bytearray, pos: int) -> bytes:
        """The TAK frame starting at ``buf[pos]`` (not removed), or a sentinel:
        ``_WAIT`` when it is not complete yet, ``_NOT_A_FRAME`` when it is no frame."""
        try:
            header = read_varint(buf, pos + 1)
        except TakProtocolError:
            return _NOT_A_FRAME
        if header is None:
            return _WAIT
        length, start = header
        if length == 0 or length > self.max_bytes:
            return _NOT_A_FRAME
        if len(buf) < start + length:
            return _WAIT
        frame = bytes(buf[pos : start + length])
        if not _decodes(frame[start - pos :]):
            return _NOT_A_FRAME
        return frame


_WAIT = b"wait"
_NOT_A_FRAME = b"not a frame"


def _decodes(payload: bytes) -> bool:
    """Whether ``payload`` is a TAK message (True without takproto: the parser says why)."""
    try:
        tak_message_class()
    except TakProtocolError:
        return True
    try:
        decode_tak_message(payload)
    except TakProtocolError:
        return False
    return True
