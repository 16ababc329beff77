"""One run, loaded: the run directory's files read and put in the mission's frame."""

from __future__ import annotations

from dataclasses import dataclass

from overwatch.mission import MissionGeometry
from overwatch.scoring.cuelog import read_cues
from overwatch.scoring.rundir import RunDir
from overwatch.scoring.score import CueRecord, RunScore, score_run
from overwatch.scoring.telemetry import TlogSummary, summarize_tlog
from overwatch.scoring.truth import TruthLog


@dataclass(frozen=True, eq=False)
class LoadedRun:
    """Everything a score and an after-action bundle are made from.

    ``title`` names the run on maps (the scenario's name, or the mission's).
    """

    run_dir: RunDir
    geometry: MissionGeometry
    truth: TruthLog
    cues: tuple[CueRecord, ...]
    tlog: TlogSummary | None
    title: str

    def score(self) -> RunScore:
        return score_run(
            self.geometry, self.truth, list(self.cues), has_truth=self.run_dir.has_truth
        )


def load_run(run_dir: RunDir, geometry: MissionGeometry, title: str = "") -> LoadedRun:
    """Read the truth log, the cue store and the tlog of ``run_dir``.

    ``geometry`` is the mission the run flew (the command line loads it from
    the manifest). Raises :class:`~overwatch.errors.RunDirError` for a
    missing or malformed file.
    """
    truth = TruthLog.read(run_dir.scored_from)
    cues = read_cues(run_dir.cues_path, geometry.mission.patrol.start_time)
    tlog_path = run_dir.tlog_path
    tlog = summarize_tlog(tlog_path) if tlog_path is not None else None
    return LoadedRun(run_dir, geometry, truth, tuple(cues), tlog, title or geometry.mission.name)
