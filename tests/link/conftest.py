"""Fixtures: a scripted vehicle served on a real loopback TCP port, and a Link to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from overwatch.link import Link
from tests.link.peer import PeerHost, ScriptedVehicle


@pytest.fixture
async def host() -> AsyncIterator[PeerHost]:
    peer = PeerHost(ScriptedVehicle(sysid=1))
    yield peer
    await peer.close()


@pytest.fixture
async def link(host: PeerHost) -> AsyncIterator[Link]:
    port = await host.serve_tcp()
    async with Link(f"tcp:127.0.0.1:{port}", link_lost_after_s=0.5) as connected:
        yield connected
