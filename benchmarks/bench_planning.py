"""Planner speed and coverage, each beside a baseline from the same run.

- planning a seeded 50 km winding route with 20 keep-outs and a border
  (target: median < 0.5 s), beside the same generator's 5 km route scaled
  linearly; growth 5 → 50 → 200 km against linear scaling;
- lead coverage of the ``lead`` strategy on ``missions/vehicle-patrol.yaml``
  (target >= 95 %) beside ArduPilot FOLLOW planned in the same run, with the
  same endurance and sortie rules;
- coverage, sorties and unwatched stretches on the 50 km route, as they come
  out, beside FOLLOW.

The synthetic missions come from ``tests/planning/missions.py`` (the property
tests' generator), so the benchmark and the tests plan the same kind of roads.
The launcher rides with the patrol on those (``launch.with_patrol``).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import Result, median_time_s
from overwatch.mission import Mission
from overwatch.planning import Plan, plan
from tests.planning.missions import generated_mission, make_mission, straight_route

GROUP = "planning"
EXAMPLE = Path(__file__).resolve().parent.parent / "missions" / "vehicle-patrol.yaml"
SEED = 2026


def _route_mission(length_m: float) -> Mission:
    # 20 keep-outs per 50 km, at least 2
    count = max(2, round(20 * length_m / 50_000.0))
    return generated_mission(SEED, length_m, keep_out_count=count, with_patrol=True)


def _example() -> tuple[Mission, str]:
    import overwatch.mission

    load = getattr(overwatch.mission, "load_mission", None)
    if load is not None and EXAMPLE.exists():
        loaded: Mission = load(EXAMPLE)
        return loaded, EXAMPLE.name
    # an equivalent: 12 km at 30 km/h, 15 m/s quad, 80 m, 70×55°, 35 min, 100 m corridor
    return make_mission(
        straight_route(12_000.0), with_patrol=True
    ), "generated 12 km stand-in (no loader/file)"


def bench_speed(quick: bool) -> list[Result]:
    repeat = 3 if quick else 7
    m5, m50, m200 = (_route_mission(n) for n in (5_000.0, 50_000.0, 200_000.0))
    t5 = median_time_s(lambda: plan(m5), repeat=repeat)
    t50 = median_time_s(lambda: plan(m50), repeat=repeat)
    t200 = median_time_s(lambda: plan(m200), repeat=1 if quick else 3)
    return [
        Result(
            GROUP,
            "plan 50 km winding route, 20 keep-outs + border (lead + FOLLOW + coverage)",
            t50,
            "s",
            "5 km route × 10 (linear)",
            10 * t5,
            "median < 0.5 s",
            t50 < 0.5,
            note=f"5 km: {t5:.3f} s, 50 km: {t50:.3f} s, 200 km: {t200:.3f} s",
        ),
        Result(
            GROUP,
            "plan 200 km winding route, 80 keep-outs + border",
            t200,
            "s",
            "50 km route × 4 (linear)",
            4 * t50,
            "<= 2× linear",
            t200 <= 2.0 * 4 * t50,
        ),
    ]


def _coverage_result(name: str, p: Plan, target: str, ok: bool) -> Result:
    gaps = p.coverage.gaps
    note = (
        f"{len(p.sorties)} sorties (FOLLOW {_sorties(p)}), {len(gaps)} unwatched stretches, "
        f"longest {p.coverage.longest_gap_m:.0f} m "
        f"(FOLLOW {p.baseline_coverage.longest_gap_m:.0f} m), "
        f"min reserve at landing {p.min_reserve_at_landing:.0%}, "
        f"flown {p.flight_distance_m / 1000:.1f} km in {p.flight_time_s / 60:.0f} min"
    )
    return Result(
        GROUP,
        name,
        100.0 * p.coverage.lead_coverage,
        "%",
        "ArduPilot FOLLOW, same run",
        100.0 * p.baseline_coverage.lead_coverage,
        target,
        ok,
        note=note,
    )


def _sorties(p: Plan) -> int:
    b = p.baseline_trajectory.sortie
    return len(set(b[b >= 0].tolist()))


def bench_coverage(quick: bool) -> list[Result]:
    mission, label = _example()
    example = plan(mission, "lead")
    long = plan(_route_mission(50_000.0), "lead")
    return [
        _coverage_result(
            f"lead coverage, {label}",
            example,
            ">= 95 %",
            example.coverage.lead_coverage >= 0.95,
        ),
        _coverage_result("lead coverage, 50 km winding route", long, "reported", True),
    ]


def run(quick: bool) -> list[Result]:
    return bench_speed(quick) + bench_coverage(quick)
