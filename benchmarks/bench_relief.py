"""Multi-drone relief: planning speed and coverage, each beside one drone from the same run.

- planning the seeded 50 km winding route with 20 keep-outs and a border (the
  ``planning`` bench's) for a team of 3 drones with continuous relief (target:
  median < 1 s), beside ``plan`` of the same mission for one drone with swaps
  (the team's call plans that one too, for its comparison);
- team lead coverage and longest gap on ``missions/relief-patrol.yaml`` (two
  drones, a patrol of about 1.6 batteries; target >= 99 % with no gap over
  50 m) and on the 50 km route with 3 drones, beside one drone with battery
  swaps planned in the same call;
- live, on the built-in simulator in lockstep: the two drones of the example
  relieving one another (target >= 98 %, no stretch over 50 m unwatched),
  beside the first drone alone with battery swaps and the FOLLOW baseline with
  both drones taking turns, all flown in this run.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml

from benchmarks.harness import Result, median_time_s
from overwatch.mission import Drone, Mission, load_mission
from overwatch.planning import TeamPlan, plan, plan_team
from tests.planning.missions import generated_mission

GROUP = "relief"
EXAMPLE = Path(__file__).resolve().parent.parent / "missions" / "relief-patrol.yaml"
SCENARIO = EXAMPLE.with_name("relief-patrol.scenario.yaml")
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


def _one_drone(out: Path) -> Path:
    """The example mission flown by its first drone alone, with battery swaps (a copy in
    ``out`` beside a copy of its route, its scenario beside it)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLE.parent / "routes", out / "routes", dirs_exist_ok=True)
    text = yaml.safe_load(EXAMPLE.read_text())
    text["vehicles"] = text["vehicles"][:1]
    text["overwatch"].pop("relief", None)
    mission = out / EXAMPLE.name
    mission.write_text(yaml.safe_dump(text, sort_keys=False))
    shutil.copy(SCENARIO, out / SCENARIO.name)
    return mission


def bench_live(quick: bool) -> list[Result]:
    from tests.ops.runs import fly_in_process  # the lockstep harness the ops tests fly

    with tempfile.TemporaryDirectory(prefix="bench-relief-") as tmp:
        root = Path(tmp)
        team = fly_in_process(root / "team", mission=EXAMPLE, scenario=SCENARIO)
        single_mission = _one_drone(root / "one")
        single_scenario = single_mission.with_name(SCENARIO.name)
        single = fly_in_process(root / "single", mission=single_mission, scenario=single_scenario)
        follow = fly_in_process(
            root / "follow", mission=EXAMPLE, scenario=SCENARIO, mode="follow-baseline"
        )
    log = team.session.team.log if team.session.team is not None else None
    reliefs = len(log.reliefs) if log is not None else 0
    ok = team.score.lead_coverage >= 0.98 and team.score.longest_gap_m <= 50.0
    return [
        Result(
            GROUP,
            f"live team lead coverage, {EXAMPLE.name} (2 drones, built-in simulator)",
            100.0 * team.score.lead_coverage,
            "%",
            "one drone with swaps, flown in this run",
            100.0 * single.score.lead_coverage,
            ">= 98 %, no stretch > 50 m",
            ok,
            note=(
                f"longest gap {team.score.longest_gap_m:.0f} m (one drone "
                f"{single.score.longest_gap_m:.0f} m); {reliefs} reliefs on station; "
                f"the session's own figure {100.0 * (team.outcome.lead_coverage or 0.0):.1f} %"
            ),
        ),
        Result(
            GROUP,
            f"live team lead coverage against FOLLOW with the same 2 drones, {EXAMPLE.name}",
            100.0 * team.score.lead_coverage,
            "%",
            "FOLLOW baseline, 2 drones taking turns, flown in this run",
            100.0 * follow.score.lead_coverage,
            "> FOLLOW",
            team.score.lead_coverage > follow.score.lead_coverage,
            note=f"FOLLOW's longest gap {follow.score.longest_gap_m:.0f} m",
        ),
    ]


def run(quick: bool) -> list[Result]:
    return bench_speed(quick) + bench_coverage(quick) + bench_live(quick)
