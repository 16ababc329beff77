"""KML: parsed with xml.etree (structure, styles, lon,lat order) and by GDAL's two KML drivers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from overwatch.formats import plan_features, write_kml
from overwatch.formats.kml import FOLDERS
from overwatch.planning.model import Plan
from tests.formats.conftest import LAUNCH
from tests.formats.helpers import layer_counts, ogrinfo, ring_signed_area

NS = {"k": "http://www.opengis.net/kml/2.2"}


@pytest.fixture(scope="module")
def kml_path(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kml(plan, tmp_path_factory.mktemp("kml") / "plan.kml")


@pytest.fixture(scope="module")
def root(kml_path: Path) -> ET.Element:
    return ET.parse(kml_path).getroot()


def _kind(pm: ET.Element) -> str:
    value = pm.find("k:ExtendedData/k:Data[@name='kind']/k:value", NS)
    assert value is not None and value.text
    return value.text


def _coords(el: ET.Element) -> list[tuple[float, ...]]:
    text = el.findtext("k:coordinates", namespaces=NS)
    assert text
    return [tuple(float(v) for v in p.split(",")) for p in text.split()]


def test_document_folders_and_placemarks(plan: Plan, root: ET.Element) -> None:
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    doc = root.find("k:Document", NS)
    assert doc is not None
    assert doc.findtext("k:name", namespaces=NS) == "Tillabéri East (lead)"
    folders = doc.findall("k:Folder", NS)
    assert [f.findtext("k:name", namespaces=NS) for f in folders] == list(FOLDERS)
    assert not doc.findall("k:Folder/k:Folder", NS)  # flat: one GDAL layer per folder
    placemarks = doc.findall("k:Folder/k:Placemark", NS)
    want = Counter(f.kind for f in plan_features(plan))
    assert Counter(_kind(pm) for pm in placemarks) == want
    style_ids = {s.get("id") for s in doc.findall("k:Style", NS)}
    for pm in placemarks:
        assert pm.findtext("k:styleUrl", namespaces=NS) == f"#{_kind(pm)}"
        assert _kind(pm) in style_ids


def test_coordinates_are_lon_lat_alt(root: ET.Element) -> None:
    placemarks = root.findall(".//k:Placemark", NS)
    launch = next(pm for pm in placemarks if _kind(pm) == "launch")
    point = launch.find("k:Point", NS)
    assert point is not None
    assert _coords(point) == [(LAUNCH.lon_deg, LAUNCH.lat_deg)]
    for pm in placemarks:
        for geom in pm.iter():
            if geom.find("k:coordinates", NS) is None:
                continue
            for p in _coords(geom):
                assert 1.4 < p[0] < 1.6 and 14.1 < p[1] < 14.3


def test_altitude_modes_and_time(root: ET.Element) -> None:
    placemarks = root.findall(".//k:Placemark", NS)
    traj = [pm for pm in placemarks if _kind(pm) == "trajectory"]
    assert len(traj) == 2
    for pm in traj:
        line = pm.find("k:LineString", NS)
        assert line is not None
        assert line.findtext("k:altitudeMode", namespaces=NS) == "relativeToGround"
        assert max(p[2] for p in _coords(line)) == pytest.approx(80.0)
        begin = pm.findtext("k:TimeSpan/k:begin", namespaces=NS)
        assert begin is not None and begin.startswith("2026-11-25T06:")
    route = next(pm for pm in placemarks if _kind(pm) == "route")
    assert route.findtext("k:LineString/k:altitudeMode", namespaces=NS) == "clampToGround"
    footprint = next(pm for pm in placemarks if _kind(pm) == "footprint")
    assert footprint.findtext("k:TimeStamp/k:when", namespaces=NS)


def test_polygon_rings_closed_and_ccw(root: ET.Element) -> None:
    rings = root.findall(".//k:Polygon/k:outerBoundaryIs/k:LinearRing", NS)
    assert len(rings) > 50
    for ring_el in rings:
        ring = _coords(ring_el)
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert ring_signed_area(ring) > 0


@pytest.mark.parametrize("driver", ["LIBKML", "KML"])
def test_gdal_ogrinfo_reads_each_folder_as_a_layer(plan: Plan, kml_path: Path, driver: str) -> None:
    # GDAL picks LIBKML first; skipping it makes the plain KML driver read the file
    args = ["--config", "GDAL_SKIP", "LIBKML"] if driver == "KML" else []
    summary = ogrinfo(*args, "-so", "-al", kml_path)
    assert f"using driver `{driver}' successful" in summary
    kinds = Counter(f.kind for f in plan_features(plan))
    want = {title: sum(kinds[k] for k in members) for title, members in FOLDERS.items()}
    assert layer_counts(summary) == want
