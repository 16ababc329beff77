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
import ipaddress
import logging
import os
import socket
import ssl
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from overwatch.errors import CotError, FeedError
from overwatch.feeds.cot_xml import CotEvent, CotStreamSplitter, parse_cot_event

log = logging.getLogger(__name__)

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
    remarks: str | None = None,
    now_s: float | None = None,
    stale_s: float = 10.0,
) -> bytes:
    """The drone (rotary-wing UAV, ``a-f-A-M-H-Q``), uid ``overwatch-uav-<name>``.

    ``hae_m``: height above the WGS84 ellipsoid (m). ``sensor`` adds a
    ``<sensor>`` field-of-view detail; ``video_url`` a ``<__video url=…>`` link;
    ``remarks`` a ``<remarks>`` (a team's drone: what it does for the team).
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
    if remarks is not None:
        ET.SubElement(detail, "remarks").text = remarks
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

    The connection opens on first use and is reopened once per send if it
    dropped (or the server hung up). What the server sends back (other
    clients' positions and markers) is parsed and handed to ``on_event``; a
    malformed event is counted in ``bad_events`` and dropped.

    On a stream each event goes without its XML declaration: a stream is a
    sequence of ``<event>`` elements, and FreeTAKServer, which strips
    declarations with one greedy pattern per read, would lose every event
    of a read but the last if each carried one.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout_s: float = 5.0,
        on_event: Callable[[CotEvent], None] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.ssl_context = ssl_context
        self.timeout_s = timeout_s
        self.on_event = on_event
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self.sent = 0
        self.received = 0
        self.bad_events = 0

    async def _connect(self) -> asyncio.StreamWriter:
        if self._writer is None or self._writer.is_closing():
            async with asyncio.timeout(self.timeout_s):
                reader, writer = await asyncio.open_connection(
                    self.host, self.port, ssl=self.ssl_context
                )
            self._writer = writer
            if self._reader_task is not None:
                self._reader_task.cancel()
            self._reader_task = asyncio.create_task(self._read(reader, writer), name="cot-in")
        return self._writer

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        splitter = CotStreamSplitter()
        while True:
            try:
                chunk = await reader.read(65536)
            except (OSError, ssl.SSLError):
                chunk = b""
            if not chunk:  # the server hung up: the next send reconnects
                writer.close()
                return
            for message in splitter.feed(chunk):
                try:
                    event = parse_cot_event(message)
                except CotError:
                    self.bad_events += 1
                    continue
                self.received += 1
                if self.on_event is not None:
                    try:
                        self.on_event(event)
                    except Exception:
                        log.exception("CoT from the server: handler failed; carrying on")

    async def send(self, event: bytes) -> None:
        """Send one event; raises :class:`FeedError` if the server cannot be reached."""
        last_error: Exception | None = None
        for _ in range(2):
            try:
                writer = await self._connect()
                writer.write(_without_declaration(event))
                async with asyncio.timeout(self.timeout_s):
                    await writer.drain()
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
        task, self._reader_task = self._reader_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
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


def _without_declaration(event: bytes) -> bytes:
    if event.startswith(b"<?xml"):
        end = event.find(b"?>")
        if end >= 0:
            return event[end + 2 :].lstrip()
    return event


@dataclass(frozen=True)
class TakCredentials:
    """The certificates a TAK server's TLS port asks for.

    ``cert`` is the client certificate: a PKCS#12 bundle (``.p12``/``.pfx``,
    as TAK server data packages ship them, opened with ``password``) or a PEM
    file (with its ``key`` beside it, or inside it). ``ca`` is the server's
    trust store, PEM or PKCS#12 (``truststore-root.p12``); without it the
    system's roots are used. ``check_hostname`` off accepts a server
    certificate issued for another name (TAK servers are often reached by IP).
    """

    cert: Path | None = None
    key: Path | None = None
    password: str | None = None
    ca: Path | None = None
    check_hostname: bool = True


def _is_pkcs12(path: Path) -> bool:
    return path.suffix.lower() in (".p12", ".pfx")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FeedError(f"TAK {what} {path}: cannot read: {exc.strerror}") from None


def _pkcs12(path: Path, password: str | None, what: str) -> tuple[bytes, bytes, list[bytes]]:
    """(key PEM, certificate PEM, extra certificates PEM) of a PKCS#12 file."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError:
        raise FeedError(
            f"TAK {what} {path}: .p12 files need the 'cryptography' package "
            "(pip install 'overwatch[tak]')"
        ) from None
    data = _read(path, what)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        hint = " (wrong or missing --tak-password?)" if "password" in str(exc).lower() else ""
        raise FeedError(f"TAK {what} {path}: cannot open the PKCS#12 file: {exc}{hint}") from None
    pem = serialization.Encoding.PEM
    key_pem = (
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        if key is not None
        else b""
    )
    cert_pem = cert.public_bytes(pem) if cert is not None else b""
    return key_pem, cert_pem, [c.public_bytes(pem) for c in extra]


def tls_context(credentials: TakCredentials) -> ssl.SSLContext:
    """A client TLS context for a TAK server; :class:`FeedError` names the file that failed."""
    context = ssl.create_default_context()
    context.check_hostname = credentials.check_hostname
    ca = credentials.ca
    try:
        if ca is not None and _is_pkcs12(ca):
            _, cert_pem, extra = _pkcs12(ca, credentials.password, "trust store")
            cadata = b"".join([cert_pem, *extra]).decode()
            if not cadata:
                raise FeedError(f"TAK trust store {ca}: holds no certificate")
            context.load_verify_locations(cadata=cadata)
        elif ca is not None:
            _read(ca, "trust store")
            context.load_verify_locations(cafile=str(ca))
    except ssl.SSLError as exc:
        raise FeedError(f"TAK trust store {ca}: not a certificate file: {exc}") from None
    cert = credentials.cert
    if cert is None:
        return context
    if _is_pkcs12(cert):
        key_pem, cert_pem, extra = _pkcs12(cert, credentials.password, "client certificate")
        if not key_pem or not cert_pem:
            raise FeedError(f"TAK client certificate {cert}: holds no key and certificate")
        _load_chain_from_memory(context, key_pem, b"".join([cert_pem, *extra]), cert)
        return context
    _read(cert, "client certificate")
    try:
        context.load_cert_chain(
            str(cert),
            str(credentials.key) if credentials.key else None,
            password=credentials.password,
        )
    except (OSError, ssl.SSLError) as exc:
        raise FeedError(
            f"TAK client certificate {cert}: cannot load it"
            f"{' with key ' + str(credentials.key) if credentials.key else ''}: {exc}"
        ) from None
    return context


def _load_chain_from_memory(
    context: ssl.SSLContext, key_pem: bytes, chain_pem: bytes, source: Path
) -> None:
    """``load_cert_chain`` reads files only: hand it a private temporary one, then delete it."""
    descriptor, name = tempfile.mkstemp(prefix="overwatch-tak-", suffix=".pem")
    try:
        with os.fdopen(descriptor, "wb") as handle:  # mkstemp makes it readable by us alone
            handle.write(key_pem + chain_pem)
        context.load_cert_chain(name)
    except ssl.SSLError as exc:
        raise FeedError(f"TAK client certificate {source}: cannot load it: {exc}") from None
    finally:
        os.unlink(name)


#: Video URL schemes that another device can open when they name a reachable host.
_SHAREABLE_SCHEMES = ("rtsp", "rtsps", "rtmp", "srt", "http", "https")


def _reachable(host: str | None) -> bool:
    """Not this machine alone: not empty, 0.0.0.0/::, loopback or ``localhost``."""
    if not host or host.lower() == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: another device resolves it
    return not (address.is_unspecified or address.is_loopback)


def shareable_video_url(video_url: str | None, share_url: str | None = None) -> str | None:
    """The video URL to put in the drone's ``__video`` element, or None when there is none.

    ``share_url`` (an RTSP relay's address, or the camera's own) wins. Else
    ``video_url`` — what this ground station receives — is shared only when
    another device can open it too: a stream served by a reachable host
    (``rtsp://192.168.1.20:8554/cam``) or a multicast group
    (``udp://239.1.1.1:5600``). A local receive address (``udp://0.0.0.0:5600``,
    ``udp://@:5600``, an SDP file) is not: ATAK could not open it.

    >>> shareable_video_url("udp://0.0.0.0:5600") is None
    True
    >>> shareable_video_url("udp://0.0.0.0:5600", "rtsp://10.0.0.5:8554/drone")
    'rtsp://10.0.0.5:8554/drone'
    """
    if share_url:
        return share_url
    if not video_url or "://" not in video_url:
        return None
    parts = urlsplit(video_url)
    host = (parts.hostname or "").strip("@") or None
    if parts.scheme in _SHAREABLE_SCHEMES:
        return video_url if _reachable(host) else None
    if parts.scheme in ("udp", "rtp") and host:
        try:
            return video_url if ipaddress.ip_address(host).is_multicast else None
        except ValueError:
            return None
    return None
