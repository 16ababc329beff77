"""write_team: per drone and sortie mission files, GeoJSON and KML holding every drone."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from overwatch.formats import read_qgc_plan, read_waypoints, team_stem, write_all, write_team
from overwatch.formats.kml import KML_NS
from overwatch.mission import load_mission
from overwatch.planning import TeamPlan, plan_team
from overwatch.planning.model import Plan
from tests.formats.helpers import assert_same_items, layer_counts, ogrinfo

EXAMPLE = Path(__file__).resolve().parents[2] / "missions" / "relief-patrol.yaml"
STEM = "konni-border-road-relief-patrol-lead"


@pytest.fixture(scope="module")
def team() -> TeamPlan:
    return plan_team(load_mission(EXAMPLE))


@pytest.fixture(scope="module")
def written(team: TeamPlan, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_team(team, tmp_path_factory.mktemp("team"), footprint_every_s=30.0)


@pytest.fixture(scope="module")
def doc(written: list[Path]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(written[-2].read_text(encoding="utf-8"))
    return result


def test_one_mission_file_pair_per_drone_and_sortie(team: TeamPlan, written: list[Path]) -> None:
    expected = [
        f"{STEM}-{drone}-sortie{n}{suffix}"
        for drone, plan in zip(("hexa-1", "hexa-2"), team.drones, strict=True)
        for n in range(1, len(plan.sorties) + 1)
        for suffix in (".plan", ".waypoints")
    ]
    assert [p.name for p in written] == [*expected, f"{STEM}.geojson", f"{STEM}.kml"]
    assert team_stem(team.drones[1]) == f"{STEM}-hexa-2"


def test_each_drones_files_hold_its_own_sorties(team: TeamPlan, written: list[Path]) -> None:
    by_name = {p.name: p for p in written}
    for drone, plan in zip(("hexa-1", "hexa-2"), team.drones, strict=True):
        for sortie in plan.sorties:
            base = f"{STEM}-{drone}-sortie{sortie.index + 1}"
            qgc = read_qgc_plan(by_name[base + ".plan"])
            assert_same_items(qgc.items, sortie.items)
            assert_same_items(read_waypoints(by_name[base + ".waypoints"]), sortie.items)
            assert_same_items(qgc.rally_items, plan.rally_items)
            assert qgc.cruise_speed_m_s == plan.mission.vehicle.cruise_speed_m_s
            assert qgc.home_alt_msl_m == plan.mission.launch.alt_msl_m
            lat, lon = plan.geometry.frame.to_wgs84(*sortie.takeoff_xy_m)
            assert (qgc.home_lat_deg, qgc.home_lon_deg) == pytest.approx((lat, lon), abs=1e-6)
    # the drones take off from different sites, each with its own rally point and altitude
    homes = {read_qgc_plan(p).home_alt_msl_m for p in written if p.suffix == ".plan"}
    assert homes == {272.0, 268.0}


def test_the_geojson_holds_every_drone(team: TeamPlan, doc: dict[str, Any]) -> None:
    features = doc["features"]
    names = [d.mission.vehicle.name for d in team.drones]
    for kind in ("launch", "trajectory", "waypoint", "footprint"):
        drones = {f["properties"].get("drone") for f in features if f["properties"]["kind"] == kind}
        assert drones == set(names), kind
    trajectories = [f for f in features if f["properties"]["kind"] == "trajectory"]
    assert len(trajectories) == sum(len(d.sorties) for d in team.drones)
    colours = {f["properties"]["drone"]: f["properties"]["color"] for f in trajectories}
    assert len(set(colours.values())) == len(names)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours.values())
    assert all(f["properties"]["name"].startswith(f["properties"]["drone"]) for f in trajectories)
    reliefs = [f for f in features if f["properties"]["kind"] == "relief"]
    assert len(reliefs) == len(team.reliefs)
    for f, r in zip(reliefs, team.reliefs, strict=True):
        assert f["properties"]["overlap_s"] >= team.overlap_s
        assert f["properties"]["fresh"] == names[r.fresh]
    gaps = [f for f in features if f["properties"]["kind"] == "gap"]
    assert len(gaps) == len(team.coverage.gaps)  # the team's, not one drone's


def test_gdal_reads_both_files(team: TeamPlan, written: list[Path], doc: dict[str, Any]) -> None:
    geojson, kml = written[-2], written[-1]
    counts = layer_counts(ogrinfo("-so", "-al", geojson))
    assert sum(counts.values()) == len(doc["features"])
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    kml_counts = layer_counts(ogrinfo("-so", "-al", kml))
    assert kml_counts["Reliefs"] == len(team.reliefs) == kinds.count("relief")
    assert kml_counts["Flight"] == kinds.count("trajectory") + kinds.count("waypoint")
    assert kml_counts["Camera footprints"] == kinds.count("footprint")


def test_the_kml_styles_each_drone(team: TeamPlan, written: list[Path]) -> None:
    root = ET.parse(written[-1]).getroot()
    ns = {"k": KML_NS}
    styles = {
        s.get("id"): s.findtext("k:LineStyle/k:color", namespaces=ns)
        for s in root.iter(f"{{{KML_NS}}}Style")
    }
    assert styles["trajectory-1"] != styles["trajectory-2"]
    used = {p.findtext("k:styleUrl", namespaces=ns) for p in root.iter(f"{{{KML_NS}}}Placemark")}
    assert {"#trajectory-1", "#trajectory-2", "#waypoint-2", "#footprint-1", "#relief"} <= used
    assert used <= {f"#{key}" for key in styles}  # every placemark's style is defined


def test_a_team_of_one_writes_what_write_all_writes(plan: Plan, tmp_path: Path) -> None:
    one = TeamPlan(
        plan.mission, plan.geometry, plan.strategy, "swap", 60.0, (plan,), (), plan.coverage, plan
    )
    mine = write_team(one, tmp_path / "team")
    theirs = write_all(plan, tmp_path / "all")
    assert [p.name for p in mine] == [p.name for p in theirs]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(mine, theirs, strict=True))
