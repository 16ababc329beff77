"""Flying: AUTO missions, GUIDED targets, failsafes and the fence."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator.geodesy import TangentPlane
from tests.simulator.conftest import (
    HOME,
    Gcs,
    GcsFactory,
    StartFleet,
    fly_to_alt,
    ready_guided,
)
from tests.simulator.test_mission import _mission

LAT, LON, _ = HOME


def _wait(cond: Callable[[], bool], timeout_s: float = 20.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_full_auto_mission_reports_items_in_order_then_lands_and_disarms(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=50)
    gcs = gcs_factory(ft.port())
    assert gcs.upload(_mission()).type == mav.MAV_MISSION_ACCEPTED
    ready_guided(ft, gcs)
    ack = gcs.command(mav.MAV_CMD_MISSION_START)
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    assert gcs.wait_heartbeat(lambda m: m.custom_mode == 3, 2.0) is not None
    reached: list[int] = []
    currents: list[int] = []
    speed_seen = 0.0
    end = time.monotonic() + 30
    while time.monotonic() < end:
        msg = gcs.recv(("MISSION_ITEM_REACHED", "MISSION_CURRENT", "HEARTBEAT"), 1.0)
        speed_seen = max(speed_seen, ft.ap.body.groundspeed_m_s())
        if msg is None:
            continue
        if msg.get_type() == "MISSION_ITEM_REACHED":
            reached.append(msg.seq)
        elif msg.get_type() == "MISSION_CURRENT":
            currents.append(msg.seq)
        elif not msg.base_mode & mav.MAV_MODE_FLAG_SAFETY_ARMED:
            break
    assert reached == [1, 2, 4, 5], reached  # NAV items only; DO_CHANGE_SPEED (3) is not reached
    assert currents[:3] == [1, 2, 4], currents
    assert not ft.ap.armed and ft.ap.body.on_ground
    plane = TangentPlane(LAT, LON)
    x, y = plane.to_xy(*ft.ap.position()[:2])
    lx, ly = plane.to_xy(LAT, LON + 0.0005)
    assert math.hypot(x - lx, y - ly) < 2.5  # landed at the LAND item
    assert speed_seen > 6.0  # DO_CHANGE_SPEED 8 m/s took effect (WPNAV_SPEED is 5 m/s)


def test_mission_start_without_takeoff_item_is_refused_on_the_ground(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=20)
    gcs = gcs_factory(ft.port())
    items = [m for m in _mission() if m[0] != 22]
    assert gcs.upload(items).type == 0
    ready_guided(ft, gcs)
    assert gcs.command(mav.MAV_CMD_MISSION_START).result == mav.MAV_RESULT_FAILED
    assert gcs.recv("STATUSTEXT", 2.0, cond=lambda m: "Takeoff" in m.text) is not None


def test_guided_position_and_velocity_targets(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=40)
    gcs = gcs_factory(ft.port())
    fly_to_alt(ft, gcs, 15)
    plane = TangentPlane(LAT, LON)
    tlat, tlon = plane.to_lat_lon(40.0, 30.0)
    gcs.mav.set_position_target_global_int_send(
        0,
        1,
        1,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        0b0000_1111_1111_1000,
        round(tlat * 1e7),
        round(tlon * 1e7),
        25.0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    )

    def near_target() -> bool:
        x, y = plane.to_xy(*ft.ap.position()[:2])
        return math.hypot(x - 40, y - 30) < 1.0 and abs(ft.ap.alt_rel_m - 25) < 1.0

    _wait(near_target, what="GUIDED position target")
    # velocity north 3 m/s in LOCAL_NED: the vehicle moves north, then stops after GUID_TIMEOUT
    y0 = ft.ap.body.y_m
    gcs.mav.set_position_target_local_ned_send(
        0, 1, 1, mav.MAV_FRAME_LOCAL_NED, 0b0000_1111_1100_0111, 0, 0, 0, 3.0, 0, 0, 0, 0, 0, 0, 0
    )
    ft.wait_sim(2.0)
    assert ft.ap.body.y_m > y0 + 2.0
    ft.wait_sim(4.0)
    assert ft.ap.body.groundspeed_m_s() < 0.5  # velocity command timed out: holding
    # DO_REPOSITION (COMMAND_INT) moves it too
    rlat, rlon = plane.to_lat_lon(-20.0, 0.0)
    ack = gcs.command_int(
        mav.MAV_CMD_DO_REPOSITION,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        -1,
        0,
        0,
        math.nan,
        round(rlat * 1e7),
        round(rlon * 1e7),
        20.0,
    )
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    _wait(lambda: math.hypot(ft.ap.body.x_m + 20, ft.ap.body.y_m) < 1.5, what="reposition")


def test_roi_and_gimbal(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=30)
    gcs = gcs_factory(ft.port())
    fly_to_alt(ft, gcs, 30)
    ack = gcs.command(mav.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW, -45, 10, 0, 0, 0, 0, 0)
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    ft.wait_sim(2.0)
    pose = ft.fleet.vehicles[0].pose()
    assert abs(pose.gimbal_pitch_deg + 45) < 0.5 and abs(pose.gimbal_yaw_deg - 10) < 0.5
    assert gcs.command(mav.MAV_CMD_SET_MESSAGE_INTERVAL, 285, 100_000).result == 0
    status = gcs.recv("GIMBAL_DEVICE_ATTITUDE_STATUS", 2.0)
    assert status is not None
    # ROI 60 m east on the ground: the vehicle yaws to it, the gimbal looks down at it
    plane = TangentPlane(LAT, LON)
    rlat, rlon = plane.to_lat_lon(60.0, 0.0)
    ack = gcs.command_int(
        mav.MAV_CMD_DO_SET_ROI_LOCATION,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        x=round(rlat * 1e7),
        y=round(rlon * 1e7),
        z=0.0,
    )
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    ft.wait_sim(5.0)
    pose = ft.fleet.vehicles[0].pose()
    assert abs(pose.yaw_deg - 90) < 2
    expected_pitch = -math.degrees(math.atan2(30, 60))
    assert abs(pose.gimbal_pitch_deg - expected_pitch) < 2
    assert abs(pose.gimbal_yaw_deg) < 2
    assert gcs.command(mav.MAV_CMD_DO_MOUNT_CONTROL, -90, 0, 0, 0, 0, 0, 2).result == 0
    ft.wait_sim(3.0)
    assert abs(ft.fleet.vehicles[0].pose().gimbal_pitch_deg + 90) < 0.5


def test_gcs_heartbeat_loss_triggers_rtl(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=20)
    gcs = gcs_factory(ft.port())
    gcs.heartbeat()
    fly_to_alt(ft, gcs, 10)
    gcs.heartbeat()  # fresh, so enabling the failsafe does not trip it at once
    time.sleep(0.02)
    assert gcs.set_param("FS_GCS_ENABLE", 1).param_value == 1
    for _ in range(20):  # heartbeats every ~1 simulated second keep it away
        gcs.heartbeat()
        time.sleep(0.05)
    assert ft.ap.mode == 4 and not ft.ap.failsafes.gcs
    hb = gcs.wait_heartbeat(lambda m: m.custom_mode == 6, 5.0)
    assert hb is not None
    assert ft.sim_time() - ft.ap.failsafes.last_gcs_heartbeat_s >= 5.0  # FS_GCS_TIMEOUT default
    assert gcs.recv("STATUSTEXT", 2.0, cond=lambda m: m.text == "GCS Failsafe") is not None
    # RTL climbs to RTL_ALT (15 m), flies home, lands and disarms
    _wait(lambda: not ft.ap.armed, 20, "RTL landing")
    assert math.hypot(ft.ap.body.x_m, ft.ap.body.y_m) < 2.5


def test_a_stalled_simulator_slips_instead_of_replaying_the_stall_deaf(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    # A busy machine may not schedule the simulator for a while. The heartbeats sent
    # meanwhile wait in the socket; stepping the whole gap before reading them would trip
    # the GCS failsafe that a steady ground station never deserved.
    # The margins hold on a loaded machine: this test's own heartbeats may be late by up to
    # FS_GCS_TIMEOUT / speed-up = 1.5 s of wall time, while the stall is twice that.
    ft = start_fleet(speedup=10)
    gcs = gcs_factory(ft.port())
    gcs.heartbeat()
    fly_to_alt(ft, gcs, 10)
    assert gcs.set_param("FS_GCS_TIMEOUT", 15.0).param_value == 15.0
    assert gcs.set_param("FS_GCS_ENABLE", 1).param_value == 1
    beating = threading.Event()
    beating.set()

    def beat() -> None:
        while beating.is_set():
            gcs.heartbeat()
            time.sleep(0.01)

    beater = threading.Thread(target=beat, daemon=True)
    beater.start()
    try:
        loop = ft._loop
        assert loop is not None
        slipped = ft.fleet.slipped_s
        stalled = threading.Event()
        loop.call_soon_threadsafe(lambda: (time.sleep(3.0), stalled.set()))  # 30 s simulated
        assert stalled.wait(30)
        ft.wait_sim(3.0)
    finally:
        beating.clear()
        beater.join(2)
    assert not ft.ap.failsafes.gcs and ft.ap.mode == 4
    assert ft.fleet.slipped_s - slipped > 25.0


def test_low_battery_triggers_rtl(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(
        speedup=20, params={"BATT_LOW_VOLT": 12.45, "BATT_FS_LOW_ACT": 2, "BATT_LOW_TIMER": 2}
    )
    gcs = gcs_factory(ft.port())
    fly_to_alt(ft, gcs, 10)
    hb = gcs.wait_heartbeat(lambda m: m.custom_mode == 6, 5.0)
    assert hb is not None and hb.system_status == mav.MAV_STATE_CRITICAL
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: m.text.startswith("Battery 1 is low"))
    assert text is not None


def test_battery_drains_faster_at_speed() -> None:
    from simulator.battery import Battery

    bat = Battery()
    hover = bat.draw(0.0, 0.0, True, True)
    cruise = bat.draw(15.0, 0.0, True, True)
    assert cruise > hover * 1.3


def test_fence_inclusion_breach_triggers_rtl(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=30, params={"FENCE_ENABLE": 1, "FENCE_ACTION": 1, "FENCE_TYPE": 4})
    gcs = gcs_factory(ft.port())
    plane = TangentPlane(LAT, LON)
    square = [plane.to_lat_lon(x, y) for x, y in ((-50, -50), (50, -50), (50, 50), (-50, 50))]
    fence = [(5001, 0, 4, lat, lon, 0.0, 0) for lat, lon in square]
    assert gcs.upload(fence, mission_type=1).type == 0
    fly_to_alt(ft, gcs, 10)
    # ArduCopter refuses a GUIDED destination outside the fence (the vehicle stays)…
    _target(gcs, plane, 120.0, 0.0, 10.0)
    ft.wait_sim(5.0)
    assert ft.ap.body.y_m < 5.0 and ft.ap.mode == 4
    # …but a breach still happens (wind, a fence moved under the vehicle): fly out with
    # the fence off, then turn it on
    gcs.set_param("FENCE_ENABLE", 0)
    _target(gcs, plane, 70.0, 0.0, 10.0)
    end = time.monotonic() + 20
    while ft.ap.body.y_m < 65.0:
        assert time.monotonic() < end, "did not fly out of the fence"
        time.sleep(0.005)
    gcs.set_param("FENCE_ENABLE", 1)
    hb = gcs.wait_heartbeat(lambda m: m.custom_mode == 6, 10.0)
    assert hb is not None, "no RTL after the fence breach"
    assert ft.ap.failsafes.fence_breach_count == 1
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: "breached" in m.text)
    assert text is not None and text.text == "Polygon fence breached"


def _target(gcs: Gcs, plane: TangentPlane, north_m: float, east_m: float, alt_m: float) -> None:
    tlat, tlon = plane.to_lat_lon(east_m, north_m)
    gcs.mav.set_position_target_global_int_send(
        0,
        1,
        1,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        0b0000_1111_1111_1000,
        round(tlat * 1e7),
        round(tlon * 1e7),
        alt_m,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    )


def test_fence_exclusion_and_altitude_breach_land(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=30, params={"FENCE_ENABLE": 1, "FENCE_ACTION": 2, "FENCE_ALT_MAX": 30})
    gcs = gcs_factory(ft.port())
    fly_to_alt(ft, gcs, 10)
    assert gcs.takeoff(5).result == mav.MAV_RESULT_FAILED
    plane = TangentPlane(LAT, LON)
    _target(gcs, plane, 0.0, 0.0, 40.0)  # above FENCE_ALT_MAX: refused
    ft.wait_sim(3.0)
    assert ft.ap.alt_rel_m < 11.0
    gcs.set_param("FENCE_ALT_MAX", 8)  # the ceiling comes down on the vehicle
    hb = gcs.wait_heartbeat(lambda m: m.custom_mode == 9, 10.0)
    assert hb is not None
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: "breached" in m.text)
    assert text is not None and text.text == "Max Alt fence breached"
