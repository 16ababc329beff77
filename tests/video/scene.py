"""A small synthetic scene shared by the video tests: a road, patrol and threat actors."""

from __future__ import annotations

import math
import socket
from dataclasses import dataclass

from overwatch.camera import CameraPose
from overwatch.geo import LocalFrame
from simulator.camera.scene import GroundTexture, SceneActor, build_ground

FRAME = LocalFrame(13.5, 2.1)
HOME_ALT_MSL_M = 300.0

# (id, kind, x_m east, y_m north, colour, heading)
ACTOR_LAYOUT = [
    ("patrol-1", "vehicle", 0.0, 0.0, (236, 236, 232), 80.0),
    ("patrol-2", "vehicle", -14.0, -2.0, (52, 84, 48), 80.0),
    ("threat-truck", "vehicle", 18.0, 14.0, (170, 40, 36), 20.0),
    ("threat-car", "vehicle", -6.0, 22.0, (40, 60, 150), 135.0),
    ("crate", "object", 10.0, -12.0, (60, 60, 70), 0.0),
    ("person-1", "person", 4.0, 9.0, (30, 30, 36), 0.0),
    ("person-2", "person", -20.0, 12.0, (220, 120, 30), 0.0),
]


def make_actors() -> list[SceneActor]:
    actors = []
    for actor_id, kind, x, y, colour, heading in ACTOR_LAYOUT:
        lat, lon = FRAME.to_wgs84(x, y)
        actors.append(SceneActor(actor_id, kind, lat, lon, colour, heading_deg=heading))
    return actors


def make_ground() -> GroundTexture:
    road = [FRAME.to_wgs84(-400.0, -70.0), FRAME.to_wgs84(0.0, -4.0), FRAME.to_wgs84(400.0, 60.0)]
    return build_ground(FRAME, [road], margin_m=300.0, max_texture_px=3000)


@dataclass(frozen=True)
class Orbit:
    """A camera pose circling the scene centre, looking at it (degrees, metres, seconds)."""

    radius_m: float = 45.0
    alt_rel_m: float = 40.0
    period_s: float = 40.0

    def pose(self, time_s: float) -> CameraPose:
        angle = 2.0 * math.pi * time_s / self.period_s
        x, y = self.radius_m * math.sin(angle), self.radius_m * math.cos(angle)
        lat, lon = FRAME.to_wgs84(x, y)
        bearing_to_centre = math.degrees(math.atan2(-x, -y)) % 360.0
        depression = math.degrees(math.atan2(self.alt_rel_m, self.radius_m))
        return CameraPose(
            lat_deg=lat,
            lon_deg=lon,
            alt_msl_m=HOME_ALT_MSL_M + self.alt_rel_m,
            alt_rel_m=self.alt_rel_m,
            roll_deg=3.0 * math.sin(angle * 3),
            pitch_deg=-4.0,
            yaw_deg=bearing_to_centre,
            gimbal_pitch_deg=-depression,
            gimbal_yaw_deg=0.0,
            time_s=time_s,
        )


def free_udp_port_pair() -> int:
    """An even UDP port P on 127.0.0.1 with P+1 also free (RTP + RTCP)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port % 2 or port >= 65534:
            continue
        try:
            with (
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a,
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b,
            ):
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return int(port)
    raise RuntimeError("no free UDP port pair on 127.0.0.1")
