"""Honest exit codes and literal messages: 0 only when the job was done, text never eaten as markup.

``validate``, ``plan``, ``score`` and ``fly --dry-run`` run as real child
processes; 0 is checked against what the job leaves behind, 2 against a
located one-line error without a traceback. The ``fly`` successes (0 with
the plan on the vehicle) are in tests/flight/test_fly.py and
tests/cli/test_base_install.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.console import Console

from overwatch.cli import print_error
from overwatch.errors import MissionError, MissionErrors
from tests.mission.helpers import BASE, line_of, mutate, write

ROOT = Path(__file__).resolve().parents[2]
MISSIONS = ROOT / "missions"
SHORT_ROAD = ROOT / "tests" / "flight" / "short-road.yaml"


def overwatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "overwatch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"COLUMNS": "300", "NO_COLOR": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def assert_one_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


# -- literal text --------------------------------------------------------------------


def test_expected_texts_keep_their_brackets(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: 14.027288")
    text = mutate(
        "  cruise_speed: 15 m/s", "  cruise_speed: 15 m/s\n  camera: {resolution: huge}", text
    )
    path = write(tmp_path, text)
    done = overwatch("validate", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("error: ") == 2
    assert f"{path}:{line_of(text, 'resolution: huge')}:" in done.stderr
    assert "'1280x720' or [1280, 720] (pixels)" in done.stderr


def test_a_point_error_prints_its_lat_lon_pair(tmp_path: Path) -> None:
    text = mutate("    - [14.033434, 0.420738]", "    - [14.033434]")
    done = overwatch("validate", str(write(tmp_path, text)), cwd=tmp_path)
    line = assert_one_error(done, "patrol.route[1]: not a point")
    assert line.endswith(
        "(found a list of 1 item(s); expected a point {lat: 13.52, lon: 1.07} or a pair "
        "[lat, lon] in degrees)"
    )


def test_names_from_the_file_print_literally(tmp_path: Path) -> None:
    text = mutate("name: test mission", "name: '[bold]Konni[/bold] [lat, lon]'")
    text = mutate("  callsign: T-1", "  callsign: '[red]T-1'", text)
    out = tmp_path / "out"
    done = overwatch("validate", str(write(tmp_path, text)), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "'[bold]Konni[/bold] [lat, lon]', patrol [red]T-1 " in done.stdout
    planned = overwatch("plan", str(tmp_path / "mission.yaml"), "--out", str(out), cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert "[bold]Konni[/bold] [lat, lon] — strategy 'lead'" in planned.stdout


def test_print_error_escapes_every_line() -> None:
    console = Console(record=True, width=300, color_system=None)
    several = MissionErrors(
        [
            MissionError("b", file="m.yaml", line=9, field="x", expected="[lat, lon]"),
            MissionError("a [bold]", file="m.yaml", line=3, found="[/]"),
        ]
    )
    print_error(console, several)
    assert console.export_text().splitlines() == [
        "error: m.yaml:3: a [bold] (found [/])",
        "error: m.yaml:9: x: b (expected [lat, lon])",
    ]


# -- validate --------------------------------------------------------------------------


def test_validate_exit_codes(tmp_path: Path) -> None:
    good = overwatch("validate", str(write(tmp_path, BASE)), cwd=tmp_path)
    assert good.returncode == 0 and good.stdout.startswith("ok "), good.stderr
    missing = overwatch("validate", str(tmp_path / "nowhere.yaml"), cwd=tmp_path)
    assert_one_error(missing, "nowhere.yaml", "mission file not found")
    empty = write(tmp_path, "", "empty.yaml")
    assert_one_error(overwatch("validate", str(empty), cwd=tmp_path), "the mission file is empty")


# -- plan ------------------------------------------------------------------------------


def test_plan_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = overwatch("plan", str(MISSIONS / "customs-post.yaml"), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {p.suffix for p in out.iterdir()} == {".plan", ".waypoints", ".geojson", ".kml", ".png"}
    bad = write(tmp_path, mutate("  speed: 20 km/h\n", "  speed: 20\n"))
    refused_out = tmp_path / "refused"
    assert_one_error(
        overwatch("plan", str(bad), "--out", str(refused_out), cwd=tmp_path), "missing unit"
    )
    assert not refused_out.exists()  # nothing half-written for a refused mission
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_error(
        overwatch("plan", str(MISSIONS / "customs-post.yaml"), "--out", str(blocker), cwd=tmp_path),
        "cannot create the export folder",
    )


# -- score -----------------------------------------------------------------------------


def test_score_exit_codes(tmp_path: Path) -> None:
    assert_one_error(overwatch("score", str(tmp_path), cwd=tmp_path), "run.json")
    absent = overwatch("score", str(tmp_path / "none"), cwd=tmp_path)
    assert absent.returncode == 2 and "Traceback" not in absent.stderr


# -- fly --dry-run ---------------------------------------------------------------------


def test_fly_dry_run_without_a_vehicle_exits_2(tmp_path: Path) -> None:
    silent = overwatch(
        "fly", str(SHORT_ROAD), "--connect", "udpin:127.0.0.1:0", "--dry-run",
        "--ready-timeout", "1", cwd=tmp_path,
    )  # fmt: skip
    assert_one_error(silent, "no vehicle heartbeat on udpin:127.0.0.1:", "within 1 s")
    assert "dry run" not in silent.stdout
    refused = overwatch(
        "fly", str(SHORT_ROAD), "--connect", "tcp:127.0.0.1:9", "--dry-run", cwd=tmp_path
    )
    assert_one_error(refused, "tcp:127.0.0.1:9: cannot connect")


def test_fly_with_a_bad_mission_exits_2_before_connecting(tmp_path: Path) -> None:
    bad = write(tmp_path, mutate("  speed: 20 km/h\n", "  speed: 20\n"))
    done = overwatch("fly", str(bad), "--connect", "tcp:127.0.0.1:9", "--dry-run", cwd=tmp_path)
    assert_one_error(done, "patrol.speed: missing unit")
    assert "connecting" not in done.stdout
