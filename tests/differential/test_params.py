"""Differential: Parameter names (4.8 renames), types and values.

The probes (``tests/differential/probes_params.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_params import probe_params

READY = False
PROBES: list[Probe] = [probe_params]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_params": {
        "ARMING_CHECK": ("absent",),
        "ARMING_SKIPCHK": ("INT32", 0.0),
        "AUTO_OPTIONS": ("INT32", 0.0),
        "BATT_CAPACITY": ("INT32", 3300.0),
        "BATT_CRT_MAH": ("REAL32", 0.0),
        "BATT_CRT_VOLT": ("REAL32", 0.0),
        "BATT_FS_CRT_ACT": ("INT8", 0.0),
        "BATT_FS_LOW_ACT": ("INT8", 2.0),
        "BATT_LOW_MAH": ("REAL32", 0.0),
        "BATT_LOW_TIMER": ("INT8", 10.0),
        "BATT_LOW_VOLT": ("REAL32", 10.5),
        "BATT_MONITOR": ("INT8", 4.0),
        "CIRCLE_RATE": ("REAL32", 20.0),
        "DISARM_DELAY": ("INT8", 10.0),
        "FENCE_ACTION": ("INT8", 1.0),
        "FENCE_ALT_MAX": ("REAL32", 120.0),
        "FENCE_ALT_MIN": ("REAL32", -10.0),
        "FENCE_ENABLE": ("INT8", 0.0),
        "FENCE_MARGIN": ("REAL32", 2.0),
        "FENCE_RADIUS": ("REAL32", 150.0),
        "FENCE_TOTAL": ("INT8", 0.0),
        "FENCE_TYPE": ("INT8", 7.0),
        "FOLL_ACCEL_H": ("REAL32", 90.0),
        "FOLL_ACCEL_NE": ("REAL32", 2.5),
        "FOLL_ALT_TYPE": ("INT8", 1.0),
        "FOLL_DIST_MAX": ("REAL32", 100.0),
        "FOLL_ENABLE": ("INT8", 1.0),
        "FOLL_OFS_TYPE": ("INT8", 0.0),
        "FOLL_OFS_X": ("REAL32", 0.0),
        "FOLL_OFS_Y": ("REAL32", 0.0),
        "FOLL_OFS_Z": ("REAL32", 0.0),
        "FOLL_POS_P": ("REAL32", 0.1),
        "FOLL_SYSID": ("INT16", 0.0),
        "FOLL_YAW_BEHAVE": ("INT8", 1.0),
        "FRAME_CLASS": ("INT8", 1.0),
        "FRAME_TYPE": ("INT8", 0.0),
        "FS_GCS_ENABLE": ("INT8", 1.0),
        "FS_GCS_TIMEOUT": ("REAL32", 5.0),
        "FS_OPTIONS": ("INT32", 16.0),
        "GUID_TIMEOUT": ("REAL32", 3.0),
        "LAND_ALT_LOW_M": ("REAL32", 10.0),
        "LAND_SPD_HIGH_MS": ("REAL32", 0.0),
        "LAND_SPD_MS": ("REAL32", 0.5),
        "LAND_SPEED": ("absent",),
        "MAV1_ADSB": ("INT16", 0.0),
        "MAV1_EXTRA1": ("INT16", 0.0),
        "MAV1_EXTRA2": ("INT16", 0.0),
        "MAV1_EXTRA3": ("INT16", 0.0),
        "MAV1_EXT_STAT": ("INT16", 0.0),
        "MAV1_PARAMS": ("INT16", 0.0),
        "MAV1_POSITION": ("INT16", 0.0),
        "MAV1_RAW_CTRL": ("INT16", 0.0),
        "MAV1_RAW_SENS": ("INT16", 0.0),
        "MAV1_RC_CHAN": ("INT16", 0.0),
        "MAV_GCS_SYSID": ("INT16", 255.0),
        "MAV_SYSID": ("INT16", 1.0),
        "MNT1_DEFLT_MODE": ("INT8", 3.0),
        "MNT1_PITCH_MAX": ("INT16", 20.0),
        "MNT1_PITCH_MIN": ("INT16", -90.0),
        "MNT1_TYPE": ("INT8", 1.0),
        "MNT1_YAW_MAX": ("INT16", 180.0),
        "MNT1_YAW_MIN": ("INT16", -180.0),
        "RALLY_INCL_HOME": ("INT8", 1.0),
        "RALLY_LIMIT_KM": ("REAL32", 0.3),
        "RALLY_TOTAL": ("INT8", 0.0),
        "RTL_ALT": ("absent",),
        "RTL_ALT_FINAL_M": ("REAL32", 0.0),
        "RTL_ALT_M": ("REAL32", 15.0),
        "RTL_CLIMB_MIN_M": ("REAL32", 0.0),
        "RTL_LOIT_TIME": ("INT32", 5000.0),
        "RTL_SPEED_MS": ("REAL32", 0.0),
        "SR0_POSITION": ("absent",),
        "SYSID_MYGCS": ("absent",),
        "SYSID_THISMAV": ("absent",),
        "WPNAV_SPEED": ("absent",),
        "WP_ACC": ("REAL32", 2.5),
        "WP_ACC_Z": ("REAL32", 1.0),
        "WP_RADIUS_M": ("REAL32", 2.0),
        "WP_SPD": ("REAL32", 5.0),
        "WP_SPD_DN": ("REAL32", 1.5),
        "WP_SPD_UP": ("REAL32", 2.5),
        "WP_YAW_BEHAVIOR": ("INT8", 2.0),
    }
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
