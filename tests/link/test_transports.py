"""Connect by every URL kind to a scripted peer on a real socket or pty, both directions."""

from __future__ import annotations

import pytest

from overwatch.errors import LinkError
from overwatch.link import Link, open_transport
from overwatch.link.transports import (
    McastTransport,
    SerialTransport,
    TcpServerTransport,
    TcpTransport,
    TlogReplayTransport,
    UdpBroadcastTransport,
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


async def test_tcpin_serves_a_vehicle_that_connects_to_us() -> None:
    host = PeerHost()
    transport = TcpServerTransport("127.0.0.1", 0)
    try:
        async with Link(transport) as link:
            assert transport.port != 0
            await host.connect_tcp_to(transport.port)
            await _round_trip(link, host)
            assert transport.clients == 1
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
    replay = open_transport("tlog:/tmp/x.tlog?speed=4")
    assert isinstance(replay, TlogReplayTransport) and replay.speed == 4


@pytest.mark.parametrize(
    ("url", "device", "baud"),
    [
        ("/dev/ttyUSB0,57600", "/dev/ttyUSB0", 57600),  # pymavlink's and MAVProxy's form
        ("/dev/ttyUSB0:921600", "/dev/ttyUSB0", 921600),
        ("/dev/ttyUSB0", "/dev/ttyUSB0", 57600),  # a SiK radio's default
        ("/dev/ttyACM0", "/dev/ttyACM0", 57600),
        ("serial:/dev/ttyS1,38400", "/dev/ttyS1", 38400),
        ("COM4,57600", "COM4", 57600),
        ("/dev/serial/by-id/usb-FTDI_FT231X-if00-port0", None, 57600),
        ("/dev/serial/by-id/usb-3DR:if00,115200", "/dev/serial/by-id/usb-3DR:if00", 115200),
    ],
)
def test_serial_urls(url: str, device: str | None, baud: int) -> None:
    serial = open_transport(url)
    assert isinstance(serial, SerialTransport)
    assert (serial.device, serial.baud) == (device or url, baud)


@pytest.mark.parametrize(
    ("url", "kind", "host", "port"),
    [
        ("udpin::14550", UdpInTransport, "0.0.0.0", 14550),  # every interface, as pymavlink
        ("udpin:0.0.0.0:14550", UdpInTransport, "0.0.0.0", 14550),
        ("udpin:127.0.0.1:14550", UdpInTransport, "127.0.0.1", 14550),
        ("udp::14551", UdpInTransport, "0.0.0.0", 14551),
        ("tcpin::5760", TcpServerTransport, "0.0.0.0", 5760),
        ("tcpin:127.0.0.1:5761", TcpServerTransport, "127.0.0.1", 5761),
        ("udpbcast:192.168.1.255:14550", UdpBroadcastTransport, "192.168.1.255", 14550),
        ("udpbcast::14550", UdpBroadcastTransport, "255.255.255.255", 14550),
        ("mcast:", McastTransport, "239.255.145.50", 14550),  # pymavlink's group
        ("mcast:14560", McastTransport, "239.255.145.50", 14560),
        ("mcast:239.1.2.3:14570", McastTransport, "239.1.2.3", 14570),
    ],
)
def test_network_urls(url: str, kind: type, host: str, port: int) -> None:
    transport = open_transport(url)
    assert isinstance(transport, kind)
    assert (transport.host, transport.port) == (host, port)  # type: ignore[attr-defined]
    assert transport.description == f"{url.partition(':')[0]}:{host}:{port}".replace(
        "udp:", "udpin:"
    )


@pytest.mark.parametrize(
    "url",
    [
        "tcp:localhost",
        "bogus:1:2",
        "tcp:host:port",
        "tlog:x?fast=2",
        "/dev/ttyUSB0,fast",
        "/dev/ttyUSB0,0",
        "udpin::99999",
        "mcast:10.0.0.1:14550",
        "mcast:nowhere:14550",
        "mcast:239.1.2.3:port",
    ],
)
def test_bad_urls_say_what_was_expected(url: str) -> None:
    with pytest.raises(LinkError, match=r"expected|not a") as raised:
        open_transport(url)
    assert repr(url) in str(raised.value)


async def test_connection_refused_is_a_link_error() -> None:
    host = PeerHost()
    port = await host.serve_tcp()
    await host.close()  # nothing listens there now
    with pytest.raises(LinkError, match="cannot connect"):
        await Link(f"tcp:127.0.0.1:{port}").start()
