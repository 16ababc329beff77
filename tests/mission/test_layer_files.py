"""Airspace and routes from QGIS layers: files written by GDAL's ogr2ogr, as QGIS writes them.

Each layer is drawn once as a plain GeoJSON source, then rewritten by the real
``ogr2ogr`` into GeoPackage (also reprojected to UTM, as a QGIS project in a
metric CRS saves it), GeoJSON and KML; the mission reads them through
``keep_in: {file: …}``, ``keep_out: {file: …, name_field: …}`` and
``route: {file: …}``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from overwatch.errors import MissionError, MissionErrors
from overwatch.geo import geodesic_distance_m
from overwatch.mission import MissionGeometry, load_mission
from overwatch.mission.routes import JOIN_TOLERANCE_M
from tests.mission.helpers import BASE, mutate, write

# the depot of the base mission, a second zone and a two-part camp (a MultiPolygon)
DEPOT = [[0.408055, 14.031446], [0.408055, 14.032350], [0.406389, 14.032350], [0.406389, 14.031446]]
SCHOOL = [[0.4150, 14.0370], [0.4160, 14.0370], [0.4160, 14.0378], [0.4150, 14.0378]]
CAMP_A = [[0.4200, 14.0250], [0.4210, 14.0250], [0.4210, 14.0258], [0.4200, 14.0258]]
CAMP_B = [[0.4230, 14.0250], [0.4240, 14.0250], [0.4240, 14.0258], [0.4230, 14.0258]]
KEEP_IN = [[0.400, 14.020], [0.430, 14.020], [0.430, 14.045], [0.400, 14.045]]
HOLE = [[0.425, 14.040], [0.427, 14.040], [0.427, 14.042], [0.425, 14.042]]
# the base mission's route (lon, lat), split in two parts at point 2
ROUTE = [
    [0.424441, 14.034066],
    [0.420738, 14.033434],
    [0.417035, 14.032169],
    [0.413795, 14.031898],
    [0.405000, 14.030000],
]


def ring(corners: list[list[float]]) -> list[list[float]]:
    return [*corners, corners[0]]


def feature(props: dict[str, Any], kind: str, coordinates: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


ZONES = collection(
    feature({"zone": "fuel depot", "kind": "fuel"}, "Polygon", [ring(DEPOT)]),
    feature({"zone": "school", "kind": "civil"}, "Polygon", [ring(SCHOOL)]),
    feature({"zone": "camp", "kind": "civil"}, "MultiPolygon", [[ring(CAMP_A)], [ring(CAMP_B)]]),
)


def ogr2ogr(tmp_path: Path, source: dict[str, Any], out_name: str, *options: str) -> Path:
    """``source`` (GeoJSON) rewritten by GDAL's ogr2ogr as ``out_name`` (driver from its suffix)."""
    exe = shutil.which("ogr2ogr")
    assert exe is not None, "ogr2ogr not found: apt-get install -y gdal-bin (scripts/sysdeps.sh)"
    src = tmp_path / f"src-{out_name}.geojson"
    src.write_text(json.dumps(source), encoding="utf-8")
    out = tmp_path / out_name
    driver = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".kml": "KML"}[out.suffix]
    done = subprocess.run(
        [exe, "-f", driver, str(out), str(src), *options],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and out.is_file(), done.stderr
    return out


def mission_with(tmp_path: Path, airspace: str, route: str | None = None) -> Path:
    """The base mission with its inline keep-out replaced by ``airspace`` lines."""
    start = BASE.index("  keep_out:\n")
    end = BASE.index("  border:\n")
    text = BASE[:start] + airspace + BASE[end:]
    if route is not None:
        r0 = text.index("  route:\n")
        r1 = text.index("vehicle:\n")
        text = text[:r0] + route + text[r1:]
    return write(tmp_path, text)


LAYER_FORMATS = [
    pytest.param("zones.gpkg", (), id="geopackage"),
    pytest.param("zones-utm.gpkg", ("-t_srs", "EPSG:32631"), id="geopackage-utm"),
    pytest.param("zones.geojson", (), id="geojson"),
    pytest.param("zones.kml", ("-dsco", "NameField=zone"), id="kml"),
]


@pytest.mark.parametrize(("name", "options"), LAYER_FORMATS)
def test_keep_outs_from_a_layer(tmp_path: Path, name: str, options: tuple[str, ...]) -> None:
    layer = ogr2ogr(tmp_path, ZONES, name, *options)
    name_field = "name" if name.endswith(".kml") else "zone"  # KML keeps the name as <name>
    path = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}, name_field: {name_field}}}\n")
    mission = load_mission(path)
    names = [k.name for k in mission.airspace.keep_out]
    assert names == ["fuel depot", "school", "camp (part 1 of 2)", "camp (part 2 of 2)"]
    depot = mission.airspace.keep_out[0].polygon
    assert len(depot) == 4
    # every corner where it was drawn (a reprojected layer comes back within centimetres)
    for (lon, lat), p in zip(DEPOT, depot, strict=True):
        assert geodesic_distance_m(lat, lon, p.lat_deg, p.lon_deg) < 0.05
    geometry = MissionGeometry.of(mission)
    assert len(geometry.keep_outs) == 4
    assert not geometry.is_allowed(geometry.frame.point(14.0254, 0.4235))  # inside camp part 2


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".kml"])
def test_keep_in_from_a_layer_and_its_hole(tmp_path: Path, suffix: str) -> None:
    source = collection(feature({"name": "ops area"}, "Polygon", [ring(KEEP_IN), ring(HOLE)]))
    layer = ogr2ogr(tmp_path, source, f"keep-in{suffix}")
    path = mission_with(tmp_path, f"  keep_in: {{file: {layer.name}}}\n")
    mission = load_mission(path)
    assert mission.airspace.keep_in is not None and len(mission.airspace.keep_in) == 4
    # the hole is not lost: it is an area the drone may not enter
    assert [k.name for k in mission.airspace.keep_out] == ["keep-in hole 1"]
    geometry = MissionGeometry.of(mission)
    assert not geometry.is_allowed(geometry.frame.point(14.041, 0.426))
    assert geometry.is_allowed(geometry.frame.point(14.027, 0.415))


def test_inline_and_file_keep_outs_together(tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, collection(ZONES["features"][1]), "school.geojson")
    airspace = (
        "  keep_out:\n"
        "    - name: fuel depot\n"
        "      polygon: [[14.031446, 0.408055], [14.032350, 0.408055], [14.032350, 0.406389]]\n"
        f"    - {{file: {layer.name}, name_field: zone}}\n"
    )
    mission = load_mission(mission_with(tmp_path, airspace))
    assert [k.name for k in mission.airspace.keep_out] == ["fuel depot", "school"]


def test_without_a_name_field_features_are_numbered(tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, ZONES, "zones.geojson", "-select", "kind")
    mission = load_mission(mission_with(tmp_path, f"  keep_out: {{file: {layer.name}}}\n"))
    assert [k.name for k in mission.airspace.keep_out][:2] == ["zones feature 1", "zones feature 2"]


def test_a_feature_without_its_name_is_located(tmp_path: Path) -> None:
    source = collection(ZONES["features"][0], feature({"kind": "x"}, "Polygon", [ring(SCHOOL)]))
    layer = ogr2ogr(tmp_path, source, "zones.gpkg")
    path = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}, name_field: zone}}\n")
    with pytest.raises(MissionError) as info:
        load_mission(path)
    err = info.value
    assert err.file == str(layer)
    assert err.field == "airspace.keep_out"
    assert err.message == "feature fid=2: no value in the name field 'zone'"
    assert err.found == "attributes kind"


def test_a_line_in_an_area_layer_is_refused_not_dropped(tmp_path: Path) -> None:
    source = collection(ZONES["features"][0], feature({"zone": "track"}, "LineString", ROUTE[:2]))
    layer = ogr2ogr(tmp_path, source, "zones.kml", "-dsco", "NameField=zone")
    path = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}}}\n")
    with pytest.raises(MissionError) as info:
        load_mission(path)
    err = info.value
    assert err.file == str(layer)
    assert err.message == "feature 2 'track': a LineString, not an area"
    text = layer.read_text().splitlines()
    assert err.line is not None and "<Placemark>" in text[err.line - 1]  # the KML line


def test_a_self_crossing_feature_and_a_bad_one_are_both_located(tmp_path: Path) -> None:
    bow_tie = [[0.415, 14.037], [0.416, 14.0378], [0.416, 14.037], [0.415, 14.0378]]
    source = collection(
        feature({"zone": "bow tie"}, "Polygon", [ring(bow_tie)]),
        ZONES["features"][0],
        feature({"zone": "sliver"}, "Polygon", [[[0.41, 14.03], [0.42, 14.03], [0.41, 14.03]]]),
    )
    layer = ogr2ogr(tmp_path, source, "zones.geojson")
    path = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}, name_field: zone}}\n")
    with pytest.raises(MissionErrors) as info:
        load_mission(path)
    messages = [e.message for e in info.value.errors]
    assert len(messages) == 2
    assert messages[0].startswith(
        "feature 1 'bow tie': ring 0 intersects itself: edge 0→1 crosses edge 2→3 at lat 14.037"
    )
    assert messages[1] == "feature 3 'sliver': ring 0 has fewer than three distinct corners"
    assert all(e.file == str(layer) for e in info.value.errors)
    text = layer.read_text().splitlines()  # each error on its feature's line
    assert [text[(e.line or 0) - 1].count('"bow tie"') for e in info.value.errors] == [1, 0]
    assert '"sliver"' in text[(info.value.errors[1].line or 0) - 1]


def test_a_file_that_is_no_geopackage_is_located(tmp_path: Path) -> None:
    (tmp_path / "zones.gpkg").write_bytes(b"not a database")
    with pytest.raises(MissionError) as info:
        load_mission(mission_with(tmp_path, "  keep_out: {file: zones.gpkg}\n"))
    assert info.value.file == str(tmp_path / "zones.gpkg")
    assert info.value.message.startswith("cannot read the GeoPackage: ")
    assert info.value.field == "airspace.keep_out"


def test_a_keep_in_layer_must_hold_one_polygon(tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, ZONES, "zones.gpkg")
    with pytest.raises(MissionError, match="a keep-in file must hold exactly one polygon"):
        load_mission(mission_with(tmp_path, f"  keep_in: {{file: {layer.name}}}\n"))


def test_a_geopackage_with_several_layers_needs_a_layer_key(tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, ZONES, "zones.gpkg", "-nln", "zones")
    extra = ogr2ogr(tmp_path, collection(ZONES["features"][1]), "other.gpkg", "-nln", "schools")
    done = subprocess.run(
        ["ogr2ogr", "-update", "-f", "GPKG", str(layer), str(extra), "-nln", "schools"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with pytest.raises(MissionError) as info:
        load_mission(mission_with(tmp_path, f"  keep_out: {{file: {layer.name}}}\n"))
    assert info.value.message == "the GeoPackage holds several layers: say which"
    assert info.value.found == "layers zones, schools"
    path = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}, layer: schools}}\n")
    assert len(load_mission(path).airspace.keep_out) == 1


def test_duplicate_names_across_layers_are_refused(tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, ZONES, "zones.geojson")
    airspace = (
        "  keep_out:\n"
        "    - name: school\n"
        "      polygon: [[14.031446, 0.408055], [14.032350, 0.408055], [14.032350, 0.406389]]\n"
        f"    - {{file: {layer.name}, name_field: zone}}\n"
    )
    with pytest.raises(MissionError, match="two keep-out areas are named 'school'"):
        load_mission(mission_with(tmp_path, airspace))


# -- routes as multi-lines -----------------------------------------------------------


ROUTE_FORMATS = [
    pytest.param("road.geojson", (), id="geojson"),
    pytest.param("road.kml", (), id="kml"),
    pytest.param("road.gpkg", (), id="geopackage"),
    pytest.param("road-utm.gpkg", ("-t_srs", "EPSG:32631"), id="geopackage-utm"),
]


@pytest.mark.parametrize(("name", "options"), ROUTE_FORMATS)
def test_a_multilinestring_route_whose_parts_join(
    tmp_path: Path, name: str, options: tuple[str, ...]
) -> None:
    source = collection(feature({"name": "road"}, "MultiLineString", [ROUTE[:3], ROUTE[2:]]))
    layer = ogr2ogr(tmp_path, source, name, "-nlt", "MULTILINESTRING", *options)
    path = mission_with(
        tmp_path,
        BASE[BASE.index("  keep_out:") : BASE.index("  border:")],
        f"  route: {{file: {layer.name}}}\n",
    )
    mission = load_mission(path)
    assert len(mission.patrol.route) == len(ROUTE)  # the shared point once
    for (lon, lat), p in zip(ROUTE, mission.patrol.route, strict=True):
        assert geodesic_distance_m(lat, lon, p.lat_deg, p.lon_deg) < 0.05


def test_a_geopackage_route_beside_points_and_its_layer_key(tmp_path: Path) -> None:
    source = collection(
        feature({"name": "start"}, "Point", ROUTE[0]),
        feature({"name": "road"}, "LineString", ROUTE),
    )
    layer = ogr2ogr(tmp_path, source, "road.gpkg", "-nln", "road")
    keep_out = BASE[BASE.index("  keep_out:") : BASE.index("  border:")]
    path = mission_with(tmp_path, keep_out, f"  route: {{file: {layer.name}, layer: road}}\n")
    assert len(load_mission(path).patrol.route) == len(ROUTE)
    path = mission_with(tmp_path, keep_out, f"  route: {{file: {layer.name}, layer: roads}}\n")
    with pytest.raises(MissionError, match="no layer 'roads' in the GeoPackage"):
        load_mission(path)


def test_a_multilinestring_with_a_gap_is_refused_with_the_gap_located(tmp_path: Path) -> None:
    # part 2 starts 250 m west of where part 1 ends
    moved = [[ROUTE[2][0] - 0.0023, ROUTE[2][1]], *ROUTE[3:]]
    source = collection(feature({"name": "road"}, "MultiLineString", [ROUTE[:3], moved]))
    layer = ogr2ogr(tmp_path, source, "road.kml")
    path = mission_with(
        tmp_path,
        BASE[BASE.index("  keep_out:") : BASE.index("  border:")],
        f"  route: {{file: {layer.name}}}\n",
    )
    with pytest.raises(MissionError) as info:
        load_mission(path)
    err = info.value
    assert err.file == str(layer) and err.field == "patrol.route"
    gap = geodesic_distance_m(ROUTE[2][1], ROUTE[2][0], moved[0][1], moved[0][0])
    assert 240 < gap < 260
    assert err.message == (
        f"the parts of the multi-line do not join: part 1 ends at lat {ROUTE[2][1]:.6f}, "
        f"lon {ROUTE[2][0]:.6f}, part 2 starts at lat {moved[0][1]:.6f}, "
        f"lon {moved[0][0]:.6f}, {gap:.0f} m away"
    )
    assert err.found == f"a gap of {gap:.1f} m between parts 1 and 2 of 2"
    assert err.expected is not None and f"within {JOIN_TOLERANCE_M:g} m" in err.expected


def test_a_part_drawn_backwards_gets_a_hint(tmp_path: Path) -> None:
    source = collection(
        feature({"name": "road"}, "MultiLineString", [ROUTE[:3], list(reversed(ROUTE[2:]))])
    )
    layer = ogr2ogr(tmp_path, source, "road.geojson")
    path = mission_with(
        tmp_path,
        BASE[BASE.index("  keep_out:") : BASE.index("  border:")],
        f"  route: {{file: {layer.name}}}\n",
    )
    with pytest.raises(MissionError, match="part 2 is drawn backwards"):
        load_mission(path)


def test_parts_within_the_tolerance_join(tmp_path: Path) -> None:
    nudged = [[ROUTE[2][0] + 0.00004, ROUTE[2][1]], *ROUTE[3:]]  # about 4 m east
    source = collection(feature({"name": "road"}, "MultiLineString", [ROUTE[:3], nudged]))
    layer = ogr2ogr(tmp_path, source, "road.geojson")
    path = mission_with(
        tmp_path,
        BASE[BASE.index("  keep_out:") : BASE.index("  border:")],
        f"  route: {{file: {layer.name}}}\n",
    )
    assert len(load_mission(path).patrol.route) == 6  # both ends kept: nothing is moved


def test_a_bad_area_file_and_a_mission_mistake_come_together(tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, ZONES, "zones.geojson")
    path = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}, name_field: title}}\n")
    path.write_text(mutate("  endurance: 35 min", "  endurance: 35", path.read_text()))
    with pytest.raises(MissionErrors) as info:
        load_mission(path)
    files = [Path(e.file or "").name for e in info.value.errors]
    assert files.count("zones.geojson") == 3 and files.count("mission.yaml") == 1
