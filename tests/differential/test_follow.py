"""Differential: FOLLOW mode (FOLL_*), led by another system's GLOBAL_POSITION_INT.

The probes (``tests/differential/probes_follow.py``) ask the built-in simulator and, where
``ARDUPILOT_SITL`` is set, ArduCopter SITL the same questions on the wire. Without
SITL the built-in simulator is held to :data:`RECORDED`, what SITL answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.differential.conftest import Probe, Probed, compare
from tests.differential.probes_follow import probe_follow

READY = True
PROBES: list[Probe] = [probe_follow]

#: Measured on ArduCopter SITL V4.8.0-dev, commit 64a9c787 (speed-up 10, ArduPilot's
#: copter.parm under simulator/params/copter.parm), with these probes.
RECORDED: dict[str, Any] = {
    "probe_follow": {
        "altitude above the lead (m)": "17-23",
        "behind the lead (m)": "<3",
        "enter FOLLOW": True,
        "lead silent: mode": 23,
        "lead silent: said": [],
        "lead silent: speed (m/s)": "<0.5",
        "lead too far: moved (m)": "<3",
        "lead too far: said": [],
        "said": [],
        "set FOLL_ALT_TYPE": True,
        "set FOLL_DIST_MAX": True,
        "set FOLL_ENABLE": True,
        "set FOLL_OFS_TYPE": True,
        "set FOLL_OFS_X": True,
        "set FOLL_OFS_Y": True,
        "set FOLL_OFS_Z": True,
        "set FOLL_SYSID": True,
        "set FOLL_YAW_BEHAVE": True,
        "speed with the lead (m/s)": "2-4",
    }
}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_answers_as_sitl_did(builtin: Probed, probe: Probe) -> None:
    assert builtin.answer(probe) == RECORDED[probe.__name__]


@pytest.mark.sitl
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.__name__)
def test_builtin_and_sitl_answer_alike(builtin: Probed, sitl: Probed, probe: Probe) -> None:
    compare(builtin, sitl, probe, RECORDED[probe.__name__])
