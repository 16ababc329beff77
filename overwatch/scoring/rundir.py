"""The run directory: everything one training (or field) run leaves behind.

::

    RUN_DIR/
    ├── run.json        manifest (see RunManifest)
    ├── truth.jsonl     ground truth, JSON lines (simulator/scenario/runner.py)
    ├── cues.sqlite     the session's cue store (overwatch.cues.CueStore, WAL)
    ├── flight.tlog     MAVLink telemetry log (optional)
    ├── video/          recorded video (optional, not read here)
    └── aar/            written by ``overwatch score``: the after-action bundle

``run.json`` holds ``{"scenario": path|null, "mission": path, "started_utc":
ISO 8601, "speedup": float, "mode": "lead"|"escort"|"bounding"|"static"|"follow-baseline"}``.
Relative paths are resolved against the run directory. See
``docs/after-action.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from overwatch.durable import DurableFileError, make_folder, replace_json
from overwatch.errors import RunDirError
from overwatch.mission import STRATEGIES

MANIFEST = "run.json"
TRUTH = "truth.jsonl"
#: the session's own record of the patrol's fixes and the drone's poses (a real run's truth)
TRACK = "track.jsonl"
CUES = "cues.sqlite"
TLOG = "flight.tlog"
VIDEO = "video"
AAR = "aar"
#: the live modes: every planned strategy, and ArduPilot's FOLLOW as the baseline
MODES = (*STRATEGIES, "follow-baseline")


@dataclass(frozen=True)
class RunManifest:
    """The contents of ``run.json`` (paths already resolved, time zone-aware UTC)."""

    mission: Path
    scenario: Path | None
    started_utc: datetime
    speedup: float
    mode: str

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        """The ``run.json`` object; paths relative to ``root`` where they lie inside it."""

        def rel(p: Path | None) -> str | None:
            if p is None:
                return None
            if root is not None and p.is_relative_to(root):
                return str(p.relative_to(root))
            return str(p)

        return {
            "scenario": rel(self.scenario),
            "mission": rel(self.mission),
            "started_utc": self.started_utc.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "speedup": self.speedup,
            "mode": self.mode,
        }

    def write(self, root: Path) -> Path:
        """Write ``root/run.json`` (the live session calls this when a run starts).

        Atomic and durable (:func:`overwatch.durable.replace_json`): a crash at
        any moment leaves the old manifest or the new one, never a torn file.
        """
        try:
            make_folder(root)
            return replace_json(root / MANIFEST, self.to_json(root))
        except OSError as exc:
            raise RunDirError(f"{root}: cannot create the run directory: {exc}") from None
        except DurableFileError as exc:
            raise RunDirError(str(exc)) from None


@dataclass(frozen=True)
class RunDir:
    """A checked run directory: its manifest and the paths of its files."""

    root: Path
    manifest: RunManifest

    @property
    def truth_path(self) -> Path:
        return self.root / TRUTH

    @property
    def track_path(self) -> Path:
        return self.root / TRACK

    @property
    def has_truth(self) -> bool:
        """The simulator's ground truth is here (a training run); else the run is scored
        from its own track."""
        return self.truth_path.is_file()

    @property
    def scored_from(self) -> Path:
        """The log the run is scored from: the simulator's truth, else the run's own track."""
        return self.truth_path if self.has_truth else self.track_path

    @property
    def cues_path(self) -> Path:
        return self.root / CUES

    @property
    def tlog_path(self) -> Path | None:
        """The telemetry log, or None if the run has none."""
        path = self.root / TLOG
        return path if path.is_file() else None

    @property
    def video_dir(self) -> Path | None:
        path = self.root / VIDEO
        return path if path.is_dir() else None

    @property
    def default_out(self) -> Path:
        return self.root / AAR


def read_run_dir(path: str | Path) -> RunDir:
    """Check ``path`` is a run directory and read its manifest.

    Raises :class:`RunDirError` naming the missing or malformed file and what
    was expected.
    """
    root = Path(path)
    if not root.exists():
        raise RunDirError(f"{root}: no such run directory")
    if not root.is_dir():
        raise RunDirError(f"{root}: not a directory (expected a run directory with {MANIFEST})")
    for name, what in (
        (MANIFEST, "the run manifest (JSON)"),
        (CUES, "the cue store (SQLite)"),
    ):
        if not (root / name).is_file():
            raise RunDirError(f"{root / name}: missing; a run directory holds {what} here")
    if not (root / TRUTH).is_file() and not (root / TRACK).is_file():
        raise RunDirError(
            f"{root}: neither {TRUTH} nor {TRACK}; a run directory holds the simulator's "
            f"ground truth ({TRUTH}) or the session's own track of the patrol and the drone "
            f"({TRACK}, written by overwatch run)"
        )
    return RunDir(root, read_manifest(root / MANIFEST))


def read_manifest(path: Path) -> RunManifest:
    """Read and check a ``run.json`` (paths resolved against its folder)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RunDirError(f"{path}: not UTF-8 text (expected a JSON object)") from None
    except json.JSONDecodeError as exc:
        raise RunDirError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}; expected a JSON object)"
        ) from None
    except OSError as exc:
        raise RunDirError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: found a JSON {type(data).__name__}, expected an object")
    root = path.parent

    def field(name: str, expected: str) -> Any:
        if name not in data:
            raise RunDirError(f"{path}: field '{name}' is missing (expected {expected})")
        return data[name]

    def file_field(name: str, value: Any) -> Path:
        if not isinstance(value, str) or not value:
            raise RunDirError(f"{path}: field '{name}' = {value!r} (expected a file path)")
        p = Path(value)
        p = p if p.is_absolute() else (root / p)
        if not p.is_file():
            raise RunDirError(f"{path}: field '{name}': {p} does not exist (expected a file)")
        return p

    mission = file_field("mission", field("mission", "the mission YAML path"))
    scenario_value = data.get("scenario")
    scenario = None if scenario_value is None else file_field("scenario", scenario_value)
    started_text = field("started_utc", "an ISO 8601 UTC time such as 2026-11-25T06:00:00Z")
    try:
        started = datetime.fromisoformat(str(started_text).replace("Z", "+00:00"))
    except ValueError:
        raise RunDirError(
            f"{path}: field 'started_utc' = {started_text!r} "
            "(expected an ISO 8601 UTC time such as 2026-11-25T06:00:00Z)"
        ) from None
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    speedup = field("speedup", "a positive number")
    if isinstance(speedup, bool) or not isinstance(speedup, int | float) or not speedup > 0:
        raise RunDirError(f"{path}: field 'speedup' = {speedup!r} (expected a positive number)")
    mode = field("mode", " or ".join(MODES))
    if mode not in MODES:
        raise RunDirError(f"{path}: field 'mode' = {mode!r} (expected one of {', '.join(MODES)})")
    return RunManifest(mission, scenario, started, float(speedup), str(mode))
