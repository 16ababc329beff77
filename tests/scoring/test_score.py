"""Scores of a real run: lead times, misses, false cues and coverage from real files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from overwatch.errors import RunDirError
from overwatch.mission import MissionGeometry, load_mission
from overwatch.planning.model import Trajectory
from overwatch.scoring.run import LoadedRun, load_run
from overwatch.scoring.rundir import read_run_dir
from overwatch.scoring.score import (
    CUED,
    LATE,
    MISSED,
    NOT_REACHED,
    CueRecord,
    RunScore,
    score_run,
    site_watch,
    true_schedule,
)
from overwatch.scoring.truth import TruthLog
from tests.scoring.runbuild import END_S, FLY_FROM_M, FLY_TO_M, MISSIONS, BuiltRun


@pytest.fixture(scope="module")
def loaded(built: BuiltRun) -> LoadedRun:
    run_dir = read_run_dir(built.root)
    return load_run(run_dir, MissionGeometry.of(load_mission(run_dir.manifest.mission)))


@pytest.fixture(scope="module")
def score(loaded: LoadedRun) -> RunScore:
    return loaded.score()


def _threat(score: RunScore, truth_id: str):  # type: ignore[no-untyped-def]
    return next(t for t in score.threats if t.truth_id == truth_id)


def test_a_threat_cued_before_the_patrol_arrives_has_a_positive_lead(
    built: BuiltRun, loaded: LoadedRun, score: RunScore
) -> None:
    t1 = _threat(score, "T1-watcher")
    truth = next(t for t in loaded.truth.threats if t.truth_id == "T1-watcher")
    assert t1.outcome == CUED and not t1.missed
    assert t1.cue_id == built.t1_cue
    # the cue's first sighting was the detector's first true sighting of T1
    assert t1.time_to_cue_s == pytest.approx(built.t1_cue_t_s - truth.appear_s, abs=1e-3)
    assert t1.lead_s == pytest.approx(truth.patrol_arrival_s - built.t1_cue_t_s, abs=1e-3)
    assert t1.lead_s is not None and t1.lead_s > 60
    assert t1.first_sighting_s == pytest.approx(built.t1_cue_t_s)
    assert t1.detector_delay_s == pytest.approx(0.0, abs=1e-3)
    assert t1.cue_status == "acknowledged"


def test_a_threat_the_patrol_passed_uncued_is_missed(score: RunScore) -> None:
    t2 = _threat(score, "T2-pickup")
    assert t2.outcome == MISSED and t2.missed
    assert t2.lead_s is None and t2.cue_id is None
    assert t2.patrol_arrival_s < END_S
    assert score.missed == ("T2-pickup",)


def test_a_threat_beyond_the_end_of_the_run_is_not_reached_not_missed(score: RunScore) -> None:
    t3 = _threat(score, "T3-device")
    assert t3.outcome == NOT_REACHED and not t3.missed
    assert t3.patrol_arrival_s > END_S


def test_the_false_camera_cue_is_counted_and_the_operator_mark_is_not(
    built: BuiltRun, score: RunScore
) -> None:
    assert score.false_cues == (built.false_cue,)
    assert built.mark_cue not in score.false_cues
    assert {c.cue_id for c in score.cues} == {built.t1_cue, built.false_cue, built.mark_cue}


def test_lead_coverage_follows_the_known_flight(score: RunScore) -> None:
    cov = score.coverage
    # the patrol drove about 1.9 km in 300 s; the drone watched 600..1400 m of it in time
    assert 1500 < score.scored_m < 2500
    assert 0.2 < score.lead_coverage < 0.8
    s, f = cov.station_m, cov.station_fraction
    assert f[(s > FLY_FROM_M + 100) & (s < FLY_TO_M - 100)].mean() > 0.9
    assert f[s < FLY_FROM_M - 100].max() == 0.0
    assert f[s > FLY_TO_M + 200].max() == 0.0
    assert score.longest_gap_m > 300
    expected = (FLY_TO_M - FLY_FROM_M) / score.scored_m
    assert score.lead_coverage == pytest.approx(expected, abs=0.12)


def test_a_cue_after_the_patrol_arrived_is_late(loaded: LoadedRun) -> None:
    truth = next(t for t in loaded.truth.threats if t.truth_id == "T2-pickup")
    late = CueRecord(
        "cue-late", "vehicle", truth.lat_deg, truth.lon_deg, 5.0, truth.patrol_arrival_s + 30.0
    )
    s = score_run(loaded.geometry, loaded.truth, [*loaded.cues, late])
    t2 = _threat(s, "T2-pickup")
    assert t2.outcome == LATE and t2.missed
    assert t2.lead_s == pytest.approx(-30.0)
    assert "cue-late" not in s.false_cues


def test_a_cue_of_the_wrong_kind_still_counts_for_the_threat_and_says_so(
    loaded: LoadedRun,
) -> None:
    truth = next(t for t in loaded.truth.threats if t.truth_id == "T2-pickup")
    cue = CueRecord("cue-x", "person", truth.lat_deg + 0.0002, truth.lon_deg, 6.0, 20.0)
    t2 = _threat(score_run(loaded.geometry, loaded.truth, [cue]), "T2-pickup")
    assert t2.outcome == CUED and t2.cue_kind == "person"


def test_a_cue_before_the_threat_appeared_is_not_for_it(loaded: LoadedRun) -> None:
    truth = loaded.truth.threats[1]
    moved = replace(loaded.truth, threats=(replace(truth, appear_s=100.0),))
    cue = CueRecord("cue-early", "vehicle", truth.lat_deg, truth.lon_deg, 5.0, 50.0)
    s = score_run(loaded.geometry, moved, [cue])
    assert s.threats[0].cue_id is None and s.false_cues == ("cue-early",)


def test_the_true_schedule_starts_when_the_patrol_moves_off(loaded: LoadedRun) -> None:
    schedule = true_schedule(loaded.truth, loaded.geometry)
    assert schedule is not None
    # the truth log starts 20 s before the planned start, the patrol leaves on time
    assert float(schedule.arrival_time_s(0.0)) == pytest.approx(0.0, abs=1.5)
    assert np.all(np.diff(schedule.knot_s_m) >= 0)
    assert schedule.length_m == pytest.approx(loaded.truth.patrol_station_m.max())


def test_score_json_round_trips(score: RunScore) -> None:
    doc = json.loads(json.dumps(score.to_json(), allow_nan=False))
    assert doc["missed"] == ["T2-pickup"]
    assert [t["outcome"] for t in doc["threats"]] == [CUED, MISSED, NOT_REACHED]


def test_a_malformed_truth_line_is_named(tmp_path: Path, built: BuiltRun) -> None:
    lines = (built.root / "truth.jsonl").read_text().splitlines()
    bad = tmp_path / "truth.jsonl"
    bad.write_text("\n".join([lines[0], '{"what": "drone", "t_s": 1}', *lines[2:]]) + "\n")
    with pytest.raises(RunDirError, match=r"truth\.jsonl:2: field 'lat_deg' is missing"):
        TruthLog.read(bad)
    bad.write_text(lines[0] + "\nnot json\n")
    with pytest.raises(RunDirError, match=r"truth\.jsonl:2: not JSON"):
        TruthLog.read(bad)
    bad.write_text(lines[0] + "\n")
    with pytest.raises(RunDirError, match="no 'patrol' records"):
        TruthLog.read(bad)


def test_a_truth_log_cut_short_by_a_kill_keeps_every_whole_line(
    tmp_path: Path, built: BuiltRun
) -> None:
    text = (built.root / "truth.jsonl").read_text()
    whole = TruthLog.read(built.root / "truth.jsonl")
    assert whole.torn_lines == 0
    last = text.rstrip("\n").rpartition("\n")[2]
    cut = tmp_path / "truth.jsonl"
    cut.write_text(text + last[: len(last) // 2])  # the simulator killed mid-line
    torn = TruthLog.read(cut)
    assert torn.torn_lines == 1
    assert len(torn.drone_rows) == len(whole.drone_rows)
    assert len(torn.patrol_rows) == len(whole.patrol_rows)
    assert len(torn.threats) == len(whole.threats)
    cut.write_text(text + last[: len(last) // 2] + "\n")  # a whole line that is not JSON
    with pytest.raises(RunDirError, match=r"truth\.jsonl:\d+: not JSON"):
        TruthLog.read(cut)


def test_a_static_watch_is_scored_by_the_share_of_its_duration_the_site_was_in_view() -> None:
    geometry = MissionGeometry.of(load_mission(MISSIONS / "customs-post.yaml"))
    assert geometry.mission.overwatch.static.duration_s == 45 * 60.0
    site = geometry.frame.to_local(14.03, 0.405)
    t = np.arange(0.0, 3600.0, 1.0)
    # over the site, camera straight down, from 100 s on; away from 1000 s to 1300 s
    away = (t >= 1000.0) & (t < 1300.0)
    x = np.where(away, site[0] + 2000.0, site[0])
    drone = Trajectory(
        t_s=t,
        x_m=x,
        y_m=np.full(len(t), site[1]),
        alt_rel_m=np.where(t >= 100.0, 90.0, 0.0),
        yaw_deg=np.zeros(len(t)),
        gimbal_pitch_deg=np.full(len(t), -90.0),
        sortie=np.zeros(len(t), dtype=np.int64),
        watching=np.ones(len(t), dtype=bool),
    )
    watch = site_watch(drone, geometry)
    assert watch.window_s == pytest.approx(2700.0)
    assert watch.watched_s == pytest.approx(2400.0)
    assert watch.fraction == pytest.approx(2400.0 / 2700.0)
    # a run that ended early is scored over what was flown
    short = site_watch(replace(drone, t_s=t[:1000], **_cut(drone, 1000)), geometry)
    assert short.window_s == pytest.approx(899.0) and short.fraction == pytest.approx(1.0)


def _cut(drone: object, n: int) -> dict[str, np.ndarray]:
    names = ("x_m", "y_m", "alt_rel_m", "yaw_deg", "gimbal_pitch_deg", "sortie", "watching")
    return {name: getattr(drone, name)[:n] for name in names}
