"""``overwatch score``: the table, the bundle, and one clear line for a bad run directory."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from overwatch.cli import main
from tests.scoring.runbuild import BuiltRun


def _copy(built: BuiltRun, tmp_path: Path) -> Path:
    root = tmp_path / "run"
    shutil.copytree(built.root, root, ignore=shutil.ignore_patterns("aar"))
    return root


def test_score_prints_the_table_and_writes_the_bundle(
    built: BuiltRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    assert main(["score", str(built.root), "--out", str(out), "--footprint-every", "30"]) == 0
    text = capsys.readouterr().out
    assert "T1-watcher" in text and "T2-pickup" in text and "T3-device" in text
    assert "missed" in text and "not reached" in text and "cued" in text
    assert "false cues 1 of 3" in text and "goat herd" in text
    assert "lead coverage" in text
    for name in ("run.geojson", "run.kml", "score.json", "run-map.png", "coverage.png",
                 "flight.tlog"):  # fmt: skip
        assert (out / name).is_file(), name


def test_score_writes_to_run_dir_aar_by_default(built: BuiltRun, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    (root / "flight.tlog").unlink()
    assert main(["score", str(root)]) == 0
    assert (root / "aar" / "score.json").is_file()
    assert not (root / "aar" / "flight.tlog").exists()
    assert json.loads((root / "aar" / "score.json").read_text())["tlog"] is None


def test_score_keeps_a_truth_log_cut_short_and_says_so(
    built: BuiltRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(built, tmp_path)
    truth = root / "truth.jsonl"
    with truth.open("a") as log:
        log.write('{"what": "drone", "t_s": 9')  # the simulator killed mid-line
    assert main(["score", str(root), "--footprint-every", "30"]) == 0
    text = capsys.readouterr().out
    assert "the last line was cut short" in text
    assert "T1-watcher" in text and "false cues 1 of 3" in text


def _bad_json(root: Path) -> None:
    (root / "run.json").write_text('{"mission": "x.yaml",\n  "mode": lead}\n')


def _bad_mode(root: Path) -> None:
    data = json.loads((root / "run.json").read_text())
    (root / "run.json").write_text(json.dumps({**data, "mode": "chase"}))


def _missing_mission(root: Path) -> None:
    data = json.loads((root / "run.json").read_text())
    (root / "run.json").write_text(json.dumps({**data, "mission": "nowhere.yaml"}))


def _bad_time(root: Path) -> None:
    data = json.loads((root / "run.json").read_text())
    (root / "run.json").write_text(json.dumps({**data, "started_utc": "tuesday"}))


def _bad_truth(root: Path) -> None:
    lines = (root / "truth.jsonl").read_text().splitlines()
    (root / "truth.jsonl").write_text("\n".join([lines[0], '{"what": "patrol"}']) + "\n")


def _no_truth_or_track(root: Path) -> None:
    (root / "truth.jsonl").unlink()
    (root / "track.jsonl").unlink(missing_ok=True)


def _garbage_cues(root: Path) -> None:
    (root / "cues.sqlite").write_bytes(b"this is not a database, just text " * 100)


CASES: list[tuple[str, Callable[[Path], None], tuple[str, ...]]] = [
    ("no run.json", lambda r: (r / "run.json").unlink(),
     ("run.json: missing", "run manifest")),
    ("no truth, no track", _no_truth_or_track,
     ("neither truth.jsonl nor track.jsonl", "ground truth", "overwatch run")),
    ("no cues", lambda r: (r / "cues.sqlite").unlink(), ("cues.sqlite: missing", "cue store")),
    ("bad JSON", _bad_json, ("run.json:2:", "not valid JSON", "expected a JSON object")),
    ("bad mode", _bad_mode, ("field 'mode'", "'chase'", "lead, escort, bounding, static, follow")),
    ("no mission", _missing_mission, ("field 'mission'", "nowhere.yaml", "does not exist")),
    ("bad time", _bad_time, ("field 'started_utc'", "ISO 8601")),
    ("bad truth", _bad_truth, ("truth.jsonl:2:", "field 't_s' is missing")),
    ("garbage cues", _garbage_cues, ("cues.sqlite: not a cue store", "SQLite")),
]  # fmt: skip


@pytest.mark.parametrize(("spoil", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_run_dir_gets_one_clear_line_and_exit_2(
    built: BuiltRun,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spoil: Callable[[Path], None],
    expected: tuple[str, ...],
) -> None:
    root = _copy(built, tmp_path)
    spoil(root)
    assert main(["score", str(root)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error:")
    for part in expected:
        assert part in err, f"{part!r} not in {err!r}"
    assert not (root / "aar").exists()


def test_a_missing_or_wrong_run_dir_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(tmp_path / "nope")]) == 2
    assert "nope: no such run directory" in capsys.readouterr().err
    file = tmp_path / "file.txt"
    file.write_text("x")
    assert main(["score", str(file)]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert main(["score", str(tmp_path)]) == 2
    assert "run.json: missing" in capsys.readouterr().err


def test_a_bad_footprint_spacing_is_refused(
    built: BuiltRun, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(built.root), "--footprint-every", "0"])
    assert exit_info.value.code == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err
