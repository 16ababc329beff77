"""Arming, takeoff and auto-disarm rules of ArduCopter."""

from __future__ import annotations

import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.simulator.conftest import GcsFactory, StartFleet, ready_guided


def test_arming_in_guided_refused_until_ekf_uses_gps(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=10, gps_fix_delay_s=0.5, ekf_gps_delay_s=8.0)
    gcs = gcs_factory(ft.port())
    assert gcs.set_mode(4).result == mav.MAV_RESULT_ACCEPTED  # disarmed: any mode may be entered
    ft.wait_sim(1.0)
    # ArduCopter's words (SITL 64a9c787): "Arm: …" for the checks an arm command runs
    ack = gcs.arm()
    assert ack.result == mav.MAV_RESULT_FAILED
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: m.text.startswith("Arm:"))
    assert text.text == "Arm: AHRS: waiting for home"
    while not ft.ap.home_set:  # the EKF's origin: 10 s after the fix, halfway here
        time.sleep(0.01)
    ack = gcs.arm()
    assert ack.result == mav.MAV_RESULT_FAILED
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: m.text.startswith("Arm:"))
    assert text.text == "Arm: Need Position Estimate"
    assert ft.sim_time() < 8.0
    while not ft.ap.ekf_ok:
        time.sleep(0.01)
    assert gcs.arm().result == mav.MAV_RESULT_ACCEPTED
    hb = gcs.wait_heartbeat(lambda m: m.base_mode & mav.MAV_MODE_FLAG_SAFETY_ARMED)
    assert hb.system_status == mav.MAV_STATE_ACTIVE


def test_auto_disarm_after_disarm_delay_without_takeoff(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=20)
    gcs = gcs_factory(ft.port())
    ready_guided(ft, gcs)
    hb = gcs.wait_heartbeat(lambda m: not m.base_mode & mav.MAV_MODE_FLAG_SAFETY_ARMED)
    assert hb is not None
    waited = ft.ap.disarmed_at_s - ft.ap.armed_at_s
    assert 10.0 <= waited <= 10.1, waited  # DISARM_DELAY


def test_takeoff_while_disarmed_fails(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=10)
    gcs = gcs_factory(ft.port())
    while not ft.ap.ekf_ok:
        time.sleep(0.01)
    gcs.set_mode(4)
    assert gcs.takeoff(10).result == mav.MAV_RESULT_FAILED


def test_arming_in_auto_without_a_mission_is_refused(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=10)
    gcs = gcs_factory(ft.port())
    while not ft.ap.ekf_ok:
        time.sleep(0.01)
    assert gcs.set_mode(3).result == mav.MAV_RESULT_ACCEPTED
    assert gcs.arm().result == mav.MAV_RESULT_FAILED
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: m.text.startswith("Arm:"))
    assert text.text == "Arm: Mode requires mission"
    # force-arming (param2 = 21196) skips the checks
    assert gcs.arm(force=True).result == mav.MAV_RESULT_ACCEPTED
    assert gcs.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0, 21196).result == 0


def test_disarm_in_flight_needs_force(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    from tests.simulator.conftest import fly_to_alt

    ft = start_fleet(speedup=10)
    gcs = gcs_factory(ft.port())
    fly_to_alt(ft, gcs, 10)
    assert gcs.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0).result == mav.MAV_RESULT_FAILED
    assert gcs.takeoff(20).result == mav.MAV_RESULT_FAILED  # already flying
    assert gcs.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0, 21196).result == 0
    assert not ft.ap.armed
