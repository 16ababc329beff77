"""``overwatch plan MISSION.yaml`` — plan the overwatch, print a summary, write every export."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from overwatch.commands import extra_message, missing_extra, missing_module
from overwatch.formats import export_stem, write_all
from overwatch.mission import STRATEGIES, load_mission
from overwatch.planning import plan as make_plan
from overwatch.planning.model import Plan
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
        result = make_plan(mission, args.strategy)
    out = args.out or Path("out") / _slug(mission.name)
    with console.status(f"writing exports to {escape(str(out))}…"):
        written = write_all(result, out)
        map_note = _draw_map(result, out, written)
    console.print(summary_table(result))
    for path in written:
        console.print(f"  wrote {escape(str(path))}", soft_wrap=True)
    if map_note:
        console.print(f"  [yellow]{escape(map_note)}[/yellow]", soft_wrap=True)
    return 0


def _draw_map(result: Plan, out: Path, written: list[Path]) -> str:
    """Draw the PNG map into ``written``; without matplotlib, say how to get it instead."""
    try:
        from overwatch.report.plan_map import draw_plan
    except ModuleNotFoundError as exc:
        if missing_extra(exc) is None:
            raise
        return "no PNG map: " + extra_message(missing_module(exc), "report", "the map")
    written.append(draw_plan(result, out / f"{export_stem(result)}.png"))
    return ""


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
