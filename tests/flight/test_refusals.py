"""Refusals: a refused command raises CommandRejected with the vehicle's MAV_RESULT and words.

Both on a vehicle whose EKF has no position yet (a long EKF delay at real
time): takeoff while disarmed, arming before the EKF is ready — through the
API and through ``overwatch fly``, which must stop with exit status 2, the
vehicle's own STATUSTEXT and no traceback.
"""

from __future__ import annotations

import re

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import CommandRejected
from overwatch.ops.fly import in_vehicle_words
from tests.flight.backends import SHORT_ROAD, Backend
from tests.flight.helpers import ground_station, overwatch_cli

#: What ArduCopter says when asked to arm in GUIDED before its EKF has a position: before
#: its AHRS is up, that it is not initialised; right after the GPS fix, that it has no home
#: yet; later, that it needs a position estimate (measured on SITL 64a9c787; the built-in
#: simulator answers the same).
NOT_POSITIONED = re.compile(r"System not initialised|AHRS: waiting for home|Need Position Estimate")
#: ArduCopter's arming-check reports: "PreArm: …" from its periodic checks, "Arm: …"
#: from the checks an arm command runs (AP_Arming::check_failed).
ARMING_CHECK_REPORT = re.compile(r"\b(PreArm|Arm): \w")


async def test_refused_commands_carry_the_vehicles_answer(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD, speedup=1.0, ekf_delay_s=600.0)
    async with ground_station(running, ready=False) as (_link, vehicle):
        await vehicle.set_mode("GUIDED")  # a disarmed ArduCopter enters any mode

        with pytest.raises(CommandRejected) as takeoff:
            await vehicle.takeoff(20.0)
        assert takeoff.value.result == mavlink.MAV_RESULT_FAILED
        assert takeoff.value.result_name == "MAV_RESULT_FAILED"
        assert "takeoff(20 m)" in str(takeoff.value)

        with pytest.raises(CommandRejected) as arm:
            await in_vehicle_words(vehicle, vehicle.arm())
        assert arm.value.result == mavlink.MAV_RESULT_FAILED
        assert ARMING_CHECK_REPORT.search(arm.value.detail), arm.value.detail
        assert NOT_POSITIONED.search(arm.value.detail), arm.value.detail
        assert not vehicle.state.armed and vehicle.state.mode == "GUIDED"


async def test_overwatch_fly_stops_with_the_vehicles_words(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD, speedup=1.0, ekf_delay_s=600.0)
    done = await overwatch_cli(
        "fly", str(SHORT_ROAD), "--connect", running.url, "--skip-ready-check"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    error = done.stderr.strip()
    assert error.startswith("error: arm() rejected by the vehicle: MAV_RESULT_FAILED"), error
    assert ARMING_CHECK_REPORT.search(error), error
    assert NOT_POSITIONED.search(error), error
    assert "mission for sortie 1: uploaded and verified" in done.stdout  # it got that far
    async with ground_station(running, ready=False) as (_link, vehicle):
        assert not vehicle.state.armed
