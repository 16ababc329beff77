"""Acceptance: every planned strategy flies live — ``bounding`` and ``static`` here (``lead``
and the FOLLOW baseline in :mod:`tests.ops.test_live_patrol`), on the built-in simulator and
on ArduPilot SITL, each against its own example mission and training scenario.

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
from pathlib import Path

import numpy as np
import pytest

from overwatch.mission import MissionGeometry, load_mission
from overwatch.planning import plan
from overwatch.planning.routeview import RouteView
from overwatch.planning.strategies import bounding_hop_m, vantage_points
from overwatch.scoring.rundir import read_run_dir
from overwatch.scoring.score import drone_trajectory, site_watch
from overwatch.scoring.truth import TruthLog
from tests.ops.runs import ROOT, LiveRun, describe, fly

RecordProperty = Callable[[str, object], None]

FOOT = ROOT / "missions" / "foot-patrol.yaml"
FOOT_SCENARIO = ROOT / "missions" / "foot-patrol.scenario.yaml"
POST = ROOT / "missions" / "customs-post.yaml"
POST_SCENARIO = ROOT / "missions" / "customs-post.scenario.yaml"
#: a foot patrol is slow: the built-in simulator runs it at 40×, SITL at its 10×
BUILTIN_SPEEDUP = 40.0
SITL_SPEEDUP = 10.0
#: on station: within this of a vantage point, m
ON_STATION_M = 25.0


def _report(record_property: RecordProperty, capsys: pytest.CaptureFixture[str], text: str) -> None:
    record_property("figures", text)
    with capsys.disabled():
        print()
        print(text)


def _vantage_reached_before_the_patrol(run: LiveRun, geometry: MissionGeometry) -> int:
    """Check from ground truth that the drone was on each stretch's vantage point before the
    patrol entered the stretch (from the third stretch on: the drone starts with the patrol);
    the number of stretches checked."""
    truth = TruthLog.read(read_run_dir(run.run_dir).truth_path)
    drone = drone_trajectory(truth, geometry)
    params = geometry.mission.overwatch.bounding
    hop = bounding_hop_m(params.hop_m)
    vantage = vantage_points(geometry, RouteView.of(geometry), hop, params.standoff_m)
    t_patrol, s_patrol = truth.patrol_t_s, truth.patrol_station_m
    checked = 0
    for k in range(2, len(vantage)):
        entered = np.nonzero(s_patrol >= k * hop)[0]
        if not len(entered):
            break
        entered_s = float(t_patrol[entered[0]])
        near = np.hypot(drone.x_m - vantage[k, 0], drone.y_m - vantage[k, 1]) < ON_STATION_M
        near &= drone.alt_rel_m > 10.0
        assert near.any(), f"vantage point {k + 1} never reached"
        reached_s = float(drone.t_s[np.argmax(near)])
        assert reached_s < entered_s, (
            f"vantage point {k + 1} reached at {reached_s:.0f} s, the patrol entered its "
            f"stretch at {entered_s:.0f} s"
        )
        checked += 1
    return checked


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


async def test_bounding_flies_live_from_vantage_point_to_vantage_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    bounding, baseline = await asyncio.gather(
        fly(tmp_path / "bounding", mode="bounding", mission=FOOT, scenario=FOOT_SCENARIO,
            speedup=BUILTIN_SPEEDUP),
        fly(tmp_path / "follow", mode="follow-baseline", mission=FOOT, scenario=FOOT_SCENARIO,
            speedup=BUILTIN_SPEEDUP),
    )  # fmt: skip
    geometry = MissionGeometry.of(load_mission(FOOT))
    checked = _vantage_reached_before_the_patrol(bounding, geometry)
    _report(
        record_property,
        capsys,
        "\n".join(
            (
                describe(bounding, "live bounding overwatch (foot patrol)"),
                f"  vantage points reached before the patrol's stretch: {checked}",
                describe(baseline, "FOLLOW baseline (foot patrol)"),
            )
        ),
    )
    assert bounding.outcome.reason == "patrol arrived" and bounding.outcome.landed
    assert checked >= 4
    assert "bounding" in bounding.states and "run_ahead" not in bounding.states
    # the whole path watched inside the lead window, and both threats cued a minute ahead
    assert bounding.score.scored_m == pytest.approx(bounding.score.route_length_m, abs=30.0)
    assert bounding.score.lead_coverage >= 0.95, describe(bounding, "bounding")
    for threat in bounding.score.threats:
        assert threat.lead_s is not None and threat.lead_s >= 60.0, threat
    # 83 min of patrol on a 30 min battery: swaps at the rally points, never into the reserve
    reserve_pct = 100.0 * geometry.mission.vehicle.reserve_fraction
    assert bounding.session.relaunches >= 2
    assert bounding.lowest_battery_pct is not None and bounding.lowest_battery_pct >= reserve_pct
    assert baseline.outcome.reason == "patrol arrived"


async def test_static_orbits_the_customs_post_for_the_whole_watch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    run = await fly(
        tmp_path / "static",
        mode="static",
        mission=POST,
        scenario=POST_SCENARIO,
        speedup=BUILTIN_SPEEDUP,
    )
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
    assert run.session.relaunches == 1
    assert site.fraction >= planned.fraction - 0.03, describe(run, "static")
    assert run.states.count("static_watch") == 2
    for threat in run.score.threats:
        assert threat.lead_s is not None and threat.lead_s >= 60.0, threat


@pytest.mark.timeout(1200)
@pytest.mark.sitl
async def test_bounding_and_static_fly_live_on_real_sitl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    """Both on ArduPilot SITL, side by side: the foot patrol's first 35 minutes in bounding
    (then home), and a 10 minute static watch of the customs post, to the end."""
    sitl = os.environ["ARDUPILOT_SITL"]
    post, post_scenario = _short_post_watch(tmp_path, minutes=10)
    bounding, static = await asyncio.gather(
        fly(tmp_path / "bounding", mode="bounding", mission=FOOT, scenario=FOOT_SCENARIO,
            speedup=SITL_SPEEDUP, sitl=sitl, time_limit_s=35 * 60.0),
        fly(tmp_path / "static", mode="static", mission=post, scenario=post_scenario,
            speedup=SITL_SPEEDUP, sitl=sitl),
    )  # fmt: skip
    geometry = MissionGeometry.of(load_mission(FOOT))
    checked = _vantage_reached_before_the_patrol(bounding, geometry)
    _report(
        record_property,
        capsys,
        "\n".join(
            (
                describe(bounding, "SITL live bounding overwatch (foot patrol, 35 min)"),
                f"  vantage points reached before the patrol's stretch: {checked}",
                describe(static, "SITL live static watch (customs post, 10 min)"),
            )
        ),
    )
    assert bounding.outcome.reason == "time limit" and bounding.outcome.landed
    assert checked >= 1  # the patrol has walked past 1.2 km by then
    assert "bounding" in bounding.states
    assert bounding.score.lead_coverage >= 0.95, describe(bounding, "bounding")
    site = static.score.site
    assert static.outcome.reason == "static watch complete" and static.outcome.landed
    assert site is not None and site.window_s == pytest.approx(600.0, abs=1.0)
    assert site.fraction >= 0.9, describe(static, "static")
