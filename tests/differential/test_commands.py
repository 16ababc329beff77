"""Differential: COMMAND_LONG and COMMAND_INT for every command Overwatch sends.

The probes (``tests/differential/probes_commands.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator.failsafes import gcs_failsafe_timeout_s
from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_commands import probe_commands

READY = True


def PARAMS(speedup: float) -> dict[str, float]:
    """The station's heartbeats come from a test thread that a loaded machine may not run for
    longer than ArduCopter's 5 vehicle seconds at 10x, and a GCS failsafe on the ground
    disarms at once (an accepted arm that never showed was seen once under load): the GCS
    failsafe gets 2 s of wall time here."""
    return {"FS_GCS_TIMEOUT": gcs_failsafe_timeout_s(speedup)}


PROBES: list[Probe] = [probe_commands]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_commands": {
        "armed on the ground change_speed int": "ACCEPTED",
        "armed on the ground change_speed long": "ACCEPTED",
        "armed on the ground gimbal_pitchyaw int": "ACCEPTED",
        "armed on the ground gimbal_pitchyaw long": "ACCEPTED",
        "armed on the ground land int": "ACCEPTED",
        "armed on the ground land long": "ACCEPTED",
        "armed on the ground mission_start int": "FAILED",
        "armed on the ground mission_start long": "FAILED",
        "armed on the ground mount_control int": "ACCEPTED",
        "armed on the ground mount_control long": "ACCEPTED",
        "armed on the ground request_message int": "ACCEPTED",
        "armed on the ground request_message long": "ACCEPTED",
        "armed on the ground roi_location int": "ACCEPTED",
        "armed on the ground roi_location long": "ACCEPTED",
        "armed on the ground roi_none int": "ACCEPTED",
        "armed on the ground roi_none long": "ACCEPTED",
        "armed on the ground roi_sysid int": "ACCEPTED",
        "armed on the ground roi_sysid long": "ACCEPTED",
        "armed on the ground rtl int": "ACCEPTED",
        "armed on the ground rtl long": "ACCEPTED",
        "armed on the ground set_message_interval int": "ACCEPTED",
        "armed on the ground set_message_interval long": "ACCEPTED",
        "armed on the ground set_mode_guided int": "ACCEPTED",
        "armed on the ground set_mode_guided long": "ACCEPTED",
        "armed on the ground takeoff int": "ACCEPTED",
        "armed on the ground takeoff long": "ACCEPTED",
        "disarmed change_speed int": "ACCEPTED",
        "disarmed change_speed long": "ACCEPTED",
        "disarmed gimbal_pitchyaw int": "ACCEPTED",
        "disarmed gimbal_pitchyaw long": "ACCEPTED",
        "disarmed land int": "ACCEPTED",
        "disarmed land long": "ACCEPTED",
        "disarmed mission_start int": "ACCEPTED",
        "disarmed mission_start long": "ACCEPTED",
        "disarmed mount_control int": "ACCEPTED",
        "disarmed mount_control long": "ACCEPTED",
        "disarmed request_message int": "ACCEPTED",
        "disarmed request_message long": "ACCEPTED",
        "disarmed roi_location int": "ACCEPTED",
        "disarmed roi_location long": "ACCEPTED",
        "disarmed roi_none int": "ACCEPTED",
        "disarmed roi_none long": "ACCEPTED",
        "disarmed roi_sysid int": "ACCEPTED",
        "disarmed roi_sysid long": "ACCEPTED",
        "disarmed rtl int": "ACCEPTED",
        "disarmed rtl long": "ACCEPTED",
        "disarmed set_message_interval int": "ACCEPTED",
        "disarmed set_message_interval long": "ACCEPTED",
        "disarmed set_mode_guided int": "ACCEPTED",
        "disarmed set_mode_guided long": "ACCEPTED",
        "disarmed takeoff int": "FAILED",
        "disarmed takeoff long": "FAILED",
        "flying change_speed int": "ACCEPTED",
        "flying change_speed long": "ACCEPTED",
        "flying gimbal_pitchyaw int": "ACCEPTED",
        "flying gimbal_pitchyaw long": "ACCEPTED",
        "flying land int": "ACCEPTED",
        "flying land long": "ACCEPTED",
        "flying mission_start int": "FAILED",
        "flying mission_start long": "FAILED",
        "flying mount_control int": "ACCEPTED",
        "flying mount_control long": "ACCEPTED",
        "flying request_message int": "ACCEPTED",
        "flying request_message long": "ACCEPTED",
        "flying roi_location int": "ACCEPTED",
        "flying roi_location long": "ACCEPTED",
        "flying roi_none int": "ACCEPTED",
        "flying roi_none long": "ACCEPTED",
        "flying roi_sysid int": "ACCEPTED",
        "flying roi_sysid long": "ACCEPTED",
        "flying rtl int": "ACCEPTED",
        "flying rtl long": "ACCEPTED",
        "flying set_message_interval int": "ACCEPTED",
        "flying set_message_interval long": "ACCEPTED",
        "flying set_mode_guided int": "ACCEPTED",
        "flying set_mode_guided long": "ACCEPTED",
        "flying takeoff int": "FAILED",
        "flying takeoff long": "FAILED",
    }
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
