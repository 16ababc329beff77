"""Cursor-on-Target out: what Overwatch shows on ATAK/WinTAK/TAK servers.

Builders return framed bytes the way pytak frames them (XML declaration, a
newline, the ``<event>``), ready for :class:`CotUdpSender` or
:class:`CotTcpSender`. Positions are written with 7 decimals (≈ 1 cm; pytak's
helpers truncate to 4 ≈ 11 m). Times are W3C dateTime UTC with milliseconds;
``stale`` is ``time + stale_s``. UIDs are stable (derived from names/ids) so
TAK clients update the same marker instead of adding new ones.

=====================  ===========================================  ============
what                   builder                                      CoT type
=====================  ===========================================  ============
the drone              :func:`drone_event` (+ sensor FOV, video)    a-f-A-M-H-Q
camera footprint       :func:`footprint_event` (polygon)            u-d-f
the patrol             :func:`patrol_event`                         a-f-G-U-C
a threat cue           :func:`cue_event`                            a-h-G / a-u-G
=====================  ===========================================  ============
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import ssl
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from overwatch.errors import FeedError

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
"""The declaration pytak puts before every event (``pytak.DEFAULT_XML_DECLARATION``)."""

TYPE_DRONE = "a-f-A-M-H-Q"
TYPE_PATROL = "a-f-G-U-C"
TYPE_HOSTILE = "a-h-G"
TYPE_UNKNOWN = "a-u-G"
TYPE_SHAPE = "u-d-f"
DEFAULT_MULTICAST = ("239.2.3.1", 6969)
UNKNOWN = "9999999.0"


def cot_time(unix_s: float) -> str:
    """UNIX seconds → ``2026-11-25T12:00:00.000Z``."""
    stamp = dt.datetime.fromtimestamp(unix_s, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _deg(value: float) -> str:
    return f"{value:.7f}"


def _metres(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.1f}"


def _event(
    uid: str,
    cot_type: str,
    lat_deg: float,
    lon_deg: float,
    *,
    hae_m: float | None,
    ce_m: float | None,
    now_s: float | None,
    stale_s: float,
    how: str = "m-g",
) -> tuple[ET.Element, ET.Element]:
    now = time.time() if now_s is None else now_s
    event = ET.Element(
        "event",
        {
            "version": "2.0",
            "uid": uid,
            "type": cot_type,
            "how": how,
            "time": cot_time(now),
            "start": cot_time(now),
            "stale": cot_time(now + stale_s),
        },
    )
    ET.SubElement(
        event,
        "point",
        {
            "lat": _deg(lat_deg),
            "lon": _deg(lon_deg),
            "hae": _metres(hae_m),
            "ce": _metres(ce_m),
            "le": UNKNOWN,
        },
    )
    return event, ET.SubElement(event, "detail")


def frame_event(event: ET.Element) -> bytes:
    """pytak framing: XML declaration, newline, the event."""
    return XML_DECLARATION + b"\n" + ET.tostring(event, encoding="unicode").encode("utf-8")


def _contact_track(
    detail: ET.Element, callsign: str, course_deg: float | None, speed_m_s: float | None
) -> None:
    ET.SubElement(detail, "contact", {"callsign": callsign})
    if course_deg is not None or speed_m_s is not None:
        ET.SubElement(
            detail,
            "track",
            {
                "course": f"{(course_deg or 0.0) % 360.0:.1f}",
                "speed": f"{speed_m_s or 0.0:.2f}",
            },
        )


@dataclass(frozen=True)
class SensorView:
    """The camera's field of view for ATAK's sensor overlay.

    ``azimuth_deg`` clockwise from true north; ``elevation_deg`` negative
    looking down; ``fov_h_deg``/``fov_v_deg`` full angles; ``range_m`` slant range.
    """

    azimuth_deg: float
    elevation_deg: float
    fov_h_deg: float
    fov_v_deg: float
    range_m: float


def drone_event(
    name: str,
    lat_deg: float,
    lon_deg: float,
    hae_m: float | None,
    *,
    course_deg: float | None = None,
    speed_m_s: float | None = None,
    sensor: SensorView | None = None,
    video_url: str | None = None,
    now_s: float | None = None,
    stale_s: float = 10.0,
) -> bytes:
    """The drone (rotary-wing UAV, ``a-f-A-M-H-Q``), uid ``overwatch-uav-<name>``.

    ``hae_m``: height above the WGS84 ellipsoid (m). ``sensor`` adds a
    ``<sensor>`` field-of-view detail; ``video_url`` a ``<__video url=…>`` link.
    """
    event, detail = _event(
        f"overwatch-uav-{name}",
        TYPE_DRONE,
        lat_deg,
        lon_deg,
        hae_m=hae_m,
        ce_m=None,
        now_s=now_s,
        stale_s=stale_s,
    )
    _contact_track(detail, name, course_deg, speed_m_s)
    if sensor is not None:
        ET.SubElement(
            detail,
            "sensor",
            {
                "azimuth": f"{sensor.azimuth_deg % 360.0:.1f}",
                "elevation": f"{sensor.elevation_deg:.1f}",
                "fov": f"{sensor.fov_h_deg:.1f}",
                "vfov": f"{sensor.fov_v_deg:.1f}",
                "range": f"{sensor.range_m:.0f}",
                "model": "overwatch camera",
            },
        )
    if video_url is not None:
        ET.SubElement(detail, "__video", {"url": video_url, "uid": f"overwatch-video-{name}"})
    return frame_event(event)


def footprint_event(
    name: str,
    corners_lat_lon_deg: Sequence[tuple[float, float]],
    *,
    now_s: float | None = None,
    stale_s: float = 10.0,
) -> bytes:
    """The camera footprint as a closed freeform polygon (``u-d-f``).

    The event's point is the corners' centroid (plain mean of lat/lon); each
    corner is a ``<link point="lat,lon"/>``; the polygon is closed by repeating
    the first corner. Uid ``overwatch-footprint-<name>``.
    """
    if len(corners_lat_lon_deg) < 3:
        raise ValueError(f"a footprint needs 3 or more corners, got {len(corners_lat_lon_deg)}")
    lat_c = sum(lat for lat, _ in corners_lat_lon_deg) / len(corners_lat_lon_deg)
    lon_c = sum(lon for _, lon in corners_lat_lon_deg) / len(corners_lat_lon_deg)
    event, detail = _event(
        f"overwatch-footprint-{name}",
        TYPE_SHAPE,
        lat_c,
        lon_c,
        hae_m=None,
        ce_m=None,
        now_s=now_s,
        stale_s=stale_s,
        how="h-e",
    )
    for lat, lon in [*corners_lat_lon_deg, corners_lat_lon_deg[0]]:
        ET.SubElement(detail, "link", {"point": f"{_deg(lat)},{_deg(lon)}"})
    ET.SubElement(detail, "contact", {"callsign": f"{name} camera"})
    ET.SubElement(detail, "strokeColor", {"value": "-256"})  # ARGB yellow
    ET.SubElement(detail, "strokeWeight", {"value": "2.0"})
    ET.SubElement(detail, "fillColor", {"value": "352321280"})  # translucent yellow
    ET.SubElement(detail, "labels_on", {"value": "false"})
    return frame_event(event)


def patrol_event(
    name: str,
    lat_deg: float,
    lon_deg: float,
    *,
    hae_m: float | None = None,
    course_deg: float | None = None,
    speed_m_s: float | None = None,
    now_s: float | None = None,
    stale_s: float = 30.0,
) -> bytes:
    """The patrol (friendly ground unit, combat, ``a-f-G-U-C``), uid ``overwatch-patrol-<name>``."""
    event, detail = _event(
        f"overwatch-patrol-{name}",
        TYPE_PATROL,
        lat_deg,
        lon_deg,
        hae_m=hae_m,
        ce_m=None,
        now_s=now_s,
        stale_s=stale_s,
    )
    _contact_track(detail, name, course_deg, speed_m_s)
    return frame_event(event)


def cue_event(
    cue_id: str,
    lat_deg: float,
    lon_deg: float,
    *,
    hostile: bool,
    remarks: str,
    sigma_m: float | None = None,
    callsign: str | None = None,
    now_s: float | None = None,
    stale_s: float = 600.0,
) -> bytes:
    """A threat cue: hostile (``a-h-G``) or unknown (``a-u-G``) ground marker.

    ``sigma_m`` (1-sigma position uncertainty) is written as the CoT circular
    error; ``remarks`` carries the cue's kind, confidence and operator notes.
    Uid ``overwatch-cue-<cue_id>``.
    """
    event, detail = _event(
        f"overwatch-cue-{cue_id}",
        TYPE_HOSTILE if hostile else TYPE_UNKNOWN,
        lat_deg,
        lon_deg,
        hae_m=None,
        ce_m=sigma_m,
        now_s=now_s,
        stale_s=stale_s,
        how="h-e",
    )
    ET.SubElement(detail, "contact", {"callsign": callsign or cue_id})
    ET.SubElement(detail, "remarks").text = remarks
    return frame_event(event)


class CotUdpSender:
    """Sends framed CoT events as UDP datagrams.

    ``host`` may be unicast or a multicast group (``DEFAULT_MULTICAST`` is
    ATAK's SA group 239.2.3.1:6969); ``multicast_ttl`` limits how far multicast
    travels.
    """

    def __init__(self, host: str, port: int, *, multicast_ttl: int = 1) -> None:
        self.host, self.port = host, port
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, multicast_ttl)
        self._sock.setblocking(False)
        self.sent = 0

    async def send(self, event: bytes) -> None:
        """Send one event (raises :class:`FeedError` if the OS refuses)."""
        loop = asyncio.get_running_loop()
        try:
            await loop.sock_sendto(self._sock, event, (self.host, self.port))
        except OSError as exc:
            raise FeedError(f"cannot send CoT to udp://{self.host}:{self.port}: {exc}") from None
        self.sent += 1

    async def aclose(self) -> None:
        self._sock.close()

    async def __aenter__(self) -> CotUdpSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class CotTcpSender:
    """Streams framed CoT events to a TAK server over TCP (TLS with ``ssl_context``).

    The connection opens on first use and is reopened once per send if it dropped.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self.host, self.port = host, port
        self.ssl_context = ssl_context
        self.timeout_s = timeout_s
        self._writer: asyncio.StreamWriter | None = None
        self.sent = 0

    async def _connect(self) -> asyncio.StreamWriter:
        if self._writer is None or self._writer.is_closing():
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=self.ssl_context),
                self.timeout_s,
            )
            self._writer = writer
        return self._writer

    async def send(self, event: bytes) -> None:
        """Send one event; raises :class:`FeedError` if the server cannot be reached."""
        last_error: Exception | None = None
        for _ in range(2):
            try:
                writer = await self._connect()
                writer.write(event)
                await asyncio.wait_for(writer.drain(), self.timeout_s)
                self.sent += 1
                return
            except (OSError, TimeoutError) as exc:
                last_error = exc
                await self.aclose()
        scheme = "tls" if self.ssl_context else "tcp"
        raise FeedError(
            f"cannot send CoT to {scheme}://{self.host}:{self.port}: {last_error}"
        ) from None

    async def aclose(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def __aenter__(self) -> CotTcpSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
