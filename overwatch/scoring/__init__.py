"""Scoring a training run against the scenario's ground truth, and reading run directories.

run_dir = read_run_dir("runs/2026-12-01-drill")      # checks the files, reads run.json
run = load_run(run_dir, MissionGeometry.of(load_mission(run_dir.manifest.mission)))
score = run.score()                                   # RunScore: coverage, threats, false cues

See docs/after-action.md.
"""

from overwatch.errors import RunDirError
from overwatch.scoring.cuelog import cue_records, read_cues
from overwatch.scoring.run import LoadedRun, load_run
from overwatch.scoring.rundir import RunDir, RunManifest, read_run_dir
from overwatch.scoring.score import CueRecord, RunScore, ThreatScore, TruthLog, score_run
from overwatch.scoring.truth import SightingTruth, ThreatTruth

__all__ = [
    "CueRecord",
    "LoadedRun",
    "RunDir",
    "RunDirError",
    "RunManifest",
    "RunScore",
    "SightingTruth",
    "ThreatScore",
    "ThreatTruth",
    "TruthLog",
    "cue_records",
    "load_run",
    "read_cues",
    "read_run_dir",
    "score_run",
]
