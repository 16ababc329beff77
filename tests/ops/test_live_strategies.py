"""Acceptance: every planned strategy flies live — ``escort``, ``bounding`` and ``static``
here (``lead`` and the FOLLOW baseline in :mod:`tests.ops.test_live_patrol`), on the built-in
simulator and on ArduPilot SITL, each against an example mission and its training scenario.
The built-in simulator runs in this process on a virtual clock (:mod:`tests.ops.lockstep`),
SITL in its own processes over real sockets.

- ``escort``, the Konni vehicle patrol: the drone orbits the patrol's position a minute ahead.
- ``bounding``, the Makalondi foot patrol: the drone hops between the plan's vantage points
  beside the path, each reached before the patrol enters its stretch, camera on the path
  ahead; battery swaps at the rally points.
- ``static``, the Petelkolé customs post: the drone orbits the post, camera on it, for the
  watch's duration (with a battery swap in between), then comes home by itself.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from overwatch.mission import MissionGeometry, load_mission
from overwatch.planning import plan
from overwatch.planning.routeview import RouteView
from overwatch.planning.strategies import bounding_hop_m, lead_window_mid_s, vantage_points
from overwatch.scoring.rundir import read_run_dir
from overwatch.scoring.score import drone_trajectory, site_watch
from overwatch.scoring.truth import TruthLog
from tests.ops.runs import LOCKSTEP_TIMEOUT_S, ROOT, LiveRun, describe, fly, fly_in_process

RecordProperty = Callable[[str, object], None]

VEHICLE = ROOT / "missions" / "vehicle-patrol.yaml"
FOOT = ROOT / "missions" / "foot-patrol.yaml"
FOOT_SCENARIO = ROOT / "missions" / "foot-patrol.scenario.yaml"
POST = ROOT / "missions" / "customs-post.yaml"
POST_SCENARIO = ROOT / "missions" / "customs-post.scenario.yaml"
#: SITL runs at 10× (the built-in simulator's in-process runs are set up for the same)
SITL_SPEEDUP = 10.0
#: on station: within this of a vantage point, m
ON_STATION_M = 25.0


def _report(record_property: RecordProperty, capsys: pytest.CaptureFixture[str], text: str) -> None:
    record_property("figures", text)
    with capsys.disabled():
        print()
        print(text)


@dataclass(frozen=True)
class Stretch:
    """One bounding stretch the patrol entered: when, and when the drone was first on its
    vantage point (None: never); ``swapping``: the drone was down for a battery swap in the
    lead before the patrol entered it."""

    number: int
    entered_s: float
    reached_s: float | None
    swapping: bool

    @property
    def in_time(self) -> bool:
        return self.reached_s is not None and self.reached_s < self.entered_s


def _stretches(run: LiveRun, geometry: MissionGeometry) -> list[Stretch]:
    """From ground truth: for each stretch the patrol entered (from the third on: the drone
    starts with the patrol), whether the drone was on its vantage point first."""
    truth = TruthLog.read(read_run_dir(run.run_dir).truth_path)
    drone = drone_trajectory(truth, geometry)
    params = geometry.mission.overwatch.bounding
    hop = bounding_hop_m(params.hop_m)
    vantage = vantage_points(geometry, RouteView.of(geometry), hop, params.standoff_m)
    lead_s = lead_window_mid_s(geometry.mission)
    t_patrol, s_patrol = truth.patrol_t_s, truth.patrol_station_m
    out = []
    for k in range(2, len(vantage)):
        entered = np.nonzero(s_patrol >= k * hop)[0]
        if not len(entered):
            break
        entered_s = float(t_patrol[entered[0]])
        near = np.hypot(drone.x_m - vantage[k, 0], drone.y_m - vantage[k, 1]) < ON_STATION_M
        near &= drone.alt_rel_m > 10.0
        reached_s = float(drone.t_s[np.argmax(near)]) if near.any() else None
        lead_in = (drone.t_s > entered_s - lead_s) & (drone.t_s <= entered_s)
        swapping = bool((drone.alt_rel_m[lead_in] < 10.0).any())
        out.append(Stretch(k + 1, entered_s, reached_s, swapping))
    return out


def _timing(stretches: list[Stretch]) -> str:
    def one(s: Stretch) -> str:
        when = "never" if s.reached_s is None else f"{s.entered_s - s.reached_s:.0f} s before"
        return f"{s.number}: {when}" + (" (battery swap)" if s.swapping else "")

    in_time = sum(s.in_time for s in stretches)
    return (
        f"  vantage points on station before the patrol entered their stretch: {in_time} of "
        f"{len(stretches)} — " + ", ".join(map(one, stretches))
    )


def _assert_in_time(stretches: list[Stretch]) -> None:
    """Every vantage point was reached before the patrol entered its stretch, unless the drone
    was down for a battery swap then."""
    for s in stretches:
        assert s.in_time or s.swapping, s


def _escort_share(run: LiveRun, geometry: MissionGeometry) -> float:
    """From ground truth: the share of the watch (from the first time on the orbit to the
    last, at the watch altitude) during which the drone was on its orbit (radius ± 40 m)
    round where the patrol really was ``ahead_s`` later."""
    truth = TruthLog.read(read_run_dir(run.run_dir).truth_path)
    drone = drone_trajectory(truth, geometry)
    params = geometry.mission.overwatch.escort
    patrol = truth.patrol_rows
    px, py = geometry.frame.to_local(patrol[:, 1], patrol[:, 2])
    cx = np.interp(drone.t_s + params.ahead_s, patrol[:, 0], px)
    cy = np.interp(drone.t_s + params.ahead_s, patrol[:, 0], py)
    on_orbit = np.abs(np.hypot(drone.x_m - cx, drone.y_m - cy) - params.radius_m) < 40.0
    up = drone.alt_rel_m > 0.8 * geometry.mission.overwatch.altitude_agl_m
    on = np.nonzero(on_orbit & up)[0]
    assert len(on), "the drone never flew its escort orbit"
    watch = up & (drone.t_s >= drone.t_s[on[0]]) & (drone.t_s <= drone.t_s[on[-1]])
    return float(on_orbit[watch].mean())


def _short_post_watch(tmp_path: Path, minutes: int) -> tuple[Path, Path]:
    """The customs post mission with a watch of ``minutes`` (and its scenario pointing at it)."""
    mission = tmp_path / "post.yaml"
    text = POST.read_text(encoding="utf-8")
    assert "    duration: 45 min\n" in text
    mission.write_text(text.replace("duration: 45 min", f"duration: {minutes} min"), "utf-8")
    scenario = tmp_path / "post.scenario.yaml"
    text = POST_SCENARIO.read_text(encoding="utf-8")
    scenario.write_text(text.replace("mission: customs-post.yaml", "mission: post.yaml"), "utf-8")
    return mission, scenario


@pytest.mark.timeout(LOCKSTEP_TIMEOUT_S)
def test_escort_orbits_the_patrol_a_minute_ahead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    run = fly_in_process(tmp_path / "escort", mode="escort")
    share = _escort_share(run, MissionGeometry.of(load_mission(VEHICLE)))
    _report(
        record_property,
        capsys,
        describe(run, "live escort (vehicle patrol)") + f"\n  on the orbit {share:.0%}",
    )
    assert run.outcome.reason == "patrol arrived" and run.outcome.landed
    assert "escort" in run.states
    # on the orbit most of the time: the rest is the swap's transit, the detour and the dropout
    assert share >= 0.65
    for threat in run.score.threats:
        assert threat.lead_s is not None and threat.lead_s > 0.0, threat


@pytest.mark.timeout(LOCKSTEP_TIMEOUT_S)
def test_bounding_flies_live_from_vantage_point_to_vantage_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    bounding = fly_in_process(
        tmp_path / "bounding", mode="bounding", mission=FOOT, scenario=FOOT_SCENARIO
    )
    baseline = fly_in_process(
        tmp_path / "follow", mode="follow-baseline", mission=FOOT, scenario=FOOT_SCENARIO
    )
    geometry = MissionGeometry.of(load_mission(FOOT))
    stretches = _stretches(bounding, geometry)
    _report(
        record_property,
        capsys,
        "\n".join(
            (
                describe(bounding, "live bounding overwatch (foot patrol)"),
                _timing(stretches),
                describe(baseline, "FOLLOW baseline (foot patrol)"),
            )
        ),
    )
    assert bounding.outcome.reason == "patrol arrived" and bounding.outcome.landed
    assert len(stretches) == 5 and sum(s.in_time for s in stretches) >= 4
    _assert_in_time(stretches)
    assert "bounding" in bounding.states and "run_ahead" not in bounding.states
    # the whole path watched inside the lead window, and both threats cued a minute ahead
    assert bounding.score.scored_m == pytest.approx(bounding.score.route_length_m, abs=30.0)
    assert bounding.score.lead_coverage >= 0.95, describe(bounding, "bounding")
    for threat in bounding.score.threats:
        assert threat.lead_s is not None and threat.lead_s >= 60.0, threat
    # 83 min of patrol on a 30 min battery: swaps at the rally points, never into the reserve
    reserve_pct = 100.0 * geometry.mission.vehicle.reserve_fraction
    assert bounding.session.flight.relaunches >= 2
    assert bounding.lowest_battery_pct is not None and bounding.lowest_battery_pct >= reserve_pct
    assert baseline.outcome.reason == "patrol arrived"


@pytest.mark.timeout(LOCKSTEP_TIMEOUT_S)
def test_static_orbits_the_customs_post_for_the_whole_watch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    run = fly_in_process(tmp_path / "static", mode="static", mission=POST, scenario=POST_SCENARIO)
    geometry = MissionGeometry.of(load_mission(POST))
    planned = site_watch(plan(geometry.mission, "static").trajectory, geometry)
    _report(
        record_property,
        capsys,
        describe(run, "live static watch (customs post)")
        + f"\n  the plan: static site in view {planned.fraction:.1%}",
    )
    site = run.score.site
    assert run.outcome.reason == "static watch complete" and run.outcome.landed
    assert site is not None
    # 45 min watched on a 35 min battery: one swap, and the post in view the rest of the time,
    # as much as the plan has it
    assert site.window_s == pytest.approx(45 * 60.0, abs=1.0)
    assert run.session.flight.relaunches >= 1
    assert site.fraction >= planned.fraction - 0.03, describe(run, "static")
    assert run.states.count("static_watch") >= 2  # watched on both sorties
    for threat in run.score.threats:
        assert threat.lead_s is not None and threat.lead_s >= 60.0, threat


@pytest.mark.timeout(1200)
@pytest.mark.sitl
async def test_escort_bounding_and_static_fly_live_on_real_sitl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    """All three on ArduPilot SITL, side by side: the foot patrol's first 35 minutes in
    bounding, a 10 minute static watch of the customs post to its end, and the vehicle
    patrol's first 15 minutes in escort."""
    sitl = os.environ["ARDUPILOT_SITL"]
    post, post_scenario = _short_post_watch(tmp_path, minutes=10)
    escort, bounding, static = await asyncio.gather(
        fly(tmp_path / "escort", mode="escort", speedup=SITL_SPEEDUP, sitl=sitl,
            time_limit_s=15 * 60.0),
        fly(tmp_path / "bounding", mode="bounding", mission=FOOT, scenario=FOOT_SCENARIO,
            speedup=SITL_SPEEDUP, sitl=sitl, time_limit_s=35 * 60.0),
        fly(tmp_path / "static", mode="static", mission=post, scenario=post_scenario,
            speedup=SITL_SPEEDUP, sitl=sitl),
    )  # fmt: skip
    geometry = MissionGeometry.of(load_mission(FOOT))
    stretches = _stretches(bounding, geometry)
    escort_share = _escort_share(escort, MissionGeometry.of(load_mission(VEHICLE)))
    _report(
        record_property,
        capsys,
        "\n".join(
            (
                describe(bounding, "SITL live bounding overwatch (foot patrol, 35 min)"),
                _timing(stretches),
                describe(static, "SITL live static watch (customs post, 10 min)"),
                describe(escort, "SITL live escort (vehicle patrol, 15 min)")
                + f"\n  on the orbit {escort_share:.0%}",
            )
        ),
    )
    assert bounding.outcome.reason == "time limit" and bounding.outcome.landed
    assert stretches  # the patrol has walked past 1.2 km by then
    _assert_in_time(stretches)
    assert "bounding" in bounding.states
    assert bounding.score.lead_coverage >= 0.95, describe(bounding, "bounding")
    site = static.score.site
    assert static.outcome.reason == "static watch complete" and static.outcome.landed
    assert site is not None and site.window_s == pytest.approx(600.0, abs=1.0)
    assert site.fraction >= 0.9, describe(static, "static")
    assert escort.outcome.reason == "time limit" and escort.outcome.landed
    assert escort_share >= 0.7  # 15 min from the launch: no swap, the detour not reached
