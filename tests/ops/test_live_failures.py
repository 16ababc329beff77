"""Failure cases, live against the built-in simulator (short runs)."""

from __future__ import annotations

from pathlib import Path

from overwatch.mission import load_mission
from tests.ops.runs import MISSION, SIM_ARGS, describe, fly

SCENARIO_HEAD = f"""schema_version: 1
name: short drill
mission: {MISSION}
seed: 3
"""


def scenario(tmp_path: Path, patrol: str) -> Path:
    path = tmp_path / "drill.scenario.yaml"
    path.write_text(SCENARIO_HEAD + patrol)
    return path


async def test_feed_outage_triggers_the_contingency_and_the_tracker_recovers(
    tmp_path: Path,
) -> None:
    drill = scenario(tmp_path, "patrol:\n  dropouts:\n    - {at: 2 min, duration: 60 s}\n")
    run = await fly(tmp_path / "run", scenario=drill, time_limit_s=450.0)
    print(describe(run, "feed outage"))
    modes = run.track_modes
    assert "stale" in modes, modes
    after = modes[modes.index("stale") + 1 :]
    assert "on_route" in after, f"the tracker never recovered: {modes}"
    # the configured contingency (orbit the last known position), then back to watching ahead
    states = run.states
    assert "contingency_orbit" in states, states
    assert "watch_ahead" in states[states.index("contingency_orbit") + 1 :], states
    # fixes flowed again after the outage and the patrol was tracked on along its route
    est = run.session.tracker.estimate(run.session.clock.now())
    assert est.station_m is not None and est.station_m > 1500.0
    assert run.outcome.landed


async def test_low_battery_returns_before_the_reserve_is_spent(tmp_path: Path) -> None:
    # a tired pack: a quarter of what the mission's 35 min endurance needs; quick swaps
    drill = scenario(tmp_path, "patrol:\n  late_start: 0 s\n")
    args = (*SIM_ARGS, "--param", "BATT_CAPACITY=2500", "--param", "SIM_BATT_SWAP_S=60")
    run = await fly(tmp_path / "run", scenario=drill, sim_args=args, time_limit_s=650.0)
    print(describe(run, "low battery"))
    reserve_pct = 100.0 * load_mission(MISSION).vehicle.reserve_fraction
    states = run.states
    assert "returning" in states and "landing" in states, states
    assert run.lowest_battery_pct is not None and run.lowest_battery_pct >= reserve_pct, (
        f"the battery went down to {run.lowest_battery_pct} % (reserve {reserve_pct:.0f} %)"
    )
    # the swap came and the drone went back up to watch
    assert run.session.flight.relaunches >= 1
    assert "climb_out" in states[states.index("landing") :], states
    assert run.outcome.landed
