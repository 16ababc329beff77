"""MAVLink 2 signing: signed both ways works; unsigned or wrongly signed packets are refused."""

from __future__ import annotations

import pytest

from overwatch.errors import LinkError, LinkTimeout
from overwatch.link import Link
from tests.link.peer import PeerHost, ScriptedVehicle

KEY = bytes(range(32))


async def test_signed_link_works_both_ways() -> None:
    host = PeerHost(ScriptedVehicle(signing_key=KEY))
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}", signing_key=KEY) as link:
            vehicle = await link.wait_vehicle(timeout_s=5)
            await vehicle.arm()  # the peer refuses unsigned packets, so ours were signed
            assert host.vehicle.armed
            assert host.vehicle.mav.signing.goodsig_count > 0
            assert link.mav.signing.goodsig_count > 0
            assert link.rejected_signature == 0
    finally:
        await host.close()


@pytest.mark.parametrize("peer_key", [None, bytes(32)], ids=["unsigned", "wrong-key"])
async def test_unsigned_or_wrongly_signed_packets_are_rejected(peer_key: bytes | None) -> None:
    host = PeerHost(ScriptedVehicle(signing_key=peer_key, heartbeat_hz=20))
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}", signing_key=KEY) as link:
            with pytest.raises(LinkTimeout):
                await link.wait_vehicle(timeout_s=0.5)
            assert link.rejected_signature >= 5
            assert link.vehicles == {}
    finally:
        await host.close()


def test_signing_key_must_be_32_bytes() -> None:
    with pytest.raises(LinkError, match="32 bytes, got 5"):
        Link("tcp:127.0.0.1:1", signing_key=b"short")
