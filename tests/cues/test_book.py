"""The CueBook API and its SQLite event log (reopened from disk)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from shapely.geometry import LineString

from overwatch.cues import (
    CueBook,
    CueError,
    CueKind,
    CueSource,
    CueStatus,
    RouteProgress,
    Sighting,
    UnknownCue,
)
from overwatch.geo import LocalFrame

FRAME = LocalFrame(13.5, 2.1)


def seen(x_m: float, y_m: float, t: float, kind: str = "person", conf: float = 0.5) -> Sighting:
    lat, lon = FRAME.to_wgs84(x_m, y_m)
    return Sighting(CueKind(kind), lat, lon, 10.0, t, conf, CueSource.CAMERA, f"/snap/{t:.0f}.jpg")


def test_sightings_fuse_and_changes_persist(tmp_path: Path) -> None:
    path = tmp_path / "cues.sqlite"
    book = CueBook(path)
    a = book.add_sighting(seen(0, 1000, 1.0))
    a2 = book.add_sighting(seen(8, 1004, 2.0))
    b = book.add_sighting(seen(0, 1000, 3.0, kind="vehicle"))
    c = book.add_sighting(seen(500, 3000, 4.0))
    assert a2.id == a.id == "cue-0001" and a2.sightings == 2 and a2.snapshot_path == "/snap/2.jpg"
    assert (b.id, c.id) == ("cue-0002", "cue-0003")
    book.acknowledge(a.id)
    book.note(a.id, "two people near the well")
    book.dismiss(b.id)
    m = book.mark(13.6, 2.2, "object", "burnt-out truck")
    assert m.status is CueStatus.ACKNOWLEDGED and m.confidence == 1.0
    assert m.source is CueSource.OPERATOR and m.notes == ("burnt-out truck",)
    before = {cue.id: cue for cue in book.cues()}
    book.close()

    again = CueBook(path)
    assert {cue.id: cue for cue in again.cues()} == before
    assert again.get(a.id).notes == ("two people near the well",)
    assert again.get(a.id).status is CueStatus.ACKNOWLEDGED
    assert [c.id for c in again.cues(include_dismissed=False)] == [
        "cue-0001",
        "cue-0003",
        "cue-0004",
    ]
    assert [action for action, _ in again.history(a.id)] == [
        "created", "sighting", "acknowledged", "noted",
    ]  # fmt: skip
    assert again.add_sighting(seen(0, 9000, 9.0)).id == "cue-0005"  # ids continue
    again.close()


def test_dismissed_cue_absorbs_sightings_and_stays_dismissed() -> None:
    book = CueBook(None)
    cue = book.add_sighting(seen(0, 0, 1.0))
    book.dismiss(cue.id)
    again = book.add_sighting(seen(3, 3, 2.0))
    assert again.id == cue.id and again.status is CueStatus.DISMISSED and len(book) == 1


def test_ranked_leaves_dismissed_out() -> None:
    book = CueBook(None)
    route = LineString([(0, 0), (0, 10000)])
    near = book.add_sighting(seen(10, 2000, 1.0))
    far = book.add_sighting(seen(10, 6000, 1.0))
    gone = book.add_sighting(seen(10, 1500, 1.0))
    book.dismiss(gone.id)
    ranked = book.ranked(RouteProgress.at_speed(FRAME, route, 1000.0, 10.0))
    assert [r.cue.id for r in ranked] == [near.id, far.id]


def test_errors_name_the_problem(tmp_path: Path) -> None:
    book = CueBook(None)
    with pytest.raises(UnknownCue, match="cue-0042"):
        book.acknowledge("cue-0042")
    cue = book.add_sighting(seen(0, 0, 1.0))
    with pytest.raises(CueError, match="empty text"):
        book.note(cue.id, "  ")
    with pytest.raises(CueError, match="mark kind 'tank'"):
        book.mark(13.5, 2.1, "tank")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CueError, match=r"junk\.sqlite"):
        CueBook(junk)


def test_store_uses_wal_and_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "cues.sqlite"
    book = CueBook(path)
    cue = book.add_sighting(seen(0, 0, 1.0))
    book.acknowledge(cue.id)
    book.note(cue.id, "x")
    book.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = db.execute("SELECT seq, action FROM cue_events ORDER BY seq").fetchall()
    db.close()
    assert rows == [(1, "created"), (2, "acknowledged"), (3, "noted")]
