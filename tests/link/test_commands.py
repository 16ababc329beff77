"""Commands: acked, rejected with the MAV_RESULT, timed out, retried with confirmation."""

from __future__ import annotations

import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import CommandRejected, LinkTimeout
from overwatch.link import Link
from overwatch.link.vehicle import POSITION_ONLY_MASK, VELOCITY_ONLY_MASK
from tests.link.peer import PeerHost


async def test_arm_force_and_disarm(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    await vehicle.arm(force=True)
    assert vehicle.state.armed
    sent = host.vehicle.commands[-1]
    assert sent.command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM
    assert sent.params[:2] == (1, 21196)
    await vehicle.disarm()
    assert not vehicle.state.armed and not host.vehicle.armed


async def test_set_mode_waits_for_the_heartbeat(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    await vehicle.set_mode("guided")  # the peer acks 50 ms before its heartbeat shows GUIDED
    assert vehicle.state.mode == "GUIDED"
    assert host.vehicle.commands[-1].params[:2] == (1, 4)


async def test_set_mode_acked_but_never_shown_times_out(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    host.vehicle.command_results[mavlink.MAV_CMD_DO_SET_MODE] = mavlink.MAV_RESULT_ACCEPTED
    with pytest.raises(LinkTimeout, match="heartbeat in mode LOITER"):
        await vehicle.set_mode("LOITER", confirm_timeout_s=0.3)


async def test_rejected_command_names_the_result(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    host.vehicle.command_results[mavlink.MAV_CMD_COMPONENT_ARM_DISARM] = mavlink.MAV_RESULT_DENIED
    with pytest.raises(CommandRejected) as caught:
        await vehicle.arm()
    assert caught.value.result == mavlink.MAV_RESULT_DENIED
    assert caught.value.result_name == "MAV_RESULT_DENIED"
    assert caught.value.command == "arm()"
    assert "arm() rejected by the vehicle: MAV_RESULT_DENIED" in str(caught.value)


async def test_unanswered_command_times_out_after_retries(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    vehicle.commands.timeout_s = 0.1
    host.vehicle.command_results[mavlink.MAV_CMD_NAV_TAKEOFF] = None
    with pytest.raises(LinkTimeout, match=r"takeoff.*MAV_CMD_NAV_TAKEOFF.*3 attempts"):
        await vehicle.takeoff(20)
    takeoffs = [c for c in host.vehicle.commands if c.command == mavlink.MAV_CMD_NAV_TAKEOFF]
    assert [c.confirmation for c in takeoffs] == [0, 1, 2]
    assert takeoffs[0].params[6] == 20


async def test_retry_increments_confirmation_until_acked(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    vehicle.commands.timeout_s = 0.1
    host.vehicle.ignore_first[mavlink.MAV_CMD_DO_CHANGE_SPEED] = 2
    await vehicle.change_speed(7.5)
    speeds = [c for c in host.vehicle.commands if c.command == mavlink.MAV_CMD_DO_CHANGE_SPEED]
    assert [c.confirmation for c in speeds] == [0, 1, 2]
    assert speeds[-1].params[1] == 7.5


async def test_gimbal_falls_back_to_mount_control(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    assert await vehicle.gimbal(-30, 10) == "MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW"
    host.vehicle.command_results[mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW] = (
        mavlink.MAV_RESULT_UNSUPPORTED
    )
    assert await vehicle.gimbal(-45, 0) == "MAV_CMD_DO_MOUNT_CONTROL"
    mount = host.vehicle.commands[-1]
    assert mount.command == mavlink.MAV_CMD_DO_MOUNT_CONTROL
    assert (mount.params[0], mount.params[6]) == (-45, mavlink.MAV_MOUNT_MODE_MAVLINK_TARGETING)


async def test_gimbal_other_refusals_are_not_hidden(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    host.vehicle.command_results[mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW] = (
        mavlink.MAV_RESULT_FAILED
    )
    with pytest.raises(CommandRejected, match="MAV_RESULT_FAILED"):
        await vehicle.gimbal(-45, 0)


async def test_roi_mission_rtl_land(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    await vehicle.roi_location(13.6, 2.2, 15)
    roi = host.vehicle.commands[-1]
    assert (roi.kind, roi.command) == ("int", mavlink.MAV_CMD_DO_SET_ROI_LOCATION)
    assert roi.params[4:] == pytest.approx((13.6, 2.2, 15))
    await vehicle.roi_sysid(42)
    assert host.vehicle.commands[-1].params[0] == 42
    await vehicle.start_mission()
    await vehicle.rtl()
    await vehicle.land()
    assert [c.command for c in host.vehicle.commands[-3:]] == [
        mavlink.MAV_CMD_MISSION_START,
        mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH,
        mavlink.MAV_CMD_NAV_LAND,
    ]


async def test_goto_and_velocity_are_fire_and_forget_setpoints(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    vehicle.goto(13.6000001, 2.2000002, 40)
    vehicle.set_velocity(1.0, -2.0, 0.5)
    await vehicle.roi_none()  # an acked command after them: they have arrived by then
    goto, velocity = host.vehicle.position_targets[-2:]
    assert goto.coordinate_frame == mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    assert (goto.lat_int, goto.lon_int, goto.alt) == (136000001, 22000002, 40)
    assert goto.type_mask == POSITION_ONLY_MASK
    assert velocity.coordinate_frame == mavlink.MAV_FRAME_LOCAL_NED
    assert (velocity.vx, velocity.vy, velocity.vz) == (1.0, -2.0, 0.5)
    assert velocity.type_mask == VELOCITY_ONLY_MASK
    assert not math.isnan(goto.alt)


async def test_unknown_mode_is_a_clear_error(link: Link) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    with pytest.raises(ValueError, match="unknown ArduCopter mode 'GUIDE'"):
        await vehicle.set_mode("GUIDE")
