"""The MAVLink reader survives any bytes and still decodes the next good packet.

The decoder is fuzzed on its own (garbage around good packets, truncated
packets, bad CRCs, oversize), and the link's reader task over a real
loopback TCP connection to the scripted vehicle: after each malformed
injection the vehicle still answers a command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from overwatch.link import Link
from overwatch.link.decode import Decoder, new_mavlink
from tests.fuzzing import LoopThread, examples, mutations
from tests.link.peer import PeerHost, ScriptedVehicle

_encoder = new_mavlink(1, 1)


def heartbeat(seq: int) -> bytes:
    _encoder.seq = seq % 256
    return bytes(_encoder.heartbeat_encode(2, 3, 81, seq, 4).pack(_encoder))


GOOD = heartbeat(7)


@examples(300)
@given(before=mutations(GOOD, oversize_to=600), after=st.binary(max_size=300))
@example(before=GOOD[:-1], after=b"")  # a packet cut short before a good one
@example(before=GOOD[:-2] + b"\x00\x00", after=b"")  # a bad CRC
def test_decoder_finds_good_packets_after_any_garbage(before: bytes, after: bytes) -> None:
    decoder = Decoder()
    packets = [heartbeat(i) for i in range(3)]
    stream = bytes(before) + b"".join(packets) + after + b"\x00" * 300
    got = decoder.feed(stream)
    ids = [m.custom_mode for m in got if m.get_type() == "HEARTBEAT"]
    assert ids[-3:] == [0, 1, 2] or ids[-4:-1] == [0, 1, 2], ids


@pytest.fixture(scope="module")
def linked() -> Iterator[tuple[LoopThread, PeerHost, Link]]:
    loop = LoopThread()

    async def start() -> tuple[PeerHost, Link]:
        host = PeerHost(ScriptedVehicle(sysid=1))
        port = await host.serve_tcp()
        link = await Link(f"tcp:127.0.0.1:{port}", link_lost_after_s=5.0).start()
        await link.wait_vehicle(timeout_s=10)
        return host, link

    host, link = loop.run(start())
    yield loop, host, link

    async def stop() -> None:
        await link.close()
        await host.close()

    loop.run(stop())
    loop.close()


@examples(25, share=0.01)
@given(bad=mutations(GOOD, oversize_to=70_000))
def test_reader_survives_and_the_vehicle_still_answers(
    linked: tuple[LoopThread, PeerHost, Link], bad: bytes
) -> None:
    loop, host, link = linked

    async def inject_then_command() -> None:
        host.inject(bytes(bad) + b"\x00" * 300)  # the zeros end any false frame in the garbage
        vehicle = link.vehicle(1)
        await vehicle.set_mode("LOITER")
        await vehicle.set_mode("GUIDED")
        assert vehicle.state.mode == "GUIDED"
        assert all(not task.done() for task in link._tasks)

    loop.run(asyncio.wait_for(inject_then_command(), 30.0))
