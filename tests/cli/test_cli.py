"""The command line as a user meets it: real subprocesses, exit codes, messages, files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from overwatch.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
MISSIONS = ROOT / "missions"


def overwatch(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "overwatch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_help_lists_every_command_and_each_command_has_help() -> None:
    top = overwatch("--help")
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout
        sub = overwatch(name, "--help")
        assert sub.returncode == 0, sub.stderr
        assert "usage: overwatch " + name in sub.stdout


@pytest.mark.parametrize("name", ["vehicle-patrol", "foot-patrol", "customs-post"])
def test_validate_accepts_the_examples(name: str) -> None:
    result = overwatch("validate", str(MISSIONS / f"{name}.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok ")


def test_a_bad_mission_exits_2_with_file_line_and_field_and_no_traceback(tmp_path: Path) -> None:
    text = (MISSIONS / "customs-post.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("altitude: 90 m", "altitude: 90", 1))
    assert text != bad.read_text(), "the example changed: pick another line to break"
    result = overwatch("validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "altitude: 90" in t)
    assert f"bad.yaml:{line}:" in result.stderr
    assert "overwatch.altitude" in result.stderr and "unit" in result.stderr


def test_a_missing_file_exits_2() -> None:
    result = overwatch("plan", "no/such/mission.yaml")
    assert result.returncode == 2
    assert "not found" in result.stderr and "Traceback" not in result.stderr


def test_unknown_options_are_refused() -> None:
    result = overwatch("validate", str(MISSIONS / "foot-patrol.yaml"), "--frobnicate")
    assert result.returncode == 2
    assert "unrecognized arguments: --frobnicate" in result.stderr


def test_plan_prints_the_summary_and_writes_every_format(tmp_path: Path) -> None:
    result = overwatch("plan", str(MISSIONS / "vehicle-patrol.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "lead coverage" in result.stdout and "FOLLOW baseline" in result.stdout
    suffixes = sorted({p.suffix for p in tmp_path.iterdir()})
    assert suffixes == [".geojson", ".kml", ".plan", ".png", ".waypoints"]
    plan_file = next(tmp_path.glob("*.plan"))
    doc = json.loads(plan_file.read_text())
    assert doc["fileType"] == "Plan" and doc["mission"]["items"]
    png = next(tmp_path.glob("*.png")).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


def test_validate_names_a_team() -> None:
    result = overwatch("validate", str(MISSIONS / "relief-patrol.yaml"))
    assert result.returncode == 0, result.stderr
    assert "2 drones (Hexa-1, Hexa-2), continuous relief" in result.stdout
    single = overwatch("validate", str(MISSIONS / "vehicle-patrol.yaml"))
    assert "drones" not in single.stdout


def test_plan_of_a_team_prints_each_drone_and_writes_its_files(tmp_path: Path) -> None:
    result = overwatch("plan", str(MISSIONS / "relief-patrol.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 drones, continuous relief" in out and "one drone, swaps" in out
    assert "lead coverage" in out and "longest unwatched" in out
    for name in ("Hexa-1", "Hexa-2"):
        assert name in out
        assert len(list(tmp_path.glob(f"*-{name.lower()}-sortie*.plan"))) >= 1
        assert len(list(tmp_path.glob(f"*-{name.lower()}-sortie*.waypoints"))) >= 1
    assert "reserve at each" in out and "(floor 20 %)" in out
    reliefs = re.findall(
        r"^  relief at km [\d.]+: (Hexa-\d) .* (Hexa-\d) .*: (\d+) s together$", out, re.M
    )
    assert len(reliefs) >= 2
    assert all(fresh != tired and int(s) >= 60 for fresh, tired, s in reliefs)
    suffixes = sorted({p.suffix for p in tmp_path.iterdir()})
    assert suffixes == [".geojson", ".kml", ".plan", ".png", ".waypoints"]
    assert len(list(tmp_path.glob("*.geojson"))) == 1  # one for the whole team


def test_plan_strategy_override(tmp_path: Path) -> None:
    result = overwatch(
        "plan",
        str(MISSIONS / "vehicle-patrol.yaml"),
        "--strategy",
        "escort",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "strategy 'escort'" in result.stdout
    assert all("escort" in p.name for p in tmp_path.iterdir())


def test_sim_refuses_home_options_because_home_comes_from_the_mission() -> None:
    result = overwatch("sim", str(MISSIONS / "vehicle-patrol.yaml"), "--lat", "1.0")
    assert result.returncode == 2
    assert "home comes from the mission" in result.stderr


def test_the_readme_table_lists_every_command_in_help_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Commands") :].split("\n\n", 3)[2]
    rows = [line for line in table.splitlines() if line.startswith("| `overwatch ")]
    named = [row.split("`overwatch ", 1)[1].split()[0].rstrip("`") for row in rows]
    assert named == list(COMMANDS)
