"""A session closes when told, whatever arrives at the same moment.

Python 3.11's ``asyncio.wait_for`` loses a cancellation that comes in the same turn of the
event loop as what it waits for; the guidance loop waited on each fix that way, so a
``close()`` that came with a fix waited on it for ever (a CI run under load hung there).
"""

from __future__ import annotations

import asyncio

import pytest

from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from tests.ops.runs import MISSION


@pytest.mark.parametrize("turns", range(6))
async def test_a_cancel_that_comes_with_a_fix_stops_the_guidance_loop(turns: int) -> None:
    session = LiveSession(
        MissionGeometry.of(load_mission(MISSION)),
        SessionConfig(connect="udpin:127.0.0.1:0", patrol_feed="nmea+udp://127.0.0.1:0"),
    )
    loop = asyncio.create_task(session._guidance_task())
    for _ in range(3):
        await asyncio.sleep(0)  # the loop waits for the next fix
    session._fix_arrived.set()  # a fix arrives …
    for _ in range(turns):
        await asyncio.sleep(0)
    loop.cancel()  # … and the session closes in the same moment
    done, _ = await asyncio.wait({loop}, timeout=5.0)
    assert done, f"the guidance loop ran on after its cancellation ({turns} turns)"
    assert loop.cancelled()
