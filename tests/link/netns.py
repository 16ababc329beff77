"""Connection scenarios that bind every interface, broadcast or join a multicast group.

They run ONLY inside a network namespace of their own whose one interface is
loopback (``tests/link/test_netns.py`` starts ``unshare --net`` around this
module), so nothing reaches the machine's real interfaces. Run as
``python -m tests.link.netns SCENARIO STATE_DIR``; prints one JSON line of
what was seen, for the test to judge.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from overwatch.link import Link
from overwatch.link.transports import DEFAULT_CONNECTION
from overwatch.mission import load_mission
from tests.flight.backends import SHORT_ROAD
from tests.link.tools import REPO, MavProxy, simulator

SPEEDUP = 10.0
#: The UDP port the scenarios' vehicles are reached on (the namespace is ours alone).
PORT = 14560
GROUP = "239.255.145.50"


def _home() -> list[str]:
    site = load_mission(SHORT_ROAD).launch
    return ["--lat", repr(site.site.lat_deg), "--lon", repr(site.site.lon_deg)]


async def _command_round_trip(link: Link) -> dict[str, Any]:
    vehicle = await link.wait_vehicle(timeout_s=60)
    await vehicle.request_telemetry()
    await vehicle.set_mode("GUIDED")
    return {"sysid": vehicle.sysid, "mode": vehicle.state.mode}


async def udpin_any(_state: Path) -> dict[str, Any]:
    """``udpin::PORT`` hears a vehicle sending to 127.0.0.2, which 127.0.0.1 alone would not."""
    async with (
        simulator("--udp-out", f"127.0.0.2:{PORT}", *_home(), speedup=SPEEDUP),
        Link(f"udpin::{PORT}", heartbeat_hz=5) as link,
    ):
        seen = await _command_round_trip(link)
        return {**seen, "bound": link.transport.description}


async def default_listen(_state: Path) -> dict[str, Any]:
    """``overwatch fly`` without ``--connect`` listens on udpin:0.0.0.0:14550 and says so."""
    port = int(DEFAULT_CONNECTION.rpartition(":")[2])
    async with simulator("--udp-out", f"127.0.0.2:{port}", *_home(), speedup=SPEEDUP):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "overwatch",
            "fly",
            str(SHORT_ROAD),
            "--dry-run",
            "--speedup",
            f"{SPEEDUP:g}",
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 240)
    return {"returncode": process.returncode, "stdout": out.decode(), "stderr": err.decode()}


async def tcpin_any(state: Path) -> dict[str, Any]:
    """``tcpin::PORT`` takes MAVProxy connecting to 127.0.0.2 with the vehicle behind it."""
    async with (
        simulator(*_home(), speedup=SPEEDUP) as url,
        Link(f"tcpin::{PORT}", heartbeat_hz=5) as link,
        MavProxy(url, f"tcp:127.0.0.2:{PORT}", state_dir=state),
    ):
        seen = await _command_round_trip(link)
        return {**seen, "bound": link.transport.description}


async def udpbcast(state: Path) -> dict[str, Any]:
    """``udpbcast:`` finds a MAVProxy listening on every interface, then talks to it alone."""
    async with (
        simulator(*_home(), speedup=SPEEDUP) as url,
        MavProxy(url, f"udpin:0.0.0.0:{PORT}", state_dir=state),
        Link(f"udpbcast:127.255.255.255:{PORT}", heartbeat_hz=5) as link,
    ):
        seen = await _command_round_trip(link)
        peer = link.transport.peer  # type: ignore[attr-defined]
        return {**seen, "peer": list(peer) if peer else None}


async def mcast(state: Path) -> dict[str, Any]:
    """``mcast:GROUP:PORT`` talks to MAVProxy's own ``mcast:`` output through the group."""
    async with (
        simulator(*_home(), speedup=SPEEDUP) as url,
        MavProxy(url, f"mcast:{GROUP}:{PORT}", state_dir=state),
        Link(f"mcast:{GROUP}:{PORT}", heartbeat_hz=5) as link,
    ):
        seen = await _command_round_trip(link)
        return {**seen, "bound": link.transport.description}


async def out_everywhere(state: Path) -> dict[str, Any]:
    """``--out udpbcast:`` and ``--out mcast:`` carry the vehicle to ground stations there."""
    async with (
        simulator(*_home(), speedup=SPEEDUP) as url,
        Link(
            url,
            heartbeat_hz=5,
            outs=[f"udpbcast:127.255.255.255:{PORT}", f"mcast:{GROUP}:{PORT + 1}"],
        ) as link,
        Link(f"udpin:0.0.0.0:{PORT}", heartbeat_hz=5, sysid=254) as on_bcast,
        Link(f"mcast:{GROUP}:{PORT + 1}", heartbeat_hz=5, sysid=253) as on_group,
    ):
        await link.wait_vehicle(timeout_s=60)
        heard = {}
        for name, other in (("bcast", on_bcast), ("mcast", on_group)):
            vehicle = await other.wait_vehicle(timeout_s=60)
            await vehicle.set_mode("LOITER")  # through the out, to the vehicle
            heard[name] = vehicle.state.mode
        return {"heard": heard, "errors": [out.errors for out in link.outs]}


SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, Any]]]] = {
    "udpin-any": udpin_any,
    "default-listen": default_listen,
    "tcpin-any": tcpin_any,
    "udpbcast": udpbcast,
    "mcast": mcast,
    "out-everywhere": out_everywhere,
}


def _loopback_only() -> None:
    """Refuse to run anywhere but in a namespace whose only interface is loopback."""
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        raise SystemExit(f"refusing to run outside a loopback-only namespace: {names}")


def main() -> None:
    _loopback_only()
    scenario, state = sys.argv[1], Path(sys.argv[2])
    result = asyncio.run(SCENARIOS[scenario](state))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
