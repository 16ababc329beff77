"""Live overwatch on patrols nobody tuned for: 20 generated exercises, flown in lockstep.

``overwatch scenario generate --seed N`` draws each patrol (a winding road, halts, speed
changes, feed dropouts, outlier fixes and bad sentences, keep-outs, a border, threats).
Each is planned, then flown live (``lead``) on the built-in simulator in one process on a
virtual clock (:mod:`tests.ops.lockstep`), and scored from the simulator's truth:

* ``recovery: with_patrol`` — the live lead coverage over the 20 patrols (mean, p10,
  min), against the plan's figure and ArduPilot's FOLLOW baseline flown on the same
  patrols in this run. Targets (issue "live overwatch that holds up"): mean ≥ 95 %,
  p10 ≥ 90 %.
* ``recovery: launch`` — the same patrols recovered at the launch site: the figures,
  and how many runs stay within 3 points of their plan.

The runs go to a process pool, one per core; ``--quick`` flies 3 patrols.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import Result
from overwatch.mission import load_mission
from overwatch.ops import shortfall
from overwatch.ops.config import planned_lead_coverage
from overwatch.scenario.draw import ExerciseOptions
from overwatch.scenario.generate import generate_exercise

GROUP = "patrols"
PATROLS = 20
QUICK_PATROLS = 3
#: a live figure this close to its plan's needs no explaining (points of lead coverage)
PLAN_SLACK = shortfall.PLAN_SLACK


@dataclass(frozen=True)
class Flown:
    """One generated patrol: its plan's figure, the live one and the FOLLOW baseline's."""

    seed: int
    recovery: str
    km: float
    planned: float | None
    live: float
    follow: float | None
    reason: str
    shortfall: tuple[str, ...] = ()  # why live fell more than 3 points below the plan


def fly_seed(seed: int, recovery: str, with_baseline: bool) -> Flown:
    """Generate patrol ``seed`` with ``recovery``, plan it and fly it live (and the
    FOLLOW baseline when asked)."""
    from tests.ops.runs import fly_in_process  # the lockstep harness the ops tests fly

    with tempfile.TemporaryDirectory(prefix=f"bench-patrol-{seed}-") as tmp:
        out = Path(tmp)
        made = generate_exercise(ExerciseOptions(seed=seed, recovery=recovery), out / "exercise")
        mission = load_mission(made.mission_path)
        planned = planned_lead_coverage(mission, "lead", lambda _: None)
        live = fly_in_process(
            out / "lead",
            mode="lead",
            mission=made.mission_path,
            scenario=made.scenario_path,
            planned=planned,
        )
        follow = None
        if with_baseline:
            baseline = fly_in_process(
                out / "follow",
                mode="follow-baseline",
                mission=made.mission_path,
                scenario=made.scenario_path,
            )
            follow = baseline.score.lead_coverage
        return Flown(
            seed,
            recovery,
            live.score.route_length_m / 1000.0,
            planned,
            live.score.lead_coverage,
            follow,
            live.outcome.reason,
            live.outcome.shortfall,
        )


def _fly(job: tuple[int, str, bool]) -> Flown:
    return fly_seed(*job)


def run(quick: bool) -> list[Result]:
    seeds = range(1, (QUICK_PATROLS if quick else PATROLS) + 1)
    jobs = [(s, "with_patrol", True) for s in seeds] + [(s, "launch", False) for s in seeds]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        flown = list(pool.map(_fly, jobs))
    for f in flown:
        plan = "-" if f.planned is None else f"{f.planned:.1%}"
        follow = "" if f.follow is None else f", FOLLOW {f.follow:.1%}"
        print(
            f"  seed {f.seed:2d} {f.recovery:11s} {f.km:5.1f} km: plan {plan}, "
            f"live {f.live:.1%}{follow} ({f.reason})"
        )
        if f.shortfall:
            print(f"      below the plan: {'; '.join(f.shortfall)}")
    return _with_patrol([f for f in flown if f.recovery == "with_patrol"]) + _launch(
        [f for f in flown if f.recovery == "launch"]
    )


def _p10(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.1 * len(ordered)) - 1)] if len(ordered) >= 10 else ordered[0]


def _with_patrol(flown: list[Flown]) -> list[Result]:
    live = [f.live * 100.0 for f in flown]
    follow = [(f.follow or 0.0) * 100.0 for f in flown]
    planned = [(f.planned or 0.0) * 100.0 for f in flown]
    n = len(flown)
    mean, p10 = statistics.fmean(live), _p10(live)
    return [
        Result(
            GROUP,
            f"live lead coverage, mean of {n} (with_patrol)",
            mean,
            "%",
            "FOLLOW baseline, mean",
            statistics.fmean(follow),
            "mean ≥ 95 %",
            mean >= 95.0,
            note=f"min {min(live):.1f} %; the plan's mean {statistics.fmean(planned):.1f} %",
        ),
        Result(
            GROUP,
            f"live lead coverage, p10 of {n} (with_patrol)",
            p10,
            "%",
            "the plan's p10",
            _p10(planned),
            "p10 ≥ 90 %",
            p10 >= 90.0,
        ),
    ]


def _launch(flown: list[Flown]) -> list[Result]:
    live = [f.live * 100.0 for f in flown]
    planned = [(f.planned or 0.0) * 100.0 for f in flown]
    near = sum(1 for f in flown if f.planned is not None and f.live >= f.planned - PLAN_SLACK)
    return [
        Result(
            GROUP,
            f"live lead coverage, mean of {len(flown)} (launch)",
            statistics.fmean(live),
            "%",
            "the plan's mean",
            statistics.fmean(planned),
            "reported",
            True,
            note=(
                f"{near} of {len(flown)} runs within {PLAN_SLACK * 100:.0f} points of "
                "their plan or above it"
            ),
        ),
    ]
