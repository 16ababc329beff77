"""A cue book built on one thread and used on another (the UI's session thread)."""

from __future__ import annotations

import threading
from pathlib import Path

from overwatch.cues import CueBook, Sighting


def test_a_cue_book_made_on_one_thread_works_on_another(tmp_path: Path) -> None:
    book = CueBook(tmp_path / "cues.sqlite")
    errors: list[BaseException] = []

    def use() -> None:
        try:
            book.add_sighting(Sighting("person", 13.76, 5.22, 5.0, 1_800_000_000.0, 0.8, "camera"))
            book.mark(13.77, 5.23, "vehicle", "seen from the road")
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert errors == []
    assert sorted(str(c.kind) for c in book.cues()) == ["person", "vehicle"]
    book.close()
    assert len(CueBook(tmp_path / "cues.sqlite").cues()) == 2
