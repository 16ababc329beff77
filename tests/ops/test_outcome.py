"""How a headless run ends: the live figure held against the plan's (``overwatch.live_floor``)."""

from __future__ import annotations

from overwatch.ops.headless import RunOutcome, progress_line
from overwatch.ops.state import CoverageView, DroneView, SessionSnapshot
from overwatch.tui.widgets.telemetry import telemetry_text


def _arrived(live: float, planned: float | None, floor: float = 0.7) -> RunOutcome:
    return RunOutcome("patrol arrived", live, 3, landed=True, planned=planned, live_floor=floor)


def test_a_patrol_watched_far_worse_than_planned_is_a_failed_run() -> None:
    outcome = _arrived(0.413, 0.882)
    assert outcome.problems() == [
        "live lead coverage 41.3% is below 70% of the plan's 88.2% (overwatch.live_floor)"
    ]


def test_at_the_floor_or_above_the_job_is_done() -> None:
    assert _arrived(0.7 * 0.882, 0.882).problems() == []
    assert _arrived(0.95, 0.97).problems() == []
    # a stricter mission fails what the default lets through
    assert _arrived(0.85, 0.97, floor=0.95).problems()


def test_no_plan_or_an_unfinished_patrol_is_not_held_against_it() -> None:
    assert _arrived(0.2, None).problems() == []
    cut_short = RunOutcome("time limit", 0.2, 0, landed=True, planned=0.97, live_floor=0.7)
    assert cut_short.problems() == []
    static = RunOutcome("static watch complete", 0.1, 0, landed=True, planned=0.25, live_floor=0.7)
    assert static.problems() == []


def test_the_progress_line_shows_the_plan_beside_the_live_figure() -> None:
    snap = SessionSnapshot(time_s=0.0, coverage=CoverageView(lead_coverage=0.912, planned=0.969))
    assert "coverage  91.2% (plan 96.9%)" in progress_line(snap).plain
    alone = SessionSnapshot(time_s=0.0, coverage=CoverageView(lead_coverage=0.912))
    assert "plan" not in progress_line(alone).plain


def test_a_stop_to_ask_of_the_patrol_is_on_the_progress_line_and_the_drone_panel() -> None:
    ask = "stop the patrol at km 4.20 in 3 min for 6 min (battery swap at the patrol)"
    snap = SessionSnapshot(time_s=0.0, drone=DroneView(stop_request=ask))
    assert progress_line(snap).plain.endswith(f"| ASK: {ask}")
    assert f"ASK: {ask}" in telemetry_text(snap.drone).plain
    assert "ASK" not in progress_line(SessionSnapshot(time_s=0.0)).plain
    assert "ASK" not in telemetry_text(DroneView()).plain
