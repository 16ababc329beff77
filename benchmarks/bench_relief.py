"""Multi-drone relief: planning speed and coverage, each beside one drone from the same run.

- planning the seeded 50 km winding route with 20 keep-outs and a border (the
  ``planning`` bench's) for a team of 3 drones with continuous relief (target:
  median < 1 s), beside ``plan`` of the same mission for one drone with swaps
  (the team's call plans that one too, for its comparison);
- team lead coverage and longest gap on ``missions/relief-patrol.yaml`` (two
  drones, a patrol of about 1.6 batteries; target >= 99 % with no gap over
  50 m) and on the 50 km route with 3 drones, beside one drone with battery
  swaps planned in the same call.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from benchmarks.harness import Result, median_time_s
from overwatch.mission import Drone, Mission, load_mission
from overwatch.planning import TeamPlan, plan, plan_team
from tests.planning.missions import generated_mission

GROUP = "relief"
EXAMPLE = Path(__file__).resolve().parent.parent / "missions" / "relief-patrol.yaml"
SEED = 2026


def _team(mission: Mission, count: int) -> Mission:
    """``mission`` flown by ``count`` copies of its drone (names and sysids of their own)."""
    copies = (replace(mission.vehicle, name=f"copter-{i}", sysid=i) for i in range(2, count + 1))
    return replace(mission, extra_drones=tuple(Drone(v, mission.launch) for v in copies))


def _long(count: int) -> Mission:
    base = generated_mission(SEED, 50_000.0, keep_out_count=20, with_patrol=True)
    return _team(base, count)


def bench_speed(quick: bool) -> list[Result]:
    repeat = 3 if quick else 7
    one, three = _long(1), _long(3)
    t1 = median_time_s(lambda: plan(one), repeat=repeat)
    t3 = median_time_s(lambda: plan_team(three), repeat=repeat)
    return [
        Result(
            GROUP,
            "plan 50 km winding route, 20 keep-outs, 3 drones with continuous relief",
            t3,
            "s",
            "1 drone with swaps (plan), same mission",
            t1,
            "median < 1 s",
            t3 < 1.0,
            note="the team's call also plans the one drone with swaps for its comparison",
        )
    ]


def _coverage_result(name: str, team: TeamPlan, target: str, ok: bool) -> Result:
    one = team.single.coverage
    sorties = ", ".join(f"{d.mission.vehicle.name} {len(d.sorties)}" for d in team.drones)
    shortest = team.min_relief_overlap_s
    note = (
        f"longest gap {team.coverage.longest_gap_m:.0f} m (one drone {one.longest_gap_m:.0f} m, "
        f"{len(one.gaps)} gaps); {len(team.reliefs)} reliefs, shortest overlap "
        f"{shortest if shortest is not None else float('nan'):.0f} s; sorties: {sorties}; "
        f"min reserve at landing {min(d.min_reserve_at_landing for d in team.drones):.0%}"
    )
    return Result(
        GROUP,
        name,
        100.0 * team.coverage.lead_coverage,
        "%",
        "one drone with swaps, same call",
        100.0 * one.lead_coverage,
        target,
        ok,
        note=note,
    )


def bench_coverage(quick: bool) -> list[Result]:
    example = plan_team(load_mission(EXAMPLE))
    long = plan_team(_long(3))
    example_ok = example.coverage.lead_coverage >= 0.99 and example.coverage.longest_gap_m <= 50
    return [
        _coverage_result(
            f"team lead coverage, {EXAMPLE.name} (2 drones)",
            example,
            ">= 99 %, no gap > 50 m",
            example_ok,
        ),
        _coverage_result(
            "team lead coverage, 50 km winding route (3 drones)",
            long,
            ">= one drone",
            long.coverage.lead_coverage >= long.single.coverage.lead_coverage,
        ),
    ]


def run(quick: bool) -> list[Result]:
    return bench_speed(quick) + bench_coverage(quick)
