"""What the scenario puts on the wire: the patrol's tracker and the drone's detector.

The overwatch side reads these exactly as it reads real devices:

- the patrol's position as NMEA 0183 (GGA + RMC + VTG) over UDP, as a GPS
  puck or a vehicle tracker sends it, or as Cursor-on-Target position reports
  (``a-f-G-U-C``) over UDP or TCP, as an ATAK phone sends them;
- the stand-in detector's sightings as CoT markers (``a-u-G``) tagged
  ``<__overwatch source="camera"/>``, as an on-board analytics box would.

A fix sent ``corrupt`` is what a real log's bad sentences are: each NMEA
sentence with a checksum that does not match it, or a CoT event whose XML
does not parse (its ``<point>`` left open), still framed as one message so
the receiver drops it alone and reads on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import quoteattr


def nmea_checksum(body: str) -> str:
    """XOR of the bytes between ``$`` and ``*``, as two hex digits."""
    value = 0
    for ch in body.encode("ascii"):
        value ^= ch
    return f"{value:02X}"


def _sentence(body: str, *, corrupt: bool = False) -> str:
    checksum = nmea_checksum(body)
    if corrupt:  # the checksum of another body: a receiver that checks drops the sentence
        checksum = f"{int(checksum, 16) ^ 0xFF:02X}"
    return f"${body}*{checksum}\r\n"


def _lat(lat_deg: float) -> tuple[str, str]:
    hemi = "N" if lat_deg >= 0 else "S"
    a = abs(lat_deg)
    deg = int(a)
    return f"{deg:02d}{(a - deg) * 60:07.4f}", hemi


def _lon(lon_deg: float) -> tuple[str, str]:
    hemi = "E" if lon_deg >= 0 else "W"
    a = abs(lon_deg)
    deg = int(a)
    return f"{deg:03d}{(a - deg) * 60:07.4f}", hemi


def nmea_fix(
    when: datetime,
    lat_deg: float,
    lon_deg: float,
    alt_msl_m: float,
    speed_m_s: float,
    course_deg: float,
    satellites: int = 9,
    hdop: float = 0.9,
    *,
    corrupt: bool = False,
) -> bytes:
    """GGA, RMC and VTG sentences for one fix (``when`` in UTC); ``corrupt``: every
    sentence with a wrong checksum."""
    when = when.astimezone(UTC)
    hhmmss = when.strftime("%H%M%S") + f".{when.microsecond // 10000:02d}"
    lat, ns = _lat(lat_deg)
    lon, ew = _lon(lon_deg)
    knots = speed_m_s * 3600.0 / 1852.0
    kmh = speed_m_s * 3.6
    gga = (
        f"GPGGA,{hhmmss},{lat},{ns},{lon},{ew},1,{satellites:02d},{hdop:.1f},"
        f"{alt_msl_m:.1f},M,0.0,M,,"
    )
    rmc = (
        f"GPRMC,{hhmmss},A,{lat},{ns},{lon},{ew},{knots:.2f},{course_deg % 360:.1f},"
        f"{when.strftime('%d%m%y')},,,A"
    )
    vtg = f"GPVTG,{course_deg % 360:.1f},T,,M,{knots:.2f},N,{kmh:.2f},K,A"
    return "".join(_sentence(s, corrupt=corrupt) for s in (gga, rmc, vtg)).encode("ascii")


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def cot_event(
    *,
    uid: str,
    cot_type: str,
    when: datetime,
    lat_deg: float,
    lon_deg: float,
    hae_m: float = 0.0,
    ce_m: float = 10.0,
    stale_s: float = 30.0,
    how: str = "m-g",
    callsign: str | None = None,
    course_deg: float | None = None,
    speed_m_s: float | None = None,
    extra_detail: str = "",
    corrupt: bool = False,
) -> bytes:
    """One Cursor-on-Target event (coordinates with 7 decimals); ``corrupt``: malformed
    XML, its ``<point>`` never closed, framed as one event all the same."""
    detail = []
    if callsign:
        detail.append(f"<contact callsign={quoteattr(callsign)}/>")
    if course_deg is not None and speed_m_s is not None:
        detail.append(f'<track course="{course_deg % 360:.1f}" speed="{speed_m_s:.2f}"/>')
    detail.append(extra_detail)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<event version="2.0" uid={quoteattr(uid)} type={quoteattr(cot_type)} how="{how}" '
        f'time="{_iso(when)}" start="{_iso(when)}" '
        f'stale="{_iso(when + timedelta(seconds=stale_s))}">'
        f'<point lat="{lat_deg:.7f}" lon="{lon_deg:.7f}" hae="{hae_m:.1f}" '
        f'ce="{ce_m:.1f}" le="9999999.0"{">" if corrupt else "/>"}'
        f"<detail>{''.join(detail)}</detail></event>"
    )
    return xml.encode("utf-8")


def sighting_event(
    *,
    uid: str,
    when: datetime,
    lat_deg: float,
    lon_deg: float,
    kind: str,
    sigma_m: float,
    confidence: float,
) -> bytes:
    """A detector sighting as an unknown-affiliation CoT marker."""
    cot_type = {"person": "a-u-G-U-C-I", "vehicle": "a-u-G-E-V", "object": "a-u-G"}.get(
        kind, "a-u-G"
    )
    remarks = f"{kind} detected by drone camera, confidence {confidence:.2f}"
    detail = (
        f'<__overwatch source="camera" kind={quoteattr(kind)} confidence="{confidence:.3f}"/>'
        f"<remarks>{remarks}</remarks>"
    )
    return cot_event(
        uid=uid,
        cot_type=cot_type,
        when=when,
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        ce_m=max(1.0, 2.0 * sigma_m),
        stale_s=300.0,
        how="m-s",
        extra_detail=detail,
    )
