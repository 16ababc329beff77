"""``overwatch fly MISSION.yaml --connect URL`` — fly the plan's first sortie in AUTO."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from overwatch.commands.connection import add_connection_options, connection_from
from overwatch.commands.signing import UNSIGNED_WARNING, add_signing_options, signing_key_from
from overwatch.errors import LinkError
from overwatch.link import Link
from overwatch.mission import load_mission
from overwatch.ops.fly import (
    LOSSY_LINK,
    LinkTuning,
    fly_sortie,
    gcs_heartbeat_hz,
    prepare,
)
from overwatch.planning import plan as make_plan

#: the flight ended (landed, disarmed) without every navigation item done
EXIT_INCOMPLETE = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fly",
        help="upload the plan's first sortie (fence, rally, mission), arm and fly it in AUTO",
        description=(
            "Wait until the vehicle is ready, upload and verify fence, rally points and the "
            "first sortie's mission, set the fence and failsafe parameters, arm and start the "
            "mission, then report progress item by item until the vehicle lands and disarms. "
            "Any refusal stops with the vehicle's own words (exit status 2). Exit status 0 "
            "means every navigation item was done (with --dry-run: the plan is on the "
            "vehicle and verified); 1 means the vehicle landed without finishing the mission."
        ),
    )
    p.add_argument("mission", type=Path, help="the mission YAML file")
    add_connection_options(p)
    add_signing_options(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="do everything except arming: the vehicle is left disarmed with the plan on it",
    )
    p.add_argument(
        "--ready-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds to wait for the vehicle's heartbeat, GPS, position estimate and home",
    )
    p.add_argument(
        "--skip-ready-check",
        action="store_true",
        help="do not wait for GPS, position estimate and home: let the vehicle's own "
        "pre-arm checks decide",
    )
    p.add_argument(
        "--flight-timeout",
        type=float,
        default=3600.0,
        metavar="S",
        help="give up if the vehicle has not landed and disarmed this many seconds after the "
        "mission starts",
    )
    p.add_argument(
        "--lossy-link",
        action="store_true",
        help="retry commands and mission items harder, for a radio that loses many packets",
    )
    p.add_argument(
        "--speedup",
        type=float,
        default=1.0,
        metavar="X",
        help="the vehicle is a simulator running X times real time: send heartbeats often "
        "enough for its GCS failsafe, which counts simulated seconds",
    )
    p.add_argument("--tlog", type=Path, default=None, help="record the link to this .tlog")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.speedup <= 0:
        raise LinkError(f"--speedup must be positive, got {args.speedup:g}")
    return asyncio.run(_fly(args))


async def _fly(args: argparse.Namespace) -> int:
    console = Console(highlight=False)

    def say(text: str) -> None:
        console.print(escape(text))

    mission = load_mission(args.mission)
    plan = make_plan(mission)
    sortie = plan.sorties[0]
    say(
        f"{mission.name}: sortie 1 of {len(plan.sorties)}, {len(sortie.items)} mission items, "
        f"{len(plan.fence_items)} fence items, {len(plan.rally_items)} rally points"
    )
    tuning = LOSSY_LINK if args.lossy_link else LinkTuning()
    connect = connection_from(args, say)
    async with Link(
        connect,
        tlog_path=args.tlog,
        heartbeat_hz=gcs_heartbeat_hz(args.speedup),
        outs=args.outs,
        signing_key=signing_key_from(args),
    ) as link:
        say(f"connecting to {connect}…")
        for out in link.outs:
            say(f"sharing the link with {out.description}")
        vehicle = await link.wait_vehicle(timeout_s=args.ready_timeout)
        tuning.apply(vehicle)
        say(f"vehicle {vehicle.sysid}: heartbeat, mode {vehicle.state.mode}")
        if link.heard_signed:
            say(UNSIGNED_WARNING.format(sysid=vehicle.sysid))
        await vehicle.request_telemetry()
        if not args.skip_ready_check:
            await vehicle.wait_ready(
                timeout_s=args.ready_timeout,
                progress_cb=lambda text: say(f"vehicle {vehicle.sysid}: {text}"),
            )
        await prepare(vehicle, plan, sortie, say)
        if args.dry_run:
            console.print(
                "[yellow]dry run[/yellow]: fence, rally points and mission are on the vehicle "
                "and verified; not arming"
            )
            return 0
        result = await fly_sortie(vehicle, sortie.items, say, timeout_s=args.flight_timeout)
    if result.complete:
        console.print(
            f"[green]flight complete[/green]: {len(result.passed)} of {len(result.nav_seqs)} "
            f"navigation items done in {result.duration_s:.0f} s"
        )
        return 0
    modes = escape(" → ".join(result.modes) or "none seen")
    console.print(
        f"[yellow]flight incomplete[/yellow]: {len(result.passed)} of {len(result.nav_seqs)} "
        f"navigation items done in {result.duration_s:.0f} s (modes: {modes})",
        soft_wrap=True,
    )
    return EXIT_INCOMPLETE
