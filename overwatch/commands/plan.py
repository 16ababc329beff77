"""``overwatch plan MISSION.yaml`` — plan the overwatch, print a summary, write every export."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from overwatch.commands import extra_message, missing_extra, missing_module
from overwatch.formats import export_stem, write_team
from overwatch.mission import STRATEGIES, load_mission
from overwatch.planning import plan_team
from overwatch.planning.model import Plan, Relief, TeamPlan
from overwatch.scoring.score import site_watch


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "plan",
        help="plan the overwatch flight and write .plan, .waypoints, GeoJSON, KML and a map",
        description=(
            "Plan the overwatch flight for a mission, print a summary against ArduPilot's "
            "FOLLOW baseline, and write QGroundControl .plan, Mission Planner .waypoints, "
            "GeoJSON (QGIS) and KML (Google Earth, ATAK) files, and a PNG map."
        ),
    )
    p.add_argument("mission", type=Path, help="the mission YAML file")
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: out/<mission name>)"
    )
    p.add_argument(
        "--strategy", choices=STRATEGIES, default=None, help="override the mission's strategy"
    )
    p.epilog = "The PNG map needs the report extra: pip install 'overwatch[report]'."
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    with console.status("loading the mission…"):
        mission = load_mission(args.mission)
    with console.status(f"planning '{escape(mission.name)}'…"):
        team = plan_team(mission, args.strategy)
    out = args.out or Path("out") / _slug(mission.name)
    with console.status(f"writing exports to {escape(str(out))}…"):
        written = write_team(team, out)
        map_note = _draw_map(team, out, written)
    if len(team.drones) == 1:
        console.print(summary_table(team.single))
    else:
        console.print(team_table(team))
        console.print(drones_table(team))
        for relief in team.reliefs:
            console.print("  " + escape(relief_line(team, relief)), soft_wrap=True)
    for note in team.notes:
        console.print(f"  [yellow]{escape(note)}[/yellow]", soft_wrap=True)
    for path in written:
        console.print(f"  wrote {escape(str(path))}", soft_wrap=True)
    if map_note:
        console.print(f"  [yellow]{escape(map_note)}[/yellow]", soft_wrap=True)
    return 0


def _draw_map(team: TeamPlan, out: Path, written: list[Path]) -> str:
    """Draw the PNG map into ``written``; without matplotlib, say how to get it instead."""
    try:
        from overwatch.report.plan_map import draw_plan, draw_team
    except ModuleNotFoundError as exc:
        if missing_extra(exc) is None:
            raise
        return "no PNG map: " + extra_message(missing_module(exc), "report", "the map")
    path = out / f"{export_stem(team.single)}.png"
    written.append(draw_plan(team.single, path) if len(team.drones) == 1 else draw_team(team, path))
    return ""


def team_table(team: TeamPlan) -> Table:
    """The team's figures beside one drone with battery swaps and FOLLOW, from the same run."""
    cov, one, base = team.coverage, team.single.coverage, team.single.baseline_coverage
    title = (
        f"{escape(team.mission.name)} — strategy '{team.strategy}', "
        f"{len(team.drones)} drones, {team.relief_mode} relief"
    )
    table = Table(title=title, show_header=True)
    table.add_column("figure")
    table.add_column(f"team ({len(team.drones)} drones)", justify="right")
    table.add_column("one drone, swaps", justify="right")
    table.add_column("FOLLOW baseline", justify="right")
    table.add_row(
        "lead coverage",
        f"{cov.lead_coverage * 100:.1f} %",
        f"{one.lead_coverage * 100:.1f} %",
        f"{base.lead_coverage * 100:.1f} %",
    )
    table.add_row(
        "longest unwatched stretch",
        f"{cov.longest_gap_m:,.0f} m",
        f"{one.longest_gap_m:,.0f} m",
        f"{base.longest_gap_m:,.0f} m",
    )
    table.add_row(
        "unwatched stretches", str(len(cov.gaps)), str(len(one.gaps)), str(len(base.gaps))
    )
    shortest = team.min_relief_overlap_s
    table.add_row(
        "reliefs (shortest overlap)",
        f"{len(team.reliefs)} ({shortest:.0f} s)" if shortest is not None else "0",
        "",
        "",
    )
    return table


def drones_table(team: TeamPlan) -> Table:
    """Per drone: sorties, flight time, the reserve at each landing, its reliefs."""
    table = Table(title="drones", show_header=True)
    for column in ("drone", "sorties", "flight time", "reserve at each landing", "reliefs"):
        table.add_column(column, justify="left" if column == "drone" else "right")
    for i, drone in enumerate(team.drones):
        v = drone.mission.vehicle
        reserves = ", ".join(f"{s.reserve_at_landing * 100:.0f} %" for s in drone.sorties)
        floor = f" (floor {v.reserve_fraction * 100:.0f} %)"
        relieves = sum(r.fresh == i for r in team.reliefs)
        relieved = sum(r.tired == i for r in team.reliefs)
        table.add_row(
            f"{escape(v.name)} (sysid {v.sysid})",
            str(len(drone.sorties)),
            f"{drone.flight_time_s / 60:.1f} min",
            (reserves or "—") + floor,
            f"takes over {relieves}, relieved {relieved}",
        )
    return table


def relief_line(team: TeamPlan, r: Relief) -> str:
    """One relief as a sentence: who takes over from whom, when and where."""
    names = [d.mission.vehicle.name for d in team.drones]
    return (
        f"relief at km {r.station_m / 1000:.2f}: {names[r.fresh]} (sortie {r.fresh_sortie + 1}) "
        f"on station at {_clock(r.on_station_t_s)}, {names[r.tired]} (sortie "
        f"{r.tired_sortie + 1}) leaves at {_clock(r.leave_t_s)}: {r.overlap_s:.0f} s together"
    )


def _clock(t_s: float) -> str:
    """Mission time as ``+MM:SS`` (``-`` before the patrol's start)."""
    sign = "-" if t_s < 0 else "+"
    minutes, seconds = divmod(round(abs(t_s)), 60)
    return f"{sign}{minutes:02d}:{seconds:02d}"


def summary_table(plan: Plan) -> Table:
    """The plan's figures beside the FOLLOW baseline's."""
    cov, base = plan.coverage, plan.baseline_coverage
    reserve_pct = plan.mission.vehicle.reserve_fraction * 100
    title = f"{escape(plan.mission.name)} — strategy '{plan.strategy}'"
    table = Table(title=title, show_header=True)
    table.add_column("figure")
    table.add_column(plan.strategy, justify="right")
    table.add_column("FOLLOW baseline", justify="right")
    table.add_row(
        "lead coverage", f"{cov.lead_coverage * 100:.1f} %", f"{base.lead_coverage * 100:.1f} %"
    )
    table.add_row(
        "longest unwatched stretch",
        f"{cov.longest_gap_m:,.0f} m",
        f"{base.longest_gap_m:,.0f} m",
    )
    if plan.strategy == "static":
        site, base_site = (
            site_watch(t, plan.geometry) for t in (plan.trajectory, plan.baseline_trajectory)
        )
        table.add_row(
            f"static site in view ({site.window_s / 60:.0f} min)",
            f"{site.fraction * 100:.1f} %",
            f"{base_site.fraction * 100:.1f} %",
        )
    table.add_row("sorties", str(len(plan.sorties)), "")
    table.add_row("flight time", f"{plan.flight_time_s / 60:.1f} min", "")
    table.add_row("flight distance", f"{plan.flight_distance_m / 1000:.1f} km", "")
    table.add_row(
        "lowest reserve at landing",
        f"{plan.min_reserve_at_landing * 100:.0f} % (floor {reserve_pct:.0f} %)",
        "",
    )
    return table


def _slug(name: str) -> str:
    keep = [c.lower() if c.isalnum() else "-" for c in name]
    return "-".join(filter(None, "".join(keep).split("-"))) or "mission"
