"""The session's own patrol and sightings loops survive any datagram, over loopback UDP.

These run the live session's feed tasks themselves (``_feed_task`` and
``_sightings_task``, spawned as ``start()`` spawns them) on real sockets. Each
hypothesis example sends a malformed datagram and then a good one: the good
patrol fix reaches the tracker, the good TAK marker becomes a cue, neither
task ends, and the drops show in the patrol panel's view and in run.json.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overwatch.feeds.cot_in import CotUdpFeed
from overwatch.feeds.takv1 import MAX_MESSAGE_BYTES, mesh_frame
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.scoring.rundir import RunManifest
from tests.feeds.test_fuzz_loops import BASE_S, _clock, cot_xml
from tests.feeds.test_fuzz_parsers import GOOD_TAK, GOOD_XML, atak
from tests.fuzzing import LoopThread, examples, mutations
from tests.ops.runs import MISSION


def marker(uid: str, t: int, confidence: str | None = None) -> bytes:
    """A hostile TAK marker (or, with ``confidence``, a detector sighting)."""
    xml = atak(uid, 0, "a-h-G-E-V")
    if confidence is not None:
        tag = f'<__overwatch source="camera" kind="vehicle" confidence="{confidence}"/>'
        xml = xml.replace(b"<detail>", b"<detail>" + tag.encode())
    stamp = datetime.fromtimestamp(BASE_S + t, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z").encode()
    return xml.replace(b"2026-11-25T12:00:00.000Z", stamp)


class Session:
    def __init__(self, loop: LoopThread, run_dir: Path) -> None:
        self.loop = loop
        geometry = MissionGeometry.of(load_mission(MISSION))
        RunManifest(MISSION, None, datetime.now(UTC), 1.0, "lead").write(run_dir)
        config = SessionConfig(
            connect="udpin:127.0.0.1:0",
            patrol_feed="cot+udp://127.0.0.1:0",
            sightings_url="cot+udp://127.0.0.1:0",
            run_dir=run_dir,
        )

        async def start() -> LiveSession:
            session = LiveSession(geometry, config)
            # the two input tasks exactly as start() spawns them (no vehicle is needed)
            session._tasks.spawn(session._feed_task(), "patrol-feed")
            session._tasks.spawn(session._sightings_task(config.sightings_url or ""), "sightings")
            while session.sightings_feed is None or not isinstance(
                session.sightings_feed, CotUdpFeed
            ):
                await asyncio.sleep(0.01)
            feeds = (session.feed, session.sightings_feed)
            while not all(isinstance(f, CotUdpFeed) and f.bound_port for f in feeds):
                await asyncio.sleep(0.01)
            return session

        self.session = loop.run(start())
        patrol, sightings = self.session.feed, self.session.sightings_feed
        assert isinstance(patrol, CotUdpFeed) and isinstance(sightings, CotUdpFeed)
        self.patrol_port, self.sightings_port = patrol.bound_port, sightings.bound_port

    def tasks_alive(self) -> bool:
        return self.session._tasks.running() == {"patrol-feed", "sightings"}

    def wait(self, what: str, done: object) -> None:
        async def poll() -> None:
            while not done():  # type: ignore[operator]
                await asyncio.sleep(0.005)

        try:
            self.loop.run(poll(), timeout_s=10.0)
        except TimeoutError:
            raise AssertionError(f"{what} never happened") from None

    def close(self) -> None:
        self.loop.run(self.session.close())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, socket.socket]]:
    loop = LoopThread()
    session = Session(loop, tmp_path_factory.mktemp("run"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        yield session, tx
    assert session.tasks_alive()
    session.close()
    loop.close()


bad_datagram = st.one_of(
    mutations(GOOD_XML, oversize_to=MAX_MESSAGE_BYTES),
    mutations(mesh_frame(GOOD_TAK), oversize_to=MAX_MESSAGE_BYTES),
    mutations(marker("M0", 0, "0.9"), oversize_to=MAX_MESSAGE_BYTES),
)


@examples(25, share=0.01)
@given(bad=bad_datagram)
def test_patrol_feed_task_survives_and_the_next_fix_reaches_the_tracker(
    live: tuple[Session, socket.socket], bad: bytes
) -> None:
    session, tx = live
    s = session.session
    t = next(_clock)
    trail_before = len(s.patrol_trail)
    tx.sendto(bytes(bad)[:65000], ("127.0.0.1", session.patrol_port or 0))
    # far later than any mutated timestamp (2026-11-25), so the guard cannot call it old
    tx.sendto(cot_xml(10**8 + t, "P1"), ("127.0.0.1", session.patrol_port or 0))
    session.wait(
        "the good fix",
        lambda: (
            s.feed.stats.good > 0
            and s.patrol_trail
            and (len(s.patrol_trail) > trail_before or len(s.patrol_trail) == s.patrol_trail.maxlen)
        ),
    )
    assert session.tasks_alive()
    assert s.feed.status().bad == s.feed.stats.bad


@examples(25, share=0.01)
@given(bad=bad_datagram, detector=st.booleans())
def test_sightings_task_survives_and_the_next_marker_becomes_a_cue(
    live: tuple[Session, socket.socket], bad: bytes, detector: bool
) -> None:
    session, tx = live
    s = session.session
    t = next(_clock)
    uid = f"M{t}"
    tx.sendto(bytes(bad)[:65000], ("127.0.0.1", session.sightings_port or 0))
    good = marker(uid, 10**8 + t, "0.9" if detector else None)
    tx.sendto(good, ("127.0.0.1", session.sightings_port or 0))
    seen_s = BASE_S + 10**8 + t  # fused into an earlier cue or a new one: seen now either way
    session.wait("the cue", lambda: any(c.last_seen_s >= seen_s for c in s.cues.cues()))
    assert session.tasks_alive()


def test_drops_show_in_the_patrol_view_the_events_and_run_json(
    live: tuple[Session, socket.socket],
) -> None:
    session, tx = live
    s = session.session
    before = s.feed.stats.bad
    tx.sendto(GOOD_XML.replace(b"UTF-8", b"ATF-8"), ("127.0.0.1", session.patrol_port or 0))
    tx.sendto(b"\xbf\x01\xbfnot protobuf", ("127.0.0.1", session.patrol_port or 0))
    session.wait("two drops", lambda: s.feed.stats.bad >= before + 2)

    async def look() -> tuple[int, list[str], int]:
        # reading a snapshot changes nothing; the guidance tick notes the drops
        notes_before = s.notes_total
        s.snapshot()
        assert s.notes_total == notes_before
        s.tick()
        snap = s.snapshot()
        return snap.patrol.bad_messages, [e.text for e in snap.events], s.notes_total

    bad, events, notes = session.loop.run(look())
    assert bad == s.feed.stats.bad >= 2
    assert any("patrol feed" in e and "malformed" in e for e in events)
    assert session.loop.run(_snapshot_then_notes(s)) == notes
    counts = s.input_counts()
    assert counts["patrol"]["bad"] == s.feed.stats.bad
    assert counts["sightings"]["url"] == "cot+udp://127.0.0.1:0"
    assert "ATF-8" in (counts["patrol"]["last_error"] or "") or "TAK" in (
        counts["patrol"]["last_error"] or ""
    )
    from overwatch.ops.inputs import write_input_counts

    run_dir = s.config.run_dir
    assert run_dir is not None and write_input_counts(run_dir, counts)
    written = json.loads((run_dir / "run.json").read_text())
    assert written["inputs"]["patrol"]["bad"] == s.feed.stats.bad
    assert written["mode"] == "lead"  # the manifest itself is kept


async def _snapshot_then_notes(session: LiveSession) -> int:
    session.snapshot()
    return session.notes_total
