"""Wire behaviour of a vehicle, as ArduCopter 4.5 SITL shows it."""

from __future__ import annotations

import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator.autopilot import Autopilot, VehicleConfig
from tests.simulator.conftest import HOME, GcsFactory, StartFleet


def test_only_heartbeat_until_a_stream_is_requested(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=10, gps_fix_delay_s=100, ekf_gps_delay_s=200)
    gcs = gcs_factory(ft.port())
    seen = gcs.drain(0.6)
    kinds = {m.get_type() for m in seen}
    assert kinds == {"HEARTBEAT"}, kinds
    hb = seen[0]
    assert hb.autopilot == mav.MAV_AUTOPILOT_ARDUPILOTMEGA
    assert hb.type == mav.MAV_TYPE_QUADROTOR
    assert hb.custom_mode == 0  # STABILIZE
    assert hb.base_mode & mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    assert not hb.base_mode & mav.MAV_MODE_FLAG_SAFETY_ARMED
    assert hb.system_status == mav.MAV_STATE_STANDBY
    assert hb.get_srcSystem() == 1

    ack = gcs.command(mav.MAV_CMD_SET_MESSAGE_INTERVAL, 33, 200_000)
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    gpi = gcs.recv("GLOBAL_POSITION_INT", 3.0)
    assert gpi is not None and gpi.lat == 0  # no position estimate yet: zeros, like ArduPilot

    gcs.mav.request_data_stream_send(1, 1, mav.MAV_DATA_STREAM_ALL, 4, 1)
    kinds = {m.get_type() for m in gcs.drain(0.8)}
    for wanted in (
        "ATTITUDE",
        "SYS_STATUS",
        "GPS_RAW_INT",
        "VFR_HUD",
        "BATTERY_STATUS",
        "EKF_STATUS_REPORT",
        "EXTENDED_SYS_STATE",
        "MISSION_CURRENT",
        "SYSTEM_TIME",
        "GIMBAL_DEVICE_ATTITUDE_STATUS",
        "GLOBAL_POSITION_INT",
    ):
        assert wanted in kinds, wanted

    gcs.mav.request_data_stream_send(1, 1, mav.MAV_DATA_STREAM_ALL, 0, 0)
    ack = gcs.command(mav.MAV_CMD_SET_MESSAGE_INTERVAL, 33, -1)
    gcs.drain(0.2)
    kinds = {m.get_type() for m in gcs.drain(0.5)}
    assert kinds <= {"HEARTBEAT"}, kinds


def test_request_message_and_home(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=20, gps_fix_delay_s=0.5, ekf_gps_delay_s=1.0)
    gcs = gcs_factory(ft.port())
    ack = gcs.command(mav.MAV_CMD_REQUEST_MESSAGE, 148)
    assert ack.result == mav.MAV_RESULT_ACCEPTED
    version = gcs.recv("AUTOPILOT_VERSION", 2.0)
    assert version is not None and version.flight_sw_version >> 24 == 4
    ft.wait_sim(2.0)
    assert gcs.command(mav.MAV_CMD_REQUEST_MESSAGE, 242).result == mav.MAV_RESULT_ACCEPTED
    home = gcs.recv("HOME_POSITION", 2.0)
    assert home is not None
    assert abs(home.latitude / 1e7 - HOME[0]) < 1e-6
    assert abs(home.altitude / 1000 - HOME[2]) < 0.01
    assert gcs.command(mav.MAV_CMD_REQUEST_MESSAGE, 99999).result == mav.MAV_RESULT_FAILED
    assert gcs.command(31999).result == mav.MAV_RESULT_UNSUPPORTED  # unknown command


def test_mode_change_is_acked_before_the_heartbeat_shows_it(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=5)
    gcs = gcs_factory(ft.port())
    gcs.recv("HEARTBEAT")
    gcs.mav.command_long_send(1, 1, mav.MAV_CMD_DO_SET_MODE, 0, 1, 4, 0, 0, 0, 0, 0)
    order = []
    end = time.monotonic() + 3
    while time.monotonic() < end and "HB4" not in order:
        msg = gcs.recv(("COMMAND_ACK", "HEARTBEAT"), 1.0)
        if msg is None:
            continue
        if msg.get_type() == "COMMAND_ACK":
            order.append(f"ACK{msg.result}")
        elif msg.custom_mode == 4:
            order.append("HB4")
    assert order[:2] == ["ACK0", "HB4"], order

    # SET_MODE (the message) is acked with command = its message id, 11
    gcs.mav.set_mode_send(1, mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 5)
    ack = gcs.recv("COMMAND_ACK", 2.0)
    assert ack.command == 11 and ack.result == mav.MAV_RESULT_ACCEPTED
    assert gcs.wait_heartbeat(lambda m: m.custom_mode == 5) is not None
    # FOLLOW refused while FOLL_ENABLE = 0
    assert gcs.set_mode(23).result == mav.MAV_RESULT_FAILED
    text = gcs.recv("STATUSTEXT", 2.0, cond=lambda m: "FOLL" in m.text)
    assert text is not None and text.text == "Set FOLL_ENABLE = 1"
    # an unknown mode number
    assert gcs.set_mode(99).result == mav.MAV_RESULT_FAILED
    # DO_SET_MODE without the custom-mode flag
    assert gcs.command(mav.MAV_CMD_DO_SET_MODE, 0, 4).result == mav.MAV_RESULT_DENIED


def test_parameters_read_set_and_list(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=5)
    gcs = gcs_factory(ft.port())
    gcs.mav.param_request_read_send(1, 1, b"SYSID_THISMAV", -1)
    value = gcs.recv("PARAM_VALUE", 2.0)
    assert value.param_id == "SYSID_THISMAV" and value.param_value == 1
    assert value.param_type == mav.MAV_PARAM_TYPE_INT16
    echoed = gcs.set_param("FS_GCS_TIMEOUT", 7.5)
    assert echoed is not None and echoed.param_value == 7.5
    assert ft.ap.params["FS_GCS_TIMEOUT"] == 7.5
    gcs.mav.param_request_read_send(1, 1, b"NO_SUCH_PARAM", -1)
    assert gcs.recv("PARAM_VALUE", 0.5) is None  # ArduPilot stays silent
    gcs.mav.param_request_list_send(1, 1)
    names = set()
    total = 0
    while True:
        msg = gcs.recv("PARAM_VALUE", 1.0)
        if msg is None:
            break
        names.add(msg.param_id)
        total = msg.param_count
    assert len(names) == total
    for name in (
        "FS_GCS_ENABLE",
        "FENCE_ACTION",
        "BATT_LOW_VOLT",
        "WPNAV_SPEED",
        "RTL_ALT",
        "FOLL_OFS_X",
        "DISARM_DELAY",
        "SR0_POSITION",
        "FENCE_ALT_MAX",
    ):
        assert name in names


def test_param_naming_47_uses_mav_sysid() -> None:
    ap45 = Autopilot(VehicleConfig(*HOME[:2], sysid=3))
    ap47 = Autopilot(VehicleConfig(*HOME[:2], sysid=3, param_naming="4.7"))
    assert ap45.params.lookup("SYSID_THISMAV") == "SYSID_THISMAV"
    assert ap45.params.lookup("MAV_SYSID") is None
    assert ap47.params.lookup("MAV_SYSID") == "SYSID_THISMAV"
    assert ap47.params.lookup("SYSID_THISMAV") is None
    assert ap47.params["SYSID_THISMAV"] == 3
    assert ap47.params.wire_name("SYSID_MYGCS") == "MAV_GCS_SYSID"


def test_several_vehicles_have_their_own_ports_and_sysids(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(vehicles=3, speedup=5)
    ports = {ft.port(i) for i in range(3)}
    assert len(ports) == 3
    for i in range(3):
        gcs = gcs_factory(ft.port(i))
        hb = gcs.recv("HEARTBEAT", 3.0)
        assert hb.get_srcSystem() == i + 1
