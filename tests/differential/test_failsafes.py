"""Differential: The GCS, fence and battery failsafes, and how LAND, RTL and AUTO flights end.

The probes (``tests/differential/probes_failsafes.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_failsafes import (
    probe_auto_mission,
    probe_battery_failsafe,
    probe_fence_failsafe,
    probe_gcs_failsafe,
    probe_land,
)

READY = True
PROBES: list[Probe] = [
    probe_land,
    probe_gcs_failsafe,
    probe_fence_failsafe,
    probe_auto_mission,
    probe_battery_failsafe,
]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_auto_mission": {
        "ending": {
            "mode after": "AUTO",
            "modes": ["AUTO"],
            "on the ground": True,
            "said": [
                "Mission: # Takeoff",
                "Mission: # WP",
                "Reached command ##",
                "Mission: # RTL",
                "Disarming motors",
            ],
        },
        "items reached": [1, 2, 3, 4],
        "mission start": True,
        "upload": ("MISSION_ACK", "ACCEPTED"),
    },
    "probe_battery_failsafe": {
        "after (s)": "9-13",
        "arm after landing": (False, ["Arm: Battery failsafe"]),
        "ending": {
            "mode after": "RTL",
            "modes": ["RTL"],
            "on the ground": True,
            "said": ["Disarming motors"],
        },
        "mode": "RTL",
        "said": ["Battery # is low #V used # mAh", "Battery Failsafe"],
    },
    "probe_fence_failsafe": {
        "ending": {
            "mode after": "RTL",
            "modes": ["RTL"],
            "on the ground": True,
            "said": ["Fence breach cleared", "Disarming motors"],
        },
        "mode": "RTL",
        "said": ["Max Alt fence breached", "Manual recovery started"],
    },
    "probe_gcs_failsafe": {
        "after (s)": "4-8",
        "ending": {
            "mode after": "RTL",
            "modes": ["RTL"],
            "on the ground": True,
            "said": ["GCS Failsafe Cleared", "Disarming motors"],
        },
        "mode": "RTL",
        "said": ["GCS Failsafe"],
    },
    "probe_land": {
        "ack": True,
        "ending": {
            "mode after": "LAND",
            "modes": ["LAND"],
            "on the ground": True,
            "said": ["Disarming motors"],
        },
    },
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
