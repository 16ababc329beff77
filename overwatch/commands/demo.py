"""``overwatch demo`` — the main job in one command."""

from __future__ import annotations

import argparse
from pathlib import Path

from overwatch.commands import plan as plan_command

#: the example mission the demo runs
DEMO_MISSION = Path(__file__).resolve().parents[2] / "missions" / "vehicle-patrol.yaml"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the demo: plan the example vehicle patrol and print the summary",
        description="Plan the example 12 km vehicle patrol and write its exports to out/demo.",
    )
    p.add_argument("--mission", type=Path, default=DEMO_MISSION, help="mission to run")
    p.add_argument("--out", type=Path, default=Path("out") / "demo", help="output folder")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return plan_command.run(argparse.Namespace(mission=args.mission, out=args.out, strategy=None))
