"""``python -m overwatch.tui``: a bad mission is one clear line and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from overwatch.tui.__main__ import main


def test_missing_mission_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(tmp_path / "nowhere.yaml")]) == 2
    err = capsys.readouterr().err
    assert "nowhere.yaml" in err and "Traceback" not in err


def test_broken_mission_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\npatrol: [1, 2\n", encoding="utf-8")
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bad.yaml" in err
