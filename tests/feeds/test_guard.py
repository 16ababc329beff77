"""Jump rejection, time order, re-anchoring and LIVE/STALE/DOWN."""

from __future__ import annotations

from overwatch.feeds.fix import FeedState, PatrolFix
from overwatch.feeds.guard import FixGuard, GuardConfig

M_PER_DEG_LAT = 110_600.0  # near 13.5°N, close enough for test geometry


def fix(t: float, north_m: float) -> PatrolFix:
    return PatrolFix(time_s=t, lat_deg=13.5 + north_m / M_PER_DEG_LAT, lon_deg=2.1)


class Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_impossible_jump_is_rejected_and_counted() -> None:
    guard = FixGuard(GuardConfig(max_speed_m_s=60.0, slack_m=10.0))
    assert guard.accept(fix(0.0, 0.0))
    assert guard.accept(fix(1.0, 55.0))  # 55 m/s: a fast vehicle, allowed
    assert not guard.accept(fix(2.0, 55.0 + 500.0))  # 500 m in 1 s
    assert guard.accept(fix(3.0, 110.0))
    assert (guard.stats.good, guard.stats.rejected_jumps) == (3, 1)


def test_out_of_order_fix_is_dropped() -> None:
    guard = FixGuard()
    assert guard.accept(fix(10.0, 0.0))
    assert not guard.accept(fix(9.0, 1.0))
    assert guard.stats.out_of_order == 1 and guard.last_fix == fix(10.0, 0.0)


def test_guard_reanchors_after_consistent_rejections() -> None:
    """If the first fix was the wrong one, the guard must not lock out forever."""
    guard = FixGuard(GuardConfig(reanchor_after=3))
    assert guard.accept(fix(0.0, 0.0))
    results = [guard.accept(fix(1.0 + i, 5000.0 + i)) for i in range(4)]
    assert results == [False, False, True, True]
    assert guard.stats.rejected_jumps == 2


def test_status_live_stale_down_with_age() -> None:
    clock = Clock()
    guard = FixGuard(GuardConfig(stale_after_s=5.0), clock=clock)
    assert guard.status().state is FeedState.DOWN
    guard.connected = True
    status = guard.status()
    assert status.state is FeedState.STALE and status.age_s is None
    guard.accept(fix(0.0, 0.0))
    clock.now_s += 2.0
    status = guard.status()
    assert status.state is FeedState.LIVE and status.age_s == 2.0
    clock.now_s += 4.0
    assert guard.status().state is FeedState.STALE
    assert guard.status().last_fix == fix(0.0, 0.0)
    guard.connected = False
    assert guard.status().state is FeedState.DOWN
