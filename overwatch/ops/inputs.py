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

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from overwatch.cues import CueBook, camera_sighting, sighting_from_cot
from overwatch.durable import replace_json
from overwatch.errors import DurableFileError, OverwatchError
from overwatch.feeds import CotEvent
from overwatch.feeds.base import Feed
from overwatch.link import Link
from overwatch.link import events as ev
from overwatch.scoring.rundir import MANIFEST

#: ``note(level, text)``: an event line in the session's log
NoteFn = Callable[[str, str], None]


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


async def keep_input_counts(
    run_dir: Path, counts: Callable[[], dict[str, Any]], note: NoteFn, every_s: float = 5.0
) -> None:
    """Keep the ``inputs`` counts in ``run.json`` current, every ``every_s`` wall seconds."""
    while True:
        await asyncio.sleep(every_s)
        try:
            write_input_counts(run_dir, counts())
        except (OSError, DurableFileError) as exc:
            note("warning", f"cannot update {run_dir / MANIFEST}: {exc}")


class DropNotes:
    """Notes ``"<input>: N malformed messages dropped (last: …)"`` when the count grows."""

    def __init__(self, note: NoteFn, every_s: float = 10.0) -> None:
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


class InputNotes:
    """Notes the patrol feed's state changes (LIVE, STALE, …) and every input's new drops."""

    def __init__(self, note: NoteFn, every_s: float = 10.0) -> None:
        self._note = note
        self._drops = DropNotes(note, every_s)
        self._feed_state: str | None = None

    def check(self, now_s: float, patrol: Feed, sightings: Feed | None, link: Link) -> None:
        status = patrol.status()
        state = status.state.value
        if state != self._feed_state:
            if self._feed_state is not None:
                self._note("warning" if state != "LIVE" else "info", f"patrol feed {state}")
            self._feed_state = state
        self._drops.check("patrol feed", status.bad, status.last_error, now_s)
        if sightings is not None:
            status = sightings.status()
            self._drops.check("sightings feed", status.bad, status.last_error, now_s)
        self._drops.check("MAVLink", link.bad_packets, None, now_s)


def add_marker(cues: CueBook, event: CotEvent, note: NoteFn) -> None:
    """A CoT marker as a cue in ``cues`` (a new cue is noted); a malformed one is noted and
    dropped; a CoT event that is no marker is ignored."""
    try:
        sighting = camera_sighting(event) or sighting_from_cot(event)
    except OverwatchError as exc:
        note("warning", f"marker ignored: {exc}")
        return
    if sighting is None:
        return
    before = len(cues)
    cue = cues.add_sighting(sighting)
    if len(cues) > before:
        note("warning", f"new cue {cue.id}: {cue.kind} ({cue.source}, {cue.confidence:.0%})")


class LinkNotes:
    """A link listener that notes the vehicle's STATUSTEXT, link loss and recovery, and mode
    changes."""

    def __init__(self, note: NoteFn, names: dict[int, str] | None = None) -> None:
        """``names``: a team's drones by sysid, to say which drone each note is of."""
        self._note = note
        self._names = names or {}
        self._modes: dict[int, str] = {}
        self._prearm: dict[int, str] = {}  # the last pre-arm failure said, by sysid

    def __call__(self, event: ev.Event) -> None:
        name = self._names.get(event.sysid)
        who = f"{name}: " if name else ""

        def note(level: str, text: str) -> None:
            self._note(level, who + text)

        if isinstance(event, ev.StatusText):
            if event.text.startswith("PreArm:"):
                # ArduPilot repeats a failing pre-arm check every 30 s while disarmed: said
                # once until it changes or the vehicle arms (the tlog keeps every one)
                if self._prearm.get(event.sysid) == event.text:
                    return
                self._prearm[event.sysid] = event.text
            note("info", f"vehicle: {event.text}")
        elif isinstance(event, ev.LinkLost):
            note(
                "error", f"LINK LOST: nothing from vehicle {event.sysid} for {event.silent_s:.1f} s"
            )
        elif isinstance(event, ev.LinkRecovered):
            note("info", f"link recovered after {event.outage_s:.1f} s")
        elif isinstance(event, ev.Heartbeat):
            if event.armed:
                self._prearm.pop(event.sysid, None)
            if event.mode != self._modes.get(event.sysid):
                if event.sysid in self._modes:
                    note("info", f"mode {self._modes[event.sysid]} → {event.mode}")
                self._modes[event.sysid] = event.mode
