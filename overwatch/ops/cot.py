"""Share the live picture with TAK: the drone, its camera view, the patrol and the cues.

``udp://HOST:PORT`` sends datagrams (ATAK's SA multicast group 239.2.3.1:6969
in the field; tests use unicast to 127.0.0.1), ``tcp://HOST:PORT`` streams to
a TAK server, and ``tls://HOST:PORT?ca=CA.pem&cert=CLIENT.pem&key=CLIENT.key``
streams to a TAK server over TLS (the certificate options as the server asks).
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from overwatch.cues.model import CueStatus
from overwatch.errors import FeedError
from overwatch.feeds import (
    CotTcpSender,
    CotUdpSender,
    SensorView,
    cue_event,
    drone_event,
    footprint_event,
    patrol_event,
)

if TYPE_CHECKING:
    from overwatch.ops.session import LiveSession


EXPECTED = "udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT[?ca=…&cert=…&key=…]"


def cot_sender(target: str) -> CotUdpSender | CotTcpSender:
    """The sender a CoT output URL names; :class:`FeedError` says what was expected."""
    parts = urlsplit(target)
    if parts.scheme not in ("udp", "tcp", "tls") or not parts.hostname or parts.port is None:
        raise FeedError(f"CoT output {target!r}: expected {EXPECTED}")
    if parts.scheme == "udp":
        return CotUdpSender(parts.hostname, parts.port)
    if parts.scheme == "tcp":
        return CotTcpSender(parts.hostname, parts.port)
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - {"ca", "cert", "key"}
    if unknown:
        raise FeedError(f"CoT output {target!r}: unknown option(s) {', '.join(sorted(unknown))}")
    try:
        context = ssl.create_default_context(cafile=options.get("ca"))
        if "cert" in options:
            context.load_cert_chain(options["cert"], options.get("key"))
    except (OSError, ssl.SSLError) as exc:
        raise FeedError(f"CoT output {target!r}: cannot load the TLS certificates: {exc}") from None
    return CotTcpSender(parts.hostname, parts.port, ssl_context=context)


class CotSharer:
    """Sends one round of CoT events per :meth:`share_once`."""

    def __init__(self, sender: CotUdpSender | CotTcpSender, session: LiveSession) -> None:
        self.sender = sender
        self.session = session
        self.events_sent = 0

    @classmethod
    def open(cls, target: str, session: LiveSession) -> CotSharer:
        parts = urlsplit(target)
        if parts.scheme not in ("udp", "tcp") or not parts.hostname or parts.port is None:
            raise FeedError(f"CoT output {target!r}: expected udp://HOST:PORT or tcp://HOST:PORT")
        if parts.scheme == "udp":
            return cls(CotUdpSender(parts.hostname, parts.port), session)
        return cls(CotTcpSender(parts.hostname, parts.port), session)

    async def share_once(self) -> int:
        """Send the current picture; returns how many events went out."""
        session = self.session
        now = session.clock.now()
        name = session.mission.vehicle.name
        events: list[bytes] = []
        snap = session.vehicle_snapshot()
        state = session.vehicle.state if session.vehicle else None
        if snap is not None and state is not None:
            cam = session.mission.vehicle.camera
            pitch = (
                snap.gimbal_pitch_deg if snap.gimbal_pitch_deg is not None else cam.gimbal_pitch_deg
            )
            events.append(
                drone_event(
                    name,
                    snap.lat_deg,
                    snap.lon_deg,
                    state.alt_msl_m,
                    course_deg=snap.heading_deg,
                    speed_m_s=state.groundspeed_m_s,
                    sensor=SensorView(
                        azimuth_deg=(snap.heading_deg + (snap.gimbal_yaw_deg or 0.0)) % 360.0,
                        elevation_deg=pitch,
                        fov_h_deg=cam.hfov_deg,
                        fov_v_deg=cam.vfov_deg,
                        range_m=500.0,
                    ),
                    video_url=session.config.video_url,
                    now_s=now,
                )
            )
            if snap.alt_rel_m > 2.0:
                events.append(footprint_event(name, session.footprint(snap), now_s=now))
        # the patrol is ours to report only when its position did not come from TAK
        if not session.config.patrol_feed.startswith("cot"):
            est = session.tracker.estimate(now)
            if est.lat_deg is not None and est.lon_deg is not None:
                events.append(
                    patrol_event(
                        session.mission.patrol.callsign,
                        est.lat_deg,
                        est.lon_deg,
                        course_deg=est.course_deg,
                        speed_m_s=est.speed_m_s,
                        now_s=now,
                    )
                )
        for cue in session.cues.cues(include_dismissed=False):
            remarks = f"{cue.kind} cue {cue.id} ({cue.source}, {cue.confidence:.0%})"
            if cue.notes:
                remarks += ": " + "; ".join(cue.notes)
            events.append(
                cue_event(
                    cue.id,
                    cue.lat_deg,
                    cue.lon_deg,
                    hostile=cue.status is CueStatus.ACKNOWLEDGED,
                    remarks=remarks,
                    sigma_m=cue.sigma_m,
                    now_s=now,
                )
            )
        for data in events:
            await self.sender.send(data)
        self.events_sent += len(events)
        return len(events)

    async def close(self) -> None:
        await self.sender.aclose()
