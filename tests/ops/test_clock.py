"""The session clock follows the patrol's fix times, also from a simulator that slips."""

from __future__ import annotations

import random

import pytest

from overwatch.ops.clock import SessionClock


class Wall:
    def __init__(self) -> None:
        self.s = 1000.0

    def __call__(self) -> float:
        return self.s


def follow(
    clock: SessionClock, wall: Wall, source_rate: float, seconds: float, jitter_s: float = 0.0
) -> list[float]:
    """Fixes every 1/25 wall s from a source at ``source_rate`` sim s per wall s, each 50 ms
    late (plus up to ``jitter_s``); the clock's error against the source after each fix."""
    errors, readings = [], []
    sim = 1.8e9
    rng = random.Random(5)
    for _ in range(round(seconds * 25)):
        wall.s += 0.04
        sim += 0.04 * source_rate
        readings.append(clock.now())
        clock.observe(sim - (0.05 + rng.uniform(0.0, jitter_s)) * source_rate)
        errors.append(abs(clock.now() - sim))
    assert readings == sorted(readings), "the clock went backwards"
    return errors


def test_a_simulator_that_slips_to_80_percent_is_followed_closely() -> None:
    wall = Wall()
    clock = SessionClock(25.0, monotonic=wall)
    errors = follow(clock, wall, source_rate=20.0, seconds=60.0)  # 25× asked, 20× delivered
    assert max(errors[250:]) < 3.0  # simulated seconds, settled after 10 wall s
    assert clock.jumps == 0
    assert clock.pace == pytest.approx(0.8, abs=0.05)
    # the clock of old (rate alone, re-anchored at 2 wall s = 50 s apart) was up to 50 s off


def test_jittery_arrivals_neither_jump_the_clock_nor_throw_its_pace() -> None:
    wall = Wall()
    clock = SessionClock(25.0, monotonic=wall)
    errors = follow(clock, wall, source_rate=20.0, seconds=60.0, jitter_s=0.1)
    assert max(errors[250:]) < 4.0 and clock.jumps == 0
    assert 0.6 < clock.pace < 1.0


def test_a_source_at_its_nominal_rate_is_followed_at_that_rate() -> None:
    wall = Wall()
    clock = SessionClock(10.0, monotonic=wall)
    errors = follow(clock, wall, source_rate=10.0, seconds=30.0)
    assert max(errors) < 1.0 and clock.pace == pytest.approx(1.0, abs=0.02)


def test_a_restarted_source_is_jumped_to_at_once_and_the_wall_clock_comes_first() -> None:
    wall = Wall()
    clock = SessionClock(1.0, monotonic=wall)
    assert abs(clock.now() - __import__("time").time()) < 5.0  # before any fix
    clock.observe(1.8e9)
    wall.s += 1.0
    clock.observe(1.8e9 + 500.0)  # 499 s off: beyond 2 s, jumped
    assert clock.now() == pytest.approx(1.8e9 + 500.0) and clock.jumps == 1
    with pytest.raises(ValueError, match="rate"):
        SessionClock(0.0)
