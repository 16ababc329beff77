"""The ArduPilot FOLLOW baseline's parameters."""

from __future__ import annotations

import pytest

from overwatch.guidance.follow import follow_parameters, mission_follow_parameters
from tests.tracking.missions import make_mission


def test_parameters_from_the_mission() -> None:
    mission = make_mission([(0.0, 0.0), (1000.0, 0.0)], altitude_agl_m=70.0)
    params = mission_follow_parameters(mission, target_sysid=17)
    assert params == {
        "FOLL_ENABLE": 1.0,
        "FOLL_SYSID": 17.0,
        "FOLL_OFS_TYPE": 1.0,
        "FOLL_OFS_X": 250.0,
        "FOLL_OFS_Y": 0.0,
        "FOLL_OFS_Z": -70.0,
        "FOLL_YAW_BEHAVE": 2.0,
        "FOLL_ACCEL_H": 0.0,
        "FOLL_DIST_MAX": 760.0,  # ceil(hypot(250, 0, 70) + 500)
    }


def test_bad_inputs_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match=r"sysid must be 1\.\.255"):
        follow_parameters(offset_ahead_m=250, offset_right_m=0, altitude_m=80, target_sysid=0)
    with pytest.raises(ValueError, match="altitude must be > 0"):
        follow_parameters(offset_ahead_m=250, offset_right_m=0, altitude_m=-5, target_sysid=3)
