"""Every kind of bad mission file gives one located, readable MissionError."""

from __future__ import annotations

from pathlib import Path

from overwatch.mission import load_mission
from tests.mission.helpers import BASE, line_of, load_error, mutate, write


def test_base_mission_is_valid(tmp_path: Path) -> None:
    mission = load_mission(write(tmp_path, BASE))
    assert mission.patrol.speed_m_s == 20 / 3.6
    assert mission.vehicle.reserve_fraction == 0.2


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = mutate("  speed: 20 km/h\n", "  speed: [20 km/h\n")
    err = load_error(tmp_path, text)
    assert "YAML syntax error" in err.message
    assert f"began on line {line_of(text, 'speed: [20')}" in err.message
    assert err.file is not None and err.file.endswith("mission.yaml")
    assert (
        err.line is not None
        and line_of(text, "speed: [20") <= err.line <= line_of(text, "speed: [20") + 2
    )


def test_latitude_out_of_range(tmp_path: Path) -> None:
    text = mutate("- [14.033434, 0.420738]", "- [94.033434, 0.420738]")
    err = load_error(tmp_path, text)
    assert err.field == "patrol.route[1][0]"
    assert err.line == line_of(text, "94.033434")
    assert err.found == "94.0334" and err.expected is not None and "[-90, 90]" in err.expected


def test_swapped_pair_gets_a_hint(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: [0.41148, 14.027288]")
    text = text.replace("- [14.034066, 0.424441]", "- [120.5, 14.03]")
    err = load_error(tmp_path, text)
    assert "latitude out of range" in err.message and "[lon, lat]" in err.message


def test_longitude_out_of_range(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("lon: 0.411480}", "lon: 190.5}"))
    assert err.field == "launch.site.lon" and "longitude" in err.message
    assert err.found == "190.5"


def test_self_intersecting_polygon_says_where(tmp_path: Path) -> None:
    text = mutate(
        "        - [14.032350, 0.408055]\n        - [14.032350, 0.406389]\n",
        "        - [14.032350, 0.406389]\n        - [14.032350, 0.408055]\n",
    )
    err = load_error(tmp_path, text)
    assert err.field == "airspace.keep_out[0].polygon"
    assert "intersects itself" in err.message
    assert "edge 0→1 crosses edge 2→3" in err.message
    assert "at lat 14.031898, lon 0.407222" in err.message  # the bow tie's waist
    assert err.line == line_of(text, "- [14.031446, 0.408055]")


def test_route_needs_two_points(tmp_path: Path) -> None:
    start = BASE.index("    - [14.033434")
    end = BASE.index("vehicle:")
    err = load_error(tmp_path, BASE[:start] + BASE[end:])
    assert err.field == "patrol.route"
    assert err.found == "1 point(s)" and "2 or more" in (err.expected or "")


def test_launch_inside_keep_out(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: {lat: 14.0319, lon: 0.4072}")
    err = load_error(tmp_path, text)
    assert err.field == "launch.site"
    assert "inside the keep-out area 'fuel depot'" in err.message
    assert err.line == line_of(text, "site: {lat: 14.0319")


def test_launch_inside_border_buffer(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: {lat: 14.0300, lon: 0.3985}")
    err = load_error(tmp_path, text)
    assert err.field == "launch.site"
    assert "buffer of the border 'Niger–Burkina Faso'" in err.message
    assert err.found is not None and err.found.endswith("m from the border")


def test_with_patrol_launch_in_keep_out_names_the_route(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: with_patrol")
    text = mutate("- [14.034066, 0.424441]", "- [14.0319, 0.4072]", text)
    err = load_error(tmp_path, text)
    assert err.field == "launch.site (with_patrol: patrol.route[0])"
    assert "fuel depot" in err.message


def test_route_crossing_the_border(tmp_path: Path) -> None:
    text = mutate("- [14.030000, 0.405000]", "- [14.030000, 0.390000]")
    err = load_error(tmp_path, text)
    assert err.field == "patrol.route"
    assert "crosses the border 'Niger–Burkina Faso'" in err.message
    assert "patrol.route[3] and point 4" in err.message


def test_route_inside_the_buffer_is_a_warning(tmp_path: Path) -> None:
    from overwatch.mission import read_mission

    text = mutate("- [14.030000, 0.405000]", "- [14.030000, 0.3985]")
    result = read_mission(write(tmp_path, text))
    assert len(result.warnings) == 1
    warning = str(result.warnings[0])
    assert "patrol.route" in warning and "inside its 300 m buffer" in warning


def test_missing_route_file(tmp_path: Path) -> None:
    text = BASE.replace(
        BASE[BASE.index("  route:\n") : BASE.index("vehicle:")],
        "  route: {file: routes/nowhere.geojson}\n",
    )
    err = load_error(tmp_path, text)
    assert err.message == "line file not found"
    assert err.field == "patrol.route.file"
    assert err.found is not None and err.found.endswith("routes/nowhere.geojson")
    assert err.line == line_of(text, "nowhere.geojson")


def test_route_file_that_is_not_a_line(tmp_path: Path) -> None:
    (tmp_path / "area.geojson").write_text(
        '{"type": "Polygon", "coordinates": [[[0.4, 14.0], [0.41, 14.0], [0.41, 14.01], '
        "[0.4, 14.0]]]}"
    )
    text = BASE.replace(
        BASE[BASE.index("  route:\n") : BASE.index("vehicle:")],
        "  route: {file: area.geojson}\n",
    )
    err = load_error(tmp_path, text)
    assert err.message == "not a line"
    assert err.file is not None and err.file.endswith("area.geojson")
    assert err.found == "0 LineStrings among: Polygon"


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = mutate("  cruise_speed: 15 m/s", "  cruise_sped: 15 m/s")
    err = load_error(tmp_path, text)
    assert "unknown key 'cruise_sped' (did you mean 'cruise_speed'?)" in err.message
    assert err.field == "vehicle"
    assert err.line == line_of(text, "cruise_sped") and err.column == 3


def test_bare_number_needs_a_unit(tmp_path: Path) -> None:
    text = mutate("  altitude: 80 m", "  altitude: 80")
    err = load_error(tmp_path, text)
    assert str(err).endswith(
        "overwatch.altitude: missing unit (found 80 (a bare number); "
        "expected a length with a unit, e.g. '80 m' or '1.2 km')"
    )
    assert err.line == line_of(text, "  altitude: 80") and err.column == 13


def test_wrong_unit_kind(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("  altitude: 80 m", "  altitude: 80 km/h"))
    assert err.field == "overwatch.altitude"
    assert err.found == "'80 km/h' (a speed)"
    assert err.expected is not None and err.expected.startswith("a length with a unit")


def test_halt_beyond_the_end_of_the_route(tmp_path: Path) -> None:
    text = mutate("vehicle:", "  halts:\n    - {at: 12 km, duration: 5 min}\nvehicle:")
    err = load_error(tmp_path, text)
    assert err.field == "patrol.halts[0].at"
    assert "beyond the end of the route" in err.message
    assert err.found == "12000 m along the route"
    assert err.expected is not None and "2" in err.expected


def test_halt_point_far_from_the_route(tmp_path: Path) -> None:
    text = mutate("vehicle:", "  halts:\n    - {at: [14.05, 0.42], duration: 5 min}\nvehicle:")
    err = load_error(tmp_path, text)
    assert err.field == "patrol.halts[0].at" and "too far from the route" in err.message


def test_lead_window_must_not_be_empty(tmp_path: Path) -> None:
    text = mutate("  altitude: 80 m\n", "  altitude: 80 m\n  lead_min: 5 min\n  lead_max: 300 s\n")
    err = load_error(tmp_path, text)
    assert err.field == "overwatch.lead_min"
    assert err.found == "lead_min 300 s ≥ lead_max 300 s"


def test_reserve_of_100_percent(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("reserve: 20 %", "reserve: 100 %"))
    assert err.field == "vehicle.reserve" and err.found == "100 %"


def test_missing_required_field(tmp_path: Path) -> None:
    text = mutate("  endurance: 35 min\n", "")
    err = load_error(tmp_path, text)
    assert err.field == "vehicle" and "missing required key 'endurance'" in err.message
    assert err.line == line_of(text, "  name: Hexa-1")


def test_missing_section(tmp_path: Path) -> None:
    start, end = BASE.index("launch:"), BASE.index("airspace:")
    err = load_error(tmp_path, BASE[:start] + BASE[end:])
    assert "missing required section 'launch'" in err.message


def test_unknown_strategy_suggests(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("strategy: lead", "strategy: escrot"))
    assert "unknown strategy 'escrot' (did you mean 'escort'?)" in err.message
    assert err.field == "overwatch.strategy"


def test_bad_timestamp(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("2026-12-03T14:00:00Z", "2026-13-03T14:00:00Z"))
    assert err.field == "patrol.start" and err.message == "bad timestamp"
    assert "ISO 8601" in (err.expected or "")


def test_timestamp_without_timezone(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("2026-12-03T14:00:00Z", "2026-12-03T14:00:00"))
    assert err.field == "patrol.start" and "no timezone" in err.message


def test_unknown_schema_version(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("schema_version: 1", "schema_version: 2"))
    assert "unsupported schema version 2" in err.message
    assert err.line == 1 and err.expected == "schema_version: 1"


def test_missing_schema_version(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("schema_version: 1\n", ""))
    assert "schema_version" in err.message


def test_duplicate_key(tmp_path: Path) -> None:
    text = mutate("  speed: 20 km/h\n", "  speed: 20 km/h\n  speed: 25 km/h\n")
    err = load_error(tmp_path, text)
    assert "duplicate key 'speed'" in err.message
    assert err.line == line_of(text, "speed: 25")


def test_overlapping_leg_ranges(tmp_path: Path) -> None:
    legs = (
        "  legs:\n    - {from: 0, to: 2, speed: 10 km/h}\n    - {from: 1, to: 3, speed: 5 km/h}\n"
    )
    err = load_error(tmp_path, mutate("  route:\n", legs + "  route:\n"))
    assert err.field == "patrol.legs[1]" and "leg 1" in err.message


def test_leg_speeds_are_applied(tmp_path: Path) -> None:
    legs = "  legs:\n    - {from: 1, to: 3, speed: 36 km/h}\n"
    mission = load_mission(write(tmp_path, mutate("  route:\n", legs + "  route:\n")))
    assert mission.patrol.leg_speeds_m_s == (20 / 3.6, 10.0, 10.0, 20 / 3.6)


def test_altitude_outside_the_band(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("  altitude: 80 m", "  altitude: 150 m"))
    assert err.field == "overwatch.altitude" and "altitude band" in err.message


def test_cruise_faster_than_max(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("cruise_speed: 15 m/s", "cruise_speed: 25 m/s"))
    assert err.field == "vehicle.cruise_speed"


def test_missing_mission_file(tmp_path: Path) -> None:
    from overwatch.errors import MissionError

    try:
        load_mission(tmp_path / "none.yaml")
    except MissionError as err:
        assert err.message == "mission file not found"
    else:
        raise AssertionError("no error")


def test_static_orbit_into_keep_out(tmp_path: Path) -> None:
    text = mutate(
        "  altitude: 80 m\n",
        "  altitude: 80 m\n  static: {site: [14.0300, 0.4050], orbit_radius: 250 m}\n",
    )
    err = load_error(tmp_path, text)
    assert err.field == "overwatch.static.site" and "250 m orbit" in err.message


def test_zero_length_route(tmp_path: Path) -> None:
    start, end = BASE.index("    - [14.034066"), BASE.index("vehicle:")
    text = BASE[:start] + "    - [14.03, 0.41]\n    - [14.03, 0.41]\n" + BASE[end:]
    err = load_error(tmp_path, text)
    assert err.field == "patrol.route" and "zero length" in err.message


def test_halts_come_out_sorted_along_the_route(tmp_path: Path) -> None:
    halts = "  halts:\n    - {at: 1.5 km, duration: 1 min}\n    - {at: 200 m, duration: 2 min}\n"
    mission = load_mission(write(tmp_path, mutate("vehicle:", halts + "vehicle:")))
    assert [(h.at_m, h.duration_s) for h in mission.patrol.halts] == [
        (200.0, 120.0),
        (1500.0, 60.0),
    ]


def test_static_strategy_checks_the_default_site(tmp_path: Path) -> None:
    # the route now ends inside the depot: the default static site is forbidden
    text = mutate("- [14.030000, 0.405000]", "- [14.0319, 0.4072]")
    text = mutate("strategy: lead", "strategy: static", text)
    err = load_error(tmp_path, text)
    assert err.field == "overwatch" and "the route's last point" in err.message
    assert "fuel depot" in err.message


def test_exponent_numbers_are_numbers(tmp_path: Path) -> None:
    text = mutate(
        "site: {lat: 14.027288, lon: 0.411480}", "site: {lat: 1.4027288e1, lon: 4.1148e-1}"
    )
    assert load_mission(write(tmp_path, text)).launch.site.lat_deg == 14.027288


def test_text_where_a_number_belongs(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("lat: 14.027288,", "lat: north,"))
    assert err.field == "launch.site.lat" and err.found == "'north'"
    assert err.expected == "a number"


def test_mapping_where_a_quantity_belongs(tmp_path: Path) -> None:
    err = load_error(tmp_path, mutate("  speed: 20 km/h", "  speed:\n    value: 3"))
    assert err.field == "patrol.speed" and err.found == "a mapping"
    assert err.expected == "a speed with a unit, e.g. '15 m/s' or '30 km/h'"


def test_version_is_checked_before_keys(tmp_path: Path) -> None:
    text = mutate("schema_version: 1\n", "schema_version: 2\nsensors: {lidar: true}\n")
    err = load_error(tmp_path, text)
    assert "unsupported schema version 2" in err.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    err = load_error(tmp_path, "- schema_version: 1\n")
    assert err.line == 1 and err.found == "a list of 1 item(s)"


def test_bad_launch_site_word(tmp_path: Path) -> None:
    text = mutate("site: {lat: 14.027288, lon: 0.411480}", "site: with_the_patrol")
    err = load_error(tmp_path, text)
    assert err.field == "launch.site" and err.expected == "'with_patrol' or a point {lat, lon}"


def test_the_live_floor_is_a_share_of_the_plan(tmp_path: Path) -> None:
    assert load_mission(write(tmp_path, BASE)).overwatch.live_floor == 0.7
    text = mutate("  altitude: 80 m\n", "  altitude: 80 m\n  live_floor: 90 %\n")
    assert load_mission(write(tmp_path, text)).overwatch.live_floor == 0.9
    text = mutate("  altitude: 80 m\n", "  altitude: 80 m\n  live_floor: 150 %\n")
    err = load_error(tmp_path, text)
    assert err.field == "overwatch.live_floor" and err.line == line_of(text, "live_floor")
    assert err.found == "150 %" and err.expected is not None and "at most 100 %" in err.expected


def test_recovery_defaults_to_the_launch_and_is_checked(tmp_path: Path) -> None:
    site = "site: {lat: 14.027288, lon: 0.411480}"
    base = load_mission(write(tmp_path, BASE)).launch
    assert base.recovery is None and base.recovery_mode == "rally"
    patrol = load_mission(write(tmp_path, mutate(site, "site: with_patrol"))).launch
    assert patrol.recovery_mode == "with_patrol" and patrol.recovers_with_patrol
    text = mutate(site, f"{site}\n  recovery: with_patrol")
    assert load_mission(write(tmp_path, text)).launch.recovers_with_patrol
    text = mutate(site, f"{site}\n  recovery: with_the_patrol")
    err = load_error(tmp_path, text)
    assert err.field == "launch.recovery" and err.line == line_of(text, "with_the_patrol")
    assert "did you mean 'with_patrol'" in err.message
    assert err.expected == "one of with_patrol, launch, rally"
    text = mutate(site, f"{site}\n  recovery: rally")
    err = load_error(tmp_path, text)
    assert err.field == "launch.recovery" and err.message.startswith("no rally point")
