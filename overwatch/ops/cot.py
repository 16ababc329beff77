"""Share the live picture with TAK: the drone, its camera view, the patrol and the cues.

A team's drones are each their own track (``overwatch-uav-<name>``, the names being
unique in a mission, so a drone keeps its marker from one run to the next) with its
own footprint (``overwatch-footprint-<name>``), and say their role in their remarks
(``Hexa-2: on station``); a single drone's uid is its name's, as it always was.

``udp://HOST:PORT`` sends datagrams (ATAK's SA multicast group 239.2.3.1:6969
in the field; tests use unicast to 127.0.0.1), ``tcp://HOST:PORT`` streams to
a TAK server, and ``tls://HOST:PORT`` streams to a TAK server over TLS with the
session's :class:`~overwatch.feeds.cot_out.TakCredentials` (``--tak-cert
CLIENT.p12 --tak-password …``, or PEM files; the URL may also carry
``?ca=CA.pem&cert=CLIENT.pem&key=CLIENT.key``).

Over TCP and TLS the server's traffic comes back on the same connection:
the markers other TAK users drop (hostile ``a-h-…``, unknown ``a-u-…``)
become cues, as on ``--sightings``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from overwatch.cues.model import CueStatus
from overwatch.errors import FeedError
from overwatch.feeds import (
    CotEvent,
    CotTcpSender,
    CotUdpSender,
    SensorView,
    cue_event,
    drone_event,
    footprint_event,
    patrol_event,
)
from overwatch.feeds.cot_out import TakCredentials, shareable_video_url, tls_context
from overwatch.ops.views import camera_footprint

if TYPE_CHECKING:
    from overwatch.ops.crew import Crew
    from overwatch.ops.session import LiveSession


EXPECTED = "udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT[?ca=…&cert=…&key=…]"


log = logging.getLogger(__name__)


def cot_sender(
    target: str,
    credentials: TakCredentials | None = None,
    *,
    on_event: Callable[[CotEvent], None] | None = None,
) -> CotUdpSender | CotTcpSender:
    """The sender a CoT output URL names; :class:`FeedError` says what was expected.

    ``credentials`` are for ``tls://``; certificate options in the URL
    (``?ca=…&cert=…&key=…``) fill in what they leave out. ``on_event``
    receives what a TAK server sends back (TCP and TLS).
    """
    scheme, host, port, context = check_cot_output(target, credentials)
    if scheme == "udp":
        return CotUdpSender(host, port)
    return CotTcpSender(host, port, ssl_context=context, on_event=on_event)


def check_cot_output(
    target: str, credentials: TakCredentials | None = None
) -> tuple[str, str, int, ssl.SSLContext | None]:
    """(scheme, host, port, TLS context) of a CoT output URL, its certificates loaded.

    Raises :class:`FeedError` saying what was expected or which file failed.
    """
    parts = urlsplit(target)
    if parts.scheme not in ("udp", "tcp", "tls") or not parts.hostname or parts.port is None:
        raise FeedError(f"CoT output {target!r}: expected {EXPECTED}")
    if parts.scheme != "tls":
        return parts.scheme, parts.hostname, parts.port, None
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - {"ca", "cert", "key"}
    if unknown:
        raise FeedError(f"CoT output {target!r}: unknown option(s) {', '.join(sorted(unknown))}")
    given = credentials or TakCredentials()
    merged = TakCredentials(
        cert=given.cert or _path(options.get("cert")),
        key=given.key or _path(options.get("key")),
        password=given.password,
        ca=given.ca or _path(options.get("ca")),
        check_hostname=given.check_hostname,
    )
    try:
        context = tls_context(merged)
    except FeedError as exc:
        raise FeedError(f"CoT output {target!r}: cannot load the TLS certificates: {exc}") from None
    return "tls", parts.hostname, parts.port, context


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


class CotSharer:
    """Sends one round of CoT events per :meth:`share_once`."""

    def __init__(
        self,
        sender: CotUdpSender | CotTcpSender,
        session: LiveSession,
        *,
        video_url: str | None = None,
    ) -> None:
        self.sender = sender
        self.session = session
        self.video_url = video_url
        self.events_sent = 0
        self.failures = 0

    @classmethod
    def open(cls, target: str, session: LiveSession) -> CotSharer:
        """The sharer for ``target``; markers the TAK server sends back become cues."""
        config = session.config
        sender = cot_sender(target, config.tak, on_event=session.on_cot_event)
        video = shareable_video_url(config.video_url, config.video_share)
        if config.video_url and video is None:
            session.note(
                "warning",
                f"TAK: the video is not linked: {config.video_url} is this station's own "
                "receive address, which other devices cannot open (give --video-share URL)",
            )
        return cls(sender, session, video_url=video)

    async def run(self, period_s: Callable[[], float]) -> None:
        """Share every ``period_s()`` wall seconds until cancelled; an unreachable server is
        noted once and tried again each round, it never stops the sharing."""
        try:
            while True:
                try:
                    await self.share_once()
                except FeedError as exc:
                    self.failures += 1
                    if self.failures == 1:
                        self.session.note("warning", f"TAK: {exc}; trying again")
                else:
                    if self.failures:
                        self.session.note("info", "TAK: sharing again")
                    self.failures = 0
                await asyncio.sleep(period_s())
        finally:
            await self.close()

    async def share_once(self) -> int:
        """Send the current picture; returns how many events went out."""
        session = self.session
        now = session.clock.now()
        events: list[bytes] = []
        team = session.team
        for crew in session.crews:
            role = None if team is None else f"{crew.name}: {team.roles[crew.index].value}"
            events.extend(self._drone_events(crew, now, role))
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

    def _drone_events(self, crew: Crew, now: float, remarks: str | None) -> list[bytes]:
        """``crew``'s drone (uid from its name, unique in the mission) and, once it is up,
        its camera's footprint; nothing before it is heard with a fix."""
        snap = crew.flight.vehicle_snapshot()
        vehicle = crew.vehicle
        if snap is None or vehicle is None:
            return []
        name, state = crew.name, vehicle.state
        cam = crew.geometry.mission.vehicle.camera
        pitch = snap.gimbal_pitch_deg if snap.gimbal_pitch_deg is not None else cam.gimbal_pitch_deg
        events = [
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
                video_url=self.video_url,
                remarks=remarks,
                now_s=now,
            )
        ]
        if snap.alt_rel_m > 2.0:
            footprint = camera_footprint(snap, crew.geometry)
            events.append(footprint_event(name, footprint, now_s=now))
        return events

    async def close(self) -> None:
        await self.sender.aclose()
