"""A cue acknowledged in the UI is on disk before the UI shows it acknowledged.

The app runs around a real cue book on a real SQLite store: its commands
acknowledge through the book on a thread of their own (as the session thread
does), and its snapshots are drawn from the book with the session's own
:func:`~overwatch.ops.views.cue_view`. Every snapshot the UI is handed is
checked against what another connection reads from the store file.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from overwatch.cues import CueBook, CueKind, CueSource, Sighting
from overwatch.mission import MissionGeometry
from overwatch.ops.state import SessionSnapshot
from overwatch.ops.views import cue_view
from overwatch.tui import make_app
from overwatch.tui.widgets.cue_table import CueTable
from overwatch.tui.widgets.events_log import EventsLog
from tests.tui.conftest import ScriptedSession, wait_until

SIZE = (120, 40)


def on_disk_statuses(store: Path) -> dict[str, str]:
    """Each cue's last recorded status, read by a connection of our own."""
    db = sqlite3.connect(store)
    try:
        rows = db.execute("SELECT cue_id, cue FROM cue_events ORDER BY seq").fetchall()
    finally:
        db.close()
    return {cue_id: str(json.loads(text)["status"]) for cue_id, text in rows}


class BookSession(ScriptedSession):
    """Acknowledges through a real :class:`CueBook`, off the UI's loop."""

    def __init__(self, book: CueBook) -> None:
        super().__init__()
        self.book = book

    async def acknowledge_cue(self, cue_id: str) -> None:
        self.calls.append(("acknowledge_cue", (cue_id,)))
        await asyncio.to_thread(self.book.acknowledge, cue_id)


class BookSource:
    """Snapshots of the book; each one is checked against the store file as it is made."""

    def __init__(self, base: SessionSnapshot, book: CueBook, store: Path) -> None:
        self.base = base
        self.book = book
        self.store = store
        self.shown_acknowledged: set[str] = set()
        self.ahead_of_disk: list[str] = []

    def latest(self) -> SessionSnapshot:
        cues = tuple(cue_view(c, age_s=0.0) for c in self.book.cues())
        on_disk = on_disk_statuses(self.store)
        for view in cues:
            if view.status == "acknowledged":
                self.shown_acknowledged.add(view.cue_id)
                if on_disk.get(view.cue_id) != "acknowledged":
                    self.ahead_of_disk.append(view.cue_id)
        return replace(self.base, cues=cues)


def sighting(n: int) -> Sighting:
    return Sighting(
        CueKind.VEHICLE, 13.5 + n * 0.01, 2.1, 10.0, 1_800_000_000.0 + n, 0.6, CueSource.CAMERA
    )


async def test_an_acknowledgement_shows_only_once_it_is_on_disk(
    geometry: MissionGeometry, sample: SessionSnapshot, tmp_path: Path
) -> None:
    store = tmp_path / "cues.sqlite"
    book = CueBook(store, busy_timeout_s=0.05)
    try:
        cue = book.add_sighting(sighting(1))
        source = BookSource(sample, book, store)
        app = make_app(geometry, source, BookSession(book))  # type: ignore[arg-type]
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(CueTable)

            def status() -> str:
                return str(table.get_row(cue.id)[-1].plain)

            await pilot.press("tab")
            assert isinstance(app.focused, CueTable)
            # another program holds the store's lock: the acknowledgement cannot be recorded
            other = sqlite3.connect(store, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                await pilot.press("a")
                events = app.query_one(EventsLog)
                await wait_until(
                    pilot,
                    lambda: any("acknowledge cue-0001" in e.text for e in events.lines),
                    timeout_s=30.0,
                )
                await pilot.pause(0.3)  # a few more snapshots
                assert status().startswith("new")
                said = [line.text for line in events.lines if "acknowledge cue-0001" in line.text]
                assert len(said) == 1
                assert "acknowledge cue-0001: cue store" in said[0]  # the error, not ": ok"
            finally:
                other.rollback()
                other.close()
            assert on_disk_statuses(store)[cue.id] == "new"
            # the lock is gone: now it is recorded, and shown
            await pilot.press("a")
            await wait_until(pilot, lambda: status().startswith("ack"), timeout_s=30.0)
            assert any("acknowledge cue-0001: ok" in line.text for line in events.lines)
        assert on_disk_statuses(store)[cue.id] == "acknowledged"
        assert source.shown_acknowledged == {cue.id}
        assert source.ahead_of_disk == []  # no snapshot ever showed it before the disk had it
    finally:
        book.close()
