"""FOLLOW mode, as ArduPilot documents it."""

from __future__ import annotations

import math
import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator.geodesy import TangentPlane
from tests.simulator.conftest import HOME, GcsFactory, StartFleet, fly_to_alt

LAT, LON, ALT = HOME


def test_follow_another_sysid_then_hold_when_the_target_times_out(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(
        speedup=10,
        params={
            "FOLL_ENABLE": 1,
            "FOLL_OFS_X": -10.0,
            "FOLL_OFS_Y": 0.0,
            "FOLL_OFS_Z": -20.0,
            "FOLL_POS_P": 0.5,
        },
    )
    gcs = gcs_factory(ft.port())
    patrol = gcs_factory(ft.port(), sysid=77)  # another system on the link: the patrol
    fly_to_alt(ft, gcs, 10)
    plane = TangentPlane(LAT, LON)
    target_xy = [40.0, 60.0]

    def send_patrol_fix(vn: float = 0.0) -> None:
        lat, lon = plane.to_lat_lon(*target_xy)
        patrol.mav.global_position_int_send(
            0, round(lat * 1e7), round(lon * 1e7), round(ALT * 1000), 0, round(vn * 100), 0, 0, 0
        )

    send_patrol_fix()
    assert gcs.set_mode(23).result == mav.MAV_RESULT_ACCEPTED
    start = ft.sim_time()
    while ft.sim_time() - start < 40:
        send_patrol_fix()
        time.sleep(0.02)
    # 10 m behind (south of) the target, 20 m above its (relative) altitude
    b = ft.ap.body
    assert math.hypot(b.x_m - 40.0, b.y_m - 50.0) < 2.0, (b.x_m, b.y_m)
    assert abs(ft.ap.alt_rel_m - 20.0) < 1.0
    assert abs(b.yaw_deg) < 5 or abs(b.yaw_deg - 360) < 5  # FOLL_YAW_BEHAVE 1: faces the target
    # the target goes quiet: after 3 s the vehicle holds where it is
    ft.wait_sim(4.0)
    held = (b.x_m, b.y_m)
    ft.wait_sim(5.0)
    assert math.hypot(b.x_m - held[0], b.y_m - held[1]) < 0.5
    assert ft.ap.mode == 23


def test_follow_with_zero_offsets_keeps_the_current_offset(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=10, params={"FOLL_ENABLE": 1})
    gcs = gcs_factory(ft.port())
    patrol = gcs_factory(ft.port(), sysid=42)
    fly_to_alt(ft, gcs, 10)
    plane = TangentPlane(LAT, LON)
    lat, lon = plane.to_lat_lon(0.0, 30.0)
    patrol.mav.global_position_int_send(0, round(lat * 1e7), round(lon * 1e7), 0, 0, 0, 0, 0, 0)
    assert gcs.set_mode(23).result == 0
    for _ in range(10):
        patrol.mav.global_position_int_send(0, round(lat * 1e7), round(lon * 1e7), 0, 0, 0, 0, 0, 0)
        time.sleep(0.05)
    p = ft.ap.params
    assert abs(p["FOLL_OFS_X"] + 30.0) < 1.5  # 30 m south of the target, north offset -30
    assert abs(p["FOLL_OFS_Z"] + 10.0) < 1.0
