"""The vehicle connection options of ``fly``, ``run`` and ``ui``: ``--connect`` and ``--out``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from overwatch.link.transports import DEFAULT_BAUD, DEFAULT_CONNECTION

CONNECT_HELP = (
    "the vehicle's MAVLink URL, as pymavlink and MAVProxy write it: DEVICE,BAUD or "
    f"DEVICE:BAUD for a serial radio (/dev/ttyUSB0,57600; {DEFAULT_BAUD} when left out), "
    "udpin:HOST:PORT (udpin::PORT listens on every interface), udpout:HOST:PORT, "
    "udpbcast:BCAST:PORT, mcast:[GROUP:]PORT, tcp:HOST:PORT or tcpin:HOST:PORT "
    f"(default: {DEFAULT_CONNECTION}, where QGroundControl listens)"
)
OUT_HELP = (
    "share the vehicle's link with another ground station (QGroundControl, MAVProxy): "
    "every MAVLink frame is forwarded untouched, vehicle to URL and URL to vehicle; "
    "same URL forms as --connect, such as udpout:127.0.0.1:14551 (repeatable)"
)


TEAM_HELP = (
    "; give it once per link for a team of drones on links of their own, each drone "
    "matched by its sysid"
)


def add_connection_options(p: argparse.ArgumentParser, *, team: bool = False) -> None:
    """``--connect`` (repeatable with ``team``: a live session's drones) and ``--out``."""
    if team:
        p.add_argument(
            "--connect", metavar="URL", action="append", default=None, help=CONNECT_HELP + TEAM_HELP
        )
    else:
        p.add_argument("--connect", metavar="URL", default=None, help=CONNECT_HELP)
    p.add_argument("--out", metavar="URL", action="append", default=[], dest="outs", help=OUT_HELP)


def connection_from(args: argparse.Namespace, say: Callable[[str], None]) -> str:
    """The URL to connect to (the first ``--connect``); without one, the default, and
    ``say`` so."""
    if isinstance(args.connect, list):
        return str(args.connect[0])
    if args.connect:
        return str(args.connect)
    say(
        f"no --connect given: listening for the vehicle on {DEFAULT_CONNECTION} "
        "(every interface, UDP port 14550)"
    )
    return DEFAULT_CONNECTION


def more_connections_from(args: argparse.Namespace) -> tuple[str, ...]:
    """The second and later ``--connect`` of a team's session."""
    return tuple(str(url) for url in args.connect[1:]) if isinstance(args.connect, list) else ()
