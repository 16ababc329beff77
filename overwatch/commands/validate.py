"""``overwatch validate MISSION.yaml`` — check a mission file, plan nothing."""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from overwatch.geo import geodesic_distance_m
from overwatch.mission import Mission, MissionGeometry, read_mission


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check a mission file and say what is wrong (file, line, field)",
        description="Check a mission file: schema, units, geometry and airspace. Plans nothing.",
    )
    p.add_argument("mission", type=Path, help="the mission YAML file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result = read_mission(args.mission)
    mission = result.mission
    geometry = MissionGeometry.of(mission)
    console = Console(highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]{escape(str(warning))}[/yellow]", soft_wrap=True)
    route = mission.patrol.route
    length_m = sum(
        geodesic_distance_m(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
        for a, b in itertools.pairwise(route)
    )
    console.print(
        f"[green]ok[/green] {escape(str(args.mission))}: '{escape(mission.name)}', "
        f"patrol {escape(mission.patrol.callsign)} {length_m / 1000:.2f} km, "
        f"{len(mission.patrol.halts)} halt(s), "
        f"{geometry.schedule.duration_s / 60:.0f} min planned; "
        f"strategy {mission.overwatch.strategy}{_team(mission)}",
        soft_wrap=True,
    )
    return 0


def _team(mission: Mission) -> str:
    """``; 2 drones (A, B), continuous relief`` for a team; nothing for one drone."""
    if not mission.extra_drones:
        return ""
    names = ", ".join(escape(v.name) for v in mission.vehicles)
    return f"; {len(mission.drones)} drones ({names}), {mission.relief_mode} relief"
