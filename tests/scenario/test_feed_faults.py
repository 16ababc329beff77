"""The scenario's feed faults, played to the session's own receiving side on loopback.

An outlier fix and a burst of bad sentences go out over real UDP sockets to
the feed the session opens for the patrol (its parser and its guard), and the
fixes it passes on go to the session's tracker: the bad sentences are counted
and dropped, the outlier is a counted jump rejection, and every fix after them
is taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from overwatch.errors import CotError
from overwatch.feeds import open_feed
from overwatch.feeds.base import Feed
from overwatch.feeds.cot_xml import CotStreamSplitter, parse_cot_event
from overwatch.feeds.nmea import NmeaDecoder
from overwatch.scenario.loader import load_scenario
from overwatch.tracking import PatrolTracker, TrackMode
from simulator.scenario.actors import World
from simulator.scenario.feed_faults import FeedFaults
from simulator.scenario.publish import cot_event, nmea_fix
from simulator.scenario.runner import FeedTarget, ScenarioRunner

MISSION = Path(__file__).resolve().parents[2] / "missions" / "vehicle-patrol.yaml"
OUTLIER_AT_S, BURST_AT_S, BURST_FIXES = 20.0, 40.0, 3
RUN_S = 60


def _scenario(folder: Path) -> World:
    path = folder / "faults.scenario.yaml"
    path.write_text(
        "schema_version: 1\n"
        f"mission: {MISSION}\n"
        "patrol:\n"
        f"  outliers: [{{at: {OUTLIER_AT_S:g} s, offset: 3 km}}]\n"
        f"  bad_sentences: [{{at: {BURST_AT_S:g} s, count: {BURST_FIXES}}}]\n"
    )
    return World(load_scenario(path))


async def _bound_port(feed: Feed) -> int:
    for _ in range(200):
        port = getattr(feed, "bound_port", None)
        if port:
            return int(port)
        await asyncio.sleep(0.01)
    raise AssertionError("the feed never bound its port")


async def _play(
    world: World, kind: str, truth: Path
) -> tuple[Feed, ScenarioRunner, list[tuple[float, float]]]:
    feed = open_feed(f"{kind}+udp://127.0.0.1:0")
    tracker = PatrolTracker(world.geometry)
    taken: list[tuple[float, float]] = []  # (fix time, cross-track) of each fix the tracker took

    async def receive() -> None:
        async with contextlib.aclosing(feed.fixes()) as fixes:
            async for fix in fixes:
                est = tracker.update(fix)
                assert est.cross_track_m is not None
                taken.append((fix.time_s, est.cross_track_m))

    receiving = asyncio.create_task(receive())
    try:
        port = await _bound_port(feed)
        runner = ScenarioRunner(
            world,
            None,
            lambda: 0.0,
            patrol_feed=FeedTarget.parse(f"{kind}+udp://127.0.0.1:{port}"),
            truth_path=truth,
            pre_roll_s=0.0,
        )
        try:
            for t_s in range(RUN_S + 1):  # a fix a second, as the runner sends them
                runner.publish_patrol(float(t_s))
                await asyncio.sleep(0.002)
            await asyncio.sleep(0.2)  # the last datagrams in flight
        finally:
            runner.close()
    finally:
        receiving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiving
    estimate = tracker.estimate(taken[-1][0])
    assert estimate.mode is TrackMode.ON_ROUTE and estimate.fixes_rejected == 0
    return feed, runner, taken


@pytest.mark.parametrize(("kind", "bad_per_fix"), [("nmea", 3), ("cot", 1)])
async def test_bad_sentences_are_counted_the_outlier_rejected_and_the_rest_taken(
    kind: str, bad_per_fix: int, tmp_path: Path
) -> None:
    world = _scenario(tmp_path)
    feed, runner, taken = await _play(world, kind, tmp_path / "truth.jsonl")
    stats = feed.stats
    # NMEA: GGA, RMC and VTG of each spoilt fix fail their checksum; CoT: one bad event each
    assert stats.bad == BURST_FIXES * bad_per_fix
    assert stats.rejected_jumps == 1 and stats.out_of_order == 0
    assert runner.outliers_sent == 1 and runner.corrupt_sent == BURST_FIXES
    assert stats.good == runner.fixes_sent - 1 - BURST_FIXES == len(taken)
    # nothing 3 km off reached the tracker, and it took every fix after the faults
    assert max(abs(cross) for _, cross in taken) < 5.0
    first = taken[0][0]
    seconds = [round(t - first) for t, _ in taken]
    faulty = {OUTLIER_AT_S, *(BURST_AT_S + i for i in range(BURST_FIXES))}
    assert seconds == [t for t in range(RUN_S + 1) if t not in faulty]
    # the truth log keeps the true track and says which fixes went out wrong
    records = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    faults = [r for r in records if r["what"] == "feed_fault"]
    assert [r["fault"] for r in faults] == ["outlier"] + ["bad_sentence"] * BURST_FIXES
    outlier = faults[0]
    assert outlier["t_s"] == OUTLIER_AT_S
    assert outlier["offset_m"] == 3000.0 and outlier["bearing_deg"] == 45.0
    true_fix = next(r for r in records if r["what"] == "patrol" and r["t_s"] == outlier["t_s"])
    assert world.patrol.off_route_m(true_fix["t_s"]) == true_fix["off_route_m"] == 0.0
    assert abs(true_fix["lat_deg"] - outlier["lat_deg"]) > 0.015  # 3 km × cos 45° north
    assert [r["t_s"] for r in faults[1:]] == [BURST_AT_S + i for i in range(BURST_FIXES)]


def test_a_corrupt_cot_event_is_dropped_alone_from_a_tak_stream() -> None:
    when = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    events = [
        cot_event(uid="p", cot_type="a-f-G-U-C", when=when, lat_deg=13.7, lon_deg=5.3, corrupt=c)
        for c in (True, False)
    ]
    messages = CotStreamSplitter().feed(b"".join(events))
    assert len(messages) == 2
    with pytest.raises(CotError):
        parse_cot_event(messages[0])
    assert parse_cot_event(messages[1]).lat_deg == 13.7


def test_a_corrupt_nmea_fix_fails_every_checksum() -> None:
    when = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    decoder = NmeaDecoder("test")
    for line in nmea_fix(when, 13.7, 5.3, 250.0, 10.0, 90.0, corrupt=True).splitlines():
        assert decoder.feed_line(line) == []
    assert decoder.bad == 3 and "checksum mismatch" in (decoder.last_error or "")


def test_faults_fall_on_the_fixes_sent_at_or_after_their_time(tmp_path: Path) -> None:
    faults = FeedFaults(_scenario(tmp_path).scenario.patrol)
    got = [faults.next_fix(t) for t in (19.5, 20.3, 21.3, 39.9, 40.2, 41.2, 42.2, 43.2)]
    assert [f.outlier is not None for f in got] == [False, True, False, False] + [False] * 4
    assert [f.corrupt for f in got] == [False] * 4 + [True, True, True, False]
    x, y = got[1].displaced(100.0, 200.0)
    assert (x - 100.0, y - 200.0) == pytest.approx((2121.32, 2121.32), abs=0.01)
