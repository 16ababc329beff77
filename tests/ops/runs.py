"""Live training runs for the ops tests: ``overwatch sim`` in a child process, a live
session against it, driven headless, scored from the run directory's ground truth."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.headless import RunOutcome, run_headless
from overwatch.ops.session import LiveSession, Mode, SessionConfig
from overwatch.ops.state import SessionSnapshot
from overwatch.ops.training import SimProcess
from overwatch.scoring import RunScore, load_run, read_run_dir
from overwatch.scoring.rundir import RunManifest
from simulator.fleet import SimulatedFleet
from simulator.lockstep import run_lockstep
from tests.ops.lockstep import CONNECT, PATROL_FEED, in_process_world

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"
#: GPS fix after 5 s and EKF after 20 s of simulated time: a quick but honest start-up
SIM_ARGS = ("--ekf-delay", "20", "--gps-delay", "5")
#: an in-process run takes what its computation takes, longer on a busy machine: its hang
#: guard (pytest-timeout, wall seconds) is a SITL run's
LOCKSTEP_TIMEOUT_S = 1800


@dataclass
class LiveRun:
    """What one run left: the headless outcome, the session, its score and what was seen."""

    outcome: RunOutcome
    session: LiveSession
    score: RunScore
    run_dir: Path
    states: list[str]
    track_modes: list[str]
    lowest_battery_pct: float | None
    landed_battery_pct: float | None
    #: every note the session made, in order (its ``events`` keep only the last 200)
    notes: list[str]


async def fly(
    run_dir: Path,
    *,
    mode: Mode = "lead",
    mission: Path = MISSION,
    scenario: Path = SCENARIO,
    speedup: float = 25.0,
    sim_args: tuple[str, ...] = SIM_ARGS,
    time_limit_s: float | None = None,
    sitl: str | None = None,
) -> LiveRun:
    """Fly ``scenario`` live with strategy ``mode`` against ``overwatch sim`` in a child
    process, over real sockets, and score it (``run_dir`` is created).

    ``sitl`` (an ``arducopter`` binary) flies it on real ArduPilot SITL; ``time_limit_s``
    is in session (patrol) seconds from the launch."""
    RunManifest(mission, scenario, datetime.now(UTC), speedup, mode).write(run_dir)
    sim_process = SimProcess(
        mission, scenario, run_dir, speedup=speedup, extra_args=sim_args, sitl=sitl
    )
    with sim_process as sim:
        config = SessionConfig(
            connect=sim.connect_url,
            more_connects=tuple(sim.urls[1:]),  # a team's other drones, one link each
            patrol_feed=sim.patrol_url,
            sightings_url=sim.sightings_url,
            mode=mode,
            run_dir=run_dir,
            speedup=speedup,
        )
        session = LiveSession(MissionGeometry.of(load_mission(mission)), config)
        return await _drive(session, run_dir, time_limit_s)


def fly_in_process(
    run_dir: Path,
    *,
    mode: Mode = "lead",
    mission: Path = MISSION,
    scenario: Path = SCENARIO,
    speedup: float = 10.0,
    sim_args: tuple[str, ...] = SIM_ARGS,
    time_limit_s: float | None = None,
    planned: float | None = None,
    prepare: Callable[[SimulatedFleet], None] | None = None,
) -> LiveRun:
    """The same run as :func:`fly` on the built-in simulator, in this process on one virtual
    clock (:mod:`tests.ops.lockstep`): as fast as the CPU allows, and the same on a busy
    machine as on an idle one. ``speedup`` is the training speed-up the simulator and the
    session are set up for, in virtual seconds (it sets how often they wake, not how long
    the run takes). ``planned`` is the plan's lead coverage, held against the live one as
    ``overwatch run`` does; ``prepare`` is handed the simulated fleet before the run (faults
    on one vehicle)."""

    async def main() -> LiveRun:
        RunManifest(mission, scenario, datetime.now(UTC), speedup, mode).write(run_dir)
        world_of = in_process_world(
            mission, scenario, run_dir, sim_args, speedup=speedup, prepare=prepare
        )
        async with world_of as world:
            config = SessionConfig(
                connect=CONNECT,
                patrol_feed=PATROL_FEED,
                mode=mode,
                run_dir=run_dir,
                speedup=speedup,
                planned_lead_coverage=planned,
            )
            session = LiveSession(
                MissionGeometry.of(load_mission(mission)),
                config,
                connection=world.transport,
                feed=world.feed,
                monotonic=asyncio.get_running_loop().time,
            )
            world.on_marker = session.on_cot_event
            # no example patrol lasts 4 hours: a run still going then is stuck
            return await world.run(_drive(session, run_dir, time_limit_s), 4 * 3600.0 / speedup)

    return run_lockstep(main)


async def _drive(session: LiveSession, run_dir: Path, time_limit_s: float | None) -> LiveRun:
    """Run ``session`` headless from take-off to landing, watching it; then score the run."""
    states: list[str] = []
    track_modes: list[str] = []
    battery: list[float] = []
    notes: list[str] = []

    def watch(snap: SessionSnapshot) -> None:
        new = session.notes_total - len(notes)
        notes.extend(e.text for e in list(session.events)[len(session.events) - new :] if new)
        state = snap.drone.guidance_state
        if not states or states[-1] != state:
            states.append(state)
        mode = session.tracker.estimate(snap.time_s).mode.value
        if not track_modes or track_modes[-1] != mode:
            track_modes.append(mode)
        if snap.drone.battery_pct is not None and snap.drone.armed:
            battery.append(snap.drone.battery_pct)

    console = Console(file=io.StringIO(), force_terminal=False)
    try:
        outcome = await run_headless(
            session, console=console, on_tick=watch, time_limit_s=time_limit_s
        )
        vehicle = session.vehicle
        landed_pct = vehicle.state.battery_remaining_pct if vehicle is not None else None
    finally:
        await session.close()
    score = load_run(read_run_dir(run_dir), session.geometry).score()
    return LiveRun(
        outcome,
        session,
        score,
        run_dir,
        states,
        track_modes,
        min(battery, default=None),
        landed_pct,
        notes,
    )


def describe(run: LiveRun, label: str) -> str:
    """One paragraph for the test log: coverage, threats, sorties, battery."""
    s = run.score
    lines = [
        f"{label}: lead coverage {s.lead_coverage:.1%} over {s.scored_m / 1000:.2f} km "
        f"(longest gap {s.longest_gap_m:.0f} m); landed {run.outcome.landed} with "
        f"{run.landed_battery_pct}% battery; relaunches {run.session.flight.relaunches}",
        "  gaps: "
        + ", ".join(f"{g.start_m:.0f}-{g.end_m:.0f} m ({g.reason})" for g in s.coverage.gaps),
    ]
    if s.site is not None:
        lines.append(
            f"  static site in view {s.site.fraction:.1%} of {s.site.window_s / 60:.1f} min"
        )
    for t in s.threats:
        lead = "—" if t.lead_s is None else f"{t.lead_s:.0f} s"
        lines.append(f"  {t.truth_id}: {t.outcome}, cued {lead} before the patrol arrived")
    lines.append("  states: " + " → ".join(run.states))
    return "\n".join(lines)
