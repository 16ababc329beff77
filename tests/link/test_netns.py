"""URLs that bind every interface, broadcast or join a multicast group, in a namespace of their own.

Each scenario of :mod:`tests.link.netns` runs in a child started with
``unshare --net``: a fresh network namespace whose only interface is
loopback (brought up, with multicast routed to it), so no packet of these
tests can reach the machine's real interfaces.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from overwatch.link.transports import DEFAULT_CONNECTION
from tests.link.tools import REPO

_SETUP = (
    "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && "
    'exec "$0" -m tests.link.netns "$1" "$2"'
)


def _unshare() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None or shutil.which("ip") is None:
        pytest.fail("these tests need unshare (util-linux) and ip (iproute2): scripts/sysdeps.sh")
    # as root a plain network namespace; otherwise a user namespace makes us root in it.
    # A PID namespace too: however a scenario ends, nothing it started outlives it.
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return [unshare, *user, "--net", "--pid", "--fork", "--kill-child"]


def in_namespace(scenario: str, state: Path) -> dict[str, Any]:
    done = subprocess.run(
        [*_unshare(), "sh", "-c", _SETUP, sys.executable, scenario, str(state)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_udpin_with_no_host_listens_on_every_interface(tmp_path: Path) -> None:
    seen = in_namespace("udpin-any", tmp_path)
    assert seen == {"sysid": 1, "mode": "GUIDED", "bound": "udpin:0.0.0.0:14560"}


def test_fly_without_connect_listens_on_udp_14550_and_says_so(tmp_path: Path) -> None:
    done = in_namespace("default-listen", tmp_path)
    assert done["returncode"] == 0, done["stdout"] + done["stderr"]
    said = done["stdout"] + done["stderr"]
    assert f"no --connect given: listening for the vehicle on {DEFAULT_CONNECTION}" in said
    assert f"connecting to {DEFAULT_CONNECTION}" in done["stdout"]
    assert "dry run" in done["stdout"] and "fence: uploaded and verified" in done["stdout"]


def test_tcpin_with_no_host_takes_a_connection_on_any_address(tmp_path: Path) -> None:
    seen = in_namespace("tcpin-any", tmp_path)
    assert seen == {"sysid": 1, "mode": "GUIDED", "bound": "tcpin:0.0.0.0:14560"}


def test_udpbcast_finds_the_vehicle_then_talks_to_it_alone(tmp_path: Path) -> None:
    seen = in_namespace("udpbcast", tmp_path)
    assert (seen["sysid"], seen["mode"]) == (1, "GUIDED")
    host, port = seen["peer"]
    assert host.startswith("127.") and host != "127.255.255.255" and port == 14560


def test_mcast_talks_through_the_group(tmp_path: Path) -> None:
    seen = in_namespace("mcast", tmp_path)
    assert seen == {"sysid": 1, "mode": "GUIDED", "bound": "mcast:239.255.145.50:14560"}


def test_outs_to_a_broadcast_address_and_a_multicast_group(tmp_path: Path) -> None:
    seen = in_namespace("out-everywhere", tmp_path)
    assert seen == {"heard": {"bcast": "LOITER", "mcast": "LOITER"}, "errors": [0, 0]}
