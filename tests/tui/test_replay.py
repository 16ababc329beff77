"""Replay: playback position follows the (injected) clock; pause, speeds and seeking keys."""

from __future__ import annotations

import pytest

from overwatch.mission import MissionGeometry
from overwatch.ops.state import SessionSnapshot
from overwatch.tui.replay import ReplaySource, make_replay_app
from overwatch.tui.sample import T0_S, synthetic_snapshot
from overwatch.tui.widgets.events_log import EventsLog


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def recording(count: int = 121) -> list[SessionSnapshot]:
    """One snapshot a second for two minutes (no drone: cheap to build)."""
    return [SessionSnapshot(time_s=T0_S + i) for i in range(count)]


def test_playback_follows_the_clock_and_speed() -> None:
    clock = FakeClock()
    source = ReplaySource(recording(), clock=clock)
    assert source.latest().time_s == T0_S
    clock.now_s += 2.5
    assert source.latest().time_s == T0_S + 2
    source.set_speed(16.0)
    clock.now_s += 1.0
    assert source.latest().time_s == T0_S + 18
    source.toggle_pause()
    clock.now_s += 50.0
    assert source.latest().time_s == T0_S + 18
    source.seek(-100.0)
    assert source.latest().time_s == T0_S
    source.seek_to(T0_S + 1e6)
    assert source.latest().time_s == T0_S + 120
    with pytest.raises(ValueError, match="speed must be one of"):
        source.set_speed(3.0)


def test_playback_stops_at_the_end_and_restarts() -> None:
    clock = FakeClock()
    source = ReplaySource(recording(11), clock=clock)
    clock.now_s += 60.0
    assert source.latest().time_s == T0_S + 10 and not source.playing
    source.toggle_pause()
    assert source.playing and source.latest().time_s == T0_S


def test_bad_recordings_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one snapshot"):
        ReplaySource([])
    shuffled = [SessionSnapshot(time_s=2.0), SessionSnapshot(time_s=1.0)]
    with pytest.raises(ValueError, match="time order: #1"):
        ReplaySource(shuffled)


async def test_replay_keys(geometry: MissionGeometry) -> None:
    clock = FakeClock()
    app = make_replay_app(geometry, recording(), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.shown_snapshot is not None and app.shown_snapshot.time_s == T0_S
        await pilot.press("space")  # pause
        assert not app.replay.playing
        clock.now_s += 30.0
        await pilot.press("right_square_bracket")
        assert app.shown_snapshot.time_s == T0_S + 10
        await pilot.press("right_curly_bracket", "left_square_bracket")
        assert app.shown_snapshot.time_s == T0_S + 60
        await pilot.press("left_curly_bracket")
        assert app.shown_snapshot.time_s == T0_S
        await pilot.press("end")
        assert app.shown_snapshot.time_s == T0_S + 120
        await pilot.press("home")
        assert app.shown_snapshot.time_s == T0_S
        for key, speed in (("2", 4.0), ("3", 16.0), ("1", 1.0)):
            await pilot.press(key)
            assert app.replay.speed == speed
        await pilot.press("space")
        clock.now_s += 5.0
        app.poll_source()
        assert app.shown_snapshot.time_s == T0_S + 5
        status = str(app.query_one("#replay").render())
        assert "REPLAY ▶ 1×" in status
        await pilot.press("R")  # a replay commands nothing, and says so
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        log = "\n".join(line.text for line in app.query_one(EventsLog).lines)
        assert "rejected by the vehicle: REPLAY" in log


async def test_replay_shows_recorded_sessions(geometry: MissionGeometry) -> None:
    clock = FakeClock()
    snaps = [synthetic_snapshot(geometry, time_s=T0_S + i, n_cues=3) for i in range(3)]
    app = make_replay_app(geometry, snaps, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        clock.now_s += 1.0
        app.poll_source()
        await pilot.pause()
        assert app.shown_snapshot is snaps[1]
