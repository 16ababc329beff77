"""GeoJSON: RFC 7946 structure (lon/lat order, closed right-hand rings), and GDAL reads it."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point

from overwatch.formats import plan_features, write_geojson
from overwatch.formats.features import PolygonGeom, footprint_sample_indices
from overwatch.planning.model import Plan
from tests.formats.conftest import LAUNCH, RALLY, ROUTE
from tests.formats.helpers import layer_counts, ogrinfo, ring_signed_area

KINDS = {
    "route": 1, "launch": 1, "rally": 2, "keep_in": 1, "keep_out": 1, "border": 1,
    "border_buffer": 1, "trajectory": 2, "baseline_trajectory": 1, "waypoint": 12, "gap": 2,
}  # fmt: skip


@pytest.fixture(scope="module")
def geojson_path(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_geojson(plan, tmp_path_factory.mktemp("gj") / "plan.geojson")


@pytest.fixture(scope="module")
def doc(geojson_path: Path) -> dict[str, Any]:
    loaded = json.loads(geojson_path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _of_kind(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in doc["features"] if f["properties"]["kind"] == kind]


def test_feature_collection_without_crs(doc: dict[str, Any]) -> None:
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    for f in doc["features"]:
        assert f["type"] == "Feature"
        assert set(f) == {"type", "properties", "geometry"}
        assert isinstance(f["properties"]["name"], str)


def test_every_kind_present_with_expected_counts(plan: Plan, doc: dict[str, Any]) -> None:
    counts = Counter(f["properties"]["kind"] for f in doc["features"])
    footprints = counts.pop("footprint")
    assert dict(counts) == KINDS
    t = plan.trajectory
    sampled = footprint_sample_indices(t.t_s, t.alt_rel_m, 10.0, airborne=t.airborne)
    assert footprints == len(sampled) > 50


def test_positions_are_lon_lat(doc: dict[str, Any]) -> None:
    (launch,) = _of_kind(doc, "launch")
    assert launch["geometry"] == {"type": "Point", "coordinates": [LAUNCH.lon_deg, LAUNCH.lat_deg]}
    (route,) = _of_kind(doc, "route")
    assert route["geometry"]["type"] == "LineString"
    got = [c for pos in route["geometry"]["coordinates"] for c in pos]
    assert got == pytest.approx([c for p in ROUTE for c in (p.lon_deg, p.lat_deg)], abs=1e-7)
    rally = [c for f in _of_kind(doc, "rally") for c in f["geometry"]["coordinates"]]
    assert rally == pytest.approx([c for p in RALLY for c in (p.lon_deg, p.lat_deg)], abs=1e-7)
    for f in doc["features"]:
        for lon, lat in _positions(f["geometry"]):
            assert 1.4 < lon < 1.6 and 14.1 < lat < 14.3  # a swapped pair would fail here


def _positions(geometry: dict[str, Any]) -> list[list[float]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [coords]
    if geometry["type"] == "LineString":
        return list(coords)
    return [p for ring in coords for p in ring]


def test_polygons_closed_and_right_hand_rule(doc: dict[str, Any]) -> None:
    polygons = [f for f in doc["features"] if f["geometry"]["type"] == "Polygon"]
    assert {f["properties"]["kind"] for f in polygons} == {
        "keep_in", "keep_out", "border_buffer", "footprint",
    }  # fmt: skip
    for f in polygons:
        exterior, *holes = f["geometry"]["coordinates"]
        for ring in (exterior, *holes):
            assert len(ring) >= 4 and ring[0] == ring[-1], f["properties"]["name"]
        assert ring_signed_area(exterior) > 0, f"{f['properties']['name']}: exterior not CCW"
        for hole in holes:
            assert ring_signed_area(hole) < 0


def test_keep_in_written_ccw_even_if_given_ccw_or_cw(plan: Plan) -> None:
    (keep_in,) = [f for f in plan_features(plan) if f.kind == "keep_in"]
    assert isinstance(keep_in.geometry, PolygonGeom)
    ring = [p[:2] for p in keep_in.geometry.rings[0]]
    assert ring_signed_area(ring) > 0


def test_trajectory_times_match_vertices(plan: Plan, doc: dict[str, Any]) -> None:
    for f in _of_kind(doc, "trajectory"):
        props = f["properties"]
        n = len(f["geometry"]["coordinates"])
        assert len(props["t_s"]) == len(props["alt_rel_m"]) == n
        assert props["t_s"] == sorted(props["t_s"])
        assert max(props["alt_rel_m"]) == pytest.approx(80.0)
        assert re.fullmatch(r"2026-11-25T06:\d\d:\d\dZ", props["start_time"])
        assert all(len(p) == 2 for p in f["geometry"]["coordinates"])  # no ellipsoid heights
    first = _of_kind(doc, "trajectory")[0]["properties"]
    assert (first["sortie"], first["t_s"][0], first["t_s"][-1]) == (0, 0.0, 700.0)


def test_gaps_follow_the_route(plan: Plan, doc: dict[str, Any]) -> None:
    gaps = _of_kind(doc, "gap")
    assert [(g["properties"]["start_m"], g["properties"]["end_m"]) for g in gaps] == [
        (1200.0, 1650.0), (5200.0, 5400.0),
    ]  # fmt: skip
    assert gaps[0]["properties"]["reason"] == "battery swap"
    frame = plan.geometry.frame
    for g in gaps:
        for lon, lat in g["geometry"]["coordinates"]:
            x, y = frame.to_local(lat, lon)
            assert plan.geometry.route.distance(Point(x, y)) < 0.05  # metres


def test_footprint_spacing(doc: dict[str, Any]) -> None:
    times = [f["properties"]["t_s"] for f in _of_kind(doc, "footprint")]
    gaps = [b - a for a, b in itertools.pairwise(times) if b - a < 100]
    assert min(gaps) >= 10.0


def test_gdal_ogrinfo_opens_it(doc: dict[str, Any], geojson_path: Path) -> None:
    summary = ogrinfo("-so", "-al", geojson_path)
    assert "using driver `GeoJSON' successful" in summary
    assert layer_counts(summary) == {"Tillabéri East (lead)": len(doc["features"])}
    full = ogrinfo("-al", "-geom=NO", geojson_path)
    kinds = Counter(re.findall(r"^\s+kind \(String\) = (\w+)$", full, flags=re.M))
    assert kinds == Counter(f["properties"]["kind"] for f in doc["features"])
    assert re.search(r"^\s+t_s \(RealList\) = \(351:", full, flags=re.M)  # 351 vertices in sortie 1
