"""``overwatch scenario generate --seed N`` — a random patrol exercise nobody tuned for.

Writes ``DIR/generated-N.yaml`` (a mission) and ``DIR/generated-N.scenario.yaml``
(its training scenario), checked by the mission and scenario loaders; the
same seed writes the same bytes. What is drawn: docs/generated-patrols.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.markup import escape

from overwatch.errors import GenerationError
from overwatch.mission.model import RECOVERIES
from overwatch.scenario.draw import ExerciseOptions
from overwatch.scenario.generate import LENGTH_KM_RANGE, SEED_RANGE, generate_exercise

T = TypeVar("T")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scenario",
        help="training scenarios: generate a random patrol exercise from a seed",
        description=(
            "Training scenarios. 'generate --seed N' draws a random but realistic patrol "
            "exercise — a winding road beside a border, halts, speed changes, keep-outs, a "
            "drone sized for 1–3 batteries, tracker dropouts, outlier fixes and bad "
            "sentences, a detour, threats — and writes it as a mission and its scenario, "
            "both checked by the loaders."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    generate = actions.add_parser(
        "generate",
        help="write generated-N.yaml and generated-N.scenario.yaml for seed N",
        description=(
            "Draw a patrol exercise from seed N and write DIR/generated-N.yaml (the mission) "
            "and DIR/generated-N.scenario.yaml (its scenario). The same seed gives the same "
            "files, byte for byte. See docs/generated-patrols.md."
        ),
    )
    low, high = SEED_RANGE
    generate.add_argument(
        "--seed", required=True, help=f"the seed, a whole number from {low} to {high}"
    )
    generate.add_argument(
        "--out", type=Path, default=Path("."), help="folder to write to (default: here)"
    )
    km_low, km_high = LENGTH_KM_RANGE
    generate.add_argument(
        "--length-km",
        default=None,
        metavar="L",
        help=f"the road's length in km, {km_low:g} to {km_high:g} "
        "(default: drawn, 5–8 km on foot, 5–40 km by vehicle)",
    )
    generate.add_argument(
        "--recovery",
        choices=RECOVERIES,
        default=None,
        help="where sorties end: beside the patrol, at the launch site, or at the nearest "
        "rally point (default: drawn)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    options = ExerciseOptions(
        seed=_number("--seed", args.seed, int, "a whole number"),
        length_km=(
            None
            if args.length_km is None
            else _number("--length-km", args.length_km, float, "a length in km, e.g. 12.5")
        ),
        recovery=args.recovery,
    )
    made = generate_exercise(options, args.out)
    draw = made.draw
    mission = draw.mission
    console = Console(highlight=False)
    console.print(
        f"seed {draw.seed}: a {draw.length_km:.2f} km {mission.patrol.kind} patrol near "
        f"{escape(draw.region.place)}, strategy {mission.overwatch.strategy}, sorties recover "
        f"{draw.recovery}, {draw.batteries} batter{'y' if draw.batteries == 1 else 'ies'}, "
        f"{len(mission.airspace.keep_out)} keep-out(s), {len(draw.threats)} threat(s)",
        soft_wrap=True,
    )
    for path in (made.mission_path, made.scenario_path):
        console.print(f"  wrote {escape(str(path))}", soft_wrap=True)
    console.print(
        f"  next: overwatch plan {escape(str(made.mission_path))}; overwatch sim "
        f"{escape(str(made.mission_path))} --scenario {escape(str(made.scenario_path))}",
        soft_wrap=True,
    )
    return 0


def _number(option: str, text: str, kind: Callable[[str], T], expected: str) -> T:
    """``text`` read as a number, or a one-line :class:`GenerationError` naming the option.

    The ranges are checked by the generator (:func:`check_options`); this only
    keeps a mistyped number to one ``error:`` line, as every other mistake.
    """
    try:
        return kind(text)
    except ValueError:
        raise GenerationError(f"{option} {text!r}: not a number (expected {expected})") from None
