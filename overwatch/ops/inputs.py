"""What the session's outside inputs dropped: counts for the screens and ``run.json``.

Every input from outside — the patrol feed, the sightings feed, the MAVLink
link — counts the malformed messages it dropped. :func:`input_counts` gathers
them into one JSON-ready object; :func:`write_input_counts` stores it as the
``inputs`` field of ``run.json`` (atomically and durably, through
:func:`overwatch.durable.replace_json`: a reader, or a session started again
after a crash, never sees half a file);
:class:`DropNotes` turns new drops into event lines, at most one per input per
``every_s`` so a flood of garbage cannot flood the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from overwatch.durable import replace_json
from overwatch.feeds.base import Feed
from overwatch.link import Link
from overwatch.scoring.rundir import MANIFEST


def feed_counts(feed: Feed) -> dict[str, Any]:
    """One feed's URL, state and tallies (``bad`` = malformed messages dropped)."""
    status = feed.status()
    stats = feed.stats
    return {
        "url": feed.url,
        "state": status.state.value,
        "good": stats.good,
        "bad": stats.bad,
        "rejected_jumps": stats.rejected_jumps,
        "out_of_order": stats.out_of_order,
        "no_fix": stats.no_fix,
        "reconnects": stats.reconnects,
        "last_error": status.last_error,
    }


def link_counts(link: Link) -> dict[str, Any]:
    """The MAVLink link's tallies (``bad`` = stretches of garbage and failed frames)."""
    return {
        "url": link.transport.description,
        "messages": link.messages_received,
        "bad": link.bad_packets,
        "rejected_signature": link.rejected_signature,
        "unknown_messages": int(link.decoder.unknown_messages),
    }


def input_counts(patrol: Feed, sightings: Feed | None, link: Link) -> dict[str, Any]:
    """``{"patrol": …, "sightings": … or None, "mavlink": …}``."""
    return {
        "patrol": feed_counts(patrol),
        "sightings": feed_counts(sightings) if sightings is not None else None,
        "mavlink": link_counts(link),
    }


def write_input_counts(run_dir: Path, counts: dict[str, Any]) -> bool:
    """Set ``inputs`` in ``run_dir/run.json``; False when there is no run.json to update."""
    path = run_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    data["inputs"] = counts
    replace_json(path, data)  # DurableFileError when it cannot be written
    return True


class DropNotes:
    """Notes ``"<input>: N malformed messages dropped (last: …)"`` when the count grows."""

    def __init__(self, note: Callable[[str, str], None], every_s: float = 10.0) -> None:
        self._note = note
        self.every_s = every_s
        self._noted: dict[str, tuple[int, float]] = {}

    def check(self, name: str, bad: int, last_error: str | None, now_s: float) -> None:
        count, at = self._noted.get(name, (0, -float("inf")))
        if bad <= count or now_s - at < self.every_s:
            return
        self._noted[name] = (bad, now_s)
        text = f"{name}: {bad - count} malformed message(s) dropped ({bad} in all)"
        if last_error:
            text += f"; last: {last_error[:160]}"
        self._note("warning", text)
