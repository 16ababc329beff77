"""Append-only persistence of cue changes in SQLite (WAL mode).

Every change is one appended row: the action (``created``, ``sighting``,
``acknowledged``, ``dismissed``, ``noted``, ``marked``), the cue's full state
after it, and a JSON detail (the sighting, the note). Nothing is updated or
deleted, so the table is also the audit trail. ``synchronous=FULL`` makes each
commit durable before :meth:`CueStore.append` returns (SQLite syncs the WAL,
and the folder when it creates the WAL): a writer killed with ``kill -9``, or a
laptop that loses power, right after an acknowledgement loses nothing
acknowledged. A write that cannot be made durable (disk full, the store locked
by another program for longer than ``busy_timeout_s``) raises
:class:`~overwatch.errors.CueError` and leaves nothing half-written.
Opening the store again after a crash lets SQLite roll the WAL forward;
replaying keeps, per cue, its last row.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from overwatch.cues.model import Cue
from overwatch.errors import CueError

SCHEMA = """
CREATE TABLE IF NOT EXISTS cue_events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    time_s  REAL NOT NULL,
    action  TEXT NOT NULL,
    cue_id  TEXT NOT NULL,
    cue     TEXT NOT NULL,
    detail  TEXT
)
"""


class CueStore:
    """The event log behind a :class:`~overwatch.cues.book.CueBook`.

    ``path`` ``None`` keeps the log in memory (tests, dry runs).
    ``busy_timeout_s`` is how long a write waits for another program holding
    the store's lock (``sqlite3`` reading it, say) before it fails.
    """

    def __init__(self, path: str | Path | None, *, busy_timeout_s: float = 5.0) -> None:
        self.path = str(path) if path is not None else ":memory:"
        self._lock = threading.Lock()
        try:
            # the session may be built on one thread and run on another (the UI's
            # session thread); every use goes through self._lock, one at a time
            self._db = sqlite3.connect(
                self.path,
                timeout=busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if path is not None and str(mode).lower() != "wal":
                raise CueError(f"cue store {self.path}: cannot enable WAL (journal_mode={mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CueError(f"cue store {self.path}: not a usable SQLite database ({exc})") from None

    def append(self, action: str, cue: Cue, detail: object = None) -> None:
        """Append one event; it is on disk when this returns.

        Raises :class:`CueError` (and records nothing) when the event cannot
        be committed.
        """
        row = (
            time.time(),
            action,
            cue.id,
            json.dumps(cue.to_json()),
            None if detail is None else json.dumps(detail),
        )
        with self._lock:
            try:
                with self._db:  # COMMIT (synced, synchronous=FULL) or ROLLBACK
                    self._db.execute("BEGIN IMMEDIATE")
                    self._db.execute(
                        "INSERT INTO cue_events (time_s, action, cue_id, cue, detail)"
                        " VALUES (?,?,?,?,?)",
                        row,
                    )
            except sqlite3.Error as exc:
                raise CueError(
                    f"cue store {self.path}: cannot record {action} for {cue.id} ({exc})"
                ) from None

    def replay(self) -> dict[str, Cue]:
        """Every cue in its last recorded state, in order of creation."""
        cues: dict[str, Cue] = {}
        with self._lock:
            rows = self._db.execute("SELECT seq, cue FROM cue_events ORDER BY seq").fetchall()
        for seq, text in rows:
            try:
                cue = Cue.from_json(json.loads(text))
            except (KeyError, ValueError, TypeError) as exc:
                raise CueError(f"cue store {self.path}: event {seq} is malformed ({exc})") from None
            cues[cue.id] = cue
        return cues

    def history(self, cue_id: str) -> list[tuple[str, dict[str, object]]]:
        """``(action, cue_json)`` of every event of one cue, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT action, cue FROM cue_events WHERE cue_id = ? ORDER BY seq", (cue_id,)
            ).fetchall()
        return [(action, json.loads(text)) for action, text in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
