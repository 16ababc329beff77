"""Append-only persistence of cue changes in SQLite (WAL mode).

Every change is one appended row: the action (``created``, ``sighting``,
``acknowledged``, ``dismissed``, ``noted``, ``marked``), the cue's full state
after it, and a JSON detail (the sighting, the note). Nothing is updated or
deleted, so the table is also the audit trail. ``synchronous=FULL`` makes each
commit durable before :meth:`CueStore.append` returns: a writer killed with
``kill -9`` right after an acknowledgement loses nothing acknowledged.
Replaying keeps, per cue, its last row.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from overwatch.cues.errors import CueError
from overwatch.cues.model import Cue

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
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = str(path) if path is not None else ":memory:"
        self._lock = threading.Lock()
        try:
            # the session may be built on one thread and run on another (the UI's
            # session thread); every use goes through self._lock, one at a time
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if path is not None and str(mode).lower() != "wal":
                raise CueError(f"cue store {self.path}: cannot enable WAL (journal_mode={mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CueError(f"cue store {self.path}: not a usable SQLite database ({exc})") from None

    def append(self, action: str, cue: Cue, detail: object = None) -> None:
        """Append one event and make it durable."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO cue_events (time_s, action, cue_id, cue, detail) VALUES (?,?,?,?,?)",
                (
                    time.time(),
                    action,
                    cue.id,
                    json.dumps(cue.to_json()),
                    None if detail is None else json.dumps(detail),
                ),
            )

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
