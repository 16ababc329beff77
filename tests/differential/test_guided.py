"""Differential: GUIDED targets on the ground, in take-off, into a fence, far; feed-forward.

The probes (``tests/differential/probes_guided.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_guided import (
    probe_feed_forward,
    probe_fence_and_range,
    probe_ground_rules,
)

READY = True
PROBES: list[Probe] = [probe_ground_rules, probe_feed_forward, probe_fence_and_range]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_feed_forward": {
        "feed-forward shortens the lag": True,
        "moving target, position only: lag (m)": ">2.5",
        "moving target, with velocity: lag (m)": "<1",
        "one pos+vel target: went east (m)": "<1",
        "one pos+vel target: went north (m)": "8-12",
    },
    "probe_fence_and_range": {
        "100 km away: moved (m)": ">20",
        "100 km away: says": [],
        "arm outside the fence": (False, ["Arm: Vehicle breaching Polygon fence"]),
        "fence upload": ("MISSION_ACK", "ACCEPTED"),
        "fence upload around the vehicle": ("MISSION_ACK", "ACCEPTED"),
        "inside the fence: reached": True,
        "outside the fence: moved (m)": "<3",
        "outside the fence: says": [],
    },
    "probe_ground_rules": {
        "armed, no take-off: climbs": False,
        "armed, no take-off: still armed": True,
        "disarmed: climbs": False,
        "disarmed: still disarmed": True,
        "take-off ack": True,
        "targets at once after take-off: reached": False,
        "targets at once after take-off: top alt": "<1",
        "targets while climbing: reached": True,
        "targets while climbing: top alt": ">18",
    },
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
