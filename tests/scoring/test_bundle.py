"""The after-action bundle: GeoJSON, KML (read by GDAL too), PNGs, score.json and the tlog."""

from __future__ import annotations

import itertools
import json
import struct
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from overwatch.link import read_tlog
from overwatch.mission import MissionGeometry, load_mission
from overwatch.report.aar import AarBundle, write_aar
from overwatch.scoring.run import LoadedRun, load_run
from overwatch.scoring.rundir import read_run_dir
from overwatch.scoring.score import RunScore
from tests.scoring.runbuild import BuiltRun

KML = "{http://www.opengis.net/kml/2.2}"
# the example mission lies near Birni N'Konni, Niger: lon about 5.2-5.3, lat about 13.7-13.8
LON_RANGE, LAT_RANGE = (5.0, 5.5), (13.6, 14.0)


@dataclass(frozen=True)
class Written:
    run: LoadedRun
    score: RunScore
    bundle: AarBundle


@pytest.fixture(scope="module")
def written(built: BuiltRun, tmp_path_factory: pytest.TempPathFactory) -> Written:
    run_dir = read_run_dir(built.root)
    run = load_run(run_dir, MissionGeometry.of(load_mission(run_dir.manifest.mission)), "drill")
    score = run.score()
    out = tmp_path_factory.mktemp("aar")
    return Written(run, score, write_aar(run, score, out, footprint_every_s=15.0))


def _positions(geometry: dict[str, Any]) -> list[list[float]]:
    c = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [c]
    if geometry["type"] == "LineString":
        return list(c)
    return [p for ring in c for p in ring]


def test_geojson_is_rfc7946_with_lon_lat_positions(written: Written) -> None:
    doc = json.loads(written.bundle.geojson.read_text())
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert kinds >= {"route", "patrol_track", "drone_track", "telemetry_track", "footprint",
                     "threat", "cue", "border", "keep_out"}  # fmt: skip
    for f in doc["features"]:
        assert f["type"] == "Feature"
        for lon, lat in _positions(f["geometry"]):
            assert LON_RANGE[0] < lon < LON_RANGE[1] and LAT_RANGE[0] < lat < LAT_RANGE[1]
        if f["geometry"]["type"] == "Polygon":
            for ring in f["geometry"]["coordinates"]:
                assert ring[0] == ring[-1]
            outer = f["geometry"]["coordinates"][0]
            area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(outer))
            assert area2 > 0, "exterior rings are counter-clockwise (right-hand rule)"
    # a threat's point is [lon, lat] of where the scenario put it
    t1 = next(t for t in written.run.truth.threats if t.truth_id == "T1-watcher")
    point = next(f for f in doc["features"] if f["properties"].get("truth_id") == "T1-watcher")
    assert point["geometry"]["coordinates"] == pytest.approx([t1.lon_deg, t1.lat_deg], abs=1e-7)
    assert point["properties"]["outcome"] == "cued" and point["properties"]["lead_s"] > 0


def test_geojson_cues_carry_kind_status_times_and_notes(written: Written, built: BuiltRun) -> None:
    doc = json.loads(written.bundle.geojson.read_text())
    cues = {f["properties"]["cue_id"]: f["properties"] for f in doc["features"]
            if f["properties"]["kind"] == "cue"}  # fmt: skip
    t1, false = cues[built.t1_cue], cues[built.false_cue]
    assert t1["status"] == "acknowledged" and t1["matches"] == "T1-watcher"
    assert t1["notes"] == "man with binoculars on the ridge"
    assert t1["first_seen_s"] == pytest.approx(built.t1_cue_t_s, abs=0.1)
    assert t1["first_seen_utc"].startswith("2026-12-01T05:3")  # 06:30 West Africa Time
    assert false["false_cue"] is True and false["status"] == "dismissed"
    assert false["notes"] == "goat herd" and false["cue_kind"] == "vehicle"
    assert cues[built.mark_cue]["source"] == "operator"
    track = next(f for f in doc["features"] if f["properties"]["kind"] == "drone_track")
    assert len(track["properties"]["t_s"]) == len(track["geometry"]["coordinates"])


def test_kml_parses_and_holds_every_feature(written: Written, built: BuiltRun) -> None:
    root = ET.parse(written.bundle.kml).getroot()
    assert root.tag == f"{KML}kml"
    folders = {
        f.findtext(f"{KML}name"): len(f.findall(f"{KML}Placemark"))
        for f in root.iter(f"{KML}Folder")
    }
    assert folders["Threats (true)"] == 3 and folders["Cues"] == 3
    assert folders["Camera footprints"] >= 5
    geojson = json.loads(written.bundle.geojson.read_text())
    assert sum(folders.values()) == len(geojson["features"])
    coords = root.find(f".//{KML}Placemark/{KML}Point/{KML}coordinates")
    assert coords is not None and coords.text is not None
    lon, lat = (float(v) for v in coords.text.split(",")[:2])
    assert LON_RANGE[0] < lon < LON_RANGE[1] and LAT_RANGE[0] < lat < LAT_RANGE[1]
    notes = [d.findtext(f"{KML}value") for d in root.iter(f"{KML}Data")
             if d.get("name") == "notes"]  # fmt: skip
    assert "goat herd" in notes


def test_gdal_reads_the_kml_and_the_geojson(written: Written) -> None:
    kml = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(written.bundle.kml)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "Layer name: Threats (true)" in kml and "Layer name: Cues" in kml
    cues_layer = kml.split("Layer name: Cues")[1]
    assert "Feature Count: 3" in cues_layer
    geo = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(written.bundle.geojson)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    features = len(json.loads(written.bundle.geojson.read_text())["features"])
    assert f"Feature Count: {features}" in geo


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_pngs_are_real_images_of_sensible_size(written: Written) -> None:
    w, h = _png_size(written.bundle.map_png)
    assert 900 <= w <= 4000 and 600 <= h <= 4000
    w, h = _png_size(written.bundle.coverage_png)
    assert 800 <= w <= 4000 and 250 <= h <= 2000
    assert written.bundle.map_png.stat().st_size > 30_000  # not an empty canvas


def test_the_tlog_is_in_the_bundle_and_score_json_describes_the_run(
    written: Written, built: BuiltRun
) -> None:
    assert written.bundle.tlog is not None
    assert len(list(read_tlog(written.bundle.tlog))) == built.tlog_packets
    assert written.run.tlog is not None and written.run.tlog.vehicle_sysids == (1,)
    doc = json.loads(written.bundle.score_json.read_text())
    assert doc["lead_coverage"] == pytest.approx(written.score.lead_coverage, abs=1e-4)
    assert doc["run"]["mode"] == "lead" and doc["run"]["speedup"] == 10.0
    assert doc["tlog"]["packets"] == built.tlog_packets
    assert doc["tlog"]["positions"] == built.tlog_packets // 3
    assert doc["false_cues"] == [built.false_cue]


def test_writing_twice_replaces_the_bundle(written: Written) -> None:
    again = write_aar(written.run, written.score, written.bundle.out_dir)
    assert again.tlog is not None and again.tlog.is_file()
    assert {p.name for p in again.files} == {p.name for p in written.bundle.files}


def test_a_run_where_nothing_moved_still_scores_and_draws(written: Written, tmp_path: Path) -> None:
    truth = written.run.truth
    grounded = truth.drone_rows.copy()
    grounded[:, 3] = 0.0
    parked = truth.patrol_rows.copy()
    parked[:, 3] = 0.0
    still = replace(written.run, truth=replace(truth, drone_rows=grounded, patrol_rows=parked))
    score = still.score()
    assert score.lead_coverage == 0.0 and score.scored_m == 0.0
    bundle = write_aar(still, score, tmp_path / "aar")
    doc = json.loads(bundle.geojson.read_text())
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert "drone_track" not in kinds and "footprint" not in kinds
    assert _png_size(bundle.map_png)[0] >= 900
