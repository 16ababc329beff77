"""A live session sharing with a real TAK server (FreeTAKServer), and a second TAK client on it.

FreeTAKServer listens on every interface and keeps its state in /opt/fts, so
this runs ONLY inside namespaces of its own (``tests/cot/test_takserver.py``
starts ``unshare --net --mount`` around it): loopback is the only network,
and /opt/fts is a directory of the test's. Run as
``python -m tests.cot.takserver STATE_DIR TAKSERVER_PYTHON``; prints one
JSON line of what the second client saw and what came back as cues.
"""

from __future__ import annotations

import asyncio
import configparser
import contextlib
import json
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from overwatch.feeds.cot_out import TakCredentials, cot_time
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from simulator.fleet import SimulatedFleet
from simulator.scenario.publish import nmea_fix

REPO = Path(__file__).resolve().parents[2]
MISSION = REPO / "missions" / "vehicle-patrol.yaml"
CERTS = Path("/opt/fts/certs")
#: FreeTAKServer's default password for the certificates it makes (MainConfig.password).
FTS_PASSWORD = "supersecret"
TLS_PORT = 8089
VIDEO_RELAY = "rtsp://10.20.30.40:8554/overwatch"
MARKER_UID = "ATAK-operator-marker-1"
WANTED = ("a-f-A-M-H-Q", "u-d-f", "a-f-G-U-C", "cue")


def _say(text: str) -> None:
    """Progress on stderr, which the test shows when it fails."""
    print(f"{datetime.now(UTC):%H:%M:%S} {text}", file=sys.stderr, flush=True)


def _loopback_only() -> None:
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        raise SystemExit(f"refusing to run outside a loopback-only namespace: {names}")


async def _wait_for_server(fts: subprocess.Popen[bytes], log: Path) -> None:
    """Until the TLS port takes connections and the client certificate is on disk."""
    for _ in range(600):
        if fts.poll() is not None:
            raise SystemExit(f"FreeTAKServer exited ({fts.returncode}):\n{log.read_text()[-4000:]}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", TLS_PORT), 1).close()
            if (CERTS / "Client.p12").exists():
                return
        await asyncio.sleep(0.5)
    raise SystemExit(f"FreeTAKServer's TLS port never opened:\n{log.read_text()[-4000:]}")


async def _second_client() -> tuple[Any, Any]:
    """ATAK's stand-in: pytak's TLS client, with FreeTAKServer's PEM certificate and key."""
    import pytak

    parser = configparser.ConfigParser()
    parser["client"] = {
        "COT_URL": f"tls://127.0.0.1:{TLS_PORT}",
        "PYTAK_TLS_CLIENT_CERT": str(CERTS / "Client.pem"),
        "PYTAK_TLS_CLIENT_KEY": str(CERTS / "Client.key"),
        "PYTAK_TLS_CLIENT_PASSWORD": FTS_PASSWORD,
        "PYTAK_TLS_CLIENT_CAFILE": str(CERTS / "ca.pem"),
        "PYTAK_TLS_DONT_CHECK_HOSTNAME": "1",
    }
    reader, writer = await pytak.protocol_factory(parser["client"])
    return reader, writer


def _event(uid: str, cot_type: str, lat_deg: float, lon_deg: float, detail: str) -> bytes:
    now = datetime.now(UTC).timestamp()
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<event version="2.0" uid="{uid}" type="{cot_type}" how="h-g-i-g-o" '
        f'time="{cot_time(now)}" start="{cot_time(now)}" stale="{cot_time(now + 600)}">'
        f'<point lat="{lat_deg:.7f}" lon="{lon_deg:.7f}" hae="300" ce="15" le="9999999"/>'
        f"<detail>{detail}</detail></event>"
    ).encode()


def _marker(lat_deg: float, lon_deg: float) -> bytes:
    """A hostile marker as ATAK drops it."""
    detail = '<contact callsign="H.1"/><remarks>pickup by the culvert</remarks>'
    return _event(MARKER_UID, "a-h-G", lat_deg, lon_deg, detail)


def _own_position(lat_deg: float, lon_deg: float) -> bytes:
    """The client's own position report: a TAK server hangs up on a client that sends none."""
    detail = '<contact callsign="OBSERVER"/><__group name="Cyan" role="Team Member"/>'
    return _event("ATAK-observer", "a-f-G-U-C", lat_deg, lon_deg, detail)


async def _patrol(geometry: MissionGeometry, port: int) -> None:
    """The patrol's GPS, creeping east from the route's start, twice a second."""
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = geometry.mission.patrol.route[0]
    try:
        for i in range(100_000):
            fix = nmea_fix(
                datetime.now(UTC), start.lat_deg, start.lon_deg + i * 5e-6, 272.0, 1.0, 90.0
            )
            sender.sendto(fix, ("127.0.0.1", port))
            await asyncio.sleep(0.5)
    finally:
        sender.close()


async def _share(state: Path) -> dict[str, Any]:
    geometry = MissionGeometry.of(load_mission(MISSION))
    site = geometry.mission.launch.site
    feed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    feed.bind(("127.0.0.1", 0))
    feed_port = feed.getsockname()[1]
    feed.close()
    reader, writer = await _second_client()
    writer.write(_own_position(site.lat_deg - 0.01, site.lon_deg))
    await writer.drain()
    fleet = SimulatedFleet(
        home=(site.lat_deg, site.lon_deg, 272.0),
        base_port=0,
        gps_fix_delay_s=0.5,
        ekf_gps_delay_s=1.0,
        speedup=5.0,
    )
    seen: dict[str, ET.Element] = {}
    async with fleet:
        session = LiveSession(
            geometry,
            SessionConfig(
                connect=fleet.urls[0],
                patrol_feed=f"nmea+udp://127.0.0.1:{feed_port}",
                cot_out=f"tls://127.0.0.1:{TLS_PORT}",
                tak=TakCredentials(
                    cert=CERTS / "Client.p12",
                    password=FTS_PASSWORD,
                    ca=CERTS / "ca.pem",
                    check_hostname=False,
                ),
                video_share=VIDEO_RELAY,
                run_dir=state / "run",
            ),
        )
        await session.start()
        _say("session started")
        try:
            vehicle = session.vehicle
            assert vehicle is not None
            await vehicle.wait_ready(timeout_s=60)
            await vehicle.set_mode("GUIDED")
            await vehicle.arm()
            await vehicle.takeoff(30.0)  # airborne: the camera's footprint is shared
            _say("taking off")
            patrol = asyncio.create_task(_patrol(geometry, feed_port))
            parked = (site.lat_deg + 0.002, site.lon_deg)
            await session.commands.mark_cue(parked, "vehicle", "parked")

            buffer = b""
            async with asyncio.timeout(120):
                while not all(kind in seen for kind in WANTED):
                    buffer += await reader.read(65536)
                    while b"</event>" in buffer:
                        raw, _, buffer = buffer.partition(b"</event>")
                        start_at = raw.find(b"<event")
                        if start_at < 0:
                            continue
                        event = ET.fromstring(raw[start_at:] + b"</event>")
                        kind = str(event.get("type"))
                        if kind.startswith(("a-u-G", "a-h-G")):
                            kind = "cue"
                        if kind not in seen:
                            _say(f"second client: first {kind}")
                        seen.setdefault(kind, event)

            marker_at = (site.lat_deg + 0.004, site.lon_deg + 0.001)
            _say("second client: dropping a hostile marker")
            async with asyncio.timeout(120):
                while not any(
                    abs(cue.lat_deg - marker_at[0]) < 1e-5 for cue in session.cues.cues()
                ):
                    writer.write(_marker(*marker_at))
                    await writer.drain()
                    await asyncio.sleep(1.0)
            back = [
                {
                    "source": str(cue.source),
                    "lat": cue.lat_deg,
                    "lon": cue.lon_deg,
                    "confidence": cue.confidence,
                }
                for cue in session.cues.cues()
                if abs(cue.lat_deg - marker_at[0]) < 1e-5
            ]
        finally:
            patrol.cancel()
            await session.close()
            writer.close()
    drone = seen["a-f-A-M-H-Q"]
    video = drone.find("detail/__video")
    footprint = seen["u-d-f"]
    cue_point = seen["cue"].find("point")
    assert cue_point is not None
    return {
        "types": sorted(kind for kind in seen if kind in WANTED),
        "drone_uid": drone.get("uid"),
        "video_url": None if video is None else video.get("url"),
        "sensor": drone.find("detail/sensor") is not None,
        "footprint_points": len(footprint.findall("detail/link")),
        "patrol_uid": seen["a-f-G-U-C"].get("uid"),
        "cue_uid": seen["cue"].get("uid"),
        "cue_at": [float(cue_point.get("lat", "nan")), float(cue_point.get("lon", "nan"))],
        "marked_at": [site.lat_deg + 0.002, site.lon_deg],
        "marker_at": list(marker_at),
        "marker_cues": back,
    }


def main() -> None:
    _loopback_only()
    state, server_python = Path(sys.argv[1]), sys.argv[2]
    log = state / "freetakserver.log"
    with log.open("wb") as out:
        fts = subprocess.Popen(
            [server_python, "-m", "FreeTAKServer.controllers.services.FTS"],
            cwd=state,
            env={**os.environ, "FTS_FIRST_START": "false"},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        asyncio.run(_wait_for_server(fts, log))
        _say("FreeTAKServer's TLS port is open")
        result = asyncio.run(_share(state))
    finally:
        # FreeTAKServer runs its services as child processes: end its whole group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(fts.pid, 15)
        try:
            fts.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(fts.pid, 9)
            fts.wait()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
