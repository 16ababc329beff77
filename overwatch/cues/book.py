"""The cue book: the one place cues are added, fused, changed, ranked and kept.

>>> book = CueBook(None)
>>> s = Sighting(CueKind.VEHICLE, 13.5, 2.1, 15.0, 1000.0, 0.6, CueSource.CAMERA)
>>> cue = book.add_sighting(s)
>>> cue.id, cue.status.value
('cue-0001', 'new')
>>> book.acknowledge(cue.id).status.value
'acknowledged'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from overwatch.cues.fusion import FusionConfig, fuse, match, new_cue
from overwatch.cues.model import Cue, CueKind, CueSource, CueStatus, Sighting, parse_enum
from overwatch.cues.ranking import DEFAULT_RULES, RankedCue, RouteProgress, SeverityRule, rank_cues
from overwatch.cues.store import CueStore
from overwatch.errors import CueError, UnknownCue


def _sighting_json(s: Sighting) -> dict[str, object]:
    return {
        "kind": s.kind.value,
        "lat_deg": s.lat_deg,
        "lon_deg": s.lon_deg,
        "sigma_m": s.sigma_m,
        "time_s": s.time_s,
        "confidence": s.confidence,
        "source": s.source.value,
        "snapshot_path": s.snapshot_path,
        "ref": s.ref,
    }


class CueBook:
    """Cues, persisted as an append-only event log at ``path`` (``None``: in memory).

    Opening an existing log replays it. Ids are ``cue-0001``, ``cue-0002``, …
    (short enough for an operator to type). Not thread-safe: one owner.
    """

    def __init__(
        self,
        path: str | Path | None,
        *,
        fusion: FusionConfig | None = None,
        clock: Callable[[], float] = time.time,
        busy_timeout_s: float = 5.0,
    ) -> None:
        self.fusion = fusion or FusionConfig()
        self._clock = clock
        self._store = CueStore(path, busy_timeout_s=busy_timeout_s)
        self._cues = self._store.replay()
        self._next = 1 + max((self._number(cue_id) for cue_id in self._cues), default=0)

    @staticmethod
    def _number(cue_id: str) -> int:
        tail = cue_id.rpartition("-")[2]
        return int(tail) if tail.isdigit() else 0

    def _new_id(self) -> str:
        cue_id = f"cue-{self._next:04d}"
        self._next += 1
        return cue_id

    # -- reading -----------------------------------------------------------------

    def get(self, cue_id: str) -> Cue:
        try:
            return self._cues[cue_id]
        except KeyError:
            raise UnknownCue(cue_id) from None

    def cues(self, *, include_dismissed: bool = True) -> list[Cue]:
        """All cues in creation order."""
        return [
            c
            for c in self._cues.values()
            if include_dismissed or c.status is not CueStatus.DISMISSED
        ]

    def __len__(self) -> int:
        return len(self._cues)

    def ranked(
        self,
        progress: RouteProgress,
        rules: Sequence[SeverityRule] = DEFAULT_RULES,
        *,
        include_dismissed: bool = False,
    ) -> list[RankedCue]:
        """Cues most urgent first for a patrol at ``progress`` (dismissed left out)."""
        return rank_cues(self.cues(include_dismissed=include_dismissed), progress, rules)

    # -- changing ----------------------------------------------------------------

    def add_sighting(self, sighting: Sighting) -> Cue:
        """Fuse ``sighting`` into the cue it matches, or start a new cue.

        A dismissed cue still absorbs matching sightings (and stays dismissed),
        so the operator is not asked about the same thing again.
        """
        found = match(self._cues.values(), sighting, self.fusion)
        if found is None:
            cue = new_cue(self._new_id(), sighting)
            action = "created"
        else:
            cue = fuse(found, sighting)
            action = "sighting"
        return self._commit(action, cue, _sighting_json(sighting))

    def add_sightings(self, sightings: Iterable[Sighting]) -> list[Cue]:
        return [self.add_sighting(s) for s in sightings]

    def mark(
        self,
        lat_deg: float,
        lon_deg: float,
        kind: CueKind | str,
        note: str = "",
        *,
        sigma_m: float = 15.0,
        time_s: float | None = None,
    ) -> Cue:
        """An operator's own mark: always a new cue, confidence 1, already acknowledged."""
        sighting = Sighting(
            kind=parse_enum(CueKind, kind, "mark kind"),
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            sigma_m=sigma_m,
            time_s=self._clock() if time_s is None else time_s,
            confidence=1.0,
            source=CueSource.OPERATOR,
        )
        cue = new_cue(self._new_id(), sighting)
        if note.strip():
            cue = replace(cue, notes=(note.strip(),))
        return self._commit("marked", cue, _sighting_json(sighting))

    def acknowledge(self, cue_id: str) -> Cue:
        """The operator has seen the cue. On disk when this returns.

        Until then the book (and so every snapshot the UI draws) still shows
        the cue as it was; if the store cannot record it, :class:`CueError`
        is raised and the cue stays unacknowledged.
        """
        return self._commit(
            "acknowledged", replace(self.get(cue_id), status=CueStatus.ACKNOWLEDGED)
        )

    def dismiss(self, cue_id: str) -> Cue:
        """The operator judges the cue no threat; it leaves the ranking."""
        return self._commit("dismissed", replace(self.get(cue_id), status=CueStatus.DISMISSED))

    def note(self, cue_id: str, text: str) -> Cue:
        """Append an operator's note."""
        if not text.strip():
            raise CueError(f"note for {cue_id}: empty text (expected a few words)")
        cue = self.get(cue_id)
        return self._commit(
            "noted", replace(cue, notes=(*cue.notes, text.strip())), {"text": text.strip()}
        )

    def history(self, cue_id: str) -> list[tuple[str, dict[str, object]]]:
        """Every recorded change of one cue, oldest first."""
        self.get(cue_id)
        return self._store.history(cue_id)

    def close(self) -> None:
        self._store.close()

    def _commit(self, action: str, cue: Cue, detail: object = None) -> Cue:
        # disk first, then memory: what the book shows (and the UI draws from its
        # snapshots) has always been recorded durably; a failed append changes nothing
        self._store.append(action, cue, detail)
        self._cues[cue.id] = cue
        return cue
