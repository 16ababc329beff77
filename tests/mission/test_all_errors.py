"""A mission file with several mistakes gets all of them, located and sorted, in one reading."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from overwatch.errors import MAX_REPORTED_ERRORS, MissionError, MissionErrors
from overwatch.mission import load_mission
from tests.mission.helpers import BASE, line_of, mutate, write

ROOT = Path(__file__).resolve().parents[2]
LOCATED = re.compile(r"^error: (?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<field>[\w.\[\]]+): ")


def four_mistakes() -> str:
    """The base mission with four mistakes in three sections, none of them the first line."""
    text = mutate("  speed: 20 km/h\n", "  speed: 20\n")  # patrol: missing unit
    text = mutate("    - [14.033434, 0.420738]", "    - [94.033434, 0.420738]", text)  # latitude
    text = mutate("  cruise_speed: 15 m/s", "  cruise_sped: 15 m/s", text)  # misspelt key
    return mutate("  altitude: 80 m\n", "  altitude: 80 km/h\n", text)  # wrong unit


def expected_lines(text: str) -> list[int]:
    return sorted(
        line_of(text, needle)
        for needle in ("  speed: 20\n".strip(), "94.033434", "cruise_sped", "80 km/h")
    )


def test_four_mistakes_give_four_located_errors_sorted_by_line(tmp_path: Path) -> None:
    text = four_mistakes()
    with pytest.raises(MissionErrors) as info:
        load_mission(write(tmp_path, text))
    errors = info.value.errors
    assert [e.line for e in errors] == expected_lines(text)
    assert [e.field for e in errors] == [
        "patrol.speed",
        "patrol.route[1][0]",
        "vehicle",
        "overwatch.altitude",
    ]
    assert errors[0].message == "missing unit"
    assert errors[1].found == "94.0334"
    assert "did you mean 'cruise_speed'" in errors[2].message
    assert errors[3].message == "wrong unit"
    # it is a MissionError too, located at the first mistake
    assert isinstance(info.value, MissionError) and info.value.line == errors[0].line


def test_the_command_line_prints_the_four_and_exits_2(tmp_path: Path) -> None:
    text = four_mistakes()
    path = write(tmp_path, text)
    done = subprocess.run(
        [sys.executable, "-m", "overwatch", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "300", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 4, done.stderr
    located = [LOCATED.match(line) for line in lines]
    assert all(located), lines
    assert [int(m["line"]) for m in located if m] == expected_lines(text)
    assert {m["file"] for m in located if m} == {str(path)}
    # the expected text keeps its brackets: it is printed literally, not as markup
    assert "(found 94.0334; expected degrees in [-90, 90])" in lines[1]


def test_a_sound_section_is_not_reported(tmp_path: Path) -> None:
    text = mutate("  speed: 20 km/h\n", "  speed: 20\n")
    with pytest.raises(MissionError) as info:
        load_mission(write(tmp_path, text))
    assert not isinstance(info.value, MissionErrors)
    assert info.value.field == "patrol.speed"


def test_cross_section_checks_wait_for_sound_sections(tmp_path: Path) -> None:
    # the launch site inside the depot keep-out is a clash between sections; with a
    # broken vehicle section only the section's own mistake is reported
    clash = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: {lat: 14.0319, lon: 0.4072}")
    with pytest.raises(MissionError) as info:
        load_mission(write(tmp_path, mutate("  endurance: 35 min", "  endurance: 35", clash)))
    assert info.value.field == "vehicle.endurance"
    assert not isinstance(info.value, MissionErrors)
    # once the sections are sound, the clash is found
    with pytest.raises(MissionError, match="inside the keep-out area 'fuel depot'"):
        load_mission(write(tmp_path, clash))


def test_every_cross_section_clash_is_reported(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: {lat: 14.0319, lon: 0.4072}")
    text = mutate("  altitude: 80 m\n", "  altitude: 150 m\n", text)
    with pytest.raises(MissionErrors) as info:
        load_mission(write(tmp_path, text))
    messages = [e.message for e in info.value.errors]
    assert any("inside the keep-out area 'fuel depot'" in m for m in messages)
    assert any("outside the airspace's altitude band" in m for m in messages)
    assert len(messages) == 2


def test_past_the_limit_the_rest_is_counted(tmp_path: Path) -> None:
    many = MAX_REPORTED_ERRORS + 5
    route = "".join(f"    - [9{i}.5, 0.4]\n" for i in range(many))
    text = BASE.replace("    - [14.034066, 0.424441]\n", route + "    - [14.034066, 0.424441]\n", 1)
    with pytest.raises(MissionErrors) as info:
        load_mission(write(tmp_path, text))
    assert len(info.value.errors) == many
    shown = info.value.lines()
    assert len(shown) == MAX_REPORTED_ERRORS + 1
    assert shown[-1] == "and 5 more errors"
    assert all("latitude out of range" in line for line in shown[:-1])
    lines = [e.line for e in info.value.errors]
    assert lines == sorted(lines)


def test_a_broken_launch_does_not_hide_a_halt_beyond_the_route(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: somewhere")
    text = mutate("  route:\n", "  halts:\n    - {at: 90 km, duration: 5 min}\n  route:\n", text)
    with pytest.raises(MissionErrors) as info:
        load_mission(write(tmp_path, text))
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("patrol.halts[0].at", "the halt lies beyond the end of the route"),
        ("launch.site", "unknown launch site"),
    ]
