"""Differential: Message rates after SET_MESSAGE_INTERVAL, in vehicle time.

The probes (``tests/differential/probes_rates.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_rates import probe_rates

READY = True
PROBES: list[Probe] = [probe_rates]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_rates": {
        "ATTITUDE at 10 Hz": "ok",
        "ATTITUDE at 25 Hz": "ok",
        "BATTERY_STATUS at 1 Hz": "ok",
        "EKF_STATUS_REPORT at 1 Hz": "ok",
        "EXTENDED_SYS_STATE at 1 Hz": "ok",
        "GET_MESSAGE_INTERVAL ATTITUDE": ("ACCEPTED", 40000),
        "GIMBAL_DEVICE_ATTITUDE_STATUS at 2 Hz": "ok",
        "GLOBAL_POSITION_INT at 5 Hz": "ok",
        "GPS_RAW_INT at 2 Hz": "ok",
        "HOME_POSITION at 0.2 Hz": "ok",
        "MISSION_CURRENT at 1 Hz": "ok",
        "SYS_STATUS at 1 Hz": "ok",
        "VFR_HUD at 2 Hz": "ok",
        "VFR_HUD off": "ok",
        "ack ATTITUDE": "ACCEPTED",
        "ack ATTITUDE 25 Hz": "ACCEPTED",
        "ack BATTERY_STATUS": "ACCEPTED",
        "ack EKF_STATUS_REPORT": "ACCEPTED",
        "ack EXTENDED_SYS_STATE": "ACCEPTED",
        "ack GIMBAL_DEVICE_ATTITUDE_STATUS": "ACCEPTED",
        "ack GLOBAL_POSITION_INT": "ACCEPTED",
        "ack GPS_RAW_INT": "ACCEPTED",
        "ack HOME_POSITION": "ACCEPTED",
        "ack MISSION_CURRENT": "ACCEPTED",
        "ack SYS_STATUS": "ACCEPTED",
        "ack VFR_HUD": "ACCEPTED",
        "ack VFR_HUD off": "ACCEPTED",
    }
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
