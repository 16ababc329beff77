"""Differential: mission, fence and rally protocols: transfers, partial writes, errors.

The probes (``tests/differential/probes_mission.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_mission import probe_errors, probe_lists, probe_partial

READY = False
PROBES: list[Probe] = [probe_lists, probe_errors, probe_partial]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_errors": {
        "bad seq answer": ("MISSION_ACK", "INVALID_SEQUENCE"),
        "bad seq first request": ("MISSION_REQUEST", "0"),
        "bad seq stored": 3,
        "bad seq then": ("MISSION_ACK", "ACCEPTED"),
        "fence count 1000": ("MISSION_ACK", "NO_SPACE"),
        "mission count 30000": ("MISSION_ACK", "NO_SPACE"),
        "rally count 1000": ("MISSION_ACK", "NO_SPACE"),
        "request out of range": ("MISSION_ACK", "INVALID_SEQUENCE"),
        "stray item": ("MISSION_ACK", "ERROR"),
    },
    "probe_lists": {
        "fence clear": ("MISSION_ACK", "ACCEPTED"),
        "fence count after clear": 0,
        "fence stored": [
            (0, 5001, 0, 4.0, 0.0, 134900000, 20900000, 0.0),
            (1, 5001, 0, 4.0, 0.0, 135100000, 20900000, 0.0),
            (2, 5001, 0, 4.0, 0.0, 135100000, 21100000, 0.0),
            (3, 5001, 0, 4.0, 0.0, 134900000, 21100000, 0.0),
            (4, 5004, 0, 50.0, 0.0, 135020000, 21020000, 0.0),
        ],
        "fence upload": {
            "ack": ("MISSION_ACK", "ACCEPTED"),
            "asked": [0, 1, 2, 3, 4],
            "requests": ["MISSION_REQUEST"],
        },
        "mission clear": ("MISSION_ACK", "ACCEPTED"),
        "mission count after clear": 0,
        "mission count at boot": 0,
        "mission stored": [
            (0, 16, 0, 0.0, 0.0, "home", "home", "home"),
            (1, 22, 3, 0.0, 0.0, 0, 0, 20.0),
            (2, 178, 0, 1.0, 7.5, 0, 0, 0.0),
            (3, 16, 3, 2.0, 0.0, 135010000, 21000000, 30.0),
            (4, 16, 3, 0.0, 0.0, 135010000, 21010000, 30.0),
            (5, 20, 0, 0.0, 0.0, 0, 0, 0.0),
        ],
        "mission upload": {
            "ack": ("MISSION_ACK", "ACCEPTED"),
            "asked": [0, 1, 2, 3, 4, 5],
            "requests": ["MISSION_REQUEST"],
        },
        "rally clear": ("MISSION_ACK", "ACCEPTED"),
        "rally count after clear": 0,
        "rally stored": [
            (0, 5100, 3, 0.0, 0.0, 135030000, 21000000, 40.0),
            (1, 5100, 3, 0.0, 0.0, 135000000, 21030000, 45.0),
        ],
        "rally upload": {
            "ack": ("MISSION_ACK", "ACCEPTED"),
            "asked": [0, 1],
            "requests": ["MISSION_REQUEST"],
        },
    },
    "probe_partial": {
        "ack": ("MISSION_ACK", "ACCEPTED"),
        "asked": [2, 3],
        "past the end": ("MISSION_ACK", "ERROR"),
        "past the end says": ["Flight plan update rejected"],
        "stored": [
            (0, 16, 0, 0.0, 0.0, "home", "home", "home"),
            (1, 22, 3, 0.0, 0.0, 0, 0, 20.0),
            (2, 16, 3, 0.0, 0.0, 135020000, 21000000, 35.0),
            (3, 16, 3, 0.0, 0.0, 135020000, 21020000, 36.0),
            (4, 16, 3, 0.0, 0.0, 135010000, 21010000, 30.0),
            (5, 20, 0, 0.0, 0.0, 0, 0, 0.0),
        ],
        "upload": ("MISSION_ACK", "ACCEPTED"),
    },
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
