"""``overwatch scenario generate``: unseen patrol exercises from a seed, checked by the loaders.

:func:`generate_exercise` draws an exercise (:mod:`overwatch.scenario.draw`)
from a numpy ``Generator`` seeded with the seed, writes it as a mission and a
scenario file (:mod:`overwatch.scenario.exercise_yaml`) into a scratch folder
and reads both back with the very loaders ``overwatch validate``, ``plan`` and
``sim --scenario`` use. A draw is kept only when they take it without an error
*and* without a warning, and its placements pass the checks below; otherwise
the next draw comes from the same Generator. So the same seed always gives
the same files, byte for byte, and a seed that yields nothing acceptable in
:data:`MAX_ATTEMPTS` draws fails with a :class:`GenerationError` naming it.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> made = generate_exercise(ExerciseOptions(seed=3), out)
>>> sorted(p.name for p in out.iterdir())
['generated-3.scenario.yaml', 'generated-3.yaml']
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from shapely.geometry import Point

from overwatch.durable import make_folder, replace_file
from overwatch.errors import GenerationError, MissionError, MissionErrors
from overwatch.mission import MissionGeometry, read_mission
from overwatch.mission.model import RECOVERIES
from overwatch.scenario.draw import (
    ExerciseDraw,
    ExerciseOptions,
    Refusal,
    draw_exercise,
)
from overwatch.scenario.exercise_yaml import mission_yaml, scenario_yaml
from overwatch.scenario.loader import load_scenario
from overwatch.scenario.model import Scenario

#: makes one draw from the Generator, or says why it could not
DrawFunction = Callable[[np.random.Generator, ExerciseOptions], ExerciseDraw | Refusal]
#: draws tried per seed before giving up
MAX_ATTEMPTS = 30
#: the seed is also the scenario's own ``seed:``, which the scenario loader bounds
SEED_RANGE = (0, 2**31 - 1)
#: ``--length-km`` bounds: a patrol longer than this outlasts three batteries
LENGTH_KM_RANGE = (1.0, 50.0)
#: a keep-out closer than this to the road's centreline counts as on the road, metres
ON_ROAD_M = 10.0


@dataclass(frozen=True)
class GeneratedExercise:
    """The files written, the draw they hold, and how many draws it took."""

    mission_path: Path
    scenario_path: Path
    draw: ExerciseDraw
    attempts: int


def check_options(options: ExerciseOptions) -> None:
    """Raise :class:`GenerationError` (one line, naming the option) for an option out of range."""
    low, high = SEED_RANGE
    if not low <= options.seed <= high:
        raise GenerationError(
            f"--seed {options.seed}: out of range (expected a whole number from {low} to {high})"
        )
    if options.length_km is not None:
        low_km, high_km = LENGTH_KM_RANGE
        if not (math.isfinite(options.length_km) and low_km <= options.length_km <= high_km):
            raise GenerationError(
                f"--length-km {options.length_km:g}: out of range "
                f"(expected a road length from {low_km:g} to {high_km:g} km)"
            )
    if options.recovery is not None and options.recovery not in RECOVERIES:
        raise GenerationError(
            f"--recovery {options.recovery}: unknown (expected one of {', '.join(RECOVERIES)})"
        )


def generate_exercise(options: ExerciseOptions, out_dir: Path) -> GeneratedExercise:
    """Draw, check and write ``generated-N.yaml`` and ``generated-N.scenario.yaml`` in ``out_dir``.

    Raises :class:`GenerationError` for a bad option, or when no draw passes
    in :data:`MAX_ATTEMPTS` (naming the seed and the last reason).
    """
    check_options(options)
    draw, texts, attempts = accepted_draw(options)
    try:
        make_folder(out_dir)
        mission_path = replace_file(out_dir / draw.mission_file, texts[0])
        scenario_path = replace_file(out_dir / draw.scenario_file, texts[1])
    except OSError as exc:
        raise GenerationError(f"cannot write the exercise to {out_dir}: {exc}") from None
    return GeneratedExercise(mission_path, scenario_path, draw, attempts)


def accepted_draw(
    options: ExerciseOptions, draw_one: DrawFunction = draw_exercise
) -> tuple[ExerciseDraw, tuple[str, str], int]:
    """The first draw from the seed's Generator that the loaders and checks accept.

    Returns the draw, its (mission, scenario) texts, and which attempt it was
    (1-based). ``draw_one`` makes each draw (tests pass their own).
    """
    rng = np.random.default_rng(options.seed)
    last = "nothing drawn"
    with tempfile.TemporaryDirectory(prefix="overwatch-generate-") as scratch:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            draw = draw_one(rng, options)
            if isinstance(draw, Refusal):
                last = draw.reason
                continue
            texts = (mission_yaml(draw), scenario_yaml(draw))
            reason = _refusal(draw, texts, Path(scratch))
            if reason is None:
                return draw, texts, attempt
            last = reason
    raise GenerationError(
        f"seed {options.seed}: no exercise passed the checks in {MAX_ATTEMPTS} draws "
        f"(the last: {last}); try another seed"
        + ("" if options.length_km is None else " or another --length-km")
    )


def _refusal(draw: ExerciseDraw, texts: tuple[str, str], scratch: Path) -> str | None:
    """Why the loaders or the placement checks refuse ``draw``, or None when they take it."""
    mission_path = scratch / draw.mission_file
    scenario_path = scratch / draw.scenario_file
    mission_path.write_text(texts[0], encoding="utf-8")
    scenario_path.write_text(texts[1], encoding="utf-8")
    try:
        result = read_mission(mission_path)
        scenario = load_scenario(scenario_path)
    except MissionError as exc:
        first = exc.errors[0] if isinstance(exc, MissionErrors) else exc
        return f"the loader refused it: {first.message}"
    if result.warnings:
        return f"the mission check warned: {result.warnings[0].message}"
    return placement_problem(scenario)


def placement_problem(scenario: Scenario) -> str | None:
    """What the generator promises beyond the loaders, checked on the loaded files.

    The watched corridor stays clear of the border zone, no keep-out lies on
    the road, and every threat stands where the drone may fly (so the plan
    can see it). None when all hold.
    """
    geometry = MissionGeometry.of(scenario.mission)
    half = scenario.mission.overwatch.corridor_width_m / 2.0
    if geometry.border_zone is not None and geometry.border_zone.intersects(
        geometry.route.buffer(half)
    ):
        return "the watched corridor reaches into the border's buffer"
    for name, polygon in geometry.keep_outs:
        if polygon.distance(geometry.route) < ON_ROAD_M:
            return f"the keep-out '{name}' lies on the road"
    for threat in scenario.threats:
        where = Point(geometry.frame.to_local(*threat.position.as_tuple()))
        if not geometry.is_allowed(where):
            return f"the threat {threat.threat_id} stands where the drone may not fly"
    return None
