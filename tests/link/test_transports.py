"""Connect by every URL kind to a scripted peer on a real socket or pty, both directions."""

from __future__ import annotations

import pytest

from overwatch.errors import LinkError
from overwatch.link import Link, open_transport
from overwatch.link.transports import (
    SerialTransport,
    TcpTransport,
    TlogReplayTransport,
    UdpInTransport,
    UdpOutTransport,
)
from tests.link.peer import PeerHost, ScriptedVehicle


async def _round_trip(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    assert vehicle.sysid == 1
    assert vehicle.state.heartbeat_seen
    await vehicle.arm()  # command out, ack and heartbeat back
    assert host.vehicle.armed
    assert vehicle.state.armed


async def test_tcp_client() -> None:
    host = PeerHost()
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}") as link:
            await _round_trip(link, host)
    finally:
        await host.close()


async def test_udpout_to_a_listening_vehicle() -> None:
    host = PeerHost()
    try:
        port = await host.serve_udp()
        async with Link(f"udpout:127.0.0.1:{port}") as link:
            await _round_trip(link, host)  # the peer learns our address from our heartbeat
    finally:
        await host.close()


async def test_udpin_listening_for_a_vehicle() -> None:
    host = PeerHost()
    try:
        transport = UdpInTransport("127.0.0.1", 0)
        async with Link(transport) as link:
            await host.send_udp_to(transport.port)
            await _round_trip(link, host)
    finally:
        await host.close()


async def test_serial_over_a_pty_pair() -> None:
    host = PeerHost()
    try:
        device = await host.serve_pty()
        async with Link(f"{device}:57600") as link:
            assert link.transport.description == f"{device}:57600"
            await _round_trip(link, host)
    finally:
        await host.close()


async def test_tcp_reconnects_after_the_peer_drops_the_connection() -> None:
    host = PeerHost(ScriptedVehicle(heartbeat_hz=20))
    try:
        port = await host.serve_tcp()
        transport = TcpTransport("127.0.0.1", port, reconnect_delay_s=0.05)
        async with Link(transport) as link:
            vehicle = await link.wait_vehicle(timeout_s=5)
            await host.drop_tcp_clients()
            await vehicle.arm()  # works again once reconnected (command retries cover the gap)
            assert vehicle.state.armed
    finally:
        await host.close()


def test_url_parsing() -> None:
    assert isinstance(open_transport("udpin:0.0.0.0:14550"), UdpInTransport)
    assert isinstance(open_transport("udp:127.0.0.1:14550"), UdpInTransport)
    assert isinstance(open_transport("udpout:127.0.0.1:14550"), UdpOutTransport)
    tcp = open_transport("tcp:127.0.0.1:5760")
    assert isinstance(tcp, TcpTransport) and tcp.port == 5760
    serial = open_transport("/dev/ttyUSB0:57600")
    assert isinstance(serial, SerialTransport) and (serial.device, serial.baud) == (
        "/dev/ttyUSB0",
        57600,
    )
    assert open_transport("/dev/ttyACM0").baud == 115200  # type: ignore[attr-defined]
    replay = open_transport("tlog:/tmp/x.tlog?speed=4")
    assert isinstance(replay, TlogReplayTransport) and replay.speed == 4


@pytest.mark.parametrize("url", ["tcp:localhost", "bogus:1:2", "tcp:host:port", "tlog:x?fast=2"])
def test_bad_urls_say_what_was_expected(url: str) -> None:
    with pytest.raises(LinkError, match="expected"):
        open_transport(url)


async def test_connection_refused_is_a_link_error() -> None:
    host = PeerHost()
    port = await host.serve_tcp()
    await host.close()  # nothing listens there now
    with pytest.raises(LinkError, match="cannot connect"):
        await Link(f"tcp:127.0.0.1:{port}").start()
