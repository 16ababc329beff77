"""``python -m simulator``: run simulated vehicles until interrupted.

Prints one connection URL per vehicle (``tcp:127.0.0.1:5760``), then
simulates until Ctrl-C, which exits cleanly. ``run_sim(args)`` is the same
thing as a function (returns the exit status); :func:`serve` is the
awaitable the lead's ``overwatch sim`` can call.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from overwatch.errors import SimulatorError
from simulator.faults import LinkFaults
from simulator.fleet import SimulatedFleet


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT (e.g. 127.0.0.1:14550), got {text!r}")
    return host, int(port)


def _outage(text: str) -> tuple[float, float]:
    start, sep, end = text.partition(":")
    try:
        a, b = float(start), float(end)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected START:END in simulated seconds (e.g. 60:75), got {text!r}"
        ) from None
    if not sep or b < a:
        raise argparse.ArgumentTypeError(f"expected START:END with END >= START, got {text!r}")
    return a, b


def _param(text: str) -> tuple[str, float]:
    name, _sep, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE (e.g. FS_GCS_ENABLE=1), got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulated ArduCopter vehicles speaking MAVLink over TCP, like ArduPilot SITL.",
    )
    p.add_argument("--lat", type=float, default=13.5, help="home latitude, degrees")
    p.add_argument("--lon", type=float, default=2.1, help="home longitude, degrees")
    p.add_argument("--alt", type=float, default=220.0, help="home altitude above mean sea level, m")
    p.add_argument("--vehicles", type=int, default=1, help="number of vehicles (sysid 1..N)")
    p.add_argument("--speedup", type=float, default=1.0, help="simulated time per wall time")
    p.add_argument("--seed", type=int, default=0, help="seed for wind gusts and link faults")
    p.add_argument("--host", default="127.0.0.1", help="address the TCP servers listen on")
    p.add_argument(
        "--base-port",
        type=int,
        default=5760,
        help="TCP port of vehicle 0; vehicle i uses base+10·i (0: ephemeral)",
    )
    p.add_argument(
        "--udp-out",
        type=_host_port,
        metavar="HOST:PORT",
        help="also send each vehicle's MAVLink to HOST:PORT+10·i",
    )
    p.add_argument("--loss", type=float, default=0.0, help="packet loss both ways, percent")
    p.add_argument("--loss-up", type=float, help="loss towards the vehicle, percent")
    p.add_argument("--loss-down", type=float, help="loss from the vehicle, percent")
    p.add_argument("--latency-ms", type=float, default=0.0, help="added latency (simulated ms)")
    p.add_argument("--jitter-ms", type=float, default=0.0, help="added uniform jitter (ms)")
    p.add_argument("--duplicate", type=float, default=0.0, help="duplicated packets, percent")
    p.add_argument("--corrupt", type=float, default=0.0, help="packets with a flipped bit, percent")
    p.add_argument(
        "--outage",
        type=_outage,
        action="append",
        default=[],
        metavar="START:END",
        help="link outage in simulated seconds (repeatable)",
    )
    p.add_argument("--gps-delay", type=float, default=10.0, help="seconds from boot to GPS fix")
    p.add_argument(
        "--ekf-delay",
        type=float,
        default=40.0,
        help="seconds from boot until the EKF uses GPS (arming possible)",
    )
    p.add_argument("--wind", type=float, default=0.0, help="mean wind speed, m/s")
    p.add_argument("--wind-dir", type=float, default=180.0, help="wind blows from, degrees")
    p.add_argument("--gust", type=float, default=0.0, help="gust standard deviation, m/s")
    p.add_argument(
        "--param-naming",
        choices=("4.5", "4.7", "4.8"),
        default="4.5",
        help="parameter names of ArduCopter 4.5 (SYSID_THISMAV), 4.7 (MAV_SYSID) or "
        "4.8 (also WP_SPD m/s for WPNAV_SPEED cm/s, RTL_ALT_M, MAV1_* …)",
    )
    p.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter at boot (repeatable)",
    )
    # what sets each vehicle of a team apart (VehicleSpec): ``overwatch sim`` fills it in
    # from the mission's drones; the command line has none
    p.set_defaults(team=())
    return p


def faults_from(ns: argparse.Namespace) -> LinkFaults:
    """The LinkFaults the parsed arguments ask for."""
    return LinkFaults(
        loss_up_pct=ns.loss if ns.loss_up is None else ns.loss_up,
        loss_down_pct=ns.loss if ns.loss_down is None else ns.loss_down,
        latency_ms=ns.latency_ms,
        jitter_ms=ns.jitter_ms,
        duplicate_pct=ns.duplicate,
        corrupt_pct=ns.corrupt,
        outages=tuple(ns.outage),
        seed=ns.seed,
    )


def fleet_from(ns: argparse.Namespace) -> SimulatedFleet:
    """A SimulatedFleet built from parsed arguments (raises SimulatorError on bad values)."""
    options: dict[str, Any] = dict(
        gps_fix_delay_s=ns.gps_delay,
        ekf_gps_delay_s=ns.ekf_delay,
        param_naming=ns.param_naming,
        params=dict(ns.param),
        wind_speed_m_s=ns.wind,
        wind_from_deg=ns.wind_dir,
        gust_m_s=ns.gust,
    )
    return SimulatedFleet(
        home=(ns.lat, ns.lon, ns.alt),
        vehicles=ns.vehicles,
        speedup=ns.speedup,
        faults=faults_from(ns),
        base_port=ns.base_port,
        host=ns.host,
        udp_out=ns.udp_out,
        seed=ns.seed,
        team=ns.team,
        **options,
    )


async def serve(
    fleet: SimulatedFleet,
    out: TextIO = sys.stdout,
    on_ready: Callable[[SimulatedFleet], None] | None = None,
    *,
    show_sysid: bool = False,
) -> None:
    """Run ``fleet``, print its URLs to ``out``, and simulate until cancelled.

    One line per vehicle, ``vehicle 1: tcp:127.0.0.1:5760``; with ``show_sysid``,
    ``vehicle 1: tcp:127.0.0.1:5760 (sysid 1)`` (as ``overwatch sim`` prints them)."""
    async with fleet:
        for i, vehicle in enumerate(fleet.vehicles):
            said = f" (sysid {vehicle.sysid})" if show_sysid else ""
            print(f"vehicle {i + 1}: {vehicle.url}{said}", file=out, flush=True)
        if on_ready is not None:
            on_ready(fleet)
        await asyncio.Event().wait()


def run_sim(args: Sequence[str] | None = None) -> int:
    """Parse ``args`` (like ``sys.argv[1:]``), simulate until Ctrl-C; returns the exit status."""
    parser = build_parser()
    ns = parser.parse_args(args)
    try:
        fleet = fleet_from(ns)
        asyncio.run(serve(fleet))
    except SimulatorError as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("simulator: stopped", file=sys.stderr)
        return 0
    return 0
