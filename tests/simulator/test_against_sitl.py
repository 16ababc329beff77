"""The same wire facts checked against a real ArduCopter SITL (needs ARDUPILOT_SITL).

These run only where an ``arducopter`` SITL binary exists; they keep the
built-in simulator honest by asking the real thing the same questions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.ops.training import free_port_block
from simulator.sitl import SitlInstance
from tests.simulator.conftest import Gcs

#: Deselected (not skipped) when ARDUPILOT_SITL is unset: see tests/conftest.py.
pytestmark = [pytest.mark.sitl]


@pytest.fixture
async def sitl() -> AsyncIterator[SitlInstance]:
    inst = SitlInstance(home=(13.5, 2.1, 220.0, 0.0), speedup=10, base_port=free_port_block())
    await inst.start(timeout_s=60)
    try:
        yield inst
    finally:
        await inst.stop()


async def test_sitl_only_heartbeat_until_asked_and_mission_frames(sitl: SitlInstance) -> None:
    gcs = Gcs(sitl.port)
    try:
        kinds = {m.get_type() for m in gcs.drain(2.0)}
        # unasked, ArduCopter sends no telemetry stream, only what it always pushes:
        # heartbeats, texts, TIMESYNC, and the origin, home and parameters as they change
        unasked = {"HEARTBEAT", "STATUSTEXT", "TIMESYNC"}
        unasked |= {"GPS_GLOBAL_ORIGIN", "HOME_POSITION", "PARAM_VALUE"}
        assert "HEARTBEAT" in kinds and kinds <= unasked, kinds
        hb = gcs.recv("HEARTBEAT", 3.0)
        assert hb.autopilot == mav.MAV_AUTOPILOT_ARDUPILOTMEGA
        assert hb.type == mav.MAV_TYPE_QUADROTOR
        items = [
            (16, 0, 0, 0.0, 0.0, 0.0, 0),
            (22, 6, 0, 0.0, 0.0, 20.0, 0),
            (16, 6, 0, 13.5005, 2.1, 20.0, 0),
        ]
        gcs.mav.mission_count_send(1, 1, len(items), 0)
        first = gcs.recv(("MISSION_REQUEST", "MISSION_REQUEST_INT"), 5.0)
        assert first.get_type() == "MISSION_REQUEST"
        ack = gcs.upload(items)
        assert ack.type == mav.MAV_MISSION_ACCEPTED
        got = gcs.download()
        assert got[2].frame == mav.MAV_FRAME_GLOBAL_RELATIVE_ALT
    finally:
        gcs.close()
