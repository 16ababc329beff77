"""Differential: arming, pre-arm reporting ("Arm:", "PreArm:") and SYS_STATUS bits.

The probes (``tests/differential/probes_arming.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_arming import probe_boot, probe_modes

READY = False
#: probe_boot asks a vehicle under 5 s old: 0.5 s of wall time at 10×, as SITL.
BUILTIN_SPEEDUP = 10.0
#: the boot probe needs a vehicle less than 5 vehicle seconds old when it starts: half a wall
#: second at SITL's usual 10x, which a loaded machine misses (the vehicle was 6-14 s old in
#: two CI runs side by side); 2x gives it 2.5 s
SITL_SPEEDUP = 2.0
PROBES: list[Probe] = [probe_boot, probe_modes]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_boot": {
        "14 s gps has 3D fix": True,
        "14 s home": False,
        "14 s position": True,
        "14 s sensors": {
            "enabled": ["accel", "baro", "battery", "gps", "gyro", "mag", "motors", "prearm"],
            "health": ["accel", "baro", "battery", "geofence", "gps", "gyro", "mag", "motors"],
            "present": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
        },
        "26 s home": True,
        "26 s stabilize sensors": {
            "enabled": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "health": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "present": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
        },
        "26-36 s PreArm reports": ["PreArm: Need Position Estimate"],
        "27 s guided": {"ack": "FAILED", "armed": False, "texts": ["Arm: Need Position Estimate"]},
        "28 s guided sensors": {
            "enabled": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "health": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
            ],
            "present": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
        },
        "4 s sensors": {
            "enabled": ["accel", "baro", "battery", "gyro", "mag", "motors", "prearm"],
            "health": ["accel", "baro", "battery", "geofence", "gyro", "mag", "motors"],
            "present": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
        },
        "4 s stabilize": {"ack": "FAILED", "armed": False, "prefixes": ["Arm"]},
        "5 s guided": {
            "ack": "FAILED",
            "armed": False,
            "last reason": "Arm: AHRS: waiting for home",
            "prefixes": ["Arm"],
        },
        "ready guided": {
            "ack": "ACCEPTED",
            "armed": True,
            "texts": ["Arming motors", "Disarming motors"],
        },
        "ready guided sensors": {
            "enabled": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "health": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "present": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
        },
        "ready stabilize sensors": {
            "enabled": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "health": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
            "present": [
                "accel",
                "ahrs",
                "baro",
                "battery",
                "geofence",
                "gps",
                "gyro",
                "mag",
                "motors",
                "prearm",
            ],
        },
    },
    "probe_modes": {
        "ALT_HOLD": {
            "ack": "ACCEPTED",
            "armed": True,
            "texts": ["Arming motors", "Disarming motors"],
        },
        "AUTO": {"ack": "FAILED", "armed": False, "texts": ["Arm: Mode requires mission"]},
        "BRAKE": {"ack": "FAILED", "armed": False, "texts": ["Arm: Brake mode not armable"]},
        "FOLLOW": {"ack": "FAILED", "armed": False, "texts": ["Arm: Follow mode not armable"]},
        "GUIDED": {
            "ack": "ACCEPTED",
            "armed": True,
            "texts": ["Arming motors", "Disarming motors"],
        },
        "LAND": {"ack": "FAILED", "armed": False, "texts": ["Arm: Land mode not armable"]},
        "LOITER": {
            "ack": "ACCEPTED",
            "armed": True,
            "texts": ["Arming motors", "Disarming motors"],
        },
        "RTL": {"ack": "FAILED", "armed": False, "texts": ["Arm: RTL mode not armable"]},
        "STABILIZE": {
            "ack": "ACCEPTED",
            "armed": True,
            "texts": ["Arming motors", "Disarming motors"],
        },
        "auto disarm": {"after 8-12 s": True, "texts": ["Disarming motors"]},
        "disarm": {"ack": "ACCEPTED", "armed": False, "texts": ["Disarming motors"]},
        "disarm when disarmed": {"ack": "ACCEPTED", "texts": []},
    },
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
