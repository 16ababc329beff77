"""Teams of drones in a mission file: ``vehicles:``, per-vehicle launches, ``overwatch.relief``."""

from __future__ import annotations

from pathlib import Path

import pytest

from overwatch.errors import MissionErrors
from overwatch.mission import Drone, MissionGeometry, load_mission, read_mission
from tests.mission.helpers import BASE, line_of, load_error, mutate, write

MISSIONS = Path(__file__).resolve().parents[2] / "missions"

VEHICLE = """vehicle:
  name: Hexa-1
  cruise_speed: 15 m/s
  max_speed: 20 m/s
  endurance: 35 min
  reserve: 20 %
"""

TEAM = """vehicles:
  - name: Hexa-1
    cruise_speed: 15 m/s
    max_speed: 20 m/s
    endurance: 35 min
    reserve: 20 %
  - name: Quad-2
    sysid: 2
    cruise_speed: 12 m/s
    max_speed: 16 m/s
    endurance: 25 min
    camera: {hfov: 60 deg, vfov: 45 deg}
    launch:
      site: {lat: 14.029500, lon: 0.418000}
      alt_msl: 240 m
"""


def team_text(team: str = TEAM, base: str = BASE) -> str:
    return mutate(VEHICLE, team, base)


def test_a_team_loads_with_its_own_launches(tmp_path: Path) -> None:
    mission = load_mission(write(tmp_path, team_text()))
    assert [v.name for v in mission.vehicles] == ["Hexa-1", "Quad-2"]
    assert [v.sysid for v in mission.vehicles] == [1, 2]
    first, second = mission.drones
    assert first.vehicle is mission.vehicle and first.launch is mission.launch
    assert mission.launch.site.lat_deg == 14.027288  # the mission's launch section
    assert second.launch.site.as_tuple() == (14.0295, 0.418) and second.launch.alt_msl_m == 240
    assert second.vehicle.endurance_s == 25 * 60 and second.vehicle.camera.hfov_deg == 60
    assert mission.relief_mode == "continuous"  # the default with two drones
    assert mission.overwatch.relief.overlap_s == 60.0


def test_a_drone_without_its_own_launch_takes_the_missions(tmp_path: Path) -> None:
    text = team_text(TEAM.replace("    launch:\n      site: {lat: 14.029500, lon: 0.418000}\n"
                                  "      alt_msl: 240 m\n", ""))  # fmt: skip
    mission = load_mission(write(tmp_path, text))
    assert mission.extra_drones[0].launch == mission.launch


def test_the_single_vehicle_form_is_a_team_of_one(tmp_path: Path) -> None:
    legacy = load_mission(write(tmp_path, BASE))
    one = TEAM[: TEAM.index("  - name: Quad-2")]
    listed = load_mission(write(tmp_path, team_text(one), "listed.yaml"))
    assert legacy.drones == (Drone(legacy.vehicle, legacy.launch),)
    assert listed.vehicles == legacy.vehicles and listed.launch == legacy.launch
    assert legacy.relief_mode == listed.relief_mode == "swap"
    assert MissionGeometry.of(listed).frame == MissionGeometry.of(legacy).frame


def test_as_drone_puts_that_drone_first_and_keeps_the_frame(tmp_path: Path) -> None:
    mission = load_mission(write(tmp_path, team_text()))
    view = mission.as_drone(1)
    assert view.vehicle.name == "Quad-2" and view.launch == mission.extra_drones[0].launch
    assert [v.name for v in view.vehicles] == ["Quad-2", "Hexa-1"]
    geo = MissionGeometry.of(mission)
    assert MissionGeometry.of(view).frame == geo.frame
    mine = geo.for_drone(1)
    assert (mine.launch.x, mine.launch.y) == pytest.approx(
        geo.frame.to_local(14.0295, 0.418), abs=1e-6
    )


def test_relief_block(tmp_path: Path) -> None:
    text = team_text().replace(
        "  altitude: 80 m\n", "  altitude: 80 m\n  relief: {mode: swap, overlap: 2 min}\n"
    )
    mission = load_mission(write(tmp_path, text))
    assert mission.relief_mode == "swap" and mission.overwatch.relief.overlap_s == 120.0


def test_duplicate_names_and_sysids_are_located(tmp_path: Path) -> None:
    text = team_text(TEAM.replace("Quad-2", "Hexa-1").replace("    sysid: 2\n", "    sysid: 1\n"))
    err = load_error(tmp_path, text)
    assert isinstance(err, MissionErrors)
    by_field = {e.field: e for e in err.errors}
    name = by_field["vehicles[1].name"]
    assert "two vehicles are named 'Hexa-1'" in name.message
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "- name: Hexa-1" in line]
    assert name.line == lines[1]
    assert name.found == f"'Hexa-1' also at line {lines[0]}"
    sysid = by_field["vehicles[1].sysid"]
    assert "system id 1" in sysid.message and sysid.line == line_of(text, "sysid: 1")
    assert sysid.found is not None and "line" in sysid.found


def test_a_default_sysid_clash_is_located_at_the_vehicle(tmp_path: Path) -> None:
    err = load_error(tmp_path, team_text(TEAM.replace("    sysid: 2\n", "")))
    assert err.field == "vehicles[1]" and "system id 1" in err.message
    assert err.line == line_of(team_text(TEAM.replace("    sysid: 2\n", "")), "name: Quad-2")


def test_vehicle_and_vehicles_together_are_refused(tmp_path: Path) -> None:
    text = team_text(VEHICLE + TEAM)
    err = load_error(tmp_path, text)
    assert err.field == "vehicles" and "both 'vehicle' and 'vehicles'" in err.message
    assert err.line == line_of(text, "  - name: Hexa-1")


def test_an_empty_team_is_refused(tmp_path: Path) -> None:
    err = load_error(tmp_path, team_text("vehicles: []\n"))
    assert err.field == "vehicles" and err.expected is not None and "list" in err.expected


def test_a_drone_with_no_launch_anywhere(tmp_path: Path) -> None:
    text = team_text()
    start = text.index("launch:\n  site: {lat: 14.027288")
    text = text[:start] + text[text.index("airspace:") :]
    err = load_error(tmp_path, text)
    assert err.field == "vehicles[0]" and "no launch site" in err.message
    assert err.line == line_of(text, "  - name: Hexa-1")


def test_continuous_relief_needs_two_drones(tmp_path: Path) -> None:
    text = BASE.replace("  altitude: 80 m\n", "  altitude: 80 m\n  relief: {mode: continuous}\n")
    err = load_error(tmp_path, text)
    assert err.field == "overwatch.relief.mode" and "second drone" in err.message
    assert err.line == line_of(text, "relief: {mode: continuous}")


def test_relief_mistakes_are_all_reported(tmp_path: Path) -> None:
    text = team_text().replace(
        "  altitude: 80 m\n", "  altitude: 80 m\n  relief: {mode: contiuous, overlap: 60}\n"
    )
    err = load_error(tmp_path, text)
    assert isinstance(err, MissionErrors)
    fields = {e.field: e for e in err.errors}
    assert "did you mean 'continuous'" in fields["overwatch.relief.mode"].message
    assert fields["overwatch.relief.overlap"].message == "missing unit"


def test_a_second_launch_site_in_a_keep_out_is_located(tmp_path: Path) -> None:
    text = team_text(TEAM.replace("{lat: 14.029500, lon: 0.418000}", "{lat: 14.0319, lon: 0.4072}"))
    err = load_error(tmp_path, text)
    assert err.field == "vehicles[1].launch.site"
    assert "inside the keep-out area 'fuel depot'" in err.message
    assert err.line == line_of(text, "site: {lat: 14.0319")


def test_a_bad_vehicle_in_the_list_is_located_and_does_not_hide_the_next(tmp_path: Path) -> None:
    text = team_text(TEAM.replace("cruise_speed: 12 m/s", "cruise_sped: 12 m/s"))
    text = text.replace("endurance: 35 min\n    reserve", "endurance: 35\n    reserve")
    err = load_error(tmp_path, text)
    assert isinstance(err, MissionErrors)
    fields = {e.field for e in err.errors}
    assert {"vehicles[0].endurance", "vehicles[1]"} <= fields
    unknown = next(e for e in err.errors if e.field == "vehicles[1]")
    assert "did you mean 'cruise_speed'" in unknown.message


def test_the_relief_example() -> None:
    result = read_mission(MISSIONS / "relief-patrol.yaml")
    assert result.warnings == ()
    mission = result.mission
    assert [v.name for v in mission.vehicles] == ["Hexa-1", "Hexa-2"]
    assert mission.relief_mode == "continuous" and mission.overwatch.relief.overlap_s == 60
    assert mission.extra_drones[0].launch != mission.launch  # the eastern post
    geo = MissionGeometry.of(mission)
    assert geo.schedule.duration_s >= 1.5 * max(v.endurance_s for v in mission.vehicles)
    for i in range(len(mission.drones)):
        assert geo.is_allowed(geo.for_drone(i).launch)
