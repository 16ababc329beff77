"""``overwatch scenario generate``: files ``overwatch plan`` takes, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from overwatch.cli import main


def test_generate_writes_a_pair_that_plan_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "generate", "--seed", "3", "--out", str(tmp_path)]) == 0
    mission = tmp_path / "generated-3.yaml"
    scenario = tmp_path / "generated-3.scenario.yaml"
    assert mission.is_file() and scenario.is_file()
    said = capsys.readouterr().out
    assert f"wrote {mission}" in said and f"wrote {scenario}" in said
    assert main(["plan", str(mission), "--out", str(tmp_path / "plan")]) == 0
    assert "lead coverage" in capsys.readouterr().out
    assert sorted({p.suffix for p in (tmp_path / "plan").iterdir()}) == [
        ".geojson",
        ".kml",
        ".plan",
        ".png",
        ".waypoints",
    ]


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (["--seed", "3", "--length-km", "0"], "error: --length-km 0: out of range"),
        (["--seed", "-1"], "error: --seed -1: out of range"),
        (["--seed", "three"], "error: --seed 'three': not a number"),
    ],
)
def test_a_bad_option_is_one_error_line_and_exit_2(
    bad: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "generate", *bad, "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(needle), captured.err
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []  # nothing written
